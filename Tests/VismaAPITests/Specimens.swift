@testable import VismaAPI

/// Every DTO with every field set, so that encoding one shows all of its keys.
protocol Specimen {
    static var specimen: Self { get }
}

extension InventoryUpdateDto: Specimen {
    static var specimen: Self {
        InventoryUpdateDto(
            inventoryNumber: .init("1001"), description: .init("Espresso"), itemClass: .init("VARER"),
            type: .init("FinishedGoodItem"),
            status: .init("Active"), baseUnit: .init("STK"), salesUnit: .init("STK"), purchaseUnit: .init("STK"),
            kitItem: .init(false),
            vatCode: .init("25"), defaultPrice: .init(32.5))
    }
}

extension KitComponentUpdateDto: Specimen {
    static var specimen: Self {
        KitComponentUpdateDto(
            operation: .insert, lineNbr: .init(1), compInventoryID: .init("R-100"), dfltCompQty: .init(0.018),
            uom: .init("KG"))
    }
}

extension KitSpecificationUpdateDto: Specimen {
    static var specimen: Self {
        KitSpecificationUpdateDto(
            kitInventoryID: .init("1002"), revisionID: .init("1"), descr: .init("Kalkulation 1"), isActive: .init(true),
            isNonStock: .init(true), stockComponentLines: [.specimen], nonStockComponentLines: [.specimen])
    }
}

extension AddressUpdateDto: Specimen {
    static var specimen: Self {
        AddressUpdateDto(
            addressLine1: .init("Havnegade 1"), addressLine2: .init("1. sal"), postalCode: .init("5000"),
            city: .init("Odense C"),
            countryId: .init("DK"))
    }
}

extension ContactInfoUpdateDto: Specimen {
    static var specimen: Self {
        ContactInfoUpdateDto(name: .init("Havnegadens Bowlingklub"), email: .init("a@b.dk"), phone1: .init("66123456"))
    }
}

extension CustomerUpdateDto: Specimen {
    static var specimen: Self {
        CustomerUpdateDto(
            number: .init("K-1001"), name: .init("Havnegadens Bowlingklub"), status: .init("Active"),
            overrideWithClassValues: true,
            customerClassId: .init("KUNDER"), corporateId: .init("12345678"), mainAddress: .init(.specimen),
            mainContact: .init(.specimen),
            overrideNumberSeries: .init(true), accountReference: .init("K-1001"))
    }
}

extension PaymentUpdateDto: Specimen {
    static var specimen: Self {
        PaymentUpdateDto(
            type: .init("Payment"), referenceNumber: .init("P-1"), overrideNumberSeries: .init(true),
            customer: .init("K-1001"),
            paymentMethod: .init("MOBILEPAY"), applicationDate: .init("2026-11-28T00:00:00"), paymentRef: .init("P-1"),
            paymentAmount: .init(100.5), currency: .init("DKK"), hold: .init(false), invoiceText: .init("Indbetaling"),
            branch: .init("1"),
            paymentLines: [.specimen])
    }
}

extension PaymentLinesUpdateDto: Specimen {
    static var specimen: Self {
        PaymentLinesUpdateDto(
            operation: .insert, documentType: .init("Prepayment"), refNbr: .init("P-0"), amountPaid: .init(100.5))
    }
}

extension ReleasePaymentActionDto: Specimen {
    static var specimen: Self { ReleasePaymentActionDto(type: .init("Prepayment")) }
}

extension PurchaseOrderLineUpdateDto: Specimen {
    static var specimen: Self {
        PurchaseOrderLineUpdateDto(
            operation: .insert, lineNumber: .init(1), inventory: .init("R-100"), lineType: .init("GoodsForInventory"),
            warehouse: .init("CAFE"), uom: .init("KG"),
            orderQty: .init(2.5), unitCost: .init(120))
    }
}

extension PurchaseOrderUpdateDto: Specimen {
    static var specimen: Self {
        PurchaseOrderUpdateDto(
            orderType: .init("RegularOrder"), orderNumber: .init("PO-1001"), overrideNumberSeries: .init(true),
            date: .init("2026-11-28T00:00:00"), supplier: .init("50001"), hold: .init(false),
            description: .init("FlexyBox PO-1001"),
            branch: .init("1"), lines: [.specimen])
    }
}

extension JournalTransactionLineUpdateDto: Specimen {
    static var specimen: Self {
        JournalTransactionLineUpdateDto(
            operation: .insert, lineNumber: .init(1), accountNumber: .init("1010"),
            transactionDescription: .init("Kaffe 25 %"),
            debitAmountInCurrency: .init(0), creditAmountInCurrency: .init(80), referenceNumber: .init("POS20261128-1"),
            vatCodeId: .init("1"),
            vatId: .init("U25"), branch: .init("1"))
    }
}

