import FlexyVismaCore
import Foundation
import VismaPayloads

/// The requests a payload line may make: only the methods and path shapes transform writes for its group
/// (`PayloadBuilder`, `JournalBuilder`); anything else is refused before anything leaves the machine.
///
/// In a pattern `*` is one percent-encoded path segment (RFC 3986 unreserved characters and `%HH`, never `.`
/// or `..`) or the `{number}` placeholder; `?key=*` is a query of exactly that key, its value percent-encoded,
/// possibly empty, or a reference placeholder such as `{customer}`.
enum PayloadRoutes {
    /// The rule id of a payload line that asks for a request transform never writes.
    static let rule = UploadRule.payloadNotAllowed.id

    struct Route {
        var method: String
        var path: String
        var lookup: String
        var release: [String] = []
        var search: [String] = []
    }

    static func routes(_ group: PayloadGroup) -> [Route] {
        switch group {
        case .rawMaterials, .stockProducts, .kitProducts:
            [
                Route(method: "POST", path: "/v1/inventory", lookup: "/v1/inventory/*"),
                Route(method: "PUT", path: "/v1/inventory/*", lookup: "/v1/inventory/*"),
            ]
        case .kitSpecifications:
            [Route(method: "POST", path: "/v1/KitSpecifications", lookup: "/v1/KitSpecifications/*/*")]
        case .customers:
            [
                Route(method: "POST", path: "/v1/customer", lookup: "/v1/customer/*", search: ["/v1/customer?name=*"]),
                Route(method: "PUT", path: "/v1/customer/*", lookup: "/v1/customer/*"),
            ]
        case .customerPayments:
            [
                Route(
                    method: "POST", path: "/v1/customerPayment", lookup: "/v1/customerPayment/*",
                    release: ["/v1/customerPayment/*/action/release"],
                    search: ["/v1/customerPayment?customer=*"])
            ]
        case .purchaseOrders:
            [
                Route(
                    method: "POST", path: "/v1/purchaseorder", lookup: "/v1/purchaseorder/*",
                    search: ["/v1/purchaseorder?supplier=*"])
            ]
        case .journalTransactions:
            [
                Route(
                    method: "POST", path: "/v2/journaltransaction", lookup: "/v2/journaltransaction/*",
                    release: ["/v2/journaltransaction/*/action/release"], search: ["/v2/journaltransaction?periodId=*"])
            ]
        }
    }

    /// Why a record's request is not one transform makes, nil when it is.
    static func problem(_ record: PayloadRecord) -> String? {
        let candidates = routes(record.group).filter { $0.method == record.method }
        guard !candidates.isEmpty else {
            return
                "method \(quoted(record.method)) is not one transform writes for \(record.kind) (\(Set(routes(record.group).map(\.method)).sorted().joined(separator: ", ")))"
        }
        var why = ""
        for route in candidates {
            if !matches(record.path, route.path) {
                why = "path \(quoted(record.path)) is not \(record.method) \(route.path)"
            } else if !matches(record.lookup, route.lookup) {
                why = "lookup \(quoted(record.lookup)) is not GET \(route.lookup)"
            } else if route.method == "PUT", record.lookup != record.path {
                why = "lookup \(quoted(record.lookup)) is not the path it updates"
            } else if let release = record.release, !route.release.contains(where: { matches(release, $0) }) {
                why = "release \(quoted(release)) is not one transform writes for \(record.kind)"
            } else if let list = record.search?.list, !route.search.contains(where: { matches(list, $0) }) {
                why = "search list \(quoted(list)) is not one transform writes for \(record.kind)"
            } else if let reference = record.references.first(where: {
                !($0.field == "customer" && $0.kind == PayloadGroup.customers.kind)
            }) {
                why = "reference \(quoted(reference.field)) to \(quoted(reference.kind)) is not one transform writes"
            } else {
                return nil
            }
        }
        return why
    }

    /// One finding per record that asks for a request transform never writes.
    static func refusals(_ records: [PayloadRecord]) -> [Finding] {
        records.compactMap { record in
            guard let problem = problem(record) else { return nil }
            return Finding(
                rule: rule,
                message: "payload record \(record.sequence) (\(record.kind) \(record.key)) was not sent: \(problem)",
                file: "payloads/\(record.group.fileName)", record: record.key,
                hint: "payload files are written by transform and never edited; discard the batch and export it again")
        }
    }

    static func matches(_ text: String, _ pattern: String) -> Bool {
        let (textPath, textQuery) = split(text)
        let (patternPath, patternQuery) = split(pattern)
        let textSegments = textPath.split(separator: "/", omittingEmptySubsequences: false)
        let patternSegments = patternPath.split(separator: "/", omittingEmptySubsequences: false)
        guard textSegments.count == patternSegments.count else { return false }
        for (segment, expected) in zip(textSegments, patternSegments) {
            if expected == "*" {
                guard segment == Substring(PayloadRecord.numberPlaceholder) || isSegment(segment, allowEmpty: false)
                else { return false }
            } else if segment != expected {
                return false
            }
        }
        switch (textQuery, patternQuery) {
        case (nil, nil): return true
        case (let query?, let expected?):
            guard expected.hasSuffix("=*"), query.hasPrefix(expected.dropLast()) else { return false }
            let value = query.dropFirst(expected.count - 1)
            return isPlaceholder(value) || isSegment(value, allowEmpty: true)
        default: return false
        }
    }

    private static func split(_ text: String) -> (String, String?) {
        guard let mark = text.firstIndex(of: "?") else { return (text, nil) }
        return (String(text[..<mark]), String(text[text.index(after: mark)...]))
    }

    private static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
    private static let hexDigits = Set("0123456789ABCDEFabcdef".utf8)

    /// Percent-encoded text that stays one segment: unreserved characters and `%HH` (`%2F` included), never `.` or `..`.
    private static func isSegment(_ text: Substring, allowEmpty: Bool) -> Bool {
        if text.isEmpty { return allowEmpty }
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, hexDigits.contains(bytes[index + 1]),
                    hexDigits.contains(bytes[index + 2])
                else { return false }
                index += 3
            } else {
                guard unreserved.contains(bytes[index]) else { return false }
                index += 1
            }
        }
        let decoded = String(text).removingPercentEncoding ?? ""
        return decoded != "." && decoded != ".."
    }

    /// `{field}`: a reference placeholder filled in with a percent-encoded number at send time.
    private static func isPlaceholder(_ text: Substring) -> Bool {
        text.hasPrefix("{") && text.hasSuffix("}") && text.count > 2
            && text.dropFirst().dropLast().allSatisfy { $0.isLetter }
    }

    private static func quoted(_ text: String) -> String {
        "\"" + String(text.unicodeScalars.prefix(200).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
            + "\""
    }
}
