import FuzzSupport
@_spi(Fuzzing) import VismaUpload

/// The project's JSON parser, and what reads Visma's answers with it: the error shapes, the read DTOs and the
/// "already exists" comparison. A value the parser accepts must survive `encoded()` and a second parse unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput(data, size).data
    if let value = try? JSONValue.parse(bytes) {
        let encoded = value.encoded()
        guard let again = try? JSONValue.parse(encoded), again == value else {
            fatalError(
                "JSONValue round trip changed the value: \(String(decoding: encoded.prefix(200), as: UTF8.self))")
        }
        _ = ExistingRecord.differences(ours: value, held: value)
        _ = ExistingRecord.differences(ours: value, held: value["value"] ?? .null)
        _ = ExistingRecord.updateBody(bytes, group: .customers)
        _ = value.compacted
    }
    _ = HTTPResponse(status: 400, headers: [:], body: bytes).vismaMessage
    let decoder = JSONDecoder()
    if let page = try? decoder.decode([InventoryDto].self, from: bytes) {
        _ = AnswerNumbers.count(page.first?.metadata?.totalCount.map(Double.init))
    }
    _ = try? decoder.decode([CustomerDto].self, from: bytes)
    _ = try? decoder.decode(KitSpecificationPageDto.self, from: bytes)
    _ = try? decoder.decode([FinancialPeriodDto].self, from: bytes)
    _ = try? decoder.decode(ReleaseActionResultDto.self, from: bytes)
    return 0
}
