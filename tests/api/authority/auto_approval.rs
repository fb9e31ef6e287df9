//! `workflows/verified-auto/`: a signup is approved automatically only when the authority
//! checks verify the firm and prove the roles it asked for; otherwise a person decides, with
//! the evidence on the task.

use super::registers::CSV;
use crate::helpers::*;
use onramp::authority::service;
use onramp::domain::OrganisationStatus;
use onramp::domain::evidence::Verdict;
use onramp::store::organisations::OrganisationRecord;

async fn signup_with_register(csv: &str) -> (TestApp, OrganisationRecord) {
    let app = spawn_app_with(|s| s.workflows_dir = repo_workflows().join("verified-auto")).await;
    super::import_csv(&app, csv).await;
    app.verified_tpp("Acme TPP Ltd").await;
    let org = super::org_named(&app, "Acme TPP").await;
    (app, org)
}

#[tokio::test]
async fn a_verified_signup_is_approved_automatically() {
    let (app, org) = signup_with_register(CSV).await;
    assert_eq!(org.status, OrganisationStatus::Active);
    let evidence = service::latest(&app.state, org.id).await.unwrap();
    assert_eq!(evidence[0].verdict, Verdict::Verified);
    assert!(evidence[0].instance_id.is_some(), "evidence is on the task");
    let (_, admin) = app.admin(onramp::domain::AdminRole::Superadmin).await;
    let inbox = admin.get_html("/admin?workflow=signup").await;
    assert!(!inbox.contains("Acme TPP Ltd"), "no task waits: {inbox}");
}

#[tokio::test]
async fn a_signup_whose_roles_are_not_proven_waits_for_a_person() {
    let (app, org) = signup_with_register(&CSV.replace("AISP;PISP", "AISP")).await;
    assert_eq!(org.status, OrganisationStatus::Pending);
    let (_, admin) = app.admin(onramp::domain::AdminRole::Superadmin).await;
    let task = admin.task_for("signup", "Acme TPP Ltd").await;
    assert_eq!(admin.decide(&task, "approve", "").await.status(), 303);
}

#[tokio::test]
async fn a_firm_no_register_knows_waits_for_a_person() {
    let (_, org) = signup_with_register(&CSV.replace("123456", "777777")).await;
    assert_eq!(org.status, OrganisationStatus::Pending);
}

#[tokio::test]
async fn a_corrected_resubmission_is_checked_again_and_then_approved_automatically() {
    let app = spawn_app_with(|s| s.workflows_dir = repo_workflows().join("verified-auto")).await;
    super::import_csv(&app, CSV).await;
    let email = "dev@acme.example";
    let typo: Vec<(String, String)> = signup_fields(email, "Acme TPP Ltd")
        .into_iter()
        .map(|(k, v)| {
            if k == "authorisation_number" {
                (k, "123465".into())
            } else {
                (k, v)
            }
        })
        .collect();
    assert_eq!(app.signup(&typo).await.status(), 303);
    let link = app.link_in_mail(email, "/verify").await;
    app.get(&link).await;
    let org = super::org_named(&app, "Acme TPP").await;
    assert_eq!(
        org.status,
        OrganisationStatus::Pending,
        "the typo is not found"
    );

    let (_, admin) = app.admin(onramp::domain::AdminRole::Reviewer).await;
    let task = admin.task_for("signup", "Acme TPP Ltd").await;
    admin
        .decide(&task, "request_info", "Check your number.")
        .await;
    let tpp = app.other_browser();
    tpp.portal_login(email).await;
    let edit = tpp.get_html("/organisation/edit").await;
    let mut fields = signup_fields(email, "Acme TPP Ltd");
    fields.retain(|(k, _)| !k.starts_with("password") && k != "email");
    fields.push(("version".into(), hidden_value(&edit, "version").unwrap()));
    assert_eq!(
        tpp.post_owned("/organisation/edit", &fields).await.status(),
        303
    );
    let org = super::org_named(&app, "Acme TPP").await;
    assert_eq!(org.status, OrganisationStatus::Active);
}
