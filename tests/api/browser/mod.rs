//! End to end in a real browser: headless Chromium, driven over the W3C WebDriver protocol by
//! a tiny client that talks to `chromedriver` with `reqwest`. The journeys are in `signup` (a
//! TPP signs up, verifies, is approved), `keys` (sandbox keys, production keys, a production
//! change) and `evidence` (the authority checks panel on a signup task).
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver`; set `ONRAMP_SKIP_BROWSER=1` to skip
//! the test where they are not installed.

mod evidence;
mod keyboard;
mod keys;
mod narrow;
mod signup;

use crate::helpers::*;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(super) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub(super) const CHROMIUM: &str = "/usr/bin/chromium";
pub(super) const ELEMENT_KEY: &str = "element-6066-11e4-a452-ecbd6866ee5d";
pub(super) const WAIT: Duration = Duration::from_secs(10);
pub(super) const STEP: Duration = Duration::from_millis(100);

/// A `chromedriver` child process, shut down (with its browsers) and killed on drop.
pub(super) struct Driver {
    child: Child,
    port: u16,
    url: String,
    http: reqwest::Client,
}

impl Driver {
    /// Starts chromedriver on a free port and waits until it reports ready.
    pub(super) async fn start() -> Driver {
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
    pub(super) async fn ready(&self) -> bool {
        let Ok(r) = self.http.get(format!("{}/status", self.url)).send().await else {
            return false;
        };
        let v: Value = r.json().await.unwrap_or_default();
        v["value"]["ready"] == json!(true)
    }

    /// Opens a new headless browser with its own fresh profile.
    pub(super) async fn session(&self) -> Browser {
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
pub(super) struct Browser {
    http: reqwest::Client,
    /// `http://127.0.0.1:{port}/session/{id}`.
    base: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Sends a command and returns its `value`; panics on a WebDriver error.
    pub(super) async fn cmd(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Value {
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

    pub(super) async fn goto(&self, url: &str) {
        self.cmd(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    pub(super) async fn current_url(&self) -> String {
        let v = self.cmd(reqwest::Method::GET, "/url", None).await;
        v.as_str().expect("URL string").to_string()
    }

    pub(super) async fn source(&self) -> String {
        let v = self.cmd(reqwest::Method::GET, "/source", None).await;
        v.as_str().expect("source string").to_string()
    }

    /// The element id of the first element matching `css`.
    pub(super) async fn find(&self, css: &str) -> String {
        self.find_using("css selector", css).await
    }

    /// The element id of the first element found by a W3C locator strategy (`using`).
    pub(super) async fn find_using(&self, using: &str, value: &str) -> String {
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
    pub(super) async fn text_of(&self, css: &str) -> String {
        let el = self.find(css).await;
        let v = self
            .cmd(reqwest::Method::GET, &format!("/element/{el}/text"), None)
            .await;
        v.as_str().expect("element text").to_string()
    }

    /// Clicks an element found by id.
    pub(super) async fn click_element(&self, el: &str) {
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{el}/click"),
            Some(json!({})),
        )
        .await;
    }

    /// Clicks the link whose whole visible text is `text`.
    pub(super) async fn click_link(&self, text: &str) {
        let el = self.find_using("link text", text).await;
        self.click_element(&el).await;
    }

    pub(super) async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        let path = format!("/element/{el}/value");
        self.cmd(reqwest::Method::POST, &path, Some(json!({ "text": text })))
            .await;
    }

    /// Empties a text field.
    pub(super) async fn clear(&self, css: &str) {
        let el = self.find(css).await;
        let path = format!("/element/{el}/clear");
        self.cmd(reqwest::Method::POST, &path, Some(json!({})))
            .await;
    }

    pub(super) async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.click_element(&el).await;
    }

    /// Polls the page source until it contains `text`; returns it.
    pub(super) async fn wait_for_text(&self, text: &str) -> String {
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
    pub(super) async fn wait_for_path(&self, path: &str) {
        self.wait_for_path_where(path, |p| p == path).await;
    }

    /// Polls the current URL until `ok` accepts its path (`what` names it for the failure
    /// message); returns the path.
    pub(super) async fn wait_for_path_where(
        &self,
        what: &str,
        ok: impl Fn(&str) -> bool,
    ) -> String {
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
    pub(super) async fn current_path(&self) -> String {
        let url = self.current_url().await;
        url::Url::parse(&url)
            .unwrap_or_else(|e| panic!("{url}: {e}"))
            .path()
            .to_string()
    }

    /// Signs in on the form at `login_url` and waits to land on `landing`.
    pub(super) async fn sign_in(&self, login_url: &str, email: &str, landing: &str) {
        self.goto(login_url).await;
        self.type_into("#f-email", email).await;
        self.type_into("#f-password", PASSWORD).await;
        self.click("form.stack button[type=submit]").await;
        self.wait_for_path(landing).await;
    }

    /// Signs an admin in to the console as a person does: password, then the authenticator
    /// app's code, setting the app up (scanning the key off the page, keeping the recovery
    /// codes) on the first sign-in.
    pub(super) async fn admin_sign_in(&self, app: &TestApp, email: &str) {
        self.goto(&app.url("/admin/login")).await;
        self.type_into("#f-email", email).await;
        self.type_into("#f-password", PASSWORD).await;
        self.click("form.stack button[type=submit]").await;
        let next = self
            .wait_for_path_where("the second step", |p| {
                p == "/admin/login/code" || p == "/admin/account/two-step/setup"
            })
            .await;
        if next.ends_with("/setup") {
            let page = self.wait_for_text("Set up two-step sign-in").await;
            assert!(page.contains("<svg"), "a QR code: {page}");
            let secret = self.text_of("#totp-secret").await;
            totp::remember_secret(email, secret.trim());
            self.type_into("#f-code", &totp::next_code(email, &app.state.clock))
                .await;
            self.click("form.stack button[type=submit]").await;
            let page = self.wait_for_text("Your recovery codes").await;
            let codes = texts(&page, ".recovery-codes code");
            assert_eq!(codes.len(), 10, "{page}");
            totp::remember_recovery(email, codes);
            self.click("a.button.primary").await;
        } else {
            self.type_into("#f-code", &totp::next_code(email, &app.state.clock))
                .await;
            self.click("form.stack button[type=submit]").await;
        }
        self.wait_for_path("/admin").await;
    }

    pub(super) async fn quit(self) {
        self.cmd(reqwest::Method::DELETE, "", None).await;
    }
}

/// Whether the browser tests can run: `false` (with a note) when chromedriver is missing and
/// `ONRAMP_SKIP_BROWSER=1`; panics when it is missing otherwise.
pub(super) fn chromedriver_available() -> bool {
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
pub(super) async fn wait_for_mail(
    app: &TestApp,
    to: &str,
    subject: &str,
) -> onramp::email::SentMail {
    let deadline = Instant::now() + WAIT;
    loop {
        let mails = app.emails_to(to).await;
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
