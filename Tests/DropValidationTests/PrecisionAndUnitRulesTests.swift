import DropFormats
import FlexyVismaCore
import Foundation
import TestSupport
import Testing

/// Validation catches what Visma would refuse about kit quantities and purchase order units, before anything is sent.
@Suite struct PrecisionAndUnitRulesTests {
    /// A batch folder with these files, renamed into the inbox as the export does.
    func dropFolder(_ fixture: ValidationFixture, _ files: [String: String]) throws {
        let id = BatchID.make()
        let staging = fixture.folder.path("staging-\(id.rawValue)")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: staging.appendingPathComponent(name)) }
        try FileManager.default.moveItem(at: staging, to: fixture.root.inbox.appendingPathComponent(id.rawValue))
    }

    static let calculation = """
        <?xml version="1.0" encoding="UTF-8"?>
        <calculations xmlns="urn:flexyvisma:calculations:1">
          <calculation item="1004" revision="1">
            <component item="R-100" quantity="0.004" unit="KG"/>
          </calculation>
        </calculations>
        """

    @Test func aComponentQuantityThatRoundsToZeroAtTheCompanysPrecisionIsRejected() async throws {
        var fixture = try ValidationFixture()
        fixture.configuration.pipeline.quantityDecimalPlaces = 2
        try dropFolder(fixture, ["calculations.xml": Self.calculation])
        let outcome = try await fixture.validate()
        #expect(outcome.exitStatus == .dataRejected)
        let finding = try #require(outcome.manifest?.rejections.first { $0.rule == "kit.quantity-below-precision" })
        #expect(
            finding.message
                == "quantity 0.004 is 0 at the company's 2 quantity decimal places; Visma would refuse the component")
        #expect(finding.hint?.contains("pipeline.quantityDecimalPlaces") == true)
    }

    @Test func theSameQuantityPassesAtFourDecimalPlaces() async throws {
        let fixture = try ValidationFixture()
        #expect(fixture.configuration.pipeline.effectiveQuantityDecimalPlaces == 4)
        try dropFolder(fixture, ["calculations.xml": Self.calculation])
        let outcome = try await fixture.validate()
        #expect(
            outcome.manifest?.rejections.contains { $0.rule == "kit.quantity-below-precision" } == false,
            "\(outcome.reportLines)")
    }

    @Test func aPurchaseOrderLineInAnotherUnitThanItsItemIsRejected() async throws {
        let fixture = try ValidationFixture()
        let items = """
            item_number,name,kind,item_group,unit,sales_price,cost_price,vat_code,visma_item_class,active
            R-900,Havregryn,raw_material,,KG,,12.00,25,,true
            """
        let orders = """
            <?xml version="1.0" encoding="UTF-8"?>
            <purchaseOrders xmlns="urn:flexyvisma:purchase-orders:1">
              <purchaseOrder number="PO-9200" supplier="Hørkram A/S" date="2026-11-28" department="Café">
                <line item="R-900" quantity="10" unit="L" unitCost="18.00"/>
                <line item="R-900" quantity="10" unit="KG" unitCost="18.00"/>
              </purchaseOrder>
            </purchaseOrders>
            """
        try dropFolder(fixture, ["items.csv": items, "purchase_orders.xml": orders])
        let outcome = try await fixture.validate()
        #expect(outcome.exitStatus == .dataRejected)
        let findings = (outcome.manifest?.rejections ?? []).filter { $0.rule == "po.unit-not-of-item" }
        #expect(findings.count == 1, "\(outcome.reportLines)")
        #expect(findings.first?.message == "R-900 is kept in KG, not L; Visma takes only the item's own unit")
        #expect(findings.first?.line == 4)
    }
}
