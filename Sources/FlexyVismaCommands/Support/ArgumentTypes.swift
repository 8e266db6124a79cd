import ArgumentParser
import FlexyVismaCore
import PipelineOperations

extension BusinessDay: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public static var defaultValueDescription: String { "YYYY-MM-DD" }
}

extension BatchID: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension RetentionPeriod: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
