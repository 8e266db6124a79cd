/// A customer to create (POST /v1/customer, with `number`) or change (PUT /v1/customer/{number}, without).
public struct CustomerUpdateDto: VismaWriteDTO {
    public static let openAPISchema = "CustomerUpdateDto"

    public var number: DtoValue<String>?
    public var name: DtoValue<String>?
    /// `Active`, `OnHold`, `CreditHold`, `Inactive` or `OneTime`.
    public var status: DtoValue<String>?
    /// Unwrapped in Visma's schema: a plain boolean.
    public var overrideWithClassValues: Bool?
    public var customerClassId: DtoValue<String>?
    /// The CVR number.
    public var corporateId: DtoValue<String>?
    public var mainAddress: DtoValue<AddressUpdateDto>?
    public var mainContact: DtoValue<ContactInfoUpdateDto>?
    /// With "allow manual numbering on imports" on the customer series: keep `number` instead of the next one.
    public var overrideNumberSeries: DtoValue<Bool>?
    /// "Account ref.": where FlexyBox's customer number is kept, so a customer Visma numbered is found by it.
    public var accountReference: DtoValue<String>?

    public init(
        number: DtoValue<String>? = nil, name: DtoValue<String>? = nil, status: DtoValue<String>? = nil,
        overrideWithClassValues: Bool? = nil, customerClassId: DtoValue<String>? = nil,
        corporateId: DtoValue<String>? = nil,
        mainAddress: DtoValue<AddressUpdateDto>? = nil, mainContact: DtoValue<ContactInfoUpdateDto>? = nil,
        overrideNumberSeries: DtoValue<Bool>? = nil, accountReference: DtoValue<String>? = nil
    ) {
        self.overrideNumberSeries = overrideNumberSeries
        self.accountReference = accountReference
        self.number = number
        self.name = name
        self.status = status
        self.overrideWithClassValues = overrideWithClassValues
        self.customerClassId = customerClassId
        self.corporateId = corporateId
        self.mainAddress = mainAddress
        self.mainContact = mainContact
    }
}

/// A postal address inside a write DTO.
public struct AddressUpdateDto: Encodable, Sendable, Equatable {
    public var addressLine1: DtoValue<String>?
    public var addressLine2: DtoValue<String>?
    public var postalCode: DtoValue<String>?
    public var city: DtoValue<String>?
    /// ISO 3166 alpha-2.
    public var countryId: DtoValue<String>?

    public init(
        addressLine1: DtoValue<String>? = nil, addressLine2: DtoValue<String>? = nil,
        postalCode: DtoValue<String>? = nil,
        city: DtoValue<String>? = nil, countryId: DtoValue<String>? = nil
    ) {
        self.addressLine1 = addressLine1
        self.addressLine2 = addressLine2
        self.postalCode = postalCode
        self.city = city
        self.countryId = countryId
    }
}

/// A contact inside a write DTO.
public struct ContactInfoUpdateDto: Encodable, Sendable, Equatable {
    public var name: DtoValue<String>?
    public var email: DtoValue<String>?
    public var phone1: DtoValue<String>?

    public init(name: DtoValue<String>? = nil, email: DtoValue<String>? = nil, phone1: DtoValue<String>? = nil) {
        self.name = name
        self.email = email
        self.phone1 = phone1
    }
}

/// A customer payment or refund (POST /v1/customerPayment).
public struct PaymentUpdateDto: VismaWriteDTO {
    public static let openAPISchema = "PaymentUpdateDto"

    /// `Prepayment` (a deposit) or `Refund` (a withdrawal); amounts are positive either way.
    public var type: DtoValue<String>?
    public var referenceNumber: DtoValue<String>?
    public var overrideNumberSeries: DtoValue<Bool>?
    /// The customer number.
    public var customer: DtoValue<String>?
    public var paymentMethod: DtoValue<String>?
    /// `yyyy-MM-ddT00:00:00`.
    public var applicationDate: DtoValue<String>?
    public var paymentRef: DtoValue<String>?
    public var paymentAmount: DtoValue<Double>?
    public var currency: DtoValue<String>?
    public var hold: DtoValue<Bool>?
    public var invoiceText: DtoValue<String>?
    public var branch: DtoValue<String>?
    /// A refund's documents to apply ("Documents to apply"): together they take the whole payment amount.
    public var paymentLines: [PaymentLinesUpdateDto]?

    public init(
        type: DtoValue<String>? = nil, referenceNumber: DtoValue<String>? = nil,
        overrideNumberSeries: DtoValue<Bool>? = nil,
        customer: DtoValue<String>? = nil, paymentMethod: DtoValue<String>? = nil,
        applicationDate: DtoValue<String>? = nil,
        paymentRef: DtoValue<String>? = nil, paymentAmount: DtoValue<Double>? = nil, currency: DtoValue<String>? = nil,
        hold: DtoValue<Bool>? = nil, invoiceText: DtoValue<String>? = nil, branch: DtoValue<String>? = nil,
        paymentLines: [PaymentLinesUpdateDto]? = nil
    ) {
        self.type = type
        self.referenceNumber = referenceNumber
        self.overrideNumberSeries = overrideNumberSeries
        self.customer = customer
        self.paymentMethod = paymentMethod
        self.applicationDate = applicationDate
        self.paymentRef = paymentRef
        self.paymentAmount = paymentAmount
        self.currency = currency
        self.hold = hold
        self.invoiceText = invoiceText
        self.branch = branch
        self.paymentLines = paymentLines
    }
}

/// One document a payment is applied to: its type (`Payment`, `Prepayment`, `CreditNote`…), number and the amount taken.
public struct PaymentLinesUpdateDto: Encodable, Sendable, Equatable {
    public var operation: LineOperation?
    public var documentType: DtoValue<String>?
    public var refNbr: DtoValue<String>?
    public var amountPaid: DtoValue<Double>?

    public init(
        operation: LineOperation? = nil, documentType: DtoValue<String>? = nil, refNbr: DtoValue<String>? = nil,
        amountPaid: DtoValue<Double>? = nil
    ) {
        self.operation = operation
        self.documentType = documentType
        self.refNbr = refNbr
        self.amountPaid = amountPaid
    }
}

/// The body release of a customer payment requires (POST /v1/customerPayment/{paymentNumber}/action/release).
public struct ReleasePaymentActionDto: VismaWriteDTO {
    public static let openAPISchema = "ReleasePaymentActionDto"

    /// The payment's type, as created.
    public var type: DtoValue<String>?

    public init(type: DtoValue<String>? = nil) { self.type = type }
}
