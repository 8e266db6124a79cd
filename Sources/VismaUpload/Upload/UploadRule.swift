import FlexyVismaCore

/// Every rule the upload stage halts on.
public enum UploadRule: String, RuleCatalog {
    case rejected = "visma.rejected"
    case existsDifferent = "visma.exists-different"
    case noOpenDeposit = "payment.no-open-deposit"
    case credentialsRefused = "visma.credentials-refused"
    case connectUnavailable = "visma.connect-unavailable"
    case refusedUnsent = "upload.refused-unsent"
    case payloadNotAllowed = "payload.not-allowed"
    case repostRefused = "repost.refused"
    case attachmentTooLarge = "upload.attachment-too-large"

    public static let title = "Upload"

    public var meaning: String {
        switch self {
        case .rejected: "Visma refused a record or its release; its own words are in the halt and `report.txt`"
        case .existsDifferent:
            "a record to create already exists in Visma with other FlexyBox fields (made by hand?); nothing is overwritten unless `onExisting` says so"
        case .noOpenDeposit: "a withdrawal has no open deposit (prepayment) of the customer in Visma to be applied to"
        case .credentialsRefused:
            "Visma Connect refused the client id or secret; fix the configuration or the secret file"
        case .connectUnavailable: "Visma Connect could not be reached for a token; nothing was sent"
        case .refusedUnsent:
            "the halt on refused records was lifted without `retry`; those records were never sent again"
        case .payloadNotAllowed:
            "a payload line asks for a request transform never writes (edited by hand?); nothing of it is sent"
        case .repostRefused:
            "a reposted day journal could not be booked as the difference (e.g. its original is missing in Visma)"
        case .attachmentTooLarge:
            "a voucher or receipts file is larger than Visma takes as an attachment (25 MB); nothing of the batch is sent"
        }
    }
}
