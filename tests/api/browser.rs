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
        let body = json!({"using": "css selector", "value": css});
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
        id.unwrap_or_else(|| panic!("no element id for {css}: {v}"))
            .to_string()
    }

    async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        let path = format!("/element/{el}/value");
        self.cmd(reqwest::Method::POST, &path, Some(json!({ "text": text })))
            .await;
    }

    async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            Some(json!({})),
        )
        .await;
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
        let deadline = Instant::now() + WAIT;
        loop {
            let url = self.current_url().await;
            if url::Url::parse(&url).is_ok_and(|u| u.path() == path) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "never reached {path}; still at {url}"
            );
            tokio::time::sleep(STEP).await;
        }
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
