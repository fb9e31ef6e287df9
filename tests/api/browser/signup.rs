//! The signup journey in a real browser: a TPP signs up, follows the emailed verification link,
//! a bank admin approves the signup in the console, and the TPP's dashboard then says so.

use super::*;
use onramp::domain::AdminRole;

#[tokio::test]
async fn a_person_signs_up_verifies_and_is_approved_in_a_real_browser() {
    if !Path::new(CHROMEDRIVER).exists() {
        if std::env::var("ONRAMP_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!("note: {CHROMEDRIVER} is missing; browser test skipped");
            return;
        }
        panic!(
            "{CHROMEDRIVER} is missing: install chromium and chromium-driver, \
             or set ONRAMP_SKIP_BROWSER=1 to skip this test"
        );
    }
    let app = spawn_app().await;
    let driver = Driver::start().await;
    let legal_name = "Acme Browser Payments Ltd";
    let email = format!(
        "dev-{}@tpp.example",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    let comment = "Checked on the FCA register";

    // The TPP signs up.
    let tpp = driver.session().await;
    tpp.goto(&app.url("/signup")).await;
    tpp.wait_for_text("Sign up your organisation").await;
    tpp.type_into("#f-legal_name", legal_name).await;
    tpp.click("#f-country option[value=GB]").await;
    tpp.type_into("#f-company_number", "09876543").await;
    tpp.click("#f-competent_authority option[value=FCA]").await;
    tpp.type_into("#f-authorisation_number", "123456").await;
    tpp.click("input[name=roles][value=AISP]").await;
    tpp.type_into("#f-contact_name", "Ann Smith").await;
    tpp.type_into("#f-phone", "+44 20 7946 0000").await;
    tpp.type_into("#f-website", "https://acme.example").await;
    tpp.type_into("#f-email", &email).await;
    tpp.type_into("#f-password", PASSWORD).await;
    tpp.type_into("#f-password_confirm", PASSWORD).await;
    tpp.click("form.stack button[type=submit]").await;
    tpp.wait_for_text("Check your email").await;

    // The TPP follows the emailed link.
    let link = app.link_in_mail(&email, "/verify").await;
    tpp.goto(&app.url(&link)).await;
    let page = tpp.wait_for_text("Email verified").await;
    assert!(!page.contains("This link does not work"), "{page}");

    // A bank admin signs in and approves with a comment.
    let admin_email = app.create_admin(AdminRole::Approver).await;
    let admin = driver.session().await;
    admin.admin_sign_in(&app, &admin_email).await;
    let inbox = admin.wait_for_text("Tasks waiting").await;
    assert!(
        inbox.contains(legal_name),
        "the inbox lists the signup: {inbox}"
    );
    admin.click("table.data tbody a").await;
    admin.wait_for_text("What the TPP submitted").await;
    admin.type_into("#f-comment", comment).await;
    admin.click("button[name=action][value=approve]").await;
    let task = admin
        .wait_for_text(&format!("<div class=\"comment\">{comment}</div>"))
        .await;
    assert!(
        task.contains(">Approved</span>"),
        "the task shows Approved: {task}"
    );
    admin.quit().await;

    // The TPP, in its own browser, signs in and sees the decision.
    tpp.quit().await;
    let tpp = driver.session().await;
    tpp.goto(&app.url("/login")).await;
    tpp.type_into("#f-email", &email).await;
    tpp.type_into("#f-password", PASSWORD).await;
    tpp.click("form.stack button[type=submit]").await;
    tpp.wait_for_path("/dashboard").await;
    let dash = tpp.wait_for_text("Approved.").await;
    assert!(dash.contains(legal_name), "{dash}");
    assert!(
        dash.contains(&format!("<div class=\"comment\">{comment}</div>")),
        "{dash}"
    );
    tpp.quit().await;
}
