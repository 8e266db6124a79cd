import FlexyVismaCore
import XMLSupport

/// `receipts*.xml`: lines add up, receipts balance, numbers unique, the day and department fit, mappings exist.
struct ReceiptRules {
    let context: ValidationContext
    let file: String
    /// Receipt numbers of the whole batch, for duplicates across files.
    var seenNumbers: ReceiptNumberIndex
    /// Every receipt number of this file's business day, for the gap warning (skipped departments included).
    private(set) var numbers: [Int64] = []
    private(set) var skipped = false
    private(set) var receipts = 0
    private(set) var day: String?
    private(set) var department: String?
    /// The business day and the next as text, for the time check of every receipt.
    private var dayWindow: BusinessDayWindow?

    private var receiptLine = 0
    private var receiptNumber: Int64?
    private var linesTotal: Int64 = 0
    private var tendersTotal: Int64 = 0
    private var amountsKnown = true
    /// Sums of the magnitudes of every line and every tender amount of the file: while both are within
    /// `FixedPoint.maximumUnits`, no sum the transform makes of them can overflow.
    private var fileMagnitudes: (lines: Int64, tenders: Int64) = (0, 0)
    private var reportedFileRange = false
    /// VAT codes whose `receipt.vat-account` finding is given (once per file: it is about the configuration, not the line).
    private var reportedVatCodes: Set<String> = []

    init(context: ValidationContext, file: String, seenNumbers: ReceiptNumberIndex) {
        self.context = context
        self.file = file
        self.seenNumbers = seenNumbers
    }

    mutating func handle(_ event: XMLEvent, pending: inout [XMLFileCheck.PendingFinding]) {
        switch event {
        case .start(let element):
            start(element, pending: &pending)
        case .end(let name):
            guard name == "receipt", !skipped, amountsKnown, linesTotal != tendersTotal else { return }
            pending.append(
                .init(
                    finding: Finding(
                        rule: ValidationRule.receiptUnbalanced.id,
                        message:
                            "lines total \(FixedPoint.money(ore: linesTotal).text) but tenders \(FixedPoint.money(ore: tendersTotal).text)",
                        file: file, line: receiptLine, column: 0, record: receiptNumber.map(String.init),
                        field: "tender",
                        hint: "every receipt is paid in full: check FlexyBox's day report for this receipt"),
                    wholeRecord: true))
        }
    }

