import FlexyVismaCore
import Foundation
import TestSupport
import Testing

@testable import VismaAPI

/// Every DTO's keys are properties of its schema in Visma's official OpenAPI document, wrapped
/// exactly where the document wraps them, so that a misspelt or misplaced key fails here.
@Suite struct DTOSchemaTests {
    static let absentDocument: Comment =
        "Visma's OpenAPI document is absent: set VISMA_OPENAPI or place it at ../shared/reference/visma-openapi.json"

    /// The write DTOs and the operations that take them (path templates as the document spells them).
    static let writes: [(method: String, template: String, type: any (VismaWriteDTO & Specimen).Type)] = [
        ("POST", "/v1/inventory", InventoryUpdateDto.self),
        ("PUT", "/v1/inventory/{inventoryNumber}", InventoryUpdateDto.self),
        ("POST", "/v1/KitSpecifications", KitSpecificationUpdateDto.self),
        ("POST", "/v1/customer", CustomerUpdateDto.self),
        ("PUT", "/v1/customer/{customerCd}", CustomerUpdateDto.self),
        ("POST", "/v1/customerPayment", PaymentUpdateDto.self),
        ("POST", "/v1/customerPayment/{paymentNumber}/action/release", ReleasePaymentActionDto.self),
        ("POST", "/v1/purchaseorder", PurchaseOrderUpdateDto.self),
        ("POST", "/v2/journaltransaction", JournalTransactionUpdateDto.self),
    ]

    /// The read DTOs and the operations that answer with them (one element of a list answer).
    static let reads: [(template: String, type: any (VismaReadDTO & Specimen).Type)] = [
        ("/v1/inventory/itemClass", ItemClassDto.self),
        ("/v1/unitofmeasure", UnitOfMeasureDto.self),
        ("/v1/vatCategory", VatCategoryDto.self),
        ("/v1/paymentmethod", PaymentMethodDto.self),
        ("/v1/supplier", SupplierDto.self),
        ("/v1/customer/customerClass", CustomerClassDto.self),
        ("/v1/branch", BranchDto.self),
        ("/v1/financialPeriod", FinancialPeriodDto.self),
        ("/v1/vat", VatInformationDto.self),
        ("/v1/inventory", InventoryDto.self),
        ("/v1/KitSpecifications", KitSpecificationPageDto.self),
        ("/v1/customer", CustomerDto.self),
        ("/v1/customerPayment", PaymentDto.self),
        ("/v1/account", AccountDto.self),
        ("/v1/numberSequence", NumberingDto.self),
        ("/v1/warehouse", WarehouseDto.self),
    ]

