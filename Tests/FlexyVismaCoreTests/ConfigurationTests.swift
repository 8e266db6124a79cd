import FlexyVismaCore
import Foundation
import TestSupport
import Testing

@Suite struct ConfigurationTests {
    func root() throws -> (TemporaryFolder, PipelineRoot) {
        let folder = try TemporaryFolder()
        return (folder, PipelineRoot(folder.url))
    }

    @Test func sampleConfigurationRoundTripsThroughItsFile() throws {
        let (folder, root) = try root()
        _ = folder
        let configuration = PipelineConfiguration.sampleVenue(sourcePath: "source/flexybox.sqlite")
        try configuration.encoded().write(to: root.configFile)
        #expect(try PipelineConfiguration.load(from: root) == configuration)
        #expect(try configuration.hash() == (try configuration.hash()))
        #expect(configuration.departments.values.contains { !$0.enabled })
    }

    @Test func missingConfigurationIsAConfigurationErrorThatSaysWhatToDo() throws {
        let (folder, root) = try root()
        _ = folder
        let error = #expect(throws: OperatorMessage.self) { try PipelineConfiguration.load(from: root) }
        #expect(error?.exitStatus == .configuration)
        #expect(error?.message.contains("flexyvisma init") == true)
    }

    @Test func brokenConfigurationNamesTheFileAndTheKey() throws {
        let (folder, root) = try root()
        _ = folder
        var object =
            try JSONSerialization.jsonObject(
                with: PipelineConfiguration.sampleVenue(sourcePath: "x").encoded()) as? [String: Any] ?? [:]
        var visma = object["visma"] as? [String: Any] ?? [:]
        visma.removeValue(forKey: "tenantId")
        object["visma"] = visma
        try JSONSerialization.data(withJSONObject: object).write(to: root.configFile)
        let error = #expect(throws: OperatorMessage.self) { try PipelineConfiguration.load(from: root) }
        #expect(error?.exitStatus == .configuration)
        #expect(error?.message.contains(root.configFile.path) == true)
        #expect(error?.message.contains("visma.tenantId") == true)

        try Data("{ not json".utf8).write(to: root.configFile)
        #expect(throws: OperatorMessage.self) { try PipelineConfiguration.load(from: root) }
    }

    @Test func clientSecretComesFromTheEnvironmentFirst() throws {
        let (folder, root) = try root()
        _ = folder
        let configuration = PipelineConfiguration.sampleVenue(sourcePath: "x")
        let secret = try ClientSecret.load(
            for: configuration, root: root, environment: ["FLEXYVISMA_CLIENT_SECRET": "s3cr3t"])
        #expect(secret.value == "s3cr3t")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
    }

    @Test func clientSecretFileReadableByOthersIsRefused() throws {
        let (folder, root) = try root()
        _ = folder
        let configuration = PipelineConfiguration.sampleVenue(sourcePath: "x")
        let file = root.resolve(configuration.visma.clientSecretFile)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try DurableFiles.write(Data("hunter2\n".utf8), to: file, permissions: 0o644)
        let error = #expect(throws: OperatorMessage.self) {
            try ClientSecret.load(for: configuration, root: root, environment: [:])
        }
        #expect(error?.exitStatus == .configuration)
        #expect(error?.message.contains("chmod 600") == true)
        #expect(error?.message.contains("hunter2") == false)

        try DurableFiles.write(Data("hunter2\n".utf8), to: file, permissions: 0o600)
        #expect(try ClientSecret.load(for: configuration, root: root, environment: [:]).value == "hunter2")
    }
}

