import Foundation

extension ReferenceSnapshot {
    /// A Visma financial period: its id, dates, and whether each module that we book in takes postings.
    ///
    /// The id is never derived from a date: a financial year need not start in January, so period
    /// `202705` can be November 2026. Documents go to the period whose dates contain their day.
    public struct FinancialPeriod: Codable, Sendable, Equatable {
        /// `YYYYPP`: financial year and the period's number in it.
        public var period: String
        public var year: Int
        /// `yyyy-MM-dd`, both inclusive.
        public var startDate: String
        public var endDate: String
        /// "The period can be used for posting transactions."
        public var active: Bool
        /// Receipts and journals are booked in the general ledger.
        public var closedInGeneralLedger: Bool
        /// Customer payments are booked in the customer ledger.
        public var closedInCustomerLedger: Bool

        public init(
            period: String, year: Int, startDate: String, endDate: String, active: Bool = true,
            closedInGeneralLedger: Bool = false,
            closedInCustomerLedger: Bool = false
        ) {
            self.period = period
            self.year = year
            self.startDate = startDate
            self.endDate = endDate
            self.active = active
            self.closedInGeneralLedger = closedInGeneralLedger
            self.closedInCustomerLedger = closedInCustomerLedger
        }

        /// The ledger a document is booked in.
        public enum Module: String, Sendable {
            case generalLedger = "general ledger"
            case customerLedger = "customer ledger"
        }

        public func isClosed(in module: Module) -> Bool {
            switch module {
            case .generalLedger: closedInGeneralLedger
            case .customerLedger: closedInCustomerLedger
            }
        }

        public func contains(day: String) -> Bool {
            let day = String(day.prefix(10))
            return startDate <= day && day <= endDate
        }

        /// `202705` → `05-2027`, as Visma shows periods.
        public var displayId: String { period.count == 6 ? "\(period.suffix(2))-\(period.prefix(4))" : period }

        private enum CodingKeys: String, CodingKey {
            case period, year, startDate, endDate, active, closedInGeneralLedger, closedInCustomerLedger, closed
        }

        /// Reads this shape, or the one saved before (`{period: YYYYMM, closed}`: a calendar month closed in every module).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let period = try container.decode(String.self, forKey: .period)
            if let startDate = try container.decodeIfPresent(String.self, forKey: .startDate) {
                self.init(
                    period: period, year: try container.decode(Int.self, forKey: .year), startDate: startDate,
                    endDate: try container.decode(String.self, forKey: .endDate),
                    active: try container.decode(Bool.self, forKey: .active),
                    closedInGeneralLedger: try container.decode(Bool.self, forKey: .closedInGeneralLedger),
                    closedInCustomerLedger: try container.decode(Bool.self, forKey: .closedInCustomerLedger))
                return
            }
            let closed = try container.decode(Bool.self, forKey: .closed)
            let month = Self.calendarMonth(period) ?? (start: "", end: "")
            self.init(
                period: period, year: Int(period.prefix(4)) ?? 0, startDate: month.start, endDate: month.end,
                closedInGeneralLedger: closed, closedInCustomerLedger: closed)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(period, forKey: .period)
            try container.encode(year, forKey: .year)
            try container.encode(startDate, forKey: .startDate)
            try container.encode(endDate, forKey: .endDate)
            try container.encode(active, forKey: .active)
            try container.encode(closedInGeneralLedger, forKey: .closedInGeneralLedger)
            try container.encode(closedInCustomerLedger, forKey: .closedInCustomerLedger)
        }

        /// First and last day of the calendar month `YYYYMM`.
        static func calendarMonth(_ id: String) -> (start: String, end: String)? {
            guard id.count == 6, let year = Int(id.prefix(4)), let month = Int(id.suffix(2)), (1...12).contains(month)
            else { return nil }
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            let last = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            let prefix = "\(year)-\(month < 10 ? "0" : "")\(month)-"
            return (prefix + "01", prefix + "\(last)")
        }
    }
}
