import Foundation

/// A calendar day `YYYY-MM-DD` in the venue's time zone: the unit receipts and payments are booked by.
public struct BusinessDay: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let text: String

    /// Accepts only real dates in the canonical form (no 2026-02-30, no 2026-2-3).
    public init?(_ text: String) {
        var digits: [Int] = []
        digits.reserveCapacity(8)
        var count = 0
        for byte in text.utf8 {
            count += 1
            if count == 5 || count == 8 {
                guard byte == UInt8(ascii: "-") else { return nil }
            } else {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), count <= 10 else { return nil }
                digits.append(Int(byte - UInt8(ascii: "0")))
            }
        }
        guard count == 10 else { return nil }
        let year = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
        let month = digits[4] * 10 + digits[5]
        let day = digits[6] * 10 + digits[7]
        guard (1...12).contains(month), day >= 1, day <= BusinessDay.daysIn(month: month, year: year) else {
            return nil
        }
        self.text = text
    }

    public var description: String { text }

    public static func < (lhs: BusinessDay, rhs: BusinessDay) -> Bool { lhs.text < rhs.text }

    /// The day before `date` in `timeZone`: what a nightly run exports.
    public static func yesterday(at date: Date = Date(), in timeZone: TimeZone) -> BusinessDay {
        BusinessDay(date: date, timeZone: timeZone).adding(days: -1)
    }

    public init(date: Date, timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        self.text = BusinessDay.format(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
    }

    public func adding(days: Int) -> BusinessDay {
        var year = Int(text.prefix(4)) ?? 1970
        var month = Int(text.dropFirst(5).prefix(2)) ?? 1
        var day = (Int(text.suffix(2)) ?? 1) + days
        while day < 1 {
            month -= 1
            if month < 1 {
                month = 12
                year -= 1
            }
            day += BusinessDay.daysIn(month: month, year: year)
        }
        while day > BusinessDay.daysIn(month: month, year: year) {
            day -= BusinessDay.daysIn(month: month, year: year)
            month += 1
            if month > 12 {
                month = 1
                year += 1
            }
        }
        return BusinessDay(validated: BusinessDay.format(year: year, month: month, day: day))
    }

    /// Every day from `first` through `last`, in order (empty when `last` is before `first`).
    public static func range(from first: BusinessDay, through last: BusinessDay) -> [BusinessDay] {
        var days: [BusinessDay] = []
        var day = first
        while day <= last {
            days.append(day)
            day = day.adding(days: 1)
        }
        return days
    }

    private init(validated text: String) { self.text = text }

    private static func format(year: Int, month: Int, day: Int) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-\(two(month))-\(two(day))"
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let day = BusinessDay(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a day (YYYY-MM-DD): \(text)"))
        }
        self = day
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
