//! Register sources and their verdicts: the bank's CSV, the EBA file (streamed; institutions
//! only; ENT_AUT parity), the directory's claims in an SSA.

use crate::helpers::{TestApp, spawn_app};
use onramp::authority::codes::AuthorityCodes;
use onramp::authority::finding::{Claim, Finding};
use onramp::authority::service;
use onramp::authority::sources::{ImportedRegister, RegisterSource, SsaClaims};
use onramp::domain::Psd2Role;
use onramp::domain::evidence::{Source, Verdict};
use serde_json::json;

pub(crate) const CSV: &str = "authority,number,name,status,roles,authorised_since,withdrawn_at
FCA,123456,Acme TPP Ltd,authorised,AISP;PISP,2019-01-02,
GB-FCA,654321,\"Gone, Ltd\",withdrawn,AISP,2018-01-01,2025-06-30
";

/// The documented fixture, plus an agent and a re-authorised firm.
pub const EBA: &str = r#"[[{"__EBA_Disclaimer": {}}],
 [{"CA_OwnerID": "FI_FIN-FSA", "EntityCode": "FI_FIN-FSA!01234567", "EntityType": "PSD_AISP",
   "Properties": [{"ENT_NAT_REF_COD": "01234567"}, {"ENT_NAM": ["Esimerkki Oy", "Example AIS Ltd"]},
                  {"ENT_COU_RES": "FI"}, {"ENT_AUT": ["2019-10-02"]}],
   "Services": [{"FI": ["PS_080"]}, {"SE": "PS_080"}],
   "__EBA_EntityVersion": "20250805183438283"},
  {"CA_OwnerID": "IE_CBI", "EntityCode": "IE_CBI!C99999", "EntityType": "PSD_PI",
   "Properties": [{"ENT_NAT_REF_COD": "C99999"}, {"ENT_NAM": "Withdrawn PI Ltd"}, {"ENT_COU_RES": "IE"},
                  {"ENT_AUT": ["2018-07-02", "2023-03-01"]}],
   "Services": [{"IE": ["PS_070", "PS_080"]}], "__EBA_EntityVersion": "20250101000000000"},
  {"CA_OwnerID": "IE_CBI", "EntityCode": "IE_CBI!C77777", "EntityType": "PSD_PI",
   "Properties": [{"ENT_NAT_REF_COD": "C77777"}, {"ENT_NAM": "Back Again Ltd"},
                  {"ENT_AUT": ["2018-07-02", "2020-03-01", "2022-05-05"]}],
   "Services": [{"IE": ["PS_070"]}], "__EBA_EntityVersion": "20250101000000000"},
  {"CA_OwnerID": "FR_ACPR", "EntityCode": "PSD_PI!FR_ACPR!1376!50208", "EntityType": "PSD_AG",
   "Properties": [{"ENT_NAT_REF_COD": "50208"}, {"ENT_NAM": "An Agent"}, {"DER_CHI_ENT_AUT": "Active"}]}]]"#;

fn claim(authority: &str, number: &str, name: &str, roles: &[Psd2Role]) -> Claim {
    Claim {
        legal_name: Some(name.into()),
        authority: Some(authority.into()),
        country: None,
        number: Some(number.into()),
        roles: roles.to_vec(),
    }
}

async fn ask(app: &TestApp, register: Source, c: &Claim) -> Finding {
    let codes = AuthorityCodes::shipped();
    ImportedRegister {
        register,
        db: &app.state.db,
        codes: &codes,
    }
    .check(c)
    .await
}

async fn import(app: &TestApp, name: &str, text: &str, eba: bool) -> usize {
    let file = app.state.settings.data_dir.join(name);
    std::fs::write(&file, text).unwrap();
    if eba {
        service::import_eba(&app.state, &file).await.unwrap()
    } else {
        service::import_csv(&app.state, &file).await.unwrap()
    }
}

/// Asks `register` each claim; checks the verdict and a word of the details.
async fn expect(app: &TestApp, register: Source, cases: &[(Claim, Verdict, &str)]) {
    for (c, verdict, word) in cases {
        let f = ask(app, register, c).await;
        assert_eq!(f.verdict, *verdict, "{c:?}: {f:?}");
        assert!(f.details.contains(word), "{c:?}: {}", f.details);
    }
}

