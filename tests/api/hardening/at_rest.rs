//! Secrets at rest: delivered mail keeps no links.

use crate::helpers::*;
use onramp::store::entities::outbox;
use sea_orm::EntityTrait;

#[tokio::test]
async fn after_sending_no_outbox_row_holds_a_link() {
    let app = spawn_app().await;
    let (email, owner) = app.approved_tpp("Acme").await;
    owner
        .post_form("/team/invite", &[("email", "dev2@acme.example")])
        .await;
    app.other_browser()
        .post_form("/password/forgot", &[("email", &email)])
        .await;
    let delivered = app.emails().await;
    assert!(
        delivered.iter().any(|m| m.body.contains("token=")),
        "links were mailed"
    );
    let rows = outbox::Entity::find().all(&app.state.db).await.unwrap();
    let sent: Vec<_> = rows.iter().filter(|r| r.status == "sent").collect();
    assert!(sent.len() >= 4, "verification, decision, invitation, reset");
    for r in sent {
        assert!(r.body_text.is_empty(), "{}: {}", r.subject, r.body_text);
        assert!(!r.recipient.is_empty() && !r.subject.is_empty() && r.sent_at.is_some());
    }
}
