import Foundation

/// What the voucher page says, line by line, in Danish.
enum VoucherLayout {
    static func lines(_ voucher: DayVoucher) -> [VoucherLine] {
        let money = DayVoucher.danish
        var lines = header(voucher)
        lines.append(VoucherLine(text: "Salg pr. varegruppe og momskode (inkl. moms, kr.)", style: .heading))
        for sale in voucher.sales {
            lines.append(
                VoucherLine(
                    text: "\(sale.itemGroup) · momskode \(sale.vatCode) (\(sale.ratePercent) %)",
                    amount: money(sale.gross)))
        }
        let salesTotal = voucher.scope == .day ? "Dagens omsætning i alt" : "Kvitteringens omsætning i alt"
        lines.append(VoucherLine(text: salesTotal, amount: money(voucher.grossSales), style: .total))
        lines.append(VoucherLine(text: "Moms (kr.)", style: .heading))
        for vat in voucher.vat {
            lines.append(
                VoucherLine(text: "Salgsmoms momskode \(vat.vatCode) (\(vat.ratePercent) %)", amount: money(vat.vat)))
        }
        lines.append(VoucherLine(text: "Moms i alt", amount: money(voucher.totalVat), style: .total))
        lines.append(VoucherLine(text: "Betalinger pr. betalingsmåde (kr.)", style: .heading))
        for tender in voucher.tenders {
            lines.append(VoucherLine(text: tender.type, amount: money(tender.amount)))
        }
        lines.append(VoucherLine(text: "Betalinger i alt", amount: money(voucher.totalTenders), style: .total))
        lines += [
            VoucherLine(text: "Rabatter og returneringer (kr.)", style: .heading),
            VoucherLine(text: "Givne rabatter", amount: money(voucher.discounts)),
            VoucherLine(text: "Returneringer og refusioner", amount: money(voucher.refunds)),
            VoucherLine(text: "Sporbarhed", style: .heading),
            VoucherLine(text: "Batch \(voucher.batchId)"),
            VoucherLine(
                text:
                    "Kvitteringsfil \(voucher.receiptsFile) (vedhæftet som bilag\(voucher.receiptsAttachedTo.map { " til \($0)" } ?? ""))"
            ),
            VoucherLine(text: "sha256 \(voucher.receiptsSha256)", style: .small),
            VoucherLine(text: "Dannet af FlexyVisma ud fra kvitteringsfilen; beløb i danske kroner.", style: .small),
        ]
        return lines
    }

    /// The title, where the numbers come from, a repost's reason, and which receipts: a day's range, or the one receipt.
    static func header(_ voucher: DayVoucher) -> [VoucherLine] {
        let place = VoucherLine(
            text:
                "\(voucher.venue) · afdeling \(voucher.department)\(voucher.branch.map { " · afdeling i Visma \($0)" } ?? "")"
        )
        let marked = voucher.repost == nil ? "" : " (rettelse)"
        let correction = voucher.repost.map(Self.correction) ?? []
        switch voucher.scope {
        case .day:
            return [
                VoucherLine(text: "Bilag: dagsrapport \(voucher.businessDay)\(marked)", style: .title), place,
                VoucherLine(text: "Dagskladde (Ref. nr.) \(voucher.journalKey)"),
            ] + correction + [
                VoucherLine(text: "Kvitteringer", style: .heading),
                VoucherLine(text: "Antal kvitteringer", amount: "\(voucher.receipts)"),
                VoucherLine(text: "Første kvittering nr.", amount: "\(voucher.firstReceipt)"),
                VoucherLine(text: "Sidste kvittering nr.", amount: "\(voucher.lastReceipt)"),
            ]
        case .receipt:
            return [
                VoucherLine(text: "Bilag: \(title(voucher))\(marked)", style: .title), place,
                VoucherLine(text: "Kladde (Ref. nr.) \(voucher.journalKey)"),
            ] + correction + [
                VoucherLine(text: "Kvittering", style: .heading),
                VoucherLine(text: "Kvittering nr.", amount: "\(voucher.firstReceipt)"),
                VoucherLine(text: "Forretningsdag", amount: voucher.businessDay),
            ]
        }
    }

    /// What the voucher is, in a few words: `dagsrapport Café 2026-11-23` or `kvittering 100001, 2026-11-22`.
    static func title(_ voucher: DayVoucher) -> String {
        switch voucher.scope {
        case .day: "dagsrapport \(voucher.department) \(voucher.businessDay)"
        case .receipt: "kvittering \(voucher.firstReceipt), \(voucher.businessDay)"
        }
    }

    /// A repost's voucher stands beside the earlier one: it says so, who asked and why.
    static func correction(_ repost: DayVoucher.Repost) -> [VoucherLine] {
        [
            VoucherLine(text: "Genbogføring", style: .heading),
            VoucherLine(text: "Bogført igen som forskellen til det, Visma havde;"),
            VoucherLine(text: "dette bilag står ved siden af det tidligere bilag."),
            VoucherLine(text: "Bestilt af \(repost.requestedBy). Årsag:"),
        ] + wrapped(repost.reason, width: 80).map { VoucherLine(text: $0, style: .small) }
    }

    /// Text broken at spaces into lines of at most `width` characters (a longer word is cut).
    static func wrapped(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            var word = Substring(word)
            while word.count > width {
                if !line.isEmpty { lines.append(line) }
                lines.append(String(word.prefix(width)))
                line = ""
                word = word.dropFirst(width)
            }
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