    @Test func everySpecimenSetsEveryFieldSoNoKeyEscapesTheCheck() throws {
        for entry in Self.writes { #expect(Self.unsetFields(entry.type.specimen, at: "\(entry.type)") == []) }
        for entry in Self.reads { #expect(Self.unsetFields(entry.type.specimen, at: "\(entry.type)") == []) }
    }

    @Test(.enabled(if: Repository.officialOpenAPI != nil, Self.absentDocument))
    func everyWriteDTOKeyIsAPropertyOfItsRequestSchemaWrappedAsTheDocumentWrapsIt() throws {
        let document = try OpenAPIDocument(url: try #require(Repository.officialOpenAPI))
        for entry in Self.writes {
            let name = entry.type.openAPISchema
            #expect(
                document.requestSchemaName(entry.method, entry.template) == name, "\(entry.method) \(entry.template)")
            let schema = try #require(document.schemas[name], "\(name) is not in the document")
            let body = try JSONValue.parse(try Self.encode(entry.type.specimen))
            #expect(document.problems(body, schema, at: name) == [], "\(entry.method) \(entry.template)")
        }
    }

    @Test(.enabled(if: Repository.officialOpenAPI != nil, Self.absentDocument))
    func everyReadDTOKeyIsAPropertyOfItsResponseSchema() throws {
        let document = try OpenAPIDocument(url: try #require(Repository.officialOpenAPI))
        for entry in Self.reads {
            let name = entry.type.openAPISchema
            #expect(document.responseSchemaName("GET", entry.template) == name, "GET \(entry.template)")
            let schema = try #require(document.schemas[name], "\(name) is not in the document")
            let answer = try JSONValue.parse(try Self.encode(entry.type.specimen))
            #expect(document.problems(answer, schema, at: name) == [], "GET \(entry.template)")
        }
    }

    /// The check itself catches a misspelt key, a missing wrapper and a wrapper too many.
    @Test(.enabled(if: Repository.officialOpenAPI != nil, Self.absentDocument))
    func theCheckFlagsMisspeltKeysAndWrongWrapping() throws {
        let document = try OpenAPIDocument(url: try #require(Repository.officialOpenAPI))
        let schema = try #require(document.schemas["CustomerUpdateDto"])
        let wrong = try JSONValue.parse(
            #"{"nmae": {"value": "x"}, "name": "x", "overrideWithClassValues": {"value": true}, "mainAddress": {"value": {"zip": {"value": "5000"}}}}"#
        )
        let problems = document.problems(wrong, schema, at: "CustomerUpdateDto")
        #expect(
            problems == [
                "CustomerUpdateDto.mainAddress.value.zip is not a property of the official schema",
                "CustomerUpdateDto.name is sent bare, but the document wraps it in {\"value\": …}",
                "CustomerUpdateDto.nmae is not a property of the official schema",
                "CustomerUpdateDto.overrideWithClassValues is sent as {\"value\": …}, but the document's schema for it is no wrapper",
            ])
    }

    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

    /// Paths of optionals left nil and of empty arrays in a value, found by reflection.
    static func unsetFields(_ value: Any, at path: String) -> [String] {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            guard let wrapped = mirror.children.first else { return [path] }
            return unsetFields(wrapped.value, at: path)
        case .collection:
            if mirror.children.isEmpty { return ["\(path) (empty)"] }
            return mirror.children.enumerated().flatMap { index, child in
                unsetFields(child.value, at: "\(path)[\(index)]")
            }
        case .struct:
            return mirror.children.flatMap { child in unsetFields(child.value, at: "\(path).\(child.label ?? "?")") }
        default:
            return []
        }
    }
}

/// Unset fields are left out of a body: `{"value": null}` would clear them on a PUT.
@Suite struct UnsetFieldTests {
    @Test func anUnsetFieldIsAbsentFromTheBodyNeitherNullNorAWrappedNull() throws {
        let put = InventoryUpdateDto(description: .init("Espresso"))
        #expect(String(decoding: try put.encodedBody(), as: UTF8.self) == #"{"description":{"value":"Espresso"}}"#)
        let customer = CustomerUpdateDto(mainAddress: .init(AddressUpdateDto(countryId: .init("DK"))))
        #expect(
            String(decoding: try customer.encodedBody(), as: UTF8.self)
                == #"{"mainAddress":{"value":{"countryId":{"value":"DK"}}}}"#)
        let line = JournalTransactionLineUpdateDto(operation: .insert, creditAmountInCurrency: .init(80))
        let journal = JournalTransactionUpdateDto(batchNumber: .init("J-1"), journalTransactionLines: [line])
        #expect(
            String(decoding: try journal.encodedBody(), as: UTF8.self)
                == #"{"batchNumber":{"value":"J-1"},"journalTransactionLines":[{"creditAmountInCurrency":{"value":80},"operation":"Insert"}]}"#
        )
    }

    @Test func aDTOWithNothingSetIsAnEmptyObject() throws {
        let empties: [any VismaWriteDTO] = [
            InventoryUpdateDto(), KitSpecificationUpdateDto(), CustomerUpdateDto(), PaymentUpdateDto(),
            ReleasePaymentActionDto(), PurchaseOrderUpdateDto(),
            JournalTransactionUpdateDto(),
        ]
        for empty in empties {
            #expect(String(decoding: try empty.encodedBody(), as: UTF8.self) == "{}", "\(type(of: empty))")
        }
    }

    @Test func aFullySetBodyHoldsNoNull() throws {
        for entry in DTOSchemaTests.writes {
            #expect(
                !String(decoding: try entry.type.specimen.encodedBody(), as: UTF8.self).contains("null"),
                "\(entry.type)")
        }
    }
}
