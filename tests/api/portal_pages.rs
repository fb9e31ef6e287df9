//! The portal as people meet it: destructive actions ask first, on a page of their own.

use crate::helpers::*;

#[tokio::test]
async fn deleting_an_application_and_revoking_keys_ask_first() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Careful Ltd").await;
    let path = tpp.create_app(APP).await;
    let (client_id, _) = tpp.sandbox_keys(&path).await;
    let page = tpp.get_html(&path).await;
    assert!(
        attr(&page, "form[action$=\"/delete\"]", "action").is_none()
            && attr(&page, "form[action$=\"/revoke\"]", "action").is_none(),
        "nothing destructive acts from the application page itself"
    );
    let delete = attr(&page, "a.button.danger[href$=\"/delete\"]", "href").unwrap();
    let revoke = attr(&page, "a.button.danger[href$=\"/revoke\"]", "href").unwrap();
    assert_eq!(revoke, format!("/clients/{client_id}/revoke"));

    // Another organisation sees neither confirmation.
    let (_, other) = app.approved_tpp("Other Ltd").await;
    assert_eq!(other.get(&delete).await.status(), 404);
    assert_eq!(other.get(&revoke).await.status(), 404);

    let confirm = tpp.get_html(&revoke).await;
    assert!(confirm.contains("Revoke the sandbox keys"), "{confirm}");
    assert_eq!(attr(&confirm, "a.button.secondary", "href").unwrap(), path);
    assert_eq!(texts(&confirm, "button.danger"), ["Revoke keys"]);
    assert_eq!(tpp.post_form(&revoke, &[]).await.status(), 303);
    assert!(tpp.get_html(&path).await.contains("revoked"));

    let confirm = tpp.get_html(&delete).await;
    assert!(confirm.contains("Delete the application"), "{confirm}");
    assert!(confirm.contains("This cannot be undone"));
    assert_eq!(tpp.post_form(&delete, &[]).await.status(), 303);
    assert_eq!(tpp.get(&path).await.status(), 404);
}

#[tokio::test]
async fn a_client_credentials_application_needs_no_redirect_uri() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("No Redirect Ltd").await;
    let form = tpp.get_html("/applications/new").await;
    assert!(
        attr(&form, "#f-redirect_uris", "required").is_none(),
        "not required"
    );
    assert!(form.contains("not needed for client credentials alone"));
    let fields: Vec<(&str, &str)> = APP
        .iter()
        .map(|&(k, v)| {
            if k == "redirect_uris" {
                (k, "")
            } else {
                (k, v)
            }
        })
        .collect();
    let path = tpp.create_app(&fields).await;
    assert!(tpp.get_html(&path).await.contains("Budget helper"));
}

#[tokio::test]
async fn counts_take_plurals_and_dates_have_one_format() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Words Ltd").await;
    let path = tpp.create_app(APP).await;
    tpp.sandbox_keys(&path).await;
    let (_, admin) = app.admin(onramp::domain::AdminRole::Superadmin).await;
    let orgs = admin.get_html("/admin/organisations").await;
    assert!(orgs.contains("1 organisation."), "{orgs}");
    let inbox = admin.get_html("/admin").await;
    assert!(
        inbox.contains("Nothing is waiting") && !inbox.contains("0 tasks"),
        "{inbox}"
    );
    let page = tpp.get_html(&path).await;
    let day = regex::Regex::new(r"\d{4}-\d{2}-\d{2}").unwrap();
    let human = regex::Regex::new(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC").unwrap();
    let text = texts(&page, "main").concat();
    assert!(!day.is_match(&text), "no ISO dates among the words: {text}");
    assert!(
        human.is_match(&text),
        "dates as 30 Nov 2026, 15:37 UTC: {text}"
    );
}

#[tokio::test]
async fn the_dcr_page_keeps_the_signed_in_navigation_and_says_where_mutual_tls_comes_from() {
    let app = spawn_app().await;
    let (email, tpp) = app.approved_tpp("Dcr Reader Ltd").await;
    let page = tpp.get_html("/developers/dcr").await;
    assert!(page.contains(&email), "signed-in navigation: {page}");
    assert!(!texts(&page, "header nav a").contains(&"Sign in".to_string()));
    assert!(page.contains("no TLS listener of its own"), "{page}");
    let anon = app.other_browser().get_html("/developers/dcr").await;
    assert!(texts(&anon, "header nav a").contains(&"Sign in".to_string()));
    let tls = spawn_tls_app_with(|_| {}).await;
    let page = tls.get_html("/developers/dcr").await;
    assert!(!page.contains("no TLS listener of its own"));
    assert!(page.contains(&format!("{}/register", tls.tls_address.as_ref().unwrap())));
}

#[tokio::test]
async fn internal_notes_stay_with_the_bank() {
    let app = spawn_app().await;
    let email = app.verified_tpp("Noted Ltd").await;
    let (_, reviewer) = app.admin(onramp::domain::AdminRole::Reviewer).await;
    let task = reviewer.task_for("signup", "Noted Ltd").await;
    let note = "Called the FCA: the number is right, the trading name differs.";
    let r = reviewer
        .post_form(&format!("{task}/note"), &[("note", note)])
        .await;
    assert_eq!(r.status(), 303);
    let page = reviewer.get_html(&task).await;
    assert_eq!(texts(&page, "#notes .comment"), [note]);
    let r = reviewer
        .post_form(&format!("{task}/note"), &[("note", "  ")])
        .await;
    assert_eq!(r.status(), 303);
    assert!(
        reviewer
            .get_html(&task)
            .await
            .contains("Write a note of 1 to")
    );

    let tpp = app.other_browser();
    assert_eq!(tpp.portal_login(&email).await.status(), 303);
    assert!(!tpp.get_html("/dashboard").await.contains("Called the FCA"));
    assert!(
        app.emails()
            .await
            .iter()
            .all(|m| !m.body.contains("Called the FCA")),
        "never mailed"
    );
    assert_eq!(
        tpp.post_form(&format!("{task}/note"), &[("note", "x")])
            .await
            .status(),
        303,
        "a portal session is sent to the console's sign-in"
    );
    assert_eq!(
        texts(&reviewer.get_html(&task).await, "#notes .comment").len(),
        1
    );
}

#[tokio::test]
async fn the_audit_trail_reads_as_changes_and_links_its_subjects() {
    let app = spawn_app().await;
    let (_, tpp) = app.approved_tpp("Audited Ltd").await;
    let path = tpp.create_app(APP).await;
    let edit: Vec<(&str, &str)> = APP
        .iter()
        .map(|&(k, v)| match k {
            "name" => (k, "Budget helper 2"),
            "redirect_uris" => (k, "https://budget.example/cb2"),
            _ => (k, v),
        })
        .collect();
    let r = tpp.post_form(&format!("{path}/edit"), &edit).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let (_, admin) = app.admin(onramp::domain::AdminRole::Superadmin).await;
    let page = admin
        .get_html("/admin/audit?action=application.updated")
        .await;
    let details = texts(&page, "dl.kv").concat();
    assert!(
        details.contains("Budget helper → Budget helper 2"),
        "{page}"
    );
    assert!(
        details.contains("https://budget.example/cb → https://budget.example/cb2"),
        "{page}"
    );
    assert!(!page.contains("{&quot;"), "no raw JSON: {page}");
    let approvals = admin.get_html("/admin/audit?action=signup.approve").await;
    assert!(
        attr(&approvals, "tbody a[href^=\"/admin/tasks/\"]", "href").is_some(),
        "subjects link to their pages: {approvals}"
    );
}
