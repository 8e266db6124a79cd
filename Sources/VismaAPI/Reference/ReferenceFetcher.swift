import FlexyVismaCore
import Foundation

/// Fetches the reference snapshot validation checks against (docs/VALIDATION.md).
public enum ReferenceFetcher {
    /// Reads every list the snapshot holds, paged lists `pageSize` at a time.
    public static func fetch(from reader: VismaReader, pageSize: Int = 1000) async throws -> ReferenceSnapshot {
        let itemClasses = try await reader.get("/v1/inventory/itemClass", as: [ItemClassDto].self)
        let units = try await reader.get("/v1/unitofmeasure", as: [UnitOfMeasureDto].self)
        let vatCategories = try await reader.get("/v1/vatCategory", as: [VatCategoryDto].self)
        let paymentMethods = try await reader.get("/v1/paymentmethod", as: [PaymentMethodDto].self)
        let suppliers = try await reader.getAllPages("/v1/supplier", pageSize: pageSize, as: SupplierDto.self)
        let customerClasses = try await reader.get("/v1/customer/customerClass", as: [CustomerClassDto].self)
        let branches = try await reader.get("/v1/branch", as: [BranchDto].self)
        let periods = try await reader.get("/v1/financialPeriod", as: [FinancialPeriodDto].self)
        let vats = try await fetchVats(from: reader)
        let items = try await reader.getAllPages("/v1/inventory", pageSize: pageSize, as: InventoryDto.self)
        let kits = try await VismaReader.collectPages(pageSize: pageSize) { page, size in
            let answer = try await reader.get(
                VismaReader.path("/v1/KitSpecifications", page: page, pageSize: size), as: KitSpecificationPageDto.self)
            return VismaReader.Page(
                elements: answer.records ?? [], totalCount: answer.totalCount, maxPageSize: answer.pageSize)
        }
        let customers = try await reader.getAllPages("/v1/customer", pageSize: pageSize, as: CustomerDto.self)
        return ReferenceSnapshot(
            fetchedAt: Timestamp.iso8601(Date()), source: reader.baseURL,
            itemClasses: itemClasses.map(snapshotItemClass),
            units: Set(units.flatMap { [$0.fromUnit, $0.toUnit] }.compactMap { $0 }).filter { !$0.isEmpty }.sorted(),
            vatCategories: vatCategories.map(snapshotVatCategory),
            paymentMethods: paymentMethods.map(snapshotPaymentMethod),
            suppliers: suppliers.map(snapshotSupplier), customerClasses: customerClasses.map { $0.id ?? "" },
            branches: branches.map(snapshotBranch), financialPeriods: periods.map(snapshotPeriod),
            items: items.map(snapshotItem),
            customers: customers.map(snapshotCustomer), kits: kits.map(snapshotKit), vats: vats.map(snapshotVat),
            customerKeys: snapshotCustomerKeys(customers))
    }

    /// Every VAT ID; one whose list entry lacks its GL accounts is read again on its own (`GET /v1/vat/{vatId}`).
    static func fetchVats(from reader: VismaReader) async throws -> [VatInformationDto] {
        var vats = try await reader.get("/v1/vat", as: [VatInformationDto].self)
        for index in vats.indices where vats[index].glAccounts?.vatPayableAccount?.number == nil {
            guard let id = vats[index].vatId, !id.isEmpty else { continue }
            vats[index] = try await reader.get("/v1/vat/\(PercentEncoding.encode(id))", as: VatInformationDto.self)
        }
        return vats
    }

    /// Fetches with a reader of its own.
    public static func fetch(connection: VismaConnection, pageSize: Int = 1000) async throws -> ReferenceSnapshot {
        try await fetch(from: VismaReader(connection: connection), pageSize: pageSize)
    }

    // MARK: Read DTOs → snapshot. An absent field maps to "" for ids and to the default named beside it.

    static func snapshotItemClass(_ dto: ItemClassDto) -> ReferenceSnapshot.ItemClass {
        ReferenceSnapshot.ItemClass(id: dto.id ?? "", type: dto.type ?? "")
    }

    static func snapshotVatCategory(_ dto: VatCategoryDto) -> ReferenceSnapshot.VatCategory {
        // An absent `active` is taken as active.
        ReferenceSnapshot.VatCategory(id: dto.vatCategoryId ?? "", active: dto.active ?? true)
    }

