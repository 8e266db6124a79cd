import FlexyVismaCore
import Foundation

/// Read-only reference data: payment methods, suppliers, branches, periods, accounts, VAT ids.
extension CompanyState {
    func paymentMethodList() -> Outcome {
        .ok(
            .array(
                fixture.paymentMethods.map {
                    [
                        "paymentMethodID": .string($0.id), "description": .string($0.description),
                        "active": .bool($0.active),
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
        guard let supplier = supplier(number) else {
            throw VismaError.notFound("Supplier with supplierCd = \(number) not found.")
        }
        return .ok(supplierDTO(supplier))
    }

    func branchList() -> Outcome {
        .ok(
            .array(
                fixture.branches.enumerated().map { index, branch in
                    [
                        "branchId": .number(Double(index + 1)), "number": .string(branch.number),
                        "name": .string(branch.name),
                        "isActive": .bool(branch.active), "isMainBranch": .bool(index == 0),
                    ]
                }))
    }

    func financialPeriodList() -> Outcome {
        .ok(
            .array(
                fixture.financialPeriods.map { period in
                    [
                        "year": .number(Double(period.year)), "period": .string(period.period),
                        "startDate": .string("\(period.startDate)T00:00:00"),
                        "endDate": .string("\(period.endDate)T00:00:00"),
                        "description": .string(period.displayId), "active": .bool(period.active),
                        "closedInGeneralLedger": .bool(period.closedInGeneralLedger),
                        "closedInCustomerLedger": .bool(period.closedInCustomerLedger),
                        "closedInSupplierLedger": .bool(period.closedInSupplierLedger),
                        "closedInCashManagement": .bool(period.closedInCashManagement),
                        "closedInInventoryManagement": .bool(period.closedInInventoryManagement),
                        "closedInFixedAssets": .bool(period.closedInFixedAssets),
                    ]
                }))
    }

    func accountList(_ query: [String: String]) -> Outcome {
        var accounts = fixture.accounts
        if let active = query["active"] { accounts = accounts.filter { String($0.active) == active.lowercased() } }
        return .ok(
            .array(
                accounts.enumerated().map { index, account in
                    JSONValue.object([
                        "accountID": .number(Double(index + 1)), "accountCD": .string(account.number),
                        "type": .string(account.type),
                        "active": .bool(account.active), "description": .string(account.description),
                        "cashAccount": .bool(fixture.paymentMethods.contains { $0.cashAccount == account.number }),
                        "controlAccountModule": .text(account.controlAccountModule),
                        "allowManualEntry": .bool(account.controlAccountModule == nil),
                    ]).compacted
                }))
    }

    func warehouseList(_ query: [String: String]) -> Outcome {
        var warehouses = fixture.warehouses
        if let active = query["active"] { warehouses = warehouses.filter { String($0.active) == active.lowercased() } }
        return .ok(
            .array(
                warehouses.map { warehouse in
                    JSONValue.object([
                        "warehouseID": .string(warehouse.id), "description": .string(warehouse.description),
                        "active": .bool(warehouse.active),
                        "branch": warehouse.branch.map { ["number": .string($0)] } ?? .null,
                    ]).compacted
                }))
    }

    func vatList() -> Outcome {
        .ok(.array(fixture.vatCodes.map(vatInformation)))
    }

    func getVat(_ id: String) throws -> Outcome {
        guard let vat = fixture.vatCodes.first(where: { $0.id == id }) else {
            throw VismaError.notFound("VAT with vatId = \(id) not found.")
        }
        return .ok(vatInformation(vat))
    }

    /// `VatInformationDto`: the VAT's rate schedule, the categories that contain it and its GL accounts.
    func vatInformation(_ vat: CompanyFixture.VatCode) -> JSONValue {
        var glAccounts: [String: JSONValue] = [:]
        if let number = vat.vatPayableAccount {
            let account = account(number)
            glAccounts["vatPayableAccount"] = [
                "number": .string(number), "description": .string(account?.description ?? ""),
                "type": .string(account?.type ?? "Liability"), "active": .bool(account?.active ?? false),
            ]
        }
        let categories = fixture.vatCategories.filter { $0.vatIds?.contains(vat.id) == true }
        return [
            "vatId": .string(vat.id), "description": .string(vat.description), "type": "Sales",
            "deductibleVat": false, "reverseVat": false, "statisticalVat": false, "pendingVat": false,
            "calculateOn": "ExtractFromItemAmount", "glAccounts": .object(glAccounts),
            "schedules": [
                [
                    "startDate": "2000-01-01T00:00:00", "vatRate": .number(vat.ratePercent), "minTaxableAmt": 0,
                    "maxTaxableAmt": 0,
                ]
            ],
            "categories": .array(
                categories.map {
                    [
                        "vatCategoryId": .string($0.id), "description": .string($0.description),
                        "active": .bool($0.active), "excludeListedTaxes": false,
                    ]
                }),
        ]
    }
}
