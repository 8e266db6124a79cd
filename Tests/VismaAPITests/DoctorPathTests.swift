import CompanyCheck
import FlexyVismaCore
import TestSupport
import Testing

/// `flexyvisma doctor` asks Visma only what Visma's official document offers, and only reads.
@Suite struct DoctorPathTests {
    @Test(.enabled(if: Repository.officialOpenAPI != nil, DTOSchemaTests.absentDocument))
    func everyPathTheDoctorRequestsIsAGetInTheOfficialDocument() throws {
        let document = try OpenAPIDocument(url: try #require(Repository.officialOpenAPI))
        for path in CompanyDoctor.listPaths + [CompanyDoctor.supplierPath] {
            #expect(document.operation("GET", path) != nil, "GET \(path)")
        }
        // The supplier search by name, paged; the lists are not paged in the document.
        let supplierParameters = document.operation("GET", CompanyDoctor.supplierPath)?["parameters"]?.arrayValue?
            .compactMap { $0["name"]?.stringValue }
        for parameter in ["name", "pageNumber", "pageSize"] {
            #expect(supplierParameters?.contains(parameter) == true, "\(parameter)")
        }
        #expect(CompanyDoctor.requestBound(supplierNames: 3) == 1 + CompanyDoctor.listPaths.count + 3)
    }
}