    private mutating func start(_ element: XMLElement, pending: inout [XMLFileCheck.PendingFinding]) {
        func queue(_ rule: ValidationRule, _ message: String, _ field: String, _ hint: String) {
            pending.append(
                .field(
                    rule, message, field: field, hint: hint, file: file, element: element,
                    record: receiptNumber.map(String.init)))
        }
        func money(_ name: String) -> Int64? { element[name].flatMap { FixedPoint(parsing: $0, scale: 2)?.units } }

        switch element.name {
        case "receipts":
            day = element["businessDay"]
            department = element["department"]
            dayWindow = day.flatMap(BusinessDayWindow.init)
            guard let department, let day else { return }
            guard let settings = context.configuration.departments[department] else {
                queue(
                    .receiptUnknownDepartment, "department \"\(department)\" is not in the configuration", "department",
                    "add \"\(department)\" under departments in flexyvisma.json (enabled, with its Visma branch), or set enabled false"
                )
                return
            }
            guard settings.enabled else {
                skipped = true
                return
            }
            if let earlier = context.history.receiptDays["\(day)|\(department)"], !context.isRepost {
                queue(
                    .receiptDayAlreadySent,
                    "business day \(day) of \(department) was already carried by batch \(earlier)", "businessDay",
                    "sending it again would post the day twice: discard one of the batches")
            }
            if !context.isRepost, let problem = context.periodProblem(day: day, module: .generalLedger) {
                queue(
                    .receiptClosedPeriod, "business day \(day): \(problem)", "businessDay",
                    "open (or activate) the period for the general ledger in Visma (Financial periods, GL201000), or ask the bookkeeper where these sales belong"
                )
            }
        case "receipt":
            receipts += 1
            receiptLine = element.line
            receiptNumber = element["number"].flatMap { Int64($0) }
            linesTotal = 0
            tendersTotal = 0
            amountsKnown = true
            if let number = receiptNumber, day != nil {
                numbers.append(number)
                if let first = seenNumbers.first(number) {
                    queue(
                        .receiptDuplicateNumber,
                        "receipt number \(number) appears twice (first in \(first.file) line \(first.line))", "number",
                        "receipt numbers are unique per venue: was the same day exported twice?")
                } else {
                    seenNumbers.insert(number, file: file, line: element.line)
                }
            }
            guard !skipped, let time = element["time"], let day, let dayWindow else { return }
            if !dayWindow.contains(time: time) {
                queue(
                    .receiptBusinessDayMismatch, "time \(time.prefix(16)) is not on business day \(day)", "time",
                    "a business day runs from 00:00 to 06:00 the next morning; is the receipt in the right file?")
            }
        case "line":
            line(element, pending: &pending)
        case "tender":
            guard !skipped else { return }
            add(money("amount"), to: \.tendersTotal, file: \.tenders, element, &pending)
            if let type = element["type"], context.configuration.paymentTypes[type] == nil {
                queue(
                    .receiptUnknownTender, "payment type \(type) is not mapped in config", "type",
                    "add \"\(type)\" under paymentTypes in flexyvisma.json with its Visma payment method and account")
            }
        default:
            break
        }
    }

    /// A receipt line: its amount adds up, quantity × unit price − discount is the amount, its mappings exist.
    private mutating func line(_ element: XMLElement, pending: inout [XMLFileCheck.PendingFinding]) {
        func queue(_ rule: ValidationRule, _ message: String, _ field: String, _ hint: String) {
            pending.append(
                .field(
                    rule, message, field: field, hint: hint, file: file, element: element,
                    record: receiptNumber.map(String.init)))
        }
        func money(_ name: String) -> Int64? { element[name].flatMap { FixedPoint(parsing: $0, scale: 2)?.units } }
        guard !skipped else { return }
        let amount = money("amount")
        add(amount, to: \.linesTotal, file: \.lines, element, &pending)
        if let quantity = element["quantity"].flatMap({ FixedPoint(parsing: $0, scale: 4) }),
            let price = money("unitPrice"),
            let amount
        {
            let discount = money("discount") ?? 0
            let (product, overflow) = quantity.units.multipliedReportingOverflow(by: price)
            let expected = overflow ? nil : FixedPoint.checkedSum(Self.roundedToOre(product), -discount)
            if let expected, expected != amount {
                queue(
                    .receiptLineAmount,
                    "\(quantity.trimmedText()) × \(FixedPoint.money(ore: price).text) − \(FixedPoint.money(ore: discount).text) is \(FixedPoint.money(ore: expected).text), not \(FixedPoint.money(ore: amount).text)",
                    "amount", "the line's amount must be quantity × unit price − discount")
            } else if expected == nil {
                queue(
                    .numberOutOfRange,
                    "\(quantity.trimmedText()) × \(FixedPoint.money(ore: price).text) is larger than the pipeline can hold exactly",
                    "quantity", "check the line's quantity and unit price in FlexyBox")
            }
        }
        if let group = element["itemGroup"], context.configuration.itemGroups[group] == nil {
            queue(
                .receiptUnmappedItemGroup, "item group \"\(group)\" is not mapped to a revenue account in config",
                "itemGroup",
                "add \"\(group)\" under itemGroups in flexyvisma.json")
        }
        if let vat = element["vatCode"], let finding = vatCodeFinding(vat) {
            queue(finding.rule, finding.message, "vatCode", finding.hint)
        }
    }

