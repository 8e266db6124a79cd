import FlexyVismaCore
import Foundation

/// Read-only reference data: payment methods, suppliers, branches, periods, accounts, VAT ids.
extension CompanyState {
    func paymentMethodList() -> Outcome {
        .ok(.array(fixture.paymentMethods.map {
            [
                "paymentMethodID": .string($0.id), "description": .string($0.description), "active": .bool($0.active),
                "meansOfPayment": .string($0.meansOfPayment), "useInAP": false, "details": [],
            ]
        }))
    }

    func supplierDTO(_ supplier: CompanyFixture.Supplier) -> JSONValue {
        [
            "internalId": .number(Double(Int(supplier.number) ?? 0)), "number": .string(supplier.number),
            "name": .string(supplier.name), "status": .string(supplier.status), "currencyId": "DKK",
        ]
    }

    func listSuppliers(_ query: [String: String]) throws -> Outcome {
        var suppliers = fixture.suppliers
        if let name = query["name"] { suppliers = suppliers.filter { $0.name == name } }
        if let status = query["status"] { suppliers = suppliers.filter { $0.status == status } }
        return .ok(try paging(query, "supplier").arrayResponse(suppliers.map(supplierDTO)))
    }

    func getSupplier(_ number: String) throws -> Outcome {
        guard let supplier = supplier(number) else { throw VismaError.notFound("Supplier with supplierCd = \(number) not found.") }
        return .ok(supplierDTO(supplier))
    }

    func branchList() -> Outcome {
        .ok(.array(fixture.branches.enumerated().map { index, branch in
            [
                "branchId": .number(Double(index + 1)), "number": .string(branch.number), "name": .string(branch.name),
                "isActive": .bool(branch.active), "isMainBranch": .bool(index == 0),
            ]
        }))
    }

    func financialPeriodList() -> Outcome {
        .ok(.array(fixture.financialPeriods.map { period in
            let year = Int(period.period.prefix(4)) ?? 0
            let month = Int(period.period.suffix(2)) ?? 1
            let last = [31, (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][max(0, min(11, month - 1))]
            let monthText = month < 10 ? "0\(month)" : "\(month)"
            return [
                "year": .number(Double(year)), "period": .string(period.period),
                "startDate": .string("\(year)-\(monthText)-01T00:00:00"), "endDate": .string("\(year)-\(monthText)-\(last)T00:00:00"),
                "description": .string(CompanyState.displayPeriod(period.period)), "active": true,
                "closedInGeneralLedger": .bool(period.closed), "closedInCustomerLedger": .bool(period.closed),
                "closedInSupplierLedger": .bool(period.closed), "closedInCashManagement": .bool(period.closed),
                "closedInInventoryManagement": .bool(period.closed), "closedInFixedAssets": .bool(period.closed),
            ]
        }))
    }

    func accountList(_ query: [String: String]) -> Outcome {
        var accounts = fixture.accounts
        if let active = query["active"] { accounts = accounts.filter { String($0.active) == active.lowercased() } }
        return .ok(.array(accounts.enumerated().map { index, account in
            [
                "accountID": .number(Double(index + 1)), "accountCD": .string(account.number), "type": .string(account.type),
                "active": .bool(account.active), "description": .string(account.description),
                "cashAccount": .bool(fixture.paymentMethods.contains { $0.cashAccount == account.number }),
            ]
        }))
    }

    func vatList() -> Outcome {
        .ok(.array(fixture.vatCodes.map { ["vatId": .string($0.id), "description": .string($0.description)] }))
    }
}
