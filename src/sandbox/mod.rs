//! The sandbox's Account Information API: realistic test data in the OB Read/Write v3.1 JSON
//! shape, the same for every sandbox client. Pure data; the web layer checks the token.

use serde_json::{Value, json};

struct Account {
    id: &'static str,
    sub_type: &'static str,
    nickname: &'static str,
    name: &'static str,
    sort_code_account: &'static str,
    balance: &'static str,
    indicator: &'static str,
}

const ACCOUNTS: &[Account] = &[
    Account {
        id: "acc-001",
        sub_type: "CurrentAccount",
        nickname: "Everyday",
        name: "Ms Jane Morgan",
        sort_code_account: "80200110203345",
        balance: "1230.55",
        indicator: "Credit",
    },
    Account {
        id: "acc-002",
        sub_type: "Savings",
        nickname: "Rainy day",
        name: "Ms Jane Morgan",
        sort_code_account: "80200110203348",
        balance: "8400.00",
        indicator: "Credit",
    },
    Account {
        id: "acc-003",
        sub_type: "CreditCard",
        nickname: "Card",
        name: "Ms Jane Morgan",
        sort_code_account: "80200110203352",
        balance: "215.40",
        indicator: "Debit",
    },
];

/// (id, amount, credit?, booking date, description, code, sub code)
const TRANSACTIONS: &[(&str, &str, bool, &str, &str, &str, &str)] = &[
    (
        "tx-1001",
        "2450.00",
        true,
        "2026-11-01T09:00:00+00:00",
        "Salary ACME LTD",
        "ReceivedCreditTransfer",
        "DomesticCreditTransfer",
    ),
    (
        "tx-1002",
        "950.00",
        false,
        "2026-11-02T07:30:00+00:00",
        "Rent Oak Properties",
        "IssuedDirectDebit",
        "DirectDebitPayment",
    ),
    (
        "tx-1003",
        "42.18",
        false,
        "2026-11-03T18:12:00+00:00",
        "Greengrocer Market St",
        "IssuedCardTransaction",
        "CardPayment",
    ),
    (
        "tx-1004",
        "12.99",
        false,
        "2026-11-05T00:01:00+00:00",
        "Streaming subscription",
        "IssuedCardTransaction",
        "CardPayment",
    ),
    (
        "tx-1005",
        "200.00",
        false,
        "2026-11-07T12:00:00+00:00",
        "Transfer to savings",
        "IssuedCreditTransfer",
        "DomesticCreditTransfer",
    ),
    (
        "tx-1006",
        "63.40",
        false,
        "2026-11-10T19:45:00+00:00",
        "Energy Co direct debit",
        "IssuedDirectDebit",
        "DirectDebitPayment",
    ),
];

fn envelope(data: Value, self_link: &str) -> Value {
    json!({
        "Data": data,
        "Links": { "Self": self_link },
        "Meta": { "TotalPages": 1, "FirstAvailableDateTime": "2026-01-01T00:00:00+00:00", "LastAvailableDateTime": "2026-11-26T00:00:00+00:00" }
    })
}

fn account_json(a: &Account) -> Value {
    json!({
        "AccountId": a.id,
        "Status": "Enabled",
        "StatusUpdateDateTime": "2026-01-04T09:00:00+00:00",
        "Currency": "GBP",
        "AccountType": "Personal",
        "AccountSubType": a.sub_type,
        "Nickname": a.nickname,
        "OpeningDate": "2019-05-14T00:00:00+00:00",
        "Account": [{
            "SchemeName": "UK.OBIE.SortCodeAccountNumber",
            "Identification": a.sort_code_account,
            "Name": a.name
        }]
    })
}

fn find(id: &str) -> Option<&'static Account> {
    ACCOUNTS.iter().find(|a| a.id == id)
}

/// `GET /accounts`.
pub fn accounts(self_link: &str) -> Value {
    envelope(
        json!({ "Account": ACCOUNTS.iter().map(account_json).collect::<Vec<_>>() }),
        self_link,
    )
}

/// `GET /accounts/{id}`; `None` for an unknown account.
pub fn account(id: &str, self_link: &str) -> Option<Value> {
    find(id).map(|a| envelope(json!({ "Account": [account_json(a)] }), self_link))
}

/// `GET /accounts/{id}/balances`.
pub fn balances(id: &str, self_link: &str) -> Option<Value> {
    let a = find(id)?;
    Some(envelope(
        json!({ "Balance": [{
            "AccountId": a.id,
            "Amount": { "Amount": a.balance, "Currency": "GBP" },
            "CreditDebitIndicator": a.indicator,
            "Type": "InterimAvailable",
            "DateTime": "2026-11-26T08:00:00+00:00"
        }, {
            "AccountId": a.id,
            "Amount": { "Amount": a.balance, "Currency": "GBP" },
            "CreditDebitIndicator": a.indicator,
            "Type": "InterimBooked",
            "DateTime": "2026-11-26T08:00:00+00:00"
        }] }),
        self_link,
    ))
}

/// `GET /accounts/{id}/transactions`.
pub fn transactions(id: &str, self_link: &str) -> Option<Value> {
    let a = find(id)?;
    let list: Vec<Value> = TRANSACTIONS
        .iter()
        .map(|(tx, amount, credit, at, info, code, sub)| {
            json!({
                "AccountId": a.id,
                "TransactionId": format!("{}-{tx}", a.id),
                "TransactionReference": tx.to_uppercase(),
                "Amount": { "Amount": amount, "Currency": "GBP" },
                "CreditDebitIndicator": if *credit { "Credit" } else { "Debit" },
                "Status": "Booked",
                "BookingDateTime": at,
                "ValueDateTime": at,
                "TransactionInformation": info,
                "BankTransactionCode": { "Code": code, "SubCode": sub }
            })
        })
        .collect();
    Some(envelope(json!({ "Transaction": list }), self_link))
}

/// The OB error body for an unknown resource.
pub fn not_found(path: &str) -> Value {
    json!({
        "Code": "404 Not Found",
        "Message": "Resource not found",
        "Errors": [{ "ErrorCode": "UK.OBIE.Resource.NotFound", "Message": format!("No resource at {path}") }]
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn data_has_the_ob_shape() {
        let a = super::accounts("https://x/accounts");
        assert_eq!(a["Data"]["Account"].as_array().unwrap().len(), 3);
        assert!(super::account("nope", "x").is_none());
        let t = super::transactions("acc-001", "x").unwrap();
        assert_eq!(t["Data"]["Transaction"][0]["Status"], "Booked");
        assert_eq!(
            super::balances("acc-003", "x").unwrap()["Data"]["Balance"][0]["CreditDebitIndicator"],
            "Debit"
        );
    }
}