/// Unknown keys and values outside a closed set are refused when the configuration loads, with the
/// JSON path, what is allowed and the nearest allowed.
@Suite struct StrictConfigurationTests {
    /// Writes the sample configuration with each (old, new) text replaced exactly once, and loads it.
    func load(replacing replacements: [(String, String)]) throws -> OperatorMessage? {
        let folder = try TemporaryFolder()
        let root = PipelineRoot(folder.url)
        var text = try #require(
            String(data: try PipelineConfiguration.sampleVenue(sourcePath: "x").encoded(), encoding: .utf8))
        for (old, new) in replacements {
            #expect(text.components(separatedBy: old).count == 2, "'\(old)' should occur once")
            text = text.replacingOccurrences(of: old, with: new)
        }
        try Data(text.utf8).write(to: root.configFile)
        let error = #expect(throws: OperatorMessage.self) { try PipelineConfiguration.load(from: root) }
        #expect(error?.exitStatus == .configuration)
        #expect(error?.message.contains(root.configFile.path) == true)
        return error
    }

    @Test func misspeltReceiptsPostingIsRefusedWithTheAllowedValuesAndTheNearest() throws {
        let error = try load(replacing: [(#""dailyJournal""#, #""journalPerReciept""#)])
        #expect(
            error?.message.hasSuffix(
                "flexyvisma.json: pipeline.receiptsPosting: 'journalPerReciept' is not one of dailyJournal, journalPerReceipt — did you mean 'journalPerReceipt'?"
            )
                == true, "\(String(describing: error))")
    }

    /// Taking over records another integration made is a choice spelt out in full: absent means halt.
    @Test func onExistingDefaultsToHaltAndTakesOnlyHaltOrAdoptAndUpdate() throws {
        let configuration = PipelineConfiguration.sampleVenue(sourcePath: "x")
        #expect(configuration.pipeline.onExisting == nil)
        #expect(configuration.pipeline.effectiveOnExisting == .halt)
        #expect(configuration.withDefaults.pipeline.onExisting == .halt)
        let folder = try TemporaryFolder()
        let root = PipelineRoot(folder.url)
        func write(onExisting: String) throws {
            var json = try #require(
                try JSONSerialization.jsonObject(with: try configuration.encoded()) as? [String: Any])
            var pipeline = try #require(json["pipeline"] as? [String: Any])
            pipeline["onExisting"] = onExisting
            json["pipeline"] = pipeline
            try JSONSerialization.data(withJSONObject: json).write(to: root.configFile)
        }
        try write(onExisting: "adoptAndUpdate")
        #expect(try PipelineConfiguration.load(from: root).pipeline.effectiveOnExisting == .adoptAndUpdate)
        try write(onExisting: "adopt")
        let error = #expect(throws: OperatorMessage.self) { try PipelineConfiguration.load(from: root) }
        #expect(error?.exitStatus == .configuration)
        #expect(
            error?.message.contains("pipeline.onExisting: 'adopt' is not one of halt, adoptAndUpdate") == true,
            "\(String(describing: error))")
    }

    /// Booking VAT outside Visma's VAT report is a choice spelt out in full: absent means VAT transactions.
    @Test func journalVatDefaultsToVatTransactionsAndTakesOnlyItsTwoSpelledOutValues() throws {
        let configuration = PipelineConfiguration.sampleVenue(sourcePath: "x")
        #expect(configuration.pipeline.journalVat == nil)
        #expect(configuration.pipeline.effectiveJournalVat == .vatTransactions)
        let folder = try TemporaryFolder()
        let root = PipelineRoot(folder.url)
        func write(journalVat: String) throws {
            var json = try #require(
                try JSONSerialization.jsonObject(with: try configuration.encoded()) as? [String: Any])
            var pipeline = try #require(json["pipeline"] as? [String: Any])
            pipeline["journalVat"] = journalVat
            json["pipeline"] = pipeline
            try JSONSerialization.data(withJSONObject: json).write(to: root.configFile)
        }
        try write(journalVat: "plainLedgerNoVatReport")
        #expect(try PipelineConfiguration.load(from: root).pipeline.effectiveJournalVat == .plainLedgerNoVatReport)
        try write(journalVat: "plain")
        let error = #expect(throws: OperatorMessage.self) { try PipelineConfiguration.load(from: root) }
        #expect(error?.exitStatus == .configuration)
        #expect(
            error?.message.contains(
                "pipeline.journalVat: 'plain' is not one of vatTransactions, plainLedgerNoVatReport") == true,
            "\(String(describing: error))")
    }

    @Test func misspeltRequiredCustomerFieldIsRefusedAtItsPositionInTheList() throws {
        let error = try load(replacing: [(#""postal_code""#, #""postcode""#)])
        #expect(
            error?.message.contains(
                "customers.requiredFields[1]: 'postcode' is not one of address_line1, address_line2, postal_code,")
                == true)
        #expect(error?.message.hasSuffix("did you mean 'postal_code'?") == true, "\(String(describing: error))")
    }

    @Test func unknownSourceKindAndTimeZoneAreRefused() throws {
        let kind = try load(replacing: [(#""kind" : "sqlite""#, #""kind" : "sqlit""#)])
        #expect(
            kind?.message.hasSuffix("source.kind: 'sqlit' is not one of sqlite — did you mean 'sqlite'?") == true,
            "\(String(describing: kind))")
        let zone = try load(replacing: [(#""Europe/Copenhagen""#, #""Europe/Copenhagn""#)])
        #expect(
            zone?.message.hasSuffix(
                "venue.timeZone: 'Europe/Copenhagn' is not a known time zone — did you mean 'Europe/Copenhagen'?")
                == true,
            "\(String(describing: zone))")
    }

    @Test func unknownKeyInsideADictionaryValueIsRefusedWithItsPathAndTheNearestKey() throws {
        let error = try load(replacing: [(#""branch" : "1""#, #""brnch" : "1""#)])
        #expect(
            error?.message.hasSuffix(
                "departments.Café.brnch: unknown key; departments.Café takes branch, enabled, warehouse — did you mean 'branch'?"
            ) == true,
            "\(String(describing: error))")
    }

    @Test func everyUnknownKeyIsListedAtEveryDepth() throws {
        let error = try load(replacing: [
            (#""notifications" : {"#, #""notifications" : { "metricFile" : "m.prom""#),
            (#""schemaVersion" : 1"#, #""schemaVersion" : 1, "comment" : "mine""#),
            (#""releaseDocuments" : true"#, #""releaseDocuments" : true, "releaseDocument" : true"#),
        ])
        let lines = error?.message.split(separator: "\n").map(String.init) ?? []
        #expect(lines.count == 3, "\(lines)")
        #expect(
            lines.first?.hasSuffix(
                "flexyvisma.json: comment: unknown key; the top level takes accounts, customers, departments, itemClasses, itemGroups, notifications, paymentTypes, pipeline, schemaVersion, source, vatCodes, venue, visma"
            ) == true, "\(lines)")
        #expect(
            lines.dropFirst().first?.hasSuffix(
                "notifications.metricFile: unknown key; notifications takes command, metricsFile, repeatWhileHalted, timeLimitSeconds — did you mean 'metricsFile'?"
            ) == true, "\(lines)")
        #expect(
            lines.last?.hasSuffix(
                "pipeline.releaseDocument: unknown key; pipeline takes journalVat, onExisting, quantityDecimalPlaces, receiptsPosting, releaseDocuments, settleSeconds, uploadParallelism — did you mean 'releaseDocuments'?"
            ) == true, "\(lines)")
    }

    @Test func misspeltRequiredKeyIsNamedAsMissingWithTheMisspelling() throws {
        let error = try load(replacing: [(#""tenantId""#, #""tenantID""#)])
        #expect(
            error?.message.hasSuffix("visma.tenantId: missing — is 'tenantID' meant to be 'tenantId'?") == true,
            "\(String(describing: error))")
    }

    @Test func valuesOfTheRightTypeOutOfRangeAreRefused() throws {
        let error = try load(replacing: [
            (#""uploadParallelism" : 4"#, #""uploadParallelism" : 0"#),
            (#""settleSeconds" : 10"#, #""settleSeconds" : 1.5"#),
        ])
        #expect(
            error?.message.hasSuffix("pipeline.settleSeconds: expected a whole number, found the number 1.5") == true,
            "\(String(describing: error))")
        let range = try load(replacing: [
            (#""uploadParallelism" : 4"#, #""uploadParallelism" : 0"#),
            (#""http://127.0.0.1:18080/connect/token""#, #""127.0.0.1/token""#),
        ])
        #expect(
            range?.message.contains("visma.tokenURL: '127.0.0.1/token' is not an http(s) URL") == true,
            "\(String(describing: range))")
        #expect(
            range?.message.hasSuffix("pipeline.uploadParallelism: must be 1 or more, not 0") == true,
            "\(String(describing: range))")
        let places = try load(replacing: [(#""quantityDecimalPlaces" : 4"#, #""quantityDecimalPlaces" : 7"#)])
        #expect(
            places?.message.hasSuffix("pipeline.quantityDecimalPlaces: must be between 0 and 6, not 7") == true,
            "\(String(describing: places))")
        let version = try load(replacing: [(#""schemaVersion" : 1"#, #""schemaVersion" : 2, "future" : true"#)])
        #expect(
            version?.message.hasSuffix("schemaVersion 2 is not supported (expected 1)") == true,
            "\(String(describing: version))")
    }

    @Test func effectiveConfigurationShowsTheDefaultsAndTheUnsetSettings() throws {
        let folder = try TemporaryFolder()
        let root = PipelineRoot(folder.url)
        let configuration = PipelineConfiguration.sampleVenue(sourcePath: "x")
        try configuration.encoded().write(to: root.configFile)
        let effective = try JSONValue.parse(try PipelineConfiguration.effectiveDocument(root: root))
        #expect(
            effective["notifications"] == [
                "command": .null, "metricsFile": "state/metrics.prom", "repeatWhileHalted": false,
                "timeLimitSeconds": 60,
            ])
        #expect(effective["departments"]?["Bowling"] == ["enabled": false, "branch": .null, "warehouse": .null])
        #expect(effective["pipeline"]?["quantityDecimalPlaces"] == 4)
        #expect(effective["pipeline"]?["receiptsPosting"] == "dailyJournal")
        #expect(effective["pipeline"]?["journalVat"] == "vatTransactions")
        #expect(configuration.withDefaults.notifications.metricsFile == "state/metrics.prom")
        // What config check prints loads again as the same configuration, with the defaults now explicit.
        try PipelineConfiguration.effectiveDocument(root: root).write(to: root.configFile)
        #expect(try PipelineConfiguration.load(from: root) == configuration.withDefaults)
    }
}

/// `Schemas/config.schema.json` describes exactly what the Swift types read, and a real JSON Schema
/// implementation accepts the configuration `init` writes.
@Suite struct ConfigurationSchemaTests {
    var schemaURL: URL { Repository.schemas.appendingPathComponent("config.schema.json") }

    /// The sample with every optional setting set, so that every key appears somewhere.
    var fullSample: PipelineConfiguration {
        var configuration = PipelineConfiguration.sampleVenue(sourcePath: "source/flexybox.sqlite")
        configuration.notifications.command = "logger -t flexyvisma"
        configuration.notifications.repeatWhileHalted = true
        configuration.notifications.metricsFile = "state/metrics.prom"
        configuration.customers.requiredFields = CustomerField.allCases
        return configuration
    }

    @Test func schemaPropertiesRequiredKeysAndEnumsAgreeWithTheSwiftTypes() throws {
        let schema = try JSONValue.parse(try Data(contentsOf: schemaURL))
        let json = try JSONValue.parse(try fullSample.encoded())
        let reading = try StrictJSONDecoder.decodeReading(PipelineConfiguration.self, from: json).reading
        var checkedChoices: Set<String> = []

        func resolve(_ node: JSONValue) -> JSONValue {
            guard let reference = node["$ref"]?.stringValue, reference.hasPrefix("#/$defs/") else { return node }
            return schema["$defs"]?[String(reference.dropFirst("#/$defs/".count))] ?? .null
        }
        func walk(_ value: JSONValue, _ node: JSONValue, _ path: String) {
            let node = resolve(node)
            switch value {
            case .object(let members):
                if let properties = node["properties"]?.objectValue {
                    let asked = reading.keys[path] ?? []
                    let optional = reading.optionalKeys[path] ?? []
                    #expect(Set(properties.keys) == asked, "properties of \(path.isEmpty ? "the top level" : path)")
                    let required = Set(node["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
                    #expect(required == asked.subtracting(optional), "required keys of \(path)")
                    #expect(node["additionalProperties"] == false, "\(path) must refuse unknown keys")
                    for key in optional {
                        #expect(
                            properties[key]?["type"]?.arrayValue?.contains("null") == true,
                            "\(path).\(key) is optional: null allowed")
                    }
                    for (key, member) in members {
                        walk(member, properties[key] ?? .null, path.isEmpty ? key : "\(path).\(key)")
                    }
                } else {
                    let values = node["additionalProperties"] ?? .null
                    #expect(values.objectValue != nil, "\(path) is a dictionary in Swift: its values need a schema")
                    #expect(
                        reading.optionalKeys[path]?.isEmpty == true,
                        "\(path) is a struct in Swift but a dictionary in the schema")
                    for (key, member) in members { walk(member, values, "\(path).\(key)") }
                }
            case .array(let elements):
                for (index, element) in elements.enumerated() {
                    walk(element, node["items"] ?? .null, "\(path)[\(index)]")
                }
            default:
                let allowed = node["enum"]?.arrayValue?.compactMap(\.stringValue)
                #expect(allowed == reading.choices[path], "allowed values of \(path)")
                if allowed != nil { checkedChoices.insert(path) }
            }
        }
        walk(json, schema, "")
        #expect(checkedChoices.contains("pipeline.receiptsPosting"))
        #expect(checkedChoices.contains("source.kind"))
        #expect(checkedChoices.contains("customers.requiredFields[0]"))
    }

    @Test func customerFieldsAreTheOptionalColumnsOfCustomersCSV() throws {
        let columns = try JSONValue.parse(
            try Data(contentsOf: Repository.schemas.appendingPathComponent("customers.columns.json")))
        let optional = columns["columns"]?.arrayValue?.filter { $0["required"] == false }.compactMap {
            $0["name"]?.stringValue
        }
        #expect(optional == CustomerField.allowedValues)
    }

    /// Checked by Python's jsonschema (Scripts/setup installs it), not by our own reading of the schema.
    @Test func sampleConfigurationValidatesAgainstTheSchemaAndAMisspeltOneDoesNot() throws {
        let folder = try TemporaryFolder()
        let sample = folder.path("sample.json")
        let full = folder.path("full.json")
        let misspelt = folder.path("misspelt.json")
        try PipelineConfiguration.sampleVenue(sourcePath: "source/flexybox.sqlite").encoded().write(to: sample)
        try fullSample.encoded().write(to: full)
        var broken = try JSONValue.parse(try fullSample.encoded()).objectValue ?? [:]
        broken["pipeline"] = [
            "settleSeconds": 10, "uploadParallelism": 4, "releaseDocuments": false,
            "receiptsPosting": "journalPerReciept",
        ]
        broken["departments"] = ["Café": ["enabled": true, "brnch": "1"]]
        try JSONValue.object(broken).encoded().write(to: misspelt)
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            for path in sys.argv[2:]:
                for error in sorted(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(path))), key=str):
                    print(path.rsplit("/", 1)[-1], "/".join(map(str, error.absolute_path)), error.message)
            """
        let result = try ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", "-c", script, schemaURL.path, sample.path, full.path, misspelt.path])
        #expect(result.status == 0, "\(result)")
        let lines = result.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.allSatisfy { $0.hasPrefix("misspelt.json ") }, "\(result)")
        #expect(lines.contains { $0.hasPrefix("misspelt.json pipeline/receiptsPosting ") }, "\(result)")
        #expect(lines.contains { $0.hasPrefix("misspelt.json departments/Café ") && $0.contains("brnch") }, "\(result)")
    }
}
