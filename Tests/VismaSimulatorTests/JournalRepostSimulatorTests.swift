import Foundation
import TestSupport
import Testing
import VismaSimulator

/// What a repost needs of the simulated company: an unreleased journal changed by line operations, a released one
/// refused, and a reversal (the sides swapped, VAT lines included) accepted as a VAT transaction (docs/VISMA.md).
@Suite struct JournalRepostSimulatorTests {
    let rules = JournalVatRuleTests()

    static func operations(_ operations: [[String: Any]]) -> String {
        let data =
            (try? JSONSerialization.data(
                withJSONObject: ["journalTransactionLines": operations], options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func line(
        _ operation: String, _ number: Int, account: String? = nil, credit: Double? = nil, debit: Double? = nil,
        category: String? = nil, vatId: String? = nil
    ) -> [String: Any] {
        var line: [String: Any] = ["operation": operation, "lineNumber": ["value": number]]
        if let account { line["accountNumber"] = ["value": account] }
        if let credit { line["creditAmountInCurrency"] = ["value": credit] }
        if let debit { line["debitAmountInCurrency"] = ["value": debit] }
        if let category { line["vatCodeId"] = ["value": category] }
        if let vatId { line["vatId"] = ["value": vatId] }
        if account != nil { line["referenceNumber"] = ["value": "J-1"] }
        return line
    }

    @Test func anUnreleasedJournalTakesLineOperationsAndIsCheckedWhole() async throws {
        try await rules.withClient { client in
            #expect(
                try await client.post("/v2/journaltransaction", VatTestLine.journal(JournalVatRuleTests.right)).status
                    == 201)
            // 125 → 250 kr: tender and taxable updated, the VAT line deleted and inserted again.
            let unbalanced = Self.operations([Self.line("Update", 1, debit: 250)])
            rules.expectRejected(try await client.put("/v2/journaltransaction/J-1", unbalanced), "out of balance")
            let wrongVat = Self.operations([Self.line("Update", 1, debit: 250), Self.line("Update", 2, credit: 225)])
            rules.expectRejected(
                try await client.put("/v2/journaltransaction/J-1", wrongVat), "does not match the amount")
            let right = Self.operations([
                Self.line("Update", 1, debit: 250), Self.line("Update", 2, credit: 200), Self.line("Delete", 3),
                Self.line("Insert", 4, account: "7200", credit: 50, vatId: "U25"),
            ])
            let updated = try await client.put("/v2/journaltransaction/J-1", right)
            #expect(updated.status == 204, "\(updated.message)")
            let journal = try await client.get("/v2/journaltransaction/J-1").jsonObject
            let lines = (journal["journalTransactionLines"] as? [[String: Any]]) ?? []
            #expect(lines.map { $0["lineNumber"] as? Double } == [1, 2, 4])
            #expect(journal["debitTotal"] as? Double == 250 && journal["status"] as? String == "Balanced")
            rules.expectRejected(
                try await client.put("/v2/journaltransaction/J-1", Self.operations([Self.line("Delete", 9)])),
                "Line 9 cannot be found")
        }
    }

    @Test func aReleasedJournalRefusesLineOperations() async throws {
        try await rules.withClient { client in
            #expect(
                try await client.post("/v2/journaltransaction", VatTestLine.journal(JournalVatRuleTests.right)).status
                    == 201)
            #expect(try await client.post("/v2/journaltransaction/J-1/action/release", "").status == 200)
            let refused = try await client.put("/v2/journaltransaction/J-1", Self.operations([Self.line("Delete", 3)]))
            rules.expectRejected(refused, "Batch J-1 has status Released and cannot be changed")
        }
    }

    @Test func aReversalWithItsVatLinesOnTheOtherSideIsAccepted() async throws {
        try await rules.withClient { client in
            let reversal = VatTestLine.journal([.tender(-12500), .taxable(-10000), .vat(-2500)], number: "J-2")
            let created = try await client.post("/v2/journaltransaction", reversal)
            #expect(created.status == 201, "\(created.message)")
            let wrong = VatTestLine.journal([.tender(-12500), .taxable(-10100), .vat(-2400)], number: "J-3")
            rules.expectRejected(try await client.post("/v2/journaltransaction", wrong), "does not match the amount")
        }
    }
}

/// What a repost needs of customer payments: an unreleased one changed with PUT, a released one voided — unless a
/// refund is applied to it (docs/VISMA.md, "Correcting a booked day").
@Suite struct PaymentRepostSimulatorTests {
    let rules = PaymentAndCustomerRuleTests()

    @Test func anUnreleasedPaymentIsChangedWithPutAndAReleasedOneIsRefused() async throws {
        try await rules.withClient { client in
            #expect(
                try await client.post(
                    "/v1/customerPayment", Payloads.payment("P-1", customer: "K-1", type: "Prepayment")
                ).status == 201)
            let changed = try await client.put("/v1/customerPayment/P-1", #"{"paymentAmount": {"value": 750}}"#)
            #expect(changed.status == 204, "\(changed.message)")
            let held = try await client.get("/v1/customerPayment/P-1").jsonObject
            #expect(held["paymentAmount"] as? Double == 750 && held["availableBalance"] as? Double == 750)
            rules.expectRejected(
                try await client.put("/v1/customerPayment/P-1", #"{"customer": {"value": "K-2"}}"#),
                "customer of payment P-1 cannot be changed")
            _ = try await rules.release(client, "P-1", "Prepayment")
            rules.expectRejected(
                try await client.put("/v1/customerPayment/P-1", #"{"paymentAmount": {"value": 800}}"#),
                "has status Open and cannot be changed")
        }
    }

    @Test func onlyAReleasedPaymentWithoutAnAppliedRefundIsVoided() async throws {
        try await rules.withClient { client in
            #expect(
                try await client.post(
                    "/v1/customerPayment", Payloads.payment("P-1", customer: "K-1", type: "Prepayment")
                ).status == 201)
            #expect(
                try await client.post(
                    "/v1/customerPayment", Payloads.payment("P-2", customer: "K-1", type: "Prepayment")
                ).status == 201)
            rules.expectRejected(
                try await client.post("/v1/customerPayment/P-1/action/void", #"{"type": "Prepayment"}"#),
                "cannot be voided in status Balanced")
            _ = try await rules.release(client, "P-1", "Prepayment")
            _ = try await rules.release(client, "P-2", "Prepayment")
            let refund = Payloads.refund("R-1", customer: "K-1", amount: 300, lines: [("Prepayment", "P-1", 300)])
            #expect(try await client.post("/v1/customerPayment", refund).status == 201)
            rules.expectRejected(
                try await client.post("/v1/customerPayment/P-1/action/void", #"{"type": "Prepayment"}"#),
                "refund R-1 is applied to it")
            let voided = try await client.post("/v1/customerPayment/P-2/action/void", #"{"type": "Prepayment"}"#)
            #expect(voided.status == 200 && voided.jsonObject["actionResult"] as? String == "Done", "\(voided.message)")
            #expect(try await client.get("/v1/customerPayment/P-2").jsonObject["status"] as? String == "Voided")
        }
    }
}