    /// Adds a line's or tender's amount to its receipt total and the file's magnitudes, with a finding when a sum leaves the range.
    private mutating func add(
        _ amount: Int64?, to total: WritableKeyPath<ReceiptRules, Int64>,
        file magnitude: WritableKeyPath<(lines: Int64, tenders: Int64), Int64>,
        _ element: XMLElement, _ pending: inout [XMLFileCheck.PendingFinding]
    ) {
        guard let amount else {
            amountsKnown = false
            return
        }
        if let sum = FixedPoint.checkedSum(self[keyPath: total], amount) {
            self[keyPath: total] = sum
        } else {
            amountsKnown = false
            pending.append(
                .field(
                    .numberOutOfRange,
                    "the receipt's \(element.name) amounts add up to more than the pipeline can hold exactly",
                    field: "amount", hint: "check the receipt in FlexyBox", file: file, element: element,
                    record: receiptNumber.map(String.init)))
        }
        if let sum = FixedPoint.checkedSum(fileMagnitudes[keyPath: magnitude], Int64(amount.magnitude)) {
            fileMagnitudes[keyPath: magnitude] = sum
        } else if !reportedFileRange {
            reportedFileRange = true
            pending.append(
                .field(
                    .numberOutOfRange,
                    "the file's \(element.name) amounts add up to more than the pipeline can hold exactly",
                    field: "amount", hint: "split the day's export, or check its amounts in FlexyBox", file: file,
                    element: element, record: nil))
        }
    }

    /// quantity (1/10000) × price (øre), rounded half away from zero to the øre.
    /// A line's VAT code unmapped in config, or (once per code) not bookable as configured in Visma.
    private mutating func vatCodeFinding(_ vat: String) -> (rule: ValidationRule, message: String, hint: String)? {
        if context.configuration.vatCodes[vat] == nil {
            return (
                .receiptUnmappedVatCode, "VAT code \(vat) is not mapped in config",
                "add \"\(vat)\" under vatCodes in flexyvisma.json"
            )
        }
        guard let problem = context.vatProblems[vat], reportedVatCodes.insert(vat).inserted else { return nil }
        return (.receiptVatAccount, problem.message, problem.hint)
    }

    static func roundedToOre(_ product: Int64) -> Int64 {
        let (quotient, remainder) = product.quotientAndRemainder(dividingBy: 10_000)
        return quotient + (remainder.magnitude >= 5_000 ? (product < 0 ? -1 : 1) : 0)
    }
}

/// A receipt belongs to its business day from 00:00 that day until 06:00 the next (bars close late).
struct BusinessDayWindow {
    let day: String
    let nextDay: String

    init?(_ text: String) {
        guard let businessDay = BusinessDay(text) else { return nil }
        day = businessDay.text
        nextDay = businessDay.adding(days: 1).text
    }

    /// True for an ISO time (`2026-11-28T23:59:00+01:00`) inside the window; a time too short to
    /// read is left to the XSD.
    func contains(time: String) -> Bool {
        let bytes = time.utf8
        guard bytes.count >= 13 else { return true }
        let date = bytes.prefix(10)
        if date.elementsEqual(day.utf8) { return true }
        guard date.elementsEqual(nextDay.utf8) else { return false }
        var hour = 0
        for byte in bytes.dropFirst(11).prefix(2) {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return true }
            hour = hour * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return hour < 6
    }
}

/// Where each receipt number of a batch was first seen, packed small (a batch can hold millions).
struct ReceiptNumberIndex {
    private var files: [String] = []
    private var places: [Int64: UInt64] = [:]

    func first(_ number: Int64) -> (file: String, line: Int)? {
        guard let place = places[number] else { return nil }
        return (files[Int(place >> 32)], Int(place & 0xFFFF_FFFF))
    }

    mutating func insert(_ number: Int64, file: String, line: Int) {
        if files.last != file { files.append(file) }
        places[number] = UInt64(files.count - 1) << 32 | UInt64(UInt32(clamping: line))
    }
}
