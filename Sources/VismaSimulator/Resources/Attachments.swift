import FlexyVismaCore
import Foundation

/// A file attached to a document, with every revision posted under its name.
struct StoredAttachment: Codable, Equatable {
    /// `journalTransaction/<number>`.
    var document: String
    var name: String
    var id: String
    var contentType: String
    var revisions: [Data]
}

/// Attachments: `POST /v2/journaltransaction/module/{module}/{n}/attachment` (multipart/form-data), the journal's
/// `attachments` list, and `GET /v1/attachment/{id}` for the latest revision's bytes.
///
/// Posting a name the document already has adds a revision (OAS summary: "If the file already exists, a new revision
/// is created"). Where Visma's documentation is silent the stricter reading holds (docs/VISMA.md, "Vouchers"): at most
/// 25 MB per file and only the file types Visma lists for attachments, one file per request, the answer carries no id.
extension CompanyState {
    static let maximumAttachmentBytes = 25 * 1024 * 1024
    static let attachmentExtensions: Set<String> = [
        "doc", "docx", "gif", "jpeg", "jpg", "msg", "pdf", "pfx", "png", "ppt", "pptx", "rtf", "tif", "tiff", "txt",
        "xls", "xlsx",
        "xml", "zip",
    ]

    /// The attachment endpoints, or nil for any other request (their bodies are not JSON).
    mutating func attachmentRoute(_ request: SimulatorRequest, segments: [String]) throws -> SimulatorResponse? {
        let lowered = segments.map { $0.lowercased() }
        if request.method == "GET", lowered.count == 3, lowered[0] == "v1", lowered[1] == "attachment" {
            return try attachmentBytes(segments[2])
        }
        guard request.method == "POST", lowered.count == 6, lowered[0] == "v2", lowered[1] == "journaltransaction",
            lowered[2] == "module",
            lowered[5] == "attachment"
        else { return nil }
        guard lowered[3] == "gl" else {
            throw VismaError.badRequest(
                "Error: Journal transaction module '\(segments[3])' has no journal \(segments[4]); FlexyVisma's journals are GL."
            )
        }
        guard entity(.journalTransaction, segments[4]) != nil else {
            throw VismaError.notFound("Journal transaction with batchNumber = \(segments[4]) not found.")
        }
        let file = try Self.singleFile(request)
        attach(file, to: "journalTransaction/\(segments[4])")
        return .json(201, [:])
    }

    /// Removes an attachment with every revision; false when there is none.
    mutating func removeAttachment(id: String) -> Bool {
        guard let index = (attachments ?? []).firstIndex(where: { $0.id == id.lowercased() }) else { return false }
        attachments?.remove(at: index)
        return true
    }

    /// `AttachmentDto`s of a document: name, id and latest revision number.
    func attachmentList(_ document: String) -> JSONValue {
        .array(
            (attachments ?? []).filter { $0.document == document }.map { attachment in
                [
                    "name": .string(attachment.name), "id": .string(attachment.id),
                    "revision": .number(Double(attachment.revisions.count)),
                ]
            })
    }

    private mutating func attach(_ file: (name: String, contentType: String, data: Data), to document: String) {
        var all = attachments ?? []
        if let index = all.firstIndex(where: { $0.document == document && $0.name == file.name }) {
            all[index].revisions.append(file.data)
            all[index].contentType = file.contentType
        } else {
            all.append(
                StoredAttachment(
                    document: document, name: file.name, id: UUID().uuidString.lowercased(),
                    contentType: file.contentType, revisions: [file.data]))
        }
        attachments = all
    }

    private func attachmentBytes(_ id: String) throws -> SimulatorResponse {
        guard let attachment = (attachments ?? []).first(where: { $0.id == id.lowercased() }),
            let data = attachment.revisions.last
        else {
            throw VismaError.notFound("Attachment with id = \(id) not found.")
        }
        return SimulatorResponse(status: 200, headers: [("Content-Type", attachment.contentType)], body: data)
    }

    /// The one file part of a `multipart/form-data` body, checked for name, type and size.
    static func singleFile(_ request: SimulatorRequest) throws -> (name: String, contentType: String, data: Data) {
        let type = request.headers["content-type"] ?? ""
        guard type.lowercased().hasPrefix("multipart/form-data"), let boundary = MultipartBody.boundary(type) else {
            throw VismaError(415, "The request entity's media type '\(type)' is not supported for this resource.")
        }
        let files = try MultipartBody.files(request.body, boundary: boundary)
        guard files.count == 1, let file = files.first, !file.name.isEmpty else {
            throw VismaError.badRequest("Error: Exactly one file is expected, \(files.count) were sent.")
        }
        let suffix = (file.name as NSString).pathExtension.lowercased()
        guard attachmentExtensions.contains(suffix) else {
            throw VismaError.badRequest("Error: The file type '.\(suffix)' is not allowed for attachments.")
        }
        guard file.data.count <= maximumAttachmentBytes else {
            throw VismaError.badRequest(
                "Error: The file \(file.name) is \(file.data.count) bytes; the maximum allowed size of an attachment is 25 MB."
            )
        }
        return file
    }
}

/// A `multipart/form-data` body (RFC 7578) split into its file parts.
enum MultipartBody {
    static func boundary(_ contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return value.isEmpty || value.count > 70 ? nil : value
            }
        }
        return nil
    }

    /// The parts that carry a `filename`, with their type (`application/octet-stream` when none is given).
    static func files(_ body: Data, boundary: String) throws -> [(name: String, contentType: String, data: Data)] {
        let delimiter = Data("--\(boundary)".utf8)
        let headerEnd = Data("\r\n\r\n".utf8)
        var files: [(String, String, Data)] = []
        guard var cursor = body.range(of: delimiter)?.upperBound else { throw malformed("no boundary") }
        while body[cursor...].starts(with: Data("\r\n".utf8)) {
            guard let headers = body.range(of: headerEnd, in: cursor..<body.endIndex) else {
                throw malformed("a part without headers")
            }
            guard let next = body.range(of: Data("\r\n".utf8) + delimiter, in: headers.upperBound..<body.endIndex)
            else {
                throw malformed("a part without its closing boundary")
            }
            let head = String(decoding: body[cursor..<headers.lowerBound], as: UTF8.self)
            if let name = parameter("filename", in: head) {
                files.append(
                    (
                        name, header("content-type", in: head) ?? "application/octet-stream",
                        Data(body[headers.upperBound..<next.lowerBound])
                    ))
            }
            cursor = next.upperBound
        }
        guard body[cursor...].starts(with: Data("--".utf8)) else { throw malformed("no closing boundary") }
        return files
    }

    private static func header(_ name: String, in head: String) -> String? {
        for line in head.split(separator: "\r\n") {
            let pair = line.split(separator: ":", maxSplits: 1)
            if pair.count == 2, pair[0].lowercased() == name { return pair[1].trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    private static func parameter(_ name: String, in head: String) -> String? {
        guard let disposition = header("content-disposition", in: head) else { return nil }
        for parameter in disposition.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == name {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    private static func malformed(_ what: String) -> VismaError {
        VismaError.badRequest("Error: The multipart/form-data body is malformed: \(what).")
    }
}
