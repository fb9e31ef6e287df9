//! Production keys: once authority checks have run, the roles that verified evidence proves
//! bound the scopes asked for (clients/policy.rs, one place).

use super::registers::CSV;
use crate::helpers::*;
use onramp::authority::commands;

async fn check_with(app: &TestApp, csv: &str) {
    super::import_csv(app, csv).await;
    let org = super::org_named(app, "Acme").await;
    commands::check(&app.state, &org.id.to_string())
        .await
        .unwrap();
}

#[tokio::test]
async fn production_scopes_need_roles_that_verified_evidence_proves() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Acme TPP Ltd").await;
    let app_path = tpp
        .create_app(&[crate::production::KEY_APP, &[("scopes", "payments")]].concat())
        .await;
    let path = format!("{app_path}/production-keys");
    let ask = || {
        tpp.post_form(
            &path,
            &[("use_case", "Account views and payments for SMEs.")],
        )
    };
    // The register knows the firm for AIS only, while it declared AIS and PIS: a mismatch, so
    // nothing is proven and production scopes are refused.
    check_with(&app, &CSV.replace("AISP;PISP", "AISP")).await;
    let r = ask().await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("no authority check has verified"), "{html}");
    check_with(&app, CSV).await;
    assert_eq!(ask().await.status(), 303, "both roles verified");
}
