import Foundation

extension CompanyFixture {
    /// A financial period as `GET /v1/financialPeriod` shows it (`FinancialPeriodDto`, GL201000).
    ///
    /// `period` is `YYYYPP`: the financial year and the period's number within it, which equals the
    /// calendar month only in a year that starts in January. Closing is per module.
    public struct FinancialPeriod: Codable, Sendable, Equatable {
        public var year: Int
        public var period: String
        /// `yyyy-MM-dd`, both inclusive.
        public var startDate: String
        public var endDate: String
        public var active: Bool
        public var closedInGeneralLedger: Bool
        public var closedInCustomerLedger: Bool
        public var closedInSupplierLedger: Bool
        public var closedInInventoryManagement: Bool
        public var closedInCashManagement: Bool
        public var closedInFixedAssets: Bool

        public init(
            year: Int, period: String, startDate: String, endDate: String, active: Bool = true,
            closedInGeneralLedger: Bool = false, closedInCustomerLedger: Bool = false,
            closedInSupplierLedger: Bool = false,
            closedInInventoryManagement: Bool = false, closedInCashManagement: Bool = false,
            closedInFixedAssets: Bool = false
        ) {
            self.year = year
            self.period = period
            self.startDate = startDate
            self.endDate = endDate
            self.active = active
            self.closedInGeneralLedger = closedInGeneralLedger
            self.closedInCustomerLedger = closedInCustomerLedger
            self.closedInSupplierLedger = closedInSupplierLedger
            self.closedInInventoryManagement = closedInInventoryManagement
            self.closedInCashManagement = closedInCashManagement
            self.closedInFixedAssets = closedInFixedAssets
        }

        /// The module a document is booked in, whose closing flag decides whether the period takes it.
        public enum Module: String, Sendable {
            case generalLedger = "General ledger"
            case customerLedger = "Customer ledger"
        }

        public func isClosed(in module: Module) -> Bool {
            switch module {
            case .generalLedger: closedInGeneralLedger
            case .customerLedger: closedInCustomerLedger
            }
        }

        /// Whether a date (`yyyy-MM-dd…`) falls in the period.
        public func contains(date: String) -> Bool {
            let day = String(date.prefix(10))
            return startDate <= day && day <= endDate
        }

        /// `202705` → `05-2027`, as Visma shows periods.
        public var displayId: String { period.count == 6 ? "\(period.suffix(2))-\(period.prefix(4))" : period }

        /// Monthly periods of the financial years `years`, each starting on the first of `firstMonth`.
        ///
        /// A year that does not start in January is numbered after the calendar year it ends in
        /// ("Belongs to next year", GL101000): with `firstMonth` 7, FY 2027 runs 2026-07-01…2027-06-30
        /// and its period 05 is November 2026. Periods in `closed` are closed in every module.
        public static func financialYears(
            _ years: ClosedRange<Int>, firstMonth: Int, closed: Set<String> = []
        ) -> [FinancialPeriod] {
            years.flatMap { year in
                (1...12).map { number in
                    let monthIndex = firstMonth - 1 + number - 1
                    let calendarYear = year - (firstMonth == 1 ? 0 : 1) + monthIndex / 12
                    let month = monthIndex % 12 + 1
                    let id = "\(year)\(Self.twoDigits(number))"
                    let first = "\(calendarYear)-\(Self.twoDigits(month))-01"
                    let last =
                        "\(calendarYear)-\(Self.twoDigits(month))-\(Self.twoDigits(Self.days(inMonth: month, of: calendarYear)))"
                    let shut = closed.contains(id)
                    return FinancialPeriod(
                        year: year, period: id, startDate: first, endDate: last, closedInGeneralLedger: shut,
                        closedInCustomerLedger: shut,
                        closedInSupplierLedger: shut, closedInInventoryManagement: shut, closedInCashManagement: shut,
                        closedInFixedAssets: shut)
                }
            }
        }

        static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

        static func days(inMonth month: Int, of year: Int) -> Int {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][max(0, min(11, month - 1))]
        }

        private enum CodingKeys: String, CodingKey {
            case year, period, startDate, endDate, active, closed
            case closedInGeneralLedger, closedInCustomerLedger, closedInSupplierLedger, closedInInventoryManagement
            case closedInCashManagement, closedInFixedAssets
        }

        /// Reads the OAS shape, or the earlier `{period: YYYYMM, closed}` (a calendar month closed in every module).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let period = try container.decode(String.self, forKey: .period)
            guard let startDate = try container.decodeIfPresent(String.self, forKey: .startDate) else {
                let closed = try container.decodeIfPresent(Bool.self, forKey: .closed) ?? false
                let year = Int(period.prefix(4)) ?? 0
                let month = Int(period.suffix(2)) ?? 1
                self.init(
                    year: year, period: period, startDate: "\(year)-\(Self.twoDigits(month))-01",
                    endDate: "\(year)-\(Self.twoDigits(month))-\(Self.twoDigits(Self.days(inMonth: month, of: year)))",
                    closedInGeneralLedger: closed, closedInCustomerLedger: closed, closedInSupplierLedger: closed,
                    closedInInventoryManagement: closed, closedInCashManagement: closed, closedInFixedAssets: closed)
                return
            }
            func flag(_ key: CodingKeys) throws -> Bool {
                try container.decodeIfPresent(Bool.self, forKey: key) ?? false
            }
            self.init(
                year: try container.decodeIfPresent(Int.self, forKey: .year) ?? Int(period.prefix(4)) ?? 0,
                period: period,
                startDate: String(startDate.prefix(10)),
                endDate: String(try container.decode(String.self, forKey: .endDate).prefix(10)),
                active: try container.decodeIfPresent(Bool.self, forKey: .active) ?? true,
                closedInGeneralLedger: try flag(.closedInGeneralLedger),
                closedInCustomerLedger: try flag(.closedInCustomerLedger),
                closedInSupplierLedger: try flag(.closedInSupplierLedger),
                closedInInventoryManagement: try flag(.closedInInventoryManagement),
                closedInCashManagement: try flag(.closedInCashManagement),
                closedInFixedAssets: try flag(.closedInFixedAssets))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(year, forKey: .year)
            try container.encode(period, forKey: .period)
            try container.encode(startDate, forKey: .startDate)
            try container.encode(endDate, forKey: .endDate)
            try container.encode(active, forKey: .active)
            try container.encode(closedInGeneralLedger, forKey: .closedInGeneralLedger)
            try container.encode(closedInCustomerLedger, forKey: .closedInCustomerLedger)
            try container.encode(closedInSupplierLedger, forKey: .closedInSupplierLedger)
            try container.encode(closedInInventoryManagement, forKey: .closedInInventoryManagement)
            try container.encode(closedInCashManagement, forKey: .closedInCashManagement)
            try container.encode(closedInFixedAssets, forKey: .closedInFixedAssets)
        }
    }
}
