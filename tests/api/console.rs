//! The console's clients and organisations: search, history, suspension with the organisation.

use crate::helpers::*;
use onramp::domain::{AdminRole, ClientId};

async fn status_of(app: &TestApp, id: &str) -> String {
    onramp::store::clients::get(&app.state.db, &ClientId(id.into()))
        .await
        .unwrap()
        .unwrap()
        .status
        .to_string()
}

#[tokio::test]
async fn suspending_an_organisation_suspends_its_clients_and_reactivating_restores_them() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Acme").await;
    let one = tpp.create_app(APP).await;
    let (c1, _) = tpp.sandbox_keys(&one).await;
    let two = tpp
        .create_app(&[
            ("name", "Second"),
            ("redirect_uris", "https://two.example/cb"),
            ("auth_method", "client_secret_post"),
            ("scopes", "payments"),
        ])
        .await;
    let (c2, _) = tpp.sandbox_keys(&two).await;

    let (_, approver) = app.admin(AdminRole::Approver).await;
    // The bank suspends client 2 on its own first.
    let r = approver
        .post_form(
            &format!("/admin/clients/{c2}/status"),
            &[("action", "suspend"), ("comment", "Odd traffic")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(status_of(&app, &c2).await, "suspended");

    let html = approver.get_html("/admin/organisations?q=Acme").await;
    let org = attr(&html, "table.data tbody a", "href").unwrap();
    let r = approver
        .post_form(
            &format!("{org}/status"),
            &[("action", "suspend"), ("comment", "Licence under review")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(status_of(&app, &c1).await, "suspended");
    assert!(
        tpp.get_html("/dashboard")
            .await
            .contains("suspended your organisation")
    );
    assert_eq!(
        tpp.post_form(&format!("{one}/sandbox-keys"), &[])
            .await
            .status(),
        303,
        "refused"
    );
    let page = tpp.get_html(&two).await;
    assert!(
        page.contains("Your organisation is suspended: keys cannot be requested."),
        "the refusal says why"
    );

    let r = approver
        .post_form(
            &format!("{org}/status"),
            &[("action", "reactivate"), ("comment", "Cleared")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(status_of(&app, &c1).await, "active", "restored");
    assert_eq!(
        status_of(&app, &c2).await,
        "suspended",
        "suspended on its own, stays so"
    );
    let page = approver.get_html(&org).await;
    assert!(
        page.contains("Licence under review") && page.contains("Cleared"),
        "history"
    );
}

#[tokio::test]
async fn the_clients_list_searches_and_a_client_page_shows_its_history() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Acme").await;
    let a = tpp.create_app(APP).await;
    let (client_id, _) = tpp.sandbox_keys(&a).await;
    let (_, reviewer) = app.admin(AdminRole::Reviewer).await;
    for q in [
        format!("q={client_id}"),
        "q=Acm".to_string(),
        "origin=portal&environment=sandbox&status=active".into(),
    ] {
        let html = reviewer.get_html(&format!("/admin/clients?{q}")).await;
        assert!(html.contains(&client_id), "search {q}");
    }
    let html = reviewer
        .get_html("/admin/clients?environment=production")
        .await;
    assert!(!html.contains(&client_id));
    let page = reviewer
        .get_html(&format!("/admin/clients/{client_id}"))
        .await;
    assert!(
        page.contains("client.issued") && page.contains("client.secret_created"),
        "{page}"
    );
    assert!(
        !texts(&page, "button").iter().any(|b| b == "Revoke"),
        "reviewers only read"
    );
    let r = reviewer
        .post_form(
            &format!("/admin/clients/{client_id}/status"),
            &[("action", "revoke"), ("comment", "x")],
        )
        .await;
    assert_eq!(r.status(), 403);

    let (_, approver) = app.admin(AdminRole::Approver).await;
    let r = approver
        .post_form(
            &format!("/admin/clients/{client_id}/status"),
            &[("action", "revoke"), ("comment", "")],
        )
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        status_of(&app, &client_id).await,
        "active",
        "a reason is required"
    );
    approver
        .post_form(
            &format!("/admin/clients/{client_id}/status"),
            &[("action", "revoke"), ("comment", "Compromised")],
        )
        .await;
    assert_eq!(status_of(&app, &client_id).await, "revoked");
    let tpp_page = tpp.get_html(&a).await;
    assert!(
        tpp_page.contains("Request sandbox keys"),
        "the TPP can ask again"
    );
}
