//! The keys journey in a real browser: sandbox keys with a client secret, production keys with
//! tls_client_auth in the same application after a reviewer and a different approver, then a
//! production change that a reviewer approves.

use super::*;
use onramp::domain::AdminRole;

#[tokio::test]
async fn a_tpp_gets_sandbox_keys_and_production_keys_after_two_admins_in_a_real_browser() {
    if !chromedriver_available() {
        return;
    }
    let app = spawn_app().await;
    let legal_name = "Browser Bank Ltd";
    let (email, _tpp_http) = app.approved_tpp(legal_name).await;
    let reviewer_email = app.create_admin(AdminRole::Reviewer).await;
    let approver_email = app.create_admin(AdminRole::Approver).await;
    let driver = Driver::start().await;
    let use_case = "Account views for small businesses in the UK.";
    let comment = "Approved for production";

    // The TPP signs in and creates an application that tries the sandbox with a client secret.
    let tpp = driver.session().await;
    tpp.sign_in(&app.url("/login"), &email, "/dashboard").await;
    tpp.goto(&app.url("/applications")).await;
    tpp.click("a[href=\"/applications/new\"]").await;
    tpp.wait_for_path("/applications/new").await;
    tpp.type_into("#f-name", "Browser App").await;
    tpp.type_into("#f-redirect_uris", "https://browser.example/cb")
        .await;
    tpp.click("#f-auth_method option[value=client_secret_basic]")
        .await;
    tpp.click("input[name=scopes][value=accounts]").await;
    tpp.click("form.stack button[type=submit]").await;
    let app_path = tpp
        .wait_for_path_where("an application's page", |p| {
            p.strip_prefix("/applications/")
                .is_some_and(|id| !id.is_empty() && id != "new" && !id.contains('/'))
        })
        .await;
    let page = tpp.wait_for_text("Request sandbox keys").await;
    assert!(page.contains("Browser App"), "{page}");

    // Sandbox keys at once: the credentials page shows the Client ID and its secret.
    tpp.click("form[action$=\"/sandbox-keys\"] button").await;
    // Not "Client secret": the application page may say it too (its method).
    tpp.wait_for_text("id=\"client-id\"").await;
    let sandbox_id = tpp.text_of("#client-id").await;
    assert!(!sandbox_id.trim().is_empty(), "a sandbox Client ID");
    tpp.click_link("Back to the application").await;
    tpp.wait_for_path(&app_path).await;
    let page = tpp.wait_for_text(&sandbox_id).await;
    assert_eq!(
        texts(&page, "#env-sandbox + dl code"),
        vec![sandbox_id.clone()],
        "the sandbox section shows the Client ID: {page}"
    );

    // The TPP asks for production keys: the form says at once that production takes no secret,
    // and production gets tls_client_auth in the same application.
    tpp.click("a[href$=\"/production-keys\"]").await;
    tpp.wait_for_path(&format!("{app_path}/production-keys"))
        .await;
    let notice = tpp.text_of("#production-notice").await;
    assert!(
        notice.contains("does not accept client_secret_basic for production"),
        "{notice}"
    );
    tpp.click("#f-auth_method option[value=tls_client_auth]")
        .await;
    tpp.type_into("#f-tls_subject_dn", DN_FIRST).await;
    tpp.type_into("#f-use_case", use_case).await;
    tpp.click("form.stack button[type=submit]").await;
    tpp.wait_for_path(&app_path).await;
    let page = tpp.wait_for_text("Waiting since").await;
    assert!(
        texts(&page, "#env-production + dl code").is_empty(),
        "no production client before approval: {page}"
    );

    // A reviewer marks the request as reviewed.
    let reviewer = driver.session().await;
    reviewer.admin_sign_in(&app, &reviewer_email).await;
    reviewer
        .goto(&app.url("/admin?workflow=production-keys"))
        .await;
    reviewer.wait_for_text("Tasks waiting").await;
    reviewer.click_link(legal_name).await;
    let task_path = reviewer
        .wait_for_path_where("a task page", |p| p.starts_with("/admin/tasks/"))
        .await;
    let task = reviewer.wait_for_text(use_case).await;
    assert!(
        task.contains("Browser App"),
        "the reviewer sees the application: {task}"
    );
    assert!(
        texts(&task, "#proposed dd").join(" ").contains(DN_FIRST),
        "the reviewer sees the proposed production settings: {task}"
    );
    reviewer.click("button[name=action][value=review]").await;
    reviewer
        .wait_for_text("Reviewed, waiting for approval")
        .await;
    assert_eq!(reviewer.current_path().await, task_path);
    reviewer.quit().await;

    // A different admin, an approver, approves with a comment.
    let approver = driver.session().await;
    approver.admin_sign_in(&app, &approver_email).await;
    approver.goto(&app.url(&task_path)).await;
    approver
        .wait_for_text("Reviewed, waiting for approval")
        .await;
    approver.type_into("#f-comment", comment).await;
    approver.click("button[name=action][value=approve]").await;
    let task = approver
        .wait_for_text(&format!("<div class=\"comment\">{comment}</div>"))
        .await;
    assert!(
        task.contains(">Approved</span>"),
        "the task shows Approved: {task}"
    );
    approver.quit().await;

    // Back in the TPP's browser: a production Client ID, different from the sandbox one.
    tpp.goto(&app.url(&app_path)).await;
    let production_id = tpp.text_of("#env-production + dl code").await;
    assert!(!production_id.trim().is_empty(), "a production Client ID");
    assert_ne!(production_id, sandbox_id);
    let page = tpp.wait_for_text(&production_id).await;
    assert_eq!(
        texts(&page, "#env-production + dl code"),
        vec![production_id.clone()],
        "{page}"
    );
    assert_eq!(
        texts(&page, "#env-sandbox + dl code"),
        vec![sandbox_id.clone()],
        "{page}"
    );
    assert!(
        !page.contains("Request production keys"),
        "production keys are no longer offered: {page}"
    );
    let mail = wait_for_mail(
        &app,
        &email,
        "Production keys for “Browser App” (Browser Bank Ltd): approved",
    )
    .await;
    assert!(mail.body.contains(comment), "{}", mail.body);
    let settings = texts(&page, "#production-settings dd").join(" ");
    assert!(
        settings.contains("tls_client_auth") && settings.contains(DN_FIRST),
        "{settings}"
    );

    // A production change: proposed in the portal, unchanged until a reviewer approves it.
    tpp.click("a[href$=\"/production-settings\"]").await;
    tpp.wait_for_path(&format!("{app_path}/production-settings"))
        .await;
    tpp.clear("#f-tls_subject_dn").await;
    tpp.type_into("#f-tls_subject_dn", DN_SECOND).await;
    tpp.type_into("#f-reason", "Our transport certificate was renewed.")
        .await;
    tpp.click("form.stack button[type=submit]").await;
    tpp.wait_for_path(&app_path).await;
    let page = tpp
        .wait_for_text("Until it is approved these settings stay in force")
        .await;
    assert!(
        texts(&page, "#production-settings dd")
            .join(" ")
            .contains(DN_FIRST),
        "the old settings stay in force: {page}"
    );
    let reviewer = driver.session().await;
    reviewer.admin_sign_in(&app, &reviewer_email).await;
    reviewer
        .goto(&app.url("/admin?workflow=production-change"))
        .await;
    reviewer.wait_for_text("Tasks waiting").await;
    reviewer.click_link(legal_name).await;
    let diff = reviewer
        .wait_for_text("Proposed change to the production client")
        .await;
    let rows = texts(&diff, "table.diff tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].contains(DN_FIRST) && rows[0].contains(DN_SECOND),
        "{rows:?}"
    );
    reviewer.click("button[name=action][value=approve]").await;
    reviewer.wait_for_text(">Approved</span>").await;
    reviewer.quit().await;
    tpp.goto(&app.url(&app_path)).await;
    let page = tpp.wait_for_text(DN_SECOND).await;
    assert!(
        texts(&page, "#production-settings dd")
            .join(" ")
            .contains(DN_SECOND),
        "{page}"
    );
    assert_eq!(
        texts(&page, "#env-production + dl code"),
        vec![production_id.clone()],
        "the same production client"
    );
    tpp.quit().await;
}

const DN_FIRST: &str = "CN=browser-app,O=Browser Bank Ltd,C=GB";
const DN_SECOND: &str = "CN=browser-app-2027,O=Browser Bank Ltd,C=GB";
