//! The console: approval, rejection, requests for information, concurrency, audit.

use crate::helpers::*;
use onramp::domain::AdminRole;

#[tokio::test]
async fn an_approval_with_a_comment_reaches_the_dashboard_and_the_mailbox() {
    let app = spawn_app().await;
    let tpp = app.verified_tpp("Acme Payments Ltd").await;
    let admin_email = app.create_admin(AdminRole::Approver).await;
    let waiting = app.emails_to(&admin_email).await;
    assert!(
        waiting.is_empty(),
        "admins created after the signup are not mailed retroactively"
    );

    app.admin_login(&admin_email).await;
    let inbox = app.get_html("/admin").await;
    assert!(inbox.contains("Acme Payments Ltd"), "{inbox}");
    let task = app.first_task_path().await;
    let page = app.get_html(&task).await;
    assert!(
        page.contains("123456"),
        "the submitted authorisation number is shown"
    );
    for b in ["Approve", "Reject", "Request more information"] {
        assert!(texts(&page, "button").iter().any(|t| t == b), "button {b}");
    }
    let r = app.decide(&task, "approve", "Welcome aboard").await;
    assert_eq!(r.status(), 303);
    let inbox = app.get_html("/admin").await;
    assert!(!inbox.contains("Acme Payments Ltd"), "no longer waiting");

    let mail = app.emails_to(&tpp).await.into_iter().last().unwrap();
    assert!(mail.subject.contains("approved"), "{}", mail.subject);
    assert!(mail.body.contains("Welcome aboard"));
    app.portal_login(&tpp).await;
    let dash = app.get_html("/dashboard").await;
    assert!(dash.contains("Decided on"), "{dash}");
    assert!(
        !texts(&dash, ".flash.success").concat().contains("approved"),
        "the badge and the state's description say it; the banner says what to do next: {dash}"
    );
    let audit = app.get_html("/admin/audit?action=signup.approve").await;
    assert!(audit.contains(&admin_email));
}

#[tokio::test]
async fn admins_who_may_act_are_mailed_when_a_task_waits() {
    let app = spawn_app().await;
    let reviewer = app.create_admin(AdminRole::Reviewer).await;
    app.verified_tpp("Acme").await;
    let mails = app.emails_to(&reviewer).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].body.contains("/admin/tasks/"));
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_tells_the_tpp() {
    let app = spawn_app().await;
    let tpp = app.verified_tpp("Acme").await;
    let admin = app.create_admin(AdminRole::Reviewer).await;
    app.admin_login(&admin).await;
    let task = app.first_task_path().await;
    let r = app.decide(&task, "reject", "   ").await;
    assert_eq!(r.status(), 422, "comment required");
    assert!(r.text().await.unwrap().contains("comment is required"));
    let r = app
        .decide(&task, "reject", "Not authorised by the FCA")
        .await;
    assert_eq!(r.status(), 303);
    let mail = app.emails_to(&tpp).await.into_iter().last().unwrap();
    assert!(mail.body.contains("Not authorised by the FCA"));
    app.portal_login(&tpp).await;
    assert!(
        app.get_html("/dashboard")
            .await
            .contains("Rejected: Not authorised by the FCA")
    );
}

#[tokio::test]
async fn request_info_then_resubmit_then_approve() {
    let app = spawn_app().await;
    let tpp = app.verified_tpp("Acme").await;
    let admin = app.create_admin(AdminRole::Superadmin).await;
    // The TPP signs in from its own browser.
    let tpp_browser = app.other_browser();
    assert_eq!(tpp_browser.portal_login(&tpp).await.status(), 303);

    app.admin_login(&admin).await;
    let task = app.first_task_path().await;
    assert_eq!(
        app.decide(&task, "request_info", "Which FCA permissions do you hold?")
            .await
            .status(),
        303
    );
    assert!(app.get_html("/admin").await.contains("Nothing is waiting"));

    let dash = tpp_browser.get_html("/dashboard").await;
    assert!(
        dash.contains("More information requested: Which FCA permissions do you hold?"),
        "{dash}"
    );
    let edit = tpp_browser.get_html("/organisation/edit").await;
    assert_eq!(
        attr(&edit, "#f-legal_name", "value").as_deref(),
        Some("Acme"),
        "prefilled"
    );
    let version = hidden_value(&edit, "version").unwrap();
    let mut fields = signup_fields(&tpp, "Acme Holdings Ltd");
    fields.retain(|(k, _)| !k.starts_with("password") && k != "email");
    fields.push(("version".into(), version));
    let r = tpp_browser.post_owned("/organisation/edit", &fields).await;
    assert_eq!(r.status(), 303);

    let inbox = app.get_html("/admin").await;
    assert!(
        inbox.contains("Acme Holdings Ltd"),
        "resubmitted with the new name: {inbox}"
    );
    assert_eq!(app.decide(&task, "approve", "").await.status(), 303);
    let page = app.get_html(&task).await;
    let history = texts(&page, "ol.history li");
    assert_eq!(
        history.len(),
        4,
        "submit, request info, resubmit, approve: {history:?}"
    );
}

#[tokio::test]
async fn two_simultaneous_approvals_apply_once_and_the_second_sees_who_decided() {
    let app = spawn_app().await;
    app.verified_tpp("Acme").await;
    let first = app.create_admin(AdminRole::Approver).await;
    let second = app.create_admin(AdminRole::Approver).await;
    app.admin_login(&first).await;
    let task = app.first_task_path().await;
    let html = app.get_html(&task).await;
    let version = hidden_value(&html, "version").unwrap();
    let other = app.other_browser();
    other.admin_login(&second).await;

    // Both saw the same version and press Approve at the same moment.
    let first_form = [
        ("action", "approve"),
        ("comment", "one"),
        ("version", &version),
    ];
    let second_form = [
        ("action", "approve"),
        ("comment", "two"),
        ("version", &version),
    ];
    let a = app.post_form(&task, &first_form);
    let b = other.post_form(&task, &second_form);
    let (a, b) = tokio::join!(a, b);
    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![303, 409], "one wins, one is told");
    let page = app.get_html(&task).await;
    let approvals = texts(&page, "ol.history li")
        .iter()
        .filter(|t| t.contains("Approve"))
        .count();
    assert_eq!(approvals, 1);
    // The loser, reloading, sees who decided.
    let late = other
        .post_form(
            &task,
            &[
                ("action", "approve"),
                ("comment", ""),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(late.status(), 409);
    let body = late.text().await.unwrap();
    assert!(body.contains("already decided by"), "{body}");
}

#[tokio::test]
async fn the_inbox_filters_and_pages() {
    let app = spawn_app().await;
    for i in 0..3 {
        app.verified_tpp(&format!("Firm {i}")).await;
    }
    let admin = app.create_admin(AdminRole::Reviewer).await;
    app.admin_login(&admin).await;
    let html = app.get_html("/admin?workflow=signup&state=submitted").await;
    let rows = texts(&html, "table.data tbody tr");
    assert_eq!(rows.len(), 3);
    assert!(rows[0].contains("Firm 0"), "oldest first: {rows:?}");
    let html = app.get_html("/admin?state=info_requested").await;
    assert!(texts(&html, "table.data tbody tr").is_empty());
}
