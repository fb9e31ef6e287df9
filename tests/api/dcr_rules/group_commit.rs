//! The group commit's own rules, seen through registrations: what the batch checks in place of
//! SQLite's foreign keys on the writer's connection.

use crate::helpers::dcr::*;

/// The group-commit writer's SQLite connection leaves foreign keys to the batch: a new client is
/// written only if the organisations its application and its client name are active (and so
/// exist). Each of the two is checked, and a write naming real ones still commits.
#[tokio::test]
async fn the_group_commit_writes_no_client_of_an_unknown_organisation() {
    use onramp::domain::{ApplicationId, ClientId, OrganisationId};
    use onramp::store::group_commit::{NewClient, Outcome, Write};
    let d = Dcr::start().await;
    let first = d.register().await;
    let st = &d.app.state;
    let registered = onramp::store::clients::get(
        &st.db,
        &ClientId(first["client_id"].as_str().unwrap().into()),
    )
    .await
    .unwrap()
    .unwrap();
    let app = onramp::store::applications::get(&st.db, registered.application_id)
        .await
        .unwrap()
        .unwrap();
    let now = st.clock.now();
    let registered = &registered;
    let submit = |app: onramp::store::applications::ApplicationRecord,
                  client_org: Option<OrganisationId>| async move {
        let mut client = onramp::clients::service::new_record(
            &app,
            registered.environment,
            registered.origin,
            registered.auth_method,
            registered.metadata.clone(),
            now,
        );
        if let Some(org) = client_org {
            client.organisation_id = org;
        }
        let id = client.client_id.clone();
        let write = Write {
            claims: vec![],
            rows: Some(NewClient::new(&app, &client, &[])),
        };
        let outcome = st.writes.submit(write).await.unwrap();
        let stored = onramp::store::clients::get(&st.db, &id).await.unwrap();
        (outcome, stored.is_some())
    };
    let unknown = OrganisationId::new();
    let mut elsewhere = app.clone();
    elsewhere.id = ApplicationId::new();
    elsewhere.organisation_id = unknown;
    assert_eq!(
        submit(elsewhere, None).await,
        (Outcome::OrganisationInactive, false),
        "an application and client of an organisation that does not exist"
    );
    let mut mixed = app.clone();
    mixed.id = ApplicationId::new();
    mixed.organisation_id = unknown;
    assert_eq!(
        submit(mixed, Some(registered.organisation_id)).await,
        (Outcome::OrganisationInactive, false),
        "an application of an unknown organisation, its client naming a real one"
    );
    let mut mixed = app.clone();
    mixed.id = ApplicationId::new();
    assert_eq!(
        submit(mixed, Some(unknown)).await,
        (Outcome::OrganisationInactive, false),
        "a client naming an unknown organisation, its application a real one"
    );
    let mut fine = app.clone();
    fine.id = ApplicationId::new();
    assert_eq!(submit(fine, None).await, (Outcome::Committed, true));
}