extension JournalTransactionUpdateDto: Specimen {
    static var specimen: Self {
        JournalTransactionUpdateDto(
            batchNumber: .init("POS20261128-1"), overrideNumberSeries: .init(true),
            transactionDate: .init("2026-11-28T00:00:00"),
            financialPeriod: .init("202611"), description: .init("FlexyBox Cafe 2026-11-28"), hold: .init(false),
            branch: .init("1"),
            createVatTransaction: .init(true), skipVatAmountValidation: .init(false),
            journalTransactionLines: [.specimen])
    }
}

// MARK: Read DTOs

extension MetadataDto: Specimen {
    static var specimen: Self { MetadataDto(totalCount: 1, maxPageSize: 1000) }
}

extension ItemClassDto: Specimen {
    static var specimen: Self { ItemClassDto(id: "VARER", type: "FinishedGoodItem") }
}

extension UnitOfMeasureDto: Specimen {
    static var specimen: Self { UnitOfMeasureDto(fromUnit: "KG", toUnit: "G") }
}

extension VatCategoryDto: Specimen {
    static var specimen: Self { VatCategoryDto(vatCategoryId: "25", active: true) }
}

extension PaymentMethodDto: Specimen {
    static var specimen: Self { PaymentMethodDto(paymentMethodID: "MOBILEPAY", description: "MobilePay", active: true) }
}

extension SupplierDto: Specimen {
    static var specimen: Self {
        SupplierDto(number: "50001", name: "Kaffekompagniet", status: "Active", metadata: .specimen)
    }
}

extension CustomerClassDto: Specimen {
    static var specimen: Self { CustomerClassDto(id: "KUNDER") }
}

extension BranchDto: Specimen {
    static var specimen: Self { BranchDto(number: "1", isActive: true) }
}

extension FinancialPeriodDto: Specimen {
    static var specimen: Self {
        FinancialPeriodDto(
            year: 2027, period: "202705", startDate: "2026-11-01T00:00:00", endDate: "2026-11-30T00:00:00",
            active: true,
            closedInGeneralLedger: false, closedInCustomerLedger: false)
    }
}

extension VatInformationDto: Specimen {
    static var specimen: Self {
        VatInformationDto(
            vatId: "U25", description: "Salgsmoms 25 %", glAccounts: .init(vatPayableAccount: .init(number: "7200")),
            schedules: [.init(startDate: "2000-01-01T00:00:00", vatRate: 25)])
    }
}

extension InventoryDto: Specimen {
    static var specimen: Self {
        InventoryDto(
            inventoryNumber: "1001", itemClass: .init(id: "VARER"), stockItem: true, kitItem: false,
            description: "Espresso",
            defaultPrice: 32, baseUnit: "STK", vatCode: .init(id: "25"), status: "Active", metadata: .specimen)
    }
}

extension KitComponentDto: Specimen {
    static var specimen: Self { KitComponentDto(componentID: "R-100", componentQty: 0.018) }
}

extension KitSpecificationDto: Specimen {
    static var specimen: Self {
        KitSpecificationDto(
            kitInventoryID: "1002", revision: "1", stockComponentLines: [.specimen], nonStockComponentLines: [.specimen]
        )
    }
}

extension KitSpecificationPageDto: Specimen {
    static var specimen: Self { KitSpecificationPageDto(totalCount: 1, pageSize: 1000, records: [.specimen]) }
}

extension CustomerDto: Specimen {
    static var specimen: Self {
        CustomerDto(
            number: "K-1001", accountReference: "K-1001", name: "Havnegadens Bowlingklub", corporateId: "12345678",
            customerClass: .init(id: "DK"),
            mainAddress: .init(
                addressLine1: "Havnegade 1", addressLine2: "1. sal", postalCode: "5000", city: "Odense C",
                country: .init(id: "DK")),
            mainContact: .init(name: "Havnegadens Bowlingklub", email: "a@b.dk", phone1: "66123456"),
            metadata: .specimen)
    }
}

extension PaymentDto: Specimen {
    static var specimen: Self {
        PaymentDto(
            type: "Prepayment", refNbr: "P-1", status: "Open", applicationDate: "2026-11-23T00:00:00",
            paymentAmount: 500,
            availableBalance: 500, customer: .init(number: "K-1001"), metadata: .specimen)
    }
}

extension AccountDto: Specimen {
    static var specimen: Self {
        AccountDto(accountCD: "1010", description: "Salg", type: "Income", active: true, controlAccountModule: "AR")
    }
}

extension NumberingDto: Specimen {
    static var specimen: Self {
        NumberingDto(numberingId: "ARPAYMENT", description: "Indbetalinger", manualNumbering: false)
    }
}

extension WarehouseDto: Specimen {
    static var specimen: Self { WarehouseDto(warehouseID: "CAFE", description: "Café", active: true) }
}
