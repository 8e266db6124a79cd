import FlexyVismaCore
import Foundation
import GRDB
import VismaSimulator

/// The sample venue's Visma company as it looks after the first upload: the simulator's built-in
/// fixture plus every sample item and every complete sample customer.
public enum SampleVisma {
    public static func reference() throws -> ReferenceSnapshot {
        let folder = try TemporaryFolder("sample-visma")
        let database = folder.path("flexybox.sqlite")
        try Repository.buildSampleVenue(at: database)
        let queue = try DatabaseQueue(path: database.path)
        defer { try? queue.close() }
        let fixture = CompanyFixture.sampleVenue
        let items = try queue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT i.item_number, i.kind, EXISTS (SELECT 1 FROM calculations c WHERE c.item_number = i.item_number) AS kit
                    FROM items i ORDER BY i.item_number
                    """
            ).map { row -> ReferenceSnapshot.Item in
                let kit: Bool = row["kit"]
                return ReferenceSnapshot.Item(
                    number: row["item_number"], itemClass: kit ? "IKKELAGER" : "LAGER", stockItem: !kit, kitItem: kit)
            }
        }
        let customers = try queue.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT customer_number FROM customers WHERE address_line1 IS NOT NULL AND postal_code IS NOT NULL AND city IS NOT NULL
                    AND country = 'DK' AND (email IS NULL OR email NOT LIKE '%@@%') AND (vat_number IS NULL OR length(vat_number) = 8)
                    """)
        }
        return ReferenceSnapshot(
            fetchedAt: "2026-11-29T06:00:00.000Z", source: "sample",
            itemClasses: fixture.itemClasses.map { .init(id: $0.id, type: $0.type) },
            units: fixture.units, vatCategories: fixture.vatCategories.map { .init(id: $0.id, active: $0.active) },
            paymentMethods: fixture.paymentMethods.map {
                .init(id: $0.id, description: $0.description, active: $0.active)
            },
            suppliers: fixture.suppliers.map { .init(number: $0.number, name: $0.name, active: $0.status == "Active") },
            customerClasses: fixture.customerClasses.map(\.id),
            branches: fixture.branches.map { .init(number: $0.number, active: $0.active) },
            financialPeriods: fixture.financialPeriods.map(snapshotPeriod), items: items,
            customers: customers.map { ReferenceSnapshot.Customer(number: $0) },
            vats: fixture.vatCodes.map {
                .init(id: $0.id, payableAccount: $0.vatPayableAccount, ratePercent: $0.ratePercent)
            })
    }

    /// A simulator period as the reference snapshot holds it.
    public static func snapshotPeriod(_ period: CompanyFixture.FinancialPeriod) -> ReferenceSnapshot.FinancialPeriod {
        ReferenceSnapshot.FinancialPeriod(
            period: period.period, year: period.year, startDate: period.startDate, endDate: period.endDate,
            active: period.active,
            closedInGeneralLedger: period.closedInGeneralLedger, closedInCustomerLedger: period.closedInCustomerLedger)
    }

    /// Sample item kinds and payment ids, as the history holds them after the sample week was sent.
    public static func history() throws -> (itemKinds: [String: String], kitProducts: Set<String>, paymentIds: [String])
    {
        let folder = try TemporaryFolder("sample-history")
        let database = folder.path("flexybox.sqlite")
        try Repository.buildSampleVenue(at: database)
        let queue = try DatabaseQueue(path: database.path)
        defer { try? queue.close() }
        return try queue.read { db in
            var kinds: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT item_number, kind FROM items") {
                kinds[row["item_number"]] = row["kind"]
            }
            let kits = Set(try String.fetchAll(db, sql: "SELECT DISTINCT item_number FROM calculations"))
            let payments = try String.fetchAll(db, sql: "SELECT payment_id FROM customer_payments")
            return (kinds, kits, payments)
        }
    }
}
