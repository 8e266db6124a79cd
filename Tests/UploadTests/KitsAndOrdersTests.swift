import FlexyVismaCore
import Foundation
import GRDB
import PipelineOperations
import TestSupport
import Testing
import VismaAPI
import VismaPayloads
import VismaSimulator
import VismaUpload

/// Kit revisions at the company's quantity precision; purchase order lines with the department's warehouse;
/// Visma's refusal, in either error shape, verbatim in the halt and the status.
@Suite struct KitsAndOrdersTests {
    func changeSource(_ fixture: PipelineFixture, _ sql: String) throws {
        let queue = try DatabaseQueue(path: fixture.root.resolve("source/flexybox.sqlite").path)
        try queue.write { db in try db.execute(sql: sql) }
        try queue.close()
    }

    @Test func anUnchangedRecipeMakesNoNewRevisionWhenVismaRoundsItsQuantities() async throws {
        var company = CompanyFixture.sampleVenue
        company.behaviour.quantityDecimalPlaces = 3
        try await RunningSimulator.with(SimulatorConfiguration(fixture: company, rateLimit: nil)) { simulator in
            var fixture = try PipelineFixture(simulator: simulator)
            fixture.configuration.pipeline.quantityDecimalPlaces = 3
            try fixture.configuration.encoded().write(to: fixture.root.configFile)
            try changeSource(
                fixture,
                "UPDATE calculation_components SET quantity_e4 = 185 WHERE item_number = '1004' AND component_item = 'R-100'"
            )
            _ = try await fixture.prepareBatch()
            #expect(try await fixture.upload().exitStatus == .success)
            let stored = try await fixture.entities("kitSpecification").first {
                $0["kitInventoryID"] as? String == "1004"
            }
            let line = (stored?["stockComponentLines"] as? [[String: Any]])?.first {
                $0["componentID"] as? String == "R-100"
            }
            #expect(line?["componentQty"] as? Double == 0.019)

            // The same recipe again (0.0186 is 0.019 too): nothing to send.
            let touch = "UPDATE calculations SET modified_at = '2026-11-29T09:00:00+01:00' WHERE item_number = '1004'"
            try changeSource(
                fixture,
                "UPDATE calculation_components SET quantity_e4 = 186 WHERE item_number = '1004' AND component_item = 'R-100'; \(touch)"
            )
            let second = try await fixture.prepareBatch()
            #expect(try fixture.payloads(second).filter { $0.group == .kitSpecifications }.isEmpty)
            #expect(try await fixture.upload().exitStatus == .success)

            // A change Visma can hold (0.0195 is 0.020) is a new revision, sent rounded.
            try changeSource(
                fixture,
                "UPDATE calculation_components SET quantity_e4 = 195 WHERE item_number = '1004' AND component_item = 'R-100'; "
                    + touch.replacingOccurrences(of: "09:00", with: "10:00"))
            let third = try await fixture.prepareBatch()
            let kits = try fixture.payloads(third).filter { $0.group == .kitSpecifications }
            #expect(kits.map(\.key) == ["1004/2"])
            let sent = kits.first?.body["stockComponentLines"]?.arrayValue?.first {
                $0["compInventoryID"]?["value"]?.stringValue == "R-100"
            }
            #expect(sent?["dfltCompQty"]?["value"]?.numberValue == 0.02)
        }
    }

    @Test func purchaseOrderLinesCarryTheWarehouseOfTheirDepartment() async throws {
        var company = CompanyFixture.sampleVenue
        company.behaviour.purchaseOrderWarehouseRequired = true
        try await RunningSimulator.with(SimulatorConfiguration(fixture: company, rateLimit: nil)) { simulator in
            let fixture = try PipelineFixture(simulator: simulator)
            _ = try await fixture.prepareBatch()
            #expect(try await fixture.upload().exitStatus == .success)
            let orders = try await fixture.entities("purchaseOrder")
            #expect(orders.count == 5)
            let warehouses = Set(
                orders.flatMap { ($0["lines"] as? [[String: Any]]) ?? [] }.compactMap {
                    ($0["warehouse"] as? [String: Any])?["id"] as? String
                })
            #expect(warehouses == ["CAFE", "RESTAURANT"])
        }
    }

    /// A department without its warehouse: Visma refuses the order line by line; the halt and the status show every line.
    func refusedOrderHalt(ippErrors: Bool) async throws -> (message: String, status: String) {
        var company = CompanyFixture.sampleVenue
        company.behaviour.purchaseOrderWarehouseRequired = true
        if ippErrors { company.behaviour.ippErrors = ["purchaseorder"] }
        return try await RunningSimulator.with(SimulatorConfiguration(fixture: company, rateLimit: nil)) { simulator in
            var fixture = try PipelineFixture(simulator: simulator)
            fixture.configuration.departments["Restaurant"]?.warehouse = nil
            try fixture.configuration.encoded().write(to: fixture.root.configFile)
            _ = try await fixture.prepareBatch()
            #expect(try await fixture.upload().exitStatus == .dataRejected)
            let halt = try #require(try HaltRecord.current(in: fixture.root))
            let message = try #require(halt.first?.message)
            let status = try PipelineStatus.read(root: fixture.root, configuration: fixture.configuration).text
            return (message, status)
        }
    }

    @Test func aMultiLineRefusalIsVerbatimInTheHaltAndTheStatus() async throws {
        let (message, status) = try await refusedOrderHalt(ippErrors: false)
        #expect(message.hasPrefix("VismaId: "))
        #expect(message.contains("Error: The purchase order has "))
        #expect(message.contains("\nLine 1: 'Warehouse' cannot be empty.\nLine 2: 'Warehouse' cannot be empty."))
        for line in message.split(separator: "\n") { #expect(status.contains(line), "\(line)") }
        #expect(
            status.contains("\n    Line 2: 'Warehouse' cannot be empty."),
            "continuation lines are indented under the first: \(status)")
        #expect(status.contains("To check the Visma company against the configuration: flexyvisma doctor --root "))
    }

    @Test func anIPPRefusalShowsItsMessageAndDetailsInTheHaltAndTheStatus() async throws {
        let (message, status) = try await refusedOrderHalt(ippErrors: true)
        #expect(message.hasPrefix("Error: The purchase order has "))
        #expect(message.contains(" invalid lines:\nLine 1: 'Warehouse' cannot be empty."))
        for line in message.split(separator: "\n") { #expect(status.contains(line), "\(line)") }
    }
}
