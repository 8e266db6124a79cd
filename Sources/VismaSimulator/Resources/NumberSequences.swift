import FlexyVismaCore
import Foundation

/// Numbering series (CS201010): how each kind of record gets its number, and `GET /v1/numberSequence`.
extension CompanyState {
    /// The series behind each kind the API numbers, as `NumberingDto.numberingId` names it.
    static let numberingIds: [(kind: EntityKind, id: String, description: String)] = [
        (.customer, "CUSTOMER", "Customers"), (.customerPayment, "ARPAYMENT", "AR payments"),
        (.purchaseOrder, "POORDER", "Purchase orders"), (.journalTransaction, "BATCH", "GL batches"),
    ]

    /// How the company's series for `kind` treats a number we send (absent from the fixture: manual numbers on import).
    func numbering(_ kind: EntityKind) -> CompanyFixture.Numbering {
        fixture.behaviour.numbering[kind.rawValue] ?? .manualOnImport
    }

    /// `NumberingDto` per series. "Allow manual numbering on imports" is not a field of it: the
    /// API cannot tell a client whether its numbers will be kept.
    func numberSequenceList() -> Outcome {
        .ok(
            .array(
                Self.numberingIds.map { series in
                    let next = nextDocumentNumber[series.kind, default: 1]
                    let sequence: JSONValue = [
                        "numberingId": .string(series.id), "startNbr": "000001", "endNbr": "999999",
                        "warnNbr": "999900",
                        "lastNbr": .string(String(format: "%06d", next - 1)),
                        "nextNumber": .string(String(format: "%06d", next)),
                        "nbrStep": 1, "startDate": "2020-01-01T00:00:00",
                    ]
                    return [
                        "numberingId": .string(series.id), "description": .string(series.description),
                        "manualNumbering": false,
                        "newNumberSymbol": "<NEW>", "sequence": [sequence],
                    ]
                }))
    }
}

extension CompanyState {
    /// An id as one segment of the `Location` URL: everything but letters, digits and `-._~` percent-encoded,
    /// so `/`, space, `+`, `%`, `#` and `?` in a number survive the round trip.
    static func pathSegment(_ id: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return id.addingPercentEncoding(withAllowedCharacters: allowed) ?? id
    }
}

extension CompanyState {
    /// Paging for a list endpoint (named as in `behaviour.maxPageSize`), with the company's cap and metadata habit.
    func paging(_ query: [String: String], _ endpoint: String) throws -> Paging {
        var paging = try Paging(query: query, cap: fixture.behaviour.maxPageSize[endpoint] ?? Paging.maxPageSize)
        paging.omitsMetadata = fixture.behaviour.pageMetadataOmitted.contains(endpoint)
        return paging
    }
}
