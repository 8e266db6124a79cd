import FlexyVismaCore
import Foundation
import TestSupport
import Testing

/// The reference snapshot keeps each customer's FlexyBox-owned fields and still reads older snapshots.
@Suite struct ReferenceSnapshotTests {
    static func snapshot(customers: String) -> String {
        """
        {"fetchedAt": "2026-11-29T06:00:00.000Z", "source": "sample", "itemClasses": [], "units": [], "vatCategories": [],
         "paymentMethods": [], "suppliers": [], "customerClasses": [], "branches": [], "financialPeriods": [], "items": [],
         "customers": \(customers)}
        """
    }

    func load(_ text: String) throws -> ReferenceSnapshot {
        let folder = try TemporaryFolder("reference-snapshot")
        let url = folder.path("reference.json")
        try Data(text.utf8).write(to: url)
        return try ReferenceSnapshot.load(from: url)
    }

    @Test func anOldSnapshotListingCustomerNumbersStillReads() throws {
        let snapshot = try load(Self.snapshot(customers: #"["K-1001", "K-1002"]"#))
        #expect(
            snapshot.customers == [
                ReferenceSnapshot.Customer(number: "K-1001"), ReferenceSnapshot.Customer(number: "K-1002"),
            ])
        #expect(snapshot.customers.allSatisfy { $0.name == nil && $0.city == nil })
    }

    @Test func aCustomersFieldsSurviveAWriteAndARead() throws {
        let customer = ReferenceSnapshot.Customer(
            number: "K-1001", name: "Havnegadens Bowlingklub", addressLine1: "Havnegade 12", postalCode: "5000",
            city: "Odense C",
            country: "DK", email: "kasserer@havnebowl.dk", phone: "+45 66 12 34 56", customerClass: "FORENING",
            corporateId: "29184756")
        var snapshot = try load(Self.snapshot(customers: "[]"))
        snapshot.customers = [customer]
        let again = try load(String(decoding: try snapshot.encoded(), as: UTF8.self))
        #expect(again.customers == [customer])
    }
}
