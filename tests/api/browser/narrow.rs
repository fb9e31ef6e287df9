//! Every page of the journey at 390 px (a phone), in Chromium: no page scrolls sideways, the
//! header stays one line, and axe-core (pinned, fetched by `.ci/run` into `target/axe/`) finds
//! no serious or critical accessibility violation. The pages are saved as PNGs under
//! `target/screenshots/` as a tour.

use super::*;
use onramp::domain::AdminRole;

const PHONE: (u32, u32) = (390, 844);

/// axe-core's script: `AXE_CORE_JS`, or `target/axe/axe.min.js` as `.ci/run` leaves it.
pub(super) fn axe_source() -> String {
    let path = std::env::var("AXE_CORE_JS").map_or_else(
        |_| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/axe/axe.min.js"),
        std::path::PathBuf::from,
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}. Fetch the pinned axe-core as .ci/run does: \
             mkdir -p target/axe && cd target/axe && npm pack axe-core@4.10.3 && \
             tar xzf axe-core-4.10.3.tgz && cp package/axe.min.js .",
            path.display()
        )
    })
}

/// Pages checked so far, to count them.
static CHECKED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

impl Browser {
    /// Runs `script` in the page and returns its value.
    pub(super) async fn script(&self, script: &str) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    /// Sets the window's size.
    async fn resize(&self, (width, height): (u32, u32)) {
        self.cmd(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({ "width": width, "height": height })),
        )
        .await;
    }

    /// Saves a PNG of the page as `target/screenshots/{name}.png`.
    async fn screenshot(&self, name: &str) {
        let png = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        let bytes = base64::Engine::decode(
            &base64::engine::general_purpose::STANDARD,
            png.as_str().unwrap_or_default(),
        )
        .unwrap_or_default();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).ok();
        std::fs::write(dir.join(format!("{name}.png")), bytes).ok();
    }

    /// The serious and critical violations axe-core finds on the page.
    pub(super) async fn axe(&self, axe: &str) -> Vec<String> {
        self.script(&format!("{axe}\nreturn null;")).await;
        let v = self
            .cmd(
                reqwest::Method::POST,
                "/execute/async",
                Some(json!({ "script": "const done = arguments[0]; \
                    axe.run(document, { resultTypes: ['violations'] }).then(r => done( \
                      r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical') \
                        .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + \
                          v.nodes.map(n => n.target.join(' ')).join(', ')))) \
                    .catch(e => done(['axe failed: ' + e]));", "args": [] })),
            )
            .await;
        serde_json::from_value(v).unwrap_or_default()
    }

    /// Opens `path` and checks it fits the window's width, with a one-line header, and passes
    /// axe-core.
    async fn fits(&self, app: &TestApp, path: &str, name: &str) {
        self.goto(&app.url(path)).await;
        self.check_here(path, name).await;
    }

    /// The checks of [`Browser::fits`] on the page shown now.
    async fn check_here(&self, path: &str, name: &str) {
        let v = self
            .script(
                "const tops = [...document.querySelectorAll('header.site .brand, header.site nav > *')] \
                   .map(e => e.getBoundingClientRect().top); \
                 return [document.documentElement.scrollWidth, window.innerWidth, \
                   Math.max(...tops) - Math.min(...tops), document.title];",
            )
            .await;
        let (scroll, inner, header) = (
            v[0].as_f64().unwrap(),
            v[1].as_f64().unwrap(),
            v[2].as_f64().unwrap(),
        );
        assert!(
            scroll <= inner,
            "{path} ({}) scrolls sideways at {inner}px: {scroll}px wide",
            v[3]
        );
        assert!(
            header < 8.0,
            "{path}: the header's items are not on one line ({header}px apart)"
        );
        let violations = self.axe(&axe_source()).await;
        assert!(violations.is_empty(), "{path}: {violations:#?}");
        self.screenshot(name).await;
        CHECKED.lock().unwrap().push(path.to_string());
    }
}