    static func snapshotPaymentMethod(_ dto: PaymentMethodDto) -> ReferenceSnapshot.PaymentMethod {
        // An absent `active` is taken as active.
        ReferenceSnapshot.PaymentMethod(
            id: dto.paymentMethodID ?? "", description: dto.description ?? "", active: dto.active ?? true)
    }

    static func snapshotSupplier(_ dto: SupplierDto) -> ReferenceSnapshot.Supplier {
        // Only a supplier whose status says `Active` is usable; absent status is not.
        ReferenceSnapshot.Supplier(number: dto.number ?? "", name: dto.name ?? "", active: dto.status == "Active")
    }

    static func snapshotBranch(_ dto: BranchDto) -> ReferenceSnapshot.Branch {
        // An absent `isActive` is taken as active.
        ReferenceSnapshot.Branch(number: dto.number ?? "", active: dto.isActive ?? true)
    }

    static func snapshotPeriod(_ dto: FinancialPeriodDto) -> ReferenceSnapshot.FinancialPeriod {
        // Absent flags: `active` taken as active, `closedIn…` as open; absent dates never contain a day.
        let id = dto.period ?? ""
        let year = dto.year ?? Int(id.prefix(4)) ?? 0
        // The OAS says only "the period no and the year": a `PPYYYY` answer is turned into the `YYYYPP` the write DTOs take.
        let period =
            id.count == 6 && !id.hasPrefix(String(year)) && id.hasSuffix(String(year))
            ? String(id.suffix(4) + id.prefix(2)) : id
        return ReferenceSnapshot.FinancialPeriod(
            period: period, year: year, startDate: String((dto.startDate ?? "").prefix(10)),
            endDate: String((dto.endDate ?? "").prefix(10)),
            active: dto.active ?? true, closedInGeneralLedger: dto.closedInGeneralLedger ?? false,
            closedInCustomerLedger: dto.closedInCustomerLedger ?? false)
    }

    static func snapshotVat(_ dto: VatInformationDto) -> ReferenceSnapshot.Vat {
        // The rate in force is the schedule line with the latest start date.
        let latest = (dto.schedules ?? []).max { ($0.startDate ?? "") < ($1.startDate ?? "") }
        return ReferenceSnapshot.Vat(
            id: dto.vatId ?? "", payableAccount: dto.glAccounts?.vatPayableAccount?.number, ratePercent: latest?.vatRate
        )
    }

    static func snapshotItem(_ dto: InventoryDto) -> ReferenceSnapshot.Item {
        // An absent `stockItem` is taken as a stock item, an absent `kitItem` as not a kit.
        ReferenceSnapshot.Item(
            number: dto.inventoryNumber ?? "", itemClass: dto.itemClass?.id ?? "", stockItem: dto.stockItem ?? true,
            kitItem: dto.kitItem ?? false, description: dto.description, defaultPrice: dto.defaultPrice,
            baseUnit: dto.baseUnit,
            vatCategory: dto.vatCode?.id, status: dto.status)
    }

    static func snapshotCustomer(_ dto: CustomerDto) -> ReferenceSnapshot.Customer {
        ReferenceSnapshot.Customer(
            number: dto.number ?? "", name: dto.name, addressLine1: dto.mainAddress?.addressLine1,
            addressLine2: dto.mainAddress?.addressLine2,
            postalCode: dto.mainAddress?.postalCode, city: dto.mainAddress?.city, country: dto.mainAddress?.country?.id,
            email: dto.mainContact?.email, phone: dto.mainContact?.phone1, customerClass: dto.customerClass?.id,
            corporateId: dto.corporateId)
    }

    /// Customers whose account reference holds a key: by that key. The first wins when two claim one.
    static func snapshotCustomerKeys(_ customers: [CustomerDto]) -> [String: String] {
        var keys: [String: String] = [:]
        for customer in customers {
            guard let key = customer.accountReference, !key.isEmpty, let number = customer.number, keys[key] == nil
            else { continue }
            keys[key] = number
        }
        return keys
    }

    static func snapshotKit(_ dto: KitSpecificationDto) -> ReferenceSnapshot.Kit {
        let lines = (dto.stockComponentLines ?? []) + (dto.nonStockComponentLines ?? [])
        // A component is `item:quantity×10⁴`; an absent quantity counts as 0, so the kit differs from any real one.
        let components = lines.map { line in
            "\(line.componentID ?? ""):\(Int64(((line.componentQty ?? 0) * 10_000).rounded()))"
        }
        return ReferenceSnapshot.Kit(
            item: dto.kitInventoryID ?? "", revision: dto.revision ?? "", components: components)
    }
}
