import FlexyVismaCore
import Foundation
import StateStore
import TestSupport
import Testing
import VismaAPI
import VismaPayloads

@testable import VismaUpload

/// References in payload files are resolved when sent, from the ledger across batches or the reference snapshot.
@Suite struct NumberBookTests {
    static func payment(_ id: String, customer: String) throws -> PayloadRecord {
        var record = try PayloadRecord(
            sequence: 1, group: .customerPayments, key: id, method: "POST", path: "/v1/customerPayment",
            lookup: "/v1/customerPayment/{number}",
            body: PaymentUpdateDto(
                referenceNumber: .init(id), overrideNumberSeries: .init(true), customer: .init(customer),
                paymentRef: .init(id)),
            release: "/v1/customerPayment/{number}/action/release", origin: nil)
        record.references = [.init(field: "customer", kind: "customer", key: customer)]
        record.search = .init(
            list: "/v1/customerPayment?customer={customer}", keyField: "paymentRef", numberField: "refNbr", keyText: id)
        return record
    }

    @Test func aReferenceResolvesToTheLedgersNumberElseToACustomerVismaHadElseIsRefusedUnsent() throws {
        let folder = try TemporaryFolder("number-book")
        let root = PipelineRoot(folder.url)
        for url in root.folders { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        let ledger = try UploadLedger(root: root)
        // An earlier batch created K/1, and Visma numbered it 000007.
        let earlier = BatchID.make(at: Date(timeIntervalSince1970: 1_795_000_000))
        try ledger.prepare(batch: earlier, records: [UploadLedger.Record(sequence: 1, kind: "customer", key: "K/1")])
        try ledger.record(batch: earlier, [(1, .done, "000007", nil)])
        var snapshot = try SampleVisma.reference()
        snapshot.customers = ["K-2", "000009"].map { ReferenceSnapshot.Customer(number: $0) }
        snapshot.customerKeys = ["K-4": "000009"]

        let book = try NumberBook(
            ledger: ledger,
            records: try ["K/1", "K-2", "K-3", "K-4"].map { try Self.payment("P-\($0)", customer: $0) },
            reference: snapshot)
        let first = try book.address(try Self.payment("P-1", customer: "K/1"))
        #expect(try JSONValue.parse(first.body)["customer"]?["value"]?.stringValue == "000007")
        #expect(first.searchList == "/v1/customerPayment?customer=000007")
        #expect(
            RecordSender.documentPath(first.record, vismaId: "A 1") + "/action/release"
                == "/v1/customerPayment/A%201/action/release")
        #expect(try JSONValue.parse(first.body)["paymentRef"]?["value"]?.stringValue == "P-1")
        #expect(
            try JSONValue.parse(book.address(try Self.payment("P-2", customer: "K-2")).body)["customer"]?["value"]?
                .stringValue == "K-2")
        #expect(
            try JSONValue.parse(book.address(try Self.payment("P-4", customer: "K-4")).body)["customer"]?["value"]?
                .stringValue == "000009")
        #expect(throws: UnresolvedReference.self) { try book.address(try Self.payment("P-3", customer: "K-3")) }
        // A number of Visma's that another of our customers claims is not ours.
        #expect(snapshot.vismaCustomer("000009") == nil)
    }
}
