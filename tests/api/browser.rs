//! End to end in a real browser: headless Chromium, driven over the W3C WebDriver protocol by
//! a tiny client that talks to `chromedriver` with `reqwest`. A TPP signs up, follows the emailed
//! verification link, a bank admin approves the signup in the console, and the TPP's dashboard
//! then says so.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver`; set `ONRAMP_SKIP_BROWSER=1` to skip
//! the test where they are not installed.

use crate::helpers::*;
use onramp::domain::AdminRole;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const ELEMENT_KEY: &str = "element-6066-11e4-a452-ecbd6866ee5d";
const WAIT: Duration = Duration::from_secs(10);
const STEP: Duration = Duration::from_millis(100);

/// A `chromedriver` child process, shut down (with its browsers) and killed on drop.
struct Driver {
    child: Child,
    port: u16,
    url: String,
    http: reqwest::Client,
}

impl Driver {
    /// Starts chromedriver on a free port and waits until it reports ready.
    async fn start() -> Driver {
        // reqwest is built without a default TLS provider; install the process-wide one.
        onramp::startup::install_crypto();
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("bind a free port")
            .local_addr()
            .expect("local addr")
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Driver {
            child,
            port,
            url: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        let deadline = Instant::now() + WAIT;
        loop {
            if driver.ready().await {
                return driver;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready within 10 s"
            );
            tokio::time::sleep(STEP).await;
        }
    }

    /// Whether `GET /status` answers `ready: true`.
    async fn ready(&self) -> bool {
        let Ok(r) = self.http.get(format!("{}/status", self.url)).send().await else {
            return false;
        };
        let v: Value = r.json().await.unwrap_or_default();
        v["value"]["ready"] == json!(true)
    }

    /// Opens a new headless browser with its own fresh profile.
    async fn session(&self) -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        }}});
        let r = self
            .http
            .post(format!("{}/session", self.url))
            .json(&caps)
            .send()
            .await
            .expect("POST /session");
        let status = r.status();
        let v: Value = r.json().await.expect("session JSON");
        assert!(
            status.is_success(),
            "could not start a browser session: {v}"
        );
        let id = v["value"]["sessionId"]
            .as_str()
            .expect("sessionId")
            .to_string();
        let browser = Browser {
            http: self.http.clone(),
            base: format!("{}/session/{id}", self.url),
            _profile: profile,
        };
        browser
            .cmd(
                reqwest::Method::POST,
                "/timeouts",
                Some(json!({"implicit": 5000})),
            )
            .await;
        browser
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Ask chromedriver to quit its browsers and exit (plain blocking HTTP: no runtime here).
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
            let req = "GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
            if s.write_all(req.as_bytes()).is_ok() {
                let _ = s.read_to_end(&mut Vec::new());
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One WebDriver session: one browser window with its own cookies.
struct Browser {
    http: reqwest::Client,
    /// `http://127.0.0.1:{port}/session/{id}`.
    base: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Sends a command and returns its `value`; panics on a WebDriver error.
    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = r.status();
        let v: Value = r
            .json()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert!(status.is_success(), "{method} {path} failed: {v}");
        v["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    async fn current_url(&self) -> String {
        let v = self.cmd(reqwest::Method::GET, "/url", None).await;
        v.as_str().expect("URL string").to_string()
    }

    async fn source(&self) -> String {
        let v = self.cmd(reqwest::Method::GET, "/source", None).await;
        v.as_str().expect("source string").to_string()
    }

    /// The element id of the first element matching `css`.
    async fn find(&self, css: &str) -> String {
        self.find_using("css selector", css).await
    }

    /// The element id of the first element found by a W3C locator strategy (`using`).
    async fn find_using(&self, using: &str, value: &str) -> String {
        let body = json!({"using": using, "value": value});
        let v = self
            .cmd(reqwest::Method::POST, "/element", Some(body))
            .await;
        // The W3C key; some chromedriver builds answer under a variant `element-6066-…` key.
        let id = v[ELEMENT_KEY].as_str().or_else(|| {
            let obj = v.as_object()?;
            obj.iter()
                .find(|(k, _)| k.starts_with("element-6066-"))
                .and_then(|(_, id)| id.as_str())
        });
        id.unwrap_or_else(|| panic!("no element id for {using} {value:?}: {v}"))
            .to_string()
    }

    /// The rendered text of the first element matching `css`.
    async fn text_of(&self, css: &str) -> String {
        let el = self.find(css).await;
        let v = self
            .cmd(reqwest::Method::GET, &format!("/element/{el}/text"), None)
            .await;
        v.as_str().expect("element text").to_string()
    }

    /// Clicks an element found by id.
    async fn click_element(&self, el: &str) {
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Clicks the link whose whole visible text is `text`.
    async fn click_link(&self, text: &str) {
        let el = self.find_using("link text", text).await;
        self.click_element(&el).await;
    }

    async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        let path = format!("/element/{el}/value");
        self.cmd(reqwest::Method::POST, &path, Some(json!({ "text": text })))
            .await;
    }

    async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.click_element(&el).await;
    }

    /// Polls the page source until it contains `text`; returns it.
    async fn wait_for_text(&self, text: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let html = self.source().await;
            if html.contains(text) {
                return html;
            }
            assert!(
                Instant::now() < deadline,
                "page never showed {text:?}; last page:\n{html}"
            );
            tokio::time::sleep(STEP).await;
        }
    }

    /// Polls the current URL until its path is `path`.
    async fn wait_for_path(&self, path: &str) {
        self.wait_for_path_where(path, |p| p == path).await;
    }

    /// Polls the current URL until `ok` accepts its path (`what` names it for the failure
    /// message); returns the path.
    async fn wait_for_path_where(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let url = self.current_url().await;
            if let Some(path) = url::Url::parse(&url)
                .ok()
                .map(|u| u.path().to_string())
                .filter(|p| ok(p))
            {
                return path;
            }
            assert!(
                Instant::now() < deadline,
                "never reached {what}; still at {url}"
            );
            tokio::time::sleep(STEP).await;
        }
    }

    /// The path of the current URL.
    async fn current_path(&self) -> String {
        let url = self.current_url().await;
        url::Url::parse(&url)
            .unwrap_or_else(|e| panic!("{url}: {e}"))
            .path()
            .to_string()
    }

    /// Signs in on the form at `login_url` and waits to land on `landing`.
    async fn sign_in(&self, login_url: &str, email: &str, landing: &str) {
        self.goto(login_url).await;
        self.type_into("#f-email", email).await;
        self.type_into("#f-password", PASSWORD).await;
        self.click("form.stack button[type=submit]").await;
        self.wait_for_path(landing).await;
    }

    async fn quit(self) {
        self.cmd(reqwest::Method::DELETE, "", None).await;
    }
}

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
    let link = app.link_in_mail(&email, "/verify");
    tpp.goto(&app.url(&link)).await;
    let page = tpp.wait_for_text("Email verified").await;
    assert!(!page.contains("This link does not work"), "{page}");

    // A bank admin signs in and approves with a comment.
    let admin_email = app.create_admin(AdminRole::Approver).await;
    let admin = driver.session().await;
    admin.goto(&app.url("/admin/login")).await;
    admin.type_into("#f-email", &admin_email).await;
    admin.type_into("#f-password", PASSWORD).await;
    admin.click("form.stack button[type=submit]").await;
    admin.wait_for_path("/admin").await;
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

