//! Authority checks: certificates, registers, evidence, and where decisions use them.

use crate::helpers::TestApp;
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

mod auto_approval;
mod certificates;
mod dcr_roles;
mod eba_zip;
mod evidence;
mod fca;
pub(crate) mod panel;
mod production_keys;
pub(crate) mod registers;
mod signup_fields;
mod watch;
