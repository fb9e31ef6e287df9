//! Invitations: only active organisations, a daily limit, no TPP text in the subject.

use crate::helpers::*;

#[tokio::test]
async fn an_unapproved_or_suspended_organisation_cannot_invite() {
    let app = spawn_app().await;
    let email = app.verified_tpp("Pending Ltd").await;
    assert_eq!(app.portal_login(&email).await.status(), 303);
    let r = app
        .post_form("/team/invite", &[("email", "x@pending.example")])
        .await;
    assert_eq!(r.status(), 422, "an organisation awaiting approval");
    assert!(app.emails_to("x@pending.example").await.is_empty());

    let (owner_email, owner) = app.approved_tpp("Acme").await;
    let user = onramp::store::users::find_by_email(&app.state.db, &owner_email)
        .await
        .unwrap()
        .unwrap();
    onramp::store::organisations::set_status(
        &app.state.db,
        user.organisation_id,
        onramp::domain::OrganisationStatus::Suspended,
        app.state.clock.now(),
    )
    .await
    .unwrap();
    let r = owner
        .post_form("/team/invite", &[("email", "y@acme.example")])
        .await;
    assert_eq!(r.status(), 422, "a suspended organisation");
    assert!(app.emails_to("y@acme.example").await.is_empty());
}

#[tokio::test]
async fn an_organisation_sends_at_most_twenty_invitations_a_day() {
    let app = spawn_app().await;
    let (_, owner) = app.approved_tpp("Evil <b>Click here</b> Ltd").await;
    for i in 0..20 {
        let r = owner
            .post_form("/team/invite", &[("email", &format!("p{i}@acme.example"))])
            .await;
        assert_eq!(r.status(), 303, "invitation {i}");
    }
    let r = owner
        .post_form("/team/invite", &[("email", "p20@acme.example")])
        .await;
    assert_eq!(r.status(), 422, "the 21st");
    assert!(r.text().await.unwrap().contains("try again tomorrow"));
    let mails = app.emails_to("p0@acme.example").await;
    assert_eq!(mails.len(), 1);
    assert!(
        !mails[0].subject.contains("Evil") && !mails[0].subject.contains("Click"),
        "the subject carries no TPP-chosen text: {}",
        mails[0].subject
    );
    assert!(app.emails_to("p20@acme.example").await.is_empty());
}