/// Whether the browser tests can run: `false` (with a note) when chromedriver is missing and
/// `ONRAMP_SKIP_BROWSER=1`; panics when it is missing otherwise.
fn chromedriver_available() -> bool {
    if Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    if std::env::var("ONRAMP_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("note: {CHROMEDRIVER} is missing; browser test skipped");
        return false;
    }
    panic!(
        "{CHROMEDRIVER} is missing: install chromium and chromium-driver, \
         or set ONRAMP_SKIP_BROWSER=1 to skip this test"
    );
}

/// Polls the memory mailbox until a mail to `to` has a subject containing `subject`.
async fn wait_for_mail(app: &TestApp, to: &str, subject: &str) -> onramp::email::SentMail {
    let deadline = Instant::now() + WAIT;
    loop {
        let mails = app.emails_to(to);
        if let Some(mail) = mails.iter().find(|m| m.subject.contains(subject)) {
            return mail.clone();
        }
        let subjects: Vec<&str> = mails.iter().map(|m| m.subject.as_str()).collect();
        assert!(
            Instant::now() < deadline,
            "no mail to {to} about {subject:?}; got {subjects:?}"
        );
        tokio::time::sleep(STEP).await;
    }
}

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

    // The TPP signs in and creates a private_key_jwt application.
    let tpp = driver.session().await;
    tpp.sign_in(&app.url("/login"), &email, "/dashboard").await;
    tpp.goto(&app.url("/applications")).await;
    tpp.click("a[href=\"/applications/new\"]").await;
    tpp.wait_for_path("/applications/new").await;
    tpp.type_into("#f-name", "Browser App").await;
    tpp.type_into("#f-redirect_uris", "https://browser.example/cb")
        .await;
    tpp.click("#f-auth_method option[value=private_key_jwt]")
        .await;
    tpp.type_into("#f-jwks", JWKS).await;
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

    // Sandbox keys at once: the credentials page shows the Client ID.
    tpp.click("form[action$=\"/sandbox-keys\"] button").await;
    tpp.wait_for_text("Client ID").await;
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

    // The TPP asks for production keys through the bank's further form.
    tpp.click("a[href$=\"/production-keys\"]").await;
    tpp.wait_for_path(&format!("{app_path}/production-keys"))
        .await;
    tpp.type_into("#f-use_case", use_case).await;
    tpp.click("form.stack button[type=submit]").await;
    tpp.wait_for_path(&app_path).await;
    let page = tpp.wait_for_text("waiting for review").await;
    assert!(
        texts(&page, "#env-production + dl code").is_empty(),
        "no production client before approval: {page}"
    );

    // A reviewer marks the request as reviewed.
    let reviewer = driver.session().await;
    reviewer
        .sign_in(&app.url("/admin/login"), &reviewer_email, "/admin")
        .await;
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
    reviewer.click("button[name=action][value=review]").await;
    reviewer
        .wait_for_text("Reviewed, waiting for approval")
        .await;
    assert_eq!(reviewer.current_path().await, task_path);
    reviewer.quit().await;

    // A different admin, an approver, approves with a comment.
    let approver = driver.session().await;
    approver
        .sign_in(&app.url("/admin/login"), &approver_email, "/admin")
        .await;
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
    let mail = wait_for_mail(&app, &email, "Production keys: approved").await;
    assert!(mail.body.contains(comment), "{}", mail.body);
    tpp.quit().await;
}
