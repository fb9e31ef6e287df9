//! The "Authority checks" panel in a real browser: an admin opens a signup task whose
//! organisation one source verifies (the bank's register) and another contradicts (the EBA
//! register, under another name). Both rows show, the mismatch is marked and highlighted, and
//! axe-core finds no serious or critical violation on the page.

use super::narrow::axe_source;
use super::*;
use crate::authority::panel::EBA_OTHER_NAME;
use crate::authority::registers::CSV;
use onramp::domain::AdminRole;

#[tokio::test]
async fn the_signup_task_shows_a_verified_and_a_highlighted_mismatched_source() {
    if !chromedriver_available() {
        return;
    }
    let app = spawn_app().await;
    crate::authority::import_csv(&app, CSV).await;
    let file = app.state.settings.data_dir.join("eba.json");
    std::fs::write(&file, EBA_OTHER_NAME).unwrap();
    onramp::authority::service::import_eba(&app.state, &file)
        .await
        .unwrap();
    app.verified_tpp("Acme TPP Ltd").await;

    let driver = Driver::start().await;
    let admin_email = app.create_admin(AdminRole::Reviewer).await;
    let admin = driver.session().await;
    admin.admin_sign_in(&app, &admin_email).await;
    admin.goto(&app.url("/admin?workflow=signup")).await;
    admin.click_link("Acme TPP Ltd").await;
    admin
        .wait_for_path_where("the signup task", |p| p.starts_with("/admin/tasks/"))
        .await;
    admin.wait_for_text("Authority checks").await;

    let rows = admin
        .script(
            "return [...document.querySelectorAll('#authority-checks tbody tr')].map(tr => \
               [tr.className, tr.querySelector('th').innerText, \
                tr.querySelector('.status').innerText]);",
        )
        .await;
    // Both come from the same check: compare without order.
    let mut rows: Vec<Vec<String>> = serde_json::from_value(rows).unwrap();
    rows.sort();
    assert_eq!(
        rows,
        vec![
            vec!["verdict-mismatch", "EBA register", "Mismatch"],
            vec!["verdict-verified", "Bank's register", "Verified"],
        ]
    );
    let mark = admin
        .script(
            "const m = document.querySelector('#authority-checks tr.verdict-mismatch mark'); \
             return [m.innerText, getComputedStyle(m).backgroundColor];",
        )
        .await;
    assert_eq!(
        mark[0],
        json!("name: “Acme TPP Ltd” given, “Different Name Ltd” registered")
    );
    let background = mark[1].as_str().unwrap_or_default();
    assert!(
        !background.is_empty() && background != "rgba(0, 0, 0, 0)",
        "the mismatch is highlighted: {background}"
    );

    let violations = admin.axe(&axe_source()).await;
    assert!(violations.is_empty(), "{violations:#?}");
    admin.quit().await;
}