#[tokio::test]
async fn no_page_of_the_journey_scrolls_sideways_on_a_phone() {
    if !chromedriver_available() {
        return;
    }
    let app = spawn_app().await;
    let (email, tpp) = app.approved_tpp("Narrow Screens Payments Ltd").await;
    let app_path = tpp.create_app(APP).await;
    let (client_id, _) = tpp.sandbox_keys(&app_path).await;
    app.verified_tpp("Waiting Phone Ltd").await;
    let driver = Driver::start().await;

    let anon = driver.session().await;
    anon.resize(PHONE).await;
    for (path, name) in [
        ("/", "01-home"),
        ("/signup", "02-signup"),
        ("/login", "03-login"),
        ("/password/forgot", "04-forgot"),
        ("/admin/login", "05-admin-login"),
    ] {
        anon.fits(&app, path, name).await;
    }
    // A refused form, with its errors.
    anon.goto(&app.url("/login")).await;
    anon.type_into("#f-email", "nobody@tpp.example").await;
    anon.type_into("#f-password", "wrong password, surely")
        .await;
    anon.click("form.stack button[type=submit]").await;
    anon.wait_for_text("do not match an account").await;
    anon.check_here("/login (refused)", "06-login-refused")
        .await;
    anon.quit().await;

    let browser = driver.session().await;
    browser.resize(PHONE).await;
    browser
        .sign_in(&app.url("/login"), &email, "/dashboard")
        .await;
    for (path, name) in [
        ("/dashboard", "10-dashboard"),
        ("/applications", "11-applications"),
        ("/applications/new", "12-new-application"),
        (app_path.as_str(), "13-application"),
        (&format!("{app_path}/edit"), "14-edit-application"),
        (&format!("{app_path}/delete"), "15-delete-application"),
        ("/team", "16-team"),
        ("/account", "17-account"),
        ("/account/two-step", "18-two-step"),
        ("/sandbox-directory", "19-sandbox-directory"),
        ("/developers/dcr", "19a-dcr"),
        (
            &format!("{app_path}/production-keys"),
            "19b-production-keys",
        ),
        ("/account/password", "19c-password"),
        ("/account/sessions", "19d-sessions"),
    ] {
        browser.fits(&app, path, name).await;
    }
    // The application form shows the fields of the chosen method only.
    browser.goto(&app.url("/applications/new")).await;
    let hidden = |id: &'static str| {
        format!("return document.getElementById('{id}').closest('.field').hidden;")
    };
    browser
        .click("#f-auth_method option[value=client_secret_basic]")
        .await;
    assert_eq!(browser.script(&hidden("f-jwks")).await, json!(true));
    assert_eq!(
        browser.script(&hidden("f-tls_subject_dn")).await,
        json!(true)
    );
    browser
        .click("#f-auth_method option[value=private_key_jwt]")
        .await;
    assert_eq!(browser.script(&hidden("f-jwks")).await, json!(false));
    assert_eq!(browser.script(&hidden("f-jwks_uri")).await, json!(false));
    assert_eq!(
        browser.script(&hidden("f-tls_subject_dn")).await,
        json!(true)
    );
    browser.quit().await;

    let admin_email = app.create_admin(AdminRole::Superadmin).await;
    let admin = driver.session().await;
    admin.resize(PHONE).await;
    admin.admin_sign_in(&app, &admin_email).await;
    for (path, name) in [
        ("/admin", "20-inbox"),
        ("/admin/organisations", "21-organisations"),
        ("/admin/clients", "22-clients"),
        ("/admin/audit", "23-audit"),
        ("/admin/account", "24-admin-account"),
        ("/admin/account/two-step", "24a-admin-two-step"),
        ("/admin/account/sessions", "24b-admin-sessions"),
        (&format!("/admin/clients/{client_id}"), "24c-client"),
    ] {
        admin.fits(&app, path, name).await;
    }
    admin.goto(&app.url("/admin?workflow=signup")).await;
    admin.click_link("Waiting Phone Ltd").await;
    let task = admin
        .wait_for_path_where("a task page", |p| p.starts_with("/admin/tasks/"))
        .await;
    admin.fits(&app, &task, "25-task").await;
    admin.quit().await;
    let checked: std::collections::HashSet<String> =
        CHECKED.lock().unwrap().iter().cloned().collect();
    assert!(checked.len() >= 25, "{} pages checked", checked.len());
}
