/// Valid write DTOs for the sample company, as JSON text; the rule tests break them one field at a time.
enum Payloads {
    static func stockItem(
        _ number: String, itemClass: String = "RAAVARE", type: String? = nil, unit: String = "KG"
    ) -> String {
        """
        {"inventoryNumber": {"value": "\(number)"}, "description": {"value": "Råvare \(number)"},
         "itemClass": {"value": "\(itemClass)"}, \(type.map { "\"type\": {\"value\": \"\($0)\"}," } ?? "")
         "status": {"value": "Active"}, "baseUnit": {"value": "\(unit)"}, "salesUnit": {"value": "\(unit)"},
         "purchaseUnit": {"value": "\(unit)"}, "vatCode": {"value": "1"}, "defaultPrice": {"value": 0}}
        """
    }

    static func product(_ number: String, kit: Bool, itemClass: String? = nil) -> String {
        """
        {"inventoryNumber": {"value": "\(number)"}, "description": {"value": "Vare \(number)"},
         "itemClass": {"value": "\(itemClass ?? (kit ? "IKKELAGER" : "LAGER"))"}, "type": {"value": "\(kit ? "NonStockItem" : "FinishedGoodItem")"},
         "baseUnit": {"value": "STK"}, "salesUnit": {"value": "STK"}, "purchaseUnit": {"value": "STK"},
         "vatCode": {"value": "1"}, "defaultPrice": {"value": 45.0}, "kitItem": {"value": \(kit)}}
        """
    }

    static func kit(_ kit: String, revision: String, stock: [String] = [], nonStock: [String] = []) -> String {
        func lines(_ items: [String]) -> String {
            items.enumerated().map { index, item in
                """
                {"operation": "Insert", "lineNbr": {"value": \(index + 1)}, "compInventoryID": {"value": "\(item)"}, "dfltCompQty": {"value": 0.018}, "uom": {"value": "KG"}}
                """
            }.joined(separator: ",")
        }
        return """
            {"kitInventoryID": {"value": "\(kit)"}, "revisionID": {"value": "\(revision)"}, "descr": {"value": "Kalkulation"},
             "isActive": {"value": true}, "isNonStock": {"value": true},
             "stockComponentLines": [\(lines(stock))], "nonStockComponentLines": [\(lines(nonStock))]}
            """
    }

    static func customer(_ number: String, postalCode: String? = "5000", customerClass: String = "PRIVAT") -> String {
        """
        {"number": {"value": "\(number)"}, "name": {"value": "Kunde \(number)"}, "status": {"value": "Active"},
         "overrideWithClassValues": true, "customerClassId": {"value": "\(customerClass)"},
         "mainAddress": {"value": {"addressLine1": {"value": "Havnegade 12"}, \(postalCode.map { "\"postalCode\": {\"value\": \"\($0)\"}," } ?? "")
                                   "city": {"value": "Odense C"}, "countryId": {"value": "DK"}}},
         "mainContact": {"value": {"name": {"value": "Kunde \(number)"}, "email": {"value": "kunde@example.dk"}}}}
        """
    }

    static func payment(
        _ number: String, customer: String, method: String = "DANKORT", date: String = "2026-11-28",
        type: String = "Payment", amount: Double = 500
    ) -> String {
        """
        {"type": {"value": "\(type)"}, "referenceNumber": {"value": "\(number)"}, "overrideNumberSeries": {"value": true},
         "customer": {"value": "\(customer)"}, "paymentMethod": {"value": "\(method)"}, "applicationDate": {"value": "\(date)T00:00:00"},
         "paymentRef": {"value": "\(number)"}, "paymentAmount": {"value": \(amount)}, "hold": {"value": false},
         "currency": {"value": "DKK"}, "branch": {"value": "1"}, "invoiceText": {"value": "Indbetaling"}}
        """
    }

    /// A refund applied to documents `(type, number, amount)`.
    static func refund(
        _ number: String, customer: String, amount: Double, lines: [(String, String, Double)],
        date: String = "2026-11-28"
    ) -> String {
        let applied = lines.map {
            #"{"operation": "Insert", "documentType": {"value": "\#($0.0)"}, "refNbr": {"value": "\#($0.1)"}, "amountPaid": {"value": \#($0.2)}}"#
        }
        var body = payment(number, customer: customer, date: date, type: "Refund", amount: amount)
        body.removeLast()
        return body + #", "paymentLines": [\#(applied.joined(separator: ", "))]}"#
    }

    static func purchaseOrder(
        _ number: String, supplier: String = "50001", item: String, lineType: String = "GoodsForInventory"
    ) -> String {
        """
        {"orderType": {"value": "RegularOrder"}, "orderNumber": {"value": "\(number)"}, "overrideNumberSeries": {"value": true},
         "date": {"value": "2026-11-28T00:00:00"}, "supplier": {"value": "\(supplier)"}, "branch": {"value": "1"},
         "description": {"value": "Indkøb"}, "hold": {"value": false},
         "lines": [{"operation": "Insert", "lineNumber": {"value": 1}, "inventory": {"value": "\(item)"},
                    "lineType": {"value": "\(lineType)"}, "uom": {"value": "KG"}, "orderQty": {"value": 5}, "unitCost": {"value": 189.5}}]}
        """
    }

    static func journal(
        _ number: String, period: String = "202611", branch: String = "1", debit: Double = 125.0,
        credit: Double = 125.0,
        account: String = "1010"
    ) -> String {
        """
        {"batchNumber": {"value": "\(number)"}, "overrideNumberSeries": {"value": true},
         "transactionDate": {"value": "\(period.prefix(4))-\(period.suffix(2))-28T00:00:00"}, "financialPeriod": {"value": "\(period)"},
         "branch": {"value": "\(branch)"}, "description": {"value": "Dagens salg"}, "hold": {"value": false},
         "createVatTransaction": {"value": true},
         "journalTransactionLines": [
           {"operation": "Insert", "accountNumber": {"value": "5520"}, "debitAmountInCurrency": {"value": \(debit)}, "referenceNumber": {"value": "\(number)"}, "transactionDescription": {"value": "Dankort"}},
           {"operation": "Insert", "accountNumber": {"value": "\(account)"}, "creditAmountInCurrency": {"value": \(credit - 25)}, "referenceNumber": {"value": "\(number)"}, "vatCodeId": {"value": "1"}, "transactionDescription": {"value": "Kaffe"}},
           {"operation": "Insert", "accountNumber": {"value": "7200"}, "creditAmountInCurrency": {"value": 25.0}, "referenceNumber": {"value": "\(number)"}, "vatId": {"value": "U25"}, "transactionDescription": {"value": "Salgsmoms"}}]}
        """
    }
}
