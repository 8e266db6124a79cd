internal import CCairo
import FlexyVismaCore
import Foundation

/// A voucher (a day's or a receipt's) as an A4 PDF — one page for an ordinary day, more when its lines need them —
/// drawn with cairo in DejaVu Sans (Debian `fonts-dejavu-core`).
///
/// Deterministic: the same voucher gives the same bytes. Cairo 1.16 writes the time of the run as
/// `/CreationDate` unless told otherwise, so the creation and modification dates are set to the business
/// day's midnight (UTC) — cairo 1.16 writes them as `(20261123000000Z)`, without PDF's `D:` prefix, which poppler
/// reads all the same; the producer line is cairo's version, fixed per installation.
public enum VoucherRenderer {
    public static let fontFamily = "DejaVu Sans"

    /// The PDF's bytes; throws (78) when the font lacks the Danish letters, instead of cairo's silent gaps.
    public static func pdf(_ voucher: DayVoucher) throws -> Data {
        let sink = PDFSink()
        let context = Unmanaged.passRetained(sink)
        defer { context.release() }
        guard
            let surface = cairo_pdf_surface_create_for_stream(
                PDFSink.write, context.toOpaque(), Page.width, Page.height)
        else {
            throw OperatorMessage(
                .internalError, "cairo could not create a PDF surface for the voucher of \(voucher.journalKey)")
        }
        defer { cairo_surface_destroy(surface) }
        let date = "\(voucher.businessDay)T00:00:00Z"
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, date)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, date)
        let title = VoucherLayout.title(voucher)
        cairo_pdf_surface_set_metadata(
            surface, CAIRO_PDF_METADATA_TITLE, title.prefix(1).uppercased() + title.dropFirst())
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "FlexyVisma")
        guard let cr = cairo_create(surface) else {
            throw OperatorMessage(.internalError, "cairo could not draw the voucher of \(voucher.journalKey)")
        }
        defer { cairo_destroy(cr) }
        var page = Page(cr: cr)
        try page.draw(VoucherLayout.lines(voucher))
        cairo_show_page(cr)
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS, !sink.failed else {
            throw OperatorMessage(
                .internalError,
                "cairo could not write the voucher of \(voucher.journalKey): \(String(cString: cairo_status_to_string(status)))"
            )
        }
        return sink.data
    }
}

/// Collects what cairo writes.
private final class PDFSink {
    var data = Data()
    var failed = false
    /// A voucher is a page of text: far below this; a runaway surface is stopped.
    static let maximumBytes = 8 << 20

    static let write: cairo_write_func_t = { closure, bytes, length in
        guard let closure, let bytes else { return CAIRO_STATUS_WRITE_ERROR }
        let sink = Unmanaged<PDFSink>.fromOpaque(closure).takeUnretainedValue()
        guard sink.data.count + Int(length) <= maximumBytes else {
            sink.failed = true
            return CAIRO_STATUS_WRITE_ERROR
        }
        sink.data.append(bytes, count: Int(length))
        return CAIRO_STATUS_SUCCESS
    }
}

/// One line of the page: a label on the left, an optional amount right-aligned, in a style.
struct VoucherLine: Equatable {
    enum Style: Equatable {
        case title, heading, body, total, small
    }

    var text: String
    var amount: String?
    var style: Style = .body
}

/// Draws lines top to bottom on an A4 page.
private struct Page {
    static let width = 595.0
    static let height = 842.0
    static let margin = 56.0
    let cr: OpaquePointer
    var y = Page.margin
    var pages = 1
    static let maximumPages = 20

    init(cr: OpaquePointer) { self.cr = cr }

