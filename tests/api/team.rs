//! Organisation teams: invitations, membership checks, removal.

use crate::helpers::*;

#[tokio::test]
async fn an_owner_invites_a_developer_who_joins_and_can_be_removed() {
    let app = spawn_app().await;
    let (_, owner) = app.approved_tpp("Acme").await;
    let app_path = owner.create_app(APP).await;
    let r = owner
        .post_form("/team/invite", &[("email", "dev2@acme.example")])
        .await;
    assert_eq!(r.status(), 303);
    assert!(owner.get_html("/team").await.contains("dev2@acme.example"));

    let link = app.link_in_mail("dev2@acme.example", "/invite").await;
    assert!(app.other_browser().get_html(&link).await.contains("Acme"));
    let (dev, r) = app.join_by_invitation("dev2@acme.example").await;
    assert_eq!(r.status(), 303);
    assert_eq!(
        dev.get(&app_path).await.status(),
        200,
        "members see the organisation's applications"
    );
    assert_eq!(dev.get(&link).await.status(), 400, "the link works once");

    // Developers cannot manage the team.
    let r = dev
        .post_form("/team/invite", &[("email", "x@acme.example")])
        .await;
    assert_eq!(r.status(), 403);

    let team = owner.get_html("/team").await;
    let remove = attr(&team, "form[action$='/remove']", "action").expect("a remove button");
    assert_eq!(owner.post_form(&remove, &[]).await.status(), 303);
    let r = dev.get(&app_path).await;
    assert_eq!(r.status(), 303, "a removed member is signed out");
    assert_eq!(r.headers()["location"], "/login");
}

#[tokio::test]
async fn an_invitation_expires_after_seven_days() {
    let app = spawn_app().await;
    let (_, owner) = app.approved_tpp("Acme").await;
    owner
        .post_form("/team/invite", &[("email", "late@acme.example")])
        .await;
    let link = app.link_in_mail("late@acme.example", "/invite").await;
    app.state.clock.advance(chrono::Duration::days(8));
    let r = app.other_browser().get(&link).await;
    assert_eq!(r.status(), 400);
}
