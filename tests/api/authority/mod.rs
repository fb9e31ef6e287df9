//! Authority checks: certificates, registers, evidence, and where decisions use them.

use crate::helpers::TestApp;
use onramp::authority::finding::Finding;
use onramp::store::organisations::OrganisationRecord;

/// The organisation whose legal name contains `name`.
async fn org_named(app: &TestApp, name: &str) -> OrganisationRecord {
    let (orgs, _) = onramp::store::organisations::list(
        &app.state.db,
        None,
        Some(name),
        onramp::store::Page::new(1, 10),
    )
    .await
    .unwrap();
    orgs[0].clone()
}

/// Imports `csv` as the bank's register.
pub(crate) async fn import_csv(app: &TestApp, csv: &str) {
    let file = app.state.settings.data_dir.join("reg.csv");
    std::fs::write(&file, csv).unwrap();
    onramp::authority::service::import_csv(&app.state, &file)
        .await
        .unwrap();
}

/// Puts `pem` on record as the organisation's certificate (as the signup field does).
async fn with_certificate(
    app: &TestApp,
    org: &OrganisationRecord,
    pem: &str,
) -> OrganisationRecord {
    let mut profile = org.profile.clone();
    profile.insert("certificate".into(), pem.into());
    let now = app.state.clock.now();
    onramp::store::organisations::update_profile(
        &app.state.db,
        org.id,
        &org.legal_name,
        &profile,
        now,
    )
    .await
    .unwrap();
    onramp::store::organisations::get(&app.state.db, org.id)
        .await
        .unwrap()
        .unwrap()
}

/// Checks the organisation now; the certificate's finding.
async fn certificate_finding(app: &TestApp, org: &OrganisationRecord) -> Finding {
    let findings =
        onramp::authority::service::check_organisation(&app.state.db, &app.state, org, None)
            .await
            .unwrap();
    findings
        .into_iter()
        .find(|f| f.source == onramp::domain::evidence::Source::Certificate)
        .expect("a certificate finding")
}

mod auto_approval;
mod certificates;
mod dcr_roles;
mod eba_zip;
mod evidence;
mod fca;
pub(crate) mod panel;
mod production_keys;
pub(crate) mod registers;
mod revocation;
mod signup_fields;
mod trusted_lists;
mod watch;