    mutating func draw(_ lines: [VoucherLine]) throws {
        cairo_select_font_face(cr, VoucherRenderer.fontFamily, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
        guard printable(Self.danishLetters) else { throw Self.noFont(Self.danishLetters) }
        for line in lines {
            let (size, bold, gap) = Self.metrics(line.style)
            cairo_select_font_face(
                cr, VoucherRenderer.fontFamily, CAIRO_FONT_SLANT_NORMAL,
                bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
            cairo_set_font_size(cr, size)
            y += gap
            if y >= Page.height - Page.margin {
                // A day of many item groups or tenders goes on over the page rather than failing the night.
                pages += 1
                guard pages <= Self.maximumPages else {
                    throw OperatorMessage(
                        .internalError,
                        "the voucher has more lines than \(Self.maximumPages) pages hold (\(lines.count))")
                }
                cairo_show_page(cr)
                y = Page.margin + gap
            }
            try show(line.text, x: Page.margin)
            if let amount = line.amount {
                var extents = cairo_text_extents_t()
                cairo_text_extents(cr, amount, &extents)
                try show(amount, x: Page.width - Page.margin - extents.x_advance)
            }
            if line.style == .total || line.style == .title {
                cairo_set_line_width(cr, 0.5)
                cairo_move_to(cr, Page.margin, y + 4)
                cairo_line_to(cr, Page.width - Page.margin, y + 4)
                cairo_stroke(cr)
            }
        }
    }

    static func metrics(_ style: VoucherLine.Style) -> (size: Double, bold: Bool, gap: Double) {
        switch style {
        case .title: (16, true, 18)
        case .heading: (11, true, 24)
        case .body: (10, false, 15)
        case .total: (10, true, 15)
        case .small: (7.5, false, 12)
        }
    }

    /// Shows text, converted to glyphs once; a character the font lacks is drawn as `?` (cairo would draw nothing).
    func show(_ text: String, x: Double) throws {
        let shown = withGlyphs(text, x: x) { glyphs, count -> Bool in
            guard Self.complete(glyphs, count, for: text) else { return false }
            cairo_show_glyphs(cr, glyphs, count)
            return true
        }
        guard let shown else { throw Self.noFont(text) }
        guard !shown else { return }
        let marked = text.unicodeScalars.map { printable(String($0)) ? String($0) : "?" }.joined()
        guard marked != text else { throw Self.noFont(text) }  // not even `?` helps: the font is unusable
        try show(marked, x: x)
    }

    /// Whether the font has a glyph for every character of `text`.
    func printable(_ text: String) -> Bool {
        withGlyphs(text, x: 0) { Self.complete($0, $1, for: text) } ?? false
    }

    /// `text` as the current font's glyphs placed at (x, y), handed to `body`; nil when cairo cannot convert it.
    private func withGlyphs<Result>(
        _ text: String, x: Double, _ body: (UnsafeMutablePointer<cairo_glyph_t>, Int32) -> Result
    ) -> Result? {
        guard let font = cairo_get_scaled_font(cr) else { return nil }
        var glyphs: UnsafeMutablePointer<cairo_glyph_t>?
        var count: Int32 = 0
        let status = cairo_scaled_font_text_to_glyphs(font, x, y, text, -1, &glyphs, &count, nil, nil, nil)
        defer { cairo_glyph_free(glyphs) }
        guard status == CAIRO_STATUS_SUCCESS, let glyphs else { return nil }
        return body(glyphs, count)
    }

    /// One glyph per character and none of them the font's .notdef (glyph 0): nothing would be left out.
    private static func complete(
        _ glyphs: UnsafeMutablePointer<cairo_glyph_t>, _ count: Int32, for text: String
    ) -> Bool {
        let buffer = UnsafeBufferPointer(start: glyphs, count: Int(count))
        return buffer.count == text.unicodeScalars.count && buffer.allSatisfy { $0.index != 0 }
    }

    /// Danish letters and the krone's signs: a font without them is the wrong font, not odd data.
    static let danishLetters = "æøåÆØÅé€§½"

    static func noFont(_ text: String) -> OperatorMessage {
        OperatorMessage(
            .configuration,
            "the font \(VoucherRenderer.fontFamily) lacks glyphs for \"\(text.prefix(40))\": install Debian's fonts-dejavu-core (Scripts/setup does) so æ, ø and å print on the vouchers"
        )
    }
}
