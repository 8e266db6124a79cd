import FlexyVismaCore
import Foundation
import Glibc
import Logging
import StateStore
import VismaAPI
import VismaPayloads

/// Attaching each day journal's voucher and receipts file in Visma, exactly once (docs/VISMA.md, "Vouchers").
///
/// Posting a name a journal already has makes a new revision, so an attachment is a ledger record like any other:
/// `sending` is committed before the POST, and an attachment left `sending` (a crash, a lost answer) is looked for by
/// name in the journal's `attachments` before it is posted again.
enum VoucherUpload {
    /// The largest file Visma is known to take as an attachment (25 MB, release note 10.11); larger ones are refused here.
    static let maximumBytes: Int64 = 25 * 1024 * 1024
    static let rule = UploadRule.attachmentTooLarge.id
    /// Crash tests: the child stops, forever, after Visma answered an attachment and before the ledger records it.
    static let stallFault = "stall-after-attachment-sent"

    /// Attachments Visma would refuse for their size: refused before anything of the batch is sent.
    static func refusals(_ attachments: [VoucherAttachment]) -> [Finding] {
        attachments.filter { $0.bytes > maximumBytes }.map { attachment in
            Finding(
                rule: rule,
                message:
                    "\(attachment.name) (voucher of journal \(attachment.journalKey)) is \(attachment.bytes) bytes; Visma takes attachments up to \(maximumBytes) bytes (25 MB)",
                file: attachment.path, line: nil, record: attachment.ledgerKey, field: nil,
                hint:
                    "split the department's day into smaller receipts files in FlexyBox, or discard the batch with `flexyvisma discard`; nothing was sent"
            )
        }
    }

    static func journalAttachmentPath(journal number: String) -> String {
        "/v2/journaltransaction/module/GL/\(PercentEncoding.encode(number))/attachment"
    }
}

/// Where an attachment is: attached (Visma's id), not there, or not known.
enum AttachmentLocated: Equatable {
    case found(id: String)
    case absent
    case unknown(reason: String)
}

extension UploadWork {
    /// Attaches what is not attached yet, for every journal Visma has confirmed; stops at the first refusal or doubt.
    func sendVouchers(
        _ attachments: [VoucherAttachment], journals records: [PayloadRecord], batch: BatchID, folder: URL,
        sender: RecordSender,
        details: inout UploadDetails, sent: inout Sent
    ) async throws {
        guard !attachments.isEmpty else { return }
        let entries = try ledger.entries(batch: batch)
        // This batch's own journals as Visma numbered them: a repost's day is on the journal that now holds it.
        var journals: [String: String] = [:]
        for record in records where record.group == .journalTransactions {
            if let entry = entries[record.sequence], entry.state == .done, let number = entry.vismaId {
                journals[record.key] = number
            }
        }
        for attachment in attachments {
            let state = entries[attachment.sequence]?.state
            guard state != .done, state != .rejected, let number = journals[attachment.journalKey] else { continue }
            if state == .sending {
                switch await sender.locateAttachment(named: attachment.name, journal: number) {
                case .found(let id):
                    try ledger.record(batch: batch, [(attachment.sequence, .done, id, nil)])
                    continue
                case .absent: break
                case .unknown(let reason):
                    sent.unresolved += 1
                    details.kinds[VoucherAttachment.kind, default: .init()].unresolved += 1
                    Logger(label: "flexyvisma-upload").warning(
                        "attachment \(attachment.ledgerKey) left unconfirmed: \(reason)")
                    return
                }
            }
            let data = try Self.attachmentBytes(attachment, folder: folder)
            try ledger.markSending(batch: batch, sequences: [attachment.sequence])
            let outcome = await sender.attach(attachment, data: data, journal: number)
            if case .done = outcome, ProcessInfo.processInfo.environment["FLEXYVISMA_FAULT"] == VoucherUpload.stallFault
            {
                Logger(label: "flexyvisma-upload").warning(
                    "fault injection: stalling after attaching \(attachment.ledgerKey)")
                while true { sleep(60) }
            }
            let journal = records.first { $0.group == .journalTransactions && $0.key == attachment.journalKey }
            try recordVoucher(
                attachment, outcome, journal: journal, number: number, batch: batch, details: &details, sent: &sent)
            if sent.mustStop { return }
        }
    }

    /// Every attachment Visma holds, from this run or an earlier one, in the manifest's counts and ids (as records are).
    func summariseVouchers(_ attachments: [VoucherAttachment], batch: BatchID, details: inout UploadDetails) throws {
        let entries = try ledger.entries(batch: batch)
        for attachment in attachments where entries[attachment.sequence]?.state == .done {
            // Done without an id: a reposted day Visma held unchanged, so nothing was attached.
            guard let id = entries[attachment.sequence]?.vismaId else { continue }
            details.kinds[VoucherAttachment.kind, default: .init()].created += 1
            details.vismaIds[VoucherAttachment.kind, default: [:]][attachment.ledgerKey] = id
        }
    }