#[tokio::test]
async fn the_csv_register_gives_each_verdict() {
    let app = spawn_app().await;
    assert_eq!(import(&app, "reg.csv", CSV, false).await, 2);
    let both = [Psd2Role::Aisp, Psd2Role::Pisp];
    let cases = [
        (
            claim("FCA", "123456", "ACME TPP LIMITED", &both),
            Verdict::Verified,
            "AISP, PISP",
        ),
        (
            claim("GB-FCA", "654321", "Gone, Ltd", &[]),
            Verdict::Withdrawn,
            "2025-06-30",
        ),
        (
            claim("FCA", "123456", "Other Corp", &[]),
            Verdict::Mismatch,
            "name:",
        ),
        (
            claim("FCA", "123456", "Acme TPP Ltd", &[Psd2Role::Cbpii]),
            Verdict::Mismatch,
            "roles: CBPII",
        ),
        (
            claim("IE-CBI", "123456", "Acme TPP Ltd", &[]),
            Verdict::NotFound,
            "Not in the register",
        ),
    ];
    expect(&app, Source::Csv, &cases).await;
    let ok = ask(&app, Source::Csv, &cases[0].0).await;
    assert_eq!(ok.proven_roles(), both.to_vec());
}

#[tokio::test]
async fn the_eba_file_keeps_institutions_reads_withdrawal_by_parity_and_absence_is_not_withdrawal()
{
    let app = spawn_app().await;
    assert_eq!(
        import(&app, "eba.json", EBA, true).await,
        3,
        "the agent is skipped"
    );
    let (ais, pis) = ([Psd2Role::Aisp], [Psd2Role::Pisp]);
    let cases = [
        (
            claim("FI-FINFSA", "01234567", "Example AIS Ltd", &ais),
            Verdict::Verified,
            "since 2019-10-02",
        ),
        (
            claim("FI-FINFSA", "01234567", "Example AIS Ltd", &pis),
            Verdict::Mismatch,
            "roles: PISP",
        ),
        (
            claim("IE_CBI", "C99999", "Withdrawn PI Ltd", &[]),
            Verdict::Withdrawn,
            "2023-03-01",
        ),
        (
            claim("IE-CBI", "C77777", "Back Again Ltd", &pis),
            Verdict::Verified,
            "PISP",
        ),
        (
            claim("DE-BAFIN", "HRB 1", "Some Bank AG", &[]),
            Verdict::NotFound,
            "credit institutions",
        ),
        (
            claim("FR-ACPR", "50208", "An Agent", &[]),
            Verdict::NotFound,
            "Not in the EBA",
        ),
    ];
    expect(&app, Source::Eba, &cases).await;
}

#[tokio::test]
async fn ssa_claims_are_read_as_an_object_or_an_array() {
    let codes = AuthorityCodes::shipped();
    let object = json!({"authority_id": "FCA", "registration_id": "123456", "status": "Active",
        "authorisations": [{"member_state": "GB", "roles": ["AISP", "PISP"]}]});
    let c = claim("GB-FCA", "123456", "Acme", &[Psd2Role::Pisp]);
    let ok = SsaClaims {
        claims: Some(&object),
        codes: &codes,
    }
    .check(&c)
    .await;
    assert_eq!(ok.verdict, Verdict::Verified, "{ok:?}");
    let array = json!([{"authority_id": "CBI", "registration_id": "C1", "status": "Active"},
        {"authority_id": "FCA", "registration_id": "123456", "status": "Withdrawn",
         "authorisations": [{"member_state": "GB", "roles": ["AISP"]}]}]);
    let gone = SsaClaims {
        claims: Some(&array),
        codes: &codes,
    }
    .check(&c)
    .await;
    assert_eq!(gone.verdict, Verdict::Withdrawn);
    let wrong = SsaClaims {
        claims: Some(&object),
        codes: &codes,
    }
    .check(&claim("FCA", "999999", "Acme", &[]))
    .await;
    assert_eq!(wrong.verdict, Verdict::Mismatch);
    assert!(wrong.details.contains("number"));
    let none = SsaClaims {
        claims: None,
        codes: &codes,
    }
    .check(&c)
    .await;
    assert_eq!(none.verdict, Verdict::NotFound);
}

#[tokio::test]
async fn a_register_that_cannot_be_read_is_unavailable_which_counts_against_nothing() {
    let unmigrated = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
    let codes = AuthorityCodes::shipped();
    let f = ImportedRegister {
        register: Source::Csv,
        db: &unmigrated,
        codes: &codes,
    }
    .check(&claim("FCA", "123456", "Acme TPP Ltd", &[]))
    .await;
    assert_eq!(f.verdict, Verdict::Unavailable, "{f:?}");
    assert!(!f.verdict.is_adverse());
}

#[tokio::test]
async fn a_repeated_entry_in_an_import_keeps_the_later_one() {
    let app = spawn_app().await;
    let twice = format!("{CSV}FCA,123456,Acme TPP Ltd,withdrawn,AISP,2019-01-02,2026-01-01\n");
    assert_eq!(import(&app, "twice.csv", &twice, false).await, 2);
    let f = ask(
        &app,
        Source::Csv,
        &claim("FCA", "123456", "Acme TPP Ltd", &[]),
    )
    .await;
    assert_eq!(f.verdict, Verdict::Withdrawn);
}