    /// The attachment's bytes, checked against the hash transform recorded (the receipts file is not one of its outputs).
    static func attachmentBytes(_ attachment: VoucherAttachment, folder: URL) throws -> Data {
        let url = folder.appendingPathComponent(attachment.path)
        let digest = try DurableFiles.digest(of: url)
        guard digest.sha256 == attachment.sha256, digest.bytes == attachment.bytes,
            digest.bytes <= VoucherUpload.maximumBytes
        else {
            throw OperatorMessage(
                .dataRejected,
                "\(attachment.path) changed after transform listed it as the voucher of journal \(attachment.journalKey); nothing of it was sent"
            )
        }
        return try Data(contentsOf: url)
    }

    /// Records an attachment's outcome; a refusal is the journal's (the voucher belongs to it) with Visma's words.
    func recordVoucher(
        _ attachment: VoucherAttachment, _ outcome: SendOutcome, journal: PayloadRecord?, number: String,
        batch: BatchID,
        details: inout UploadDetails, sent: inout Sent
    ) throws {
        let kind = VoucherAttachment.kind
        switch outcome {
        case .done(let id, _):
            try ledger.record(batch: batch, [(attachment.sequence, .done, id, nil)])
        case .rejected(let message, _), .conflict(let message):
            let text = "attaching \(attachment.name) to journal \(number): \(message)"
            try ledger.record(batch: batch, [(attachment.sequence, .rejected, nil, text)])
            details.kinds[kind, default: .init()].rejected += 1
            if sent.rejection == nil, let journal { sent.rejection = (journal, text, UploadRule.rejected.id) }
        case .unresolved:
            sent.unresolved += 1
            details.kinds[kind, default: .init()].unresolved += 1
        case .noToken(let error, _):
            if sent.noToken == nil { sent.noToken = error }
        }
    }
}

extension RecordSender {
    /// Posts the file as a multipart form; a lost answer or a gateway error is settled by looking for the name first.
    func attach(_ attachment: VoucherAttachment, data: Data, journal number: String) async -> SendOutcome {
        let path = VoucherUpload.journalAttachmentPath(journal: number)
        var mayHaveArrived = false
        var lastProblem = ""
        for attempt in 0..<maximumAttempts {
            if attempt > 0 {
                await counters.retry()
                await backoff(attempt)
            }
            if mayHaveArrived {
                switch await locateAttachment(named: attachment.name, journal: number) {
                case .found(let id): return .done(vismaId: id, created: true)
                case .absent: mayHaveArrived = false
                case .unknown(let reason): return .unresolved(reason: "looking for \(attachment.name): \(reason)")
                }
            }
            guard let token = try? await tokens.token() else {
                return .unresolved(reason: "no access token for \(path)")
            }
            await pacer.admit()
            await counters.request()
            let part = FormPart(
                name: "file", fileName: attachment.name, contentType: attachment.contentType, data: data)
            // A POST that makes a revision is never re-sent by libcurl itself.
            let request = HTTPRequest(
                method: "POST", url: baseURL + path,
                headers: [("Authorization", "Bearer \(token)"), ("Accept", "application/json")],
                freshConnection: true, form: [part])
            let response: HTTPResponse
            do {
                response = try await session.send(request)
            } catch {
                await pacer.abandoned()
                lastProblem = "\(error)"
                mayHaveArrived = true
                continue
            }
            await pacer.observe(response)
            switch response.status {
            case 200..<300:
                switch await locateAttachment(named: attachment.name, journal: number) {
                case .found(let id): return .done(vismaId: id, created: true)
                case .absent:
                    return .rejected(
                        message:
                            "Visma answered \(response.status) to \(attachment.name) but does not list it on journal \(number)",
                        status: response.status)
                case .unknown(let reason):
                    return .unresolved(reason: "attached, but its id could not be read: \(reason)")
                }
            case 401: await tokens.invalidate(token)
            case 429, 502, 503, 504:
                lastProblem = "HTTP \(response.status)"
                mayHaveArrived = response.status != 429
            default:
                return .rejected(message: response.vismaMessage ?? "HTTP \(response.status)", status: response.status)
            }
        }
        return .unresolved(reason: lastProblem)
    }

    /// Hex digits and dashes, at most 64: what a uuid is written with.
    static func isUUIDText(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count)
            && text.utf8.allSatisfy { $0 == 0x2D || (0x30...0x39).contains($0) || (0x61...0x66).contains($0 | 0x20) }
    }

    /// Looks for the name among the journal's attachments (`JournalTransactionDto.attachments`).
    func locateAttachment(named name: String, journal number: String) async -> AttachmentLocated {
        await counters.lookup()
        let path = "/v2/journaltransaction/\(PercentEncoding.encode(number))"
        guard let response = await exchange("GET", path) else {
            return .unknown(reason: "GET \(path): Visma could not be reached")
        }
        guard response.status == 200 else { return .unknown(reason: "GET \(path) answered HTTP \(response.status)") }
        guard let journal = try? BoundedJSONDecoder.decode(JournalTransactionAttachmentsDto.self, from: response.body)
        else {
            return .unknown(reason: "GET \(path) answered something that is not a journal transaction")
        }
        guard let match = (journal.attachments ?? []).last(where: { $0.name == name }) else { return .absent }
        // An id goes into the ledger, the manifest and `audit show`: a uuid (OAS `format: uuid`), nothing a terminal would act on.
        guard let id = match.id, Self.isUUIDText(id) else {
            return .unknown(reason: "Visma lists \(name) on journal \(number) without a usable id")
        }
        return .found(id: id)
    }
}
