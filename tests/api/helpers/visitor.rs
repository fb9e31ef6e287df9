//! `Visitor`: one browser-like cookie jar speaking HTTP to the test server, with helpers that take the real
//! CSRF path the way a person's browser would.

use super::{PASSWORD, attr, credentials, hidden_value};
use reqwest::redirect::Policy;

/// A browser-like client: a cookie jar, no automatic redirects.
pub struct Visitor {
    /// `http://localhost:{port}`.
    pub address: String,
    /// The HTTP client.
    pub client: reqwest::Client,
    /// The server's clock, for authenticator codes.
    pub clock: onramp::domain::Clock,
}

impl Visitor {
    /// A fresh browser for the server at `address`.
    pub fn new(address: String) -> Self {
        onramp::startup::install_crypto();
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client");
        Self {
            address,
            client,
            clock: onramp::domain::Clock::system(),
        }
    }

    /// The same, with the server's clock (which tests may move).
    pub fn with_clock(mut self, clock: onramp::domain::Clock) -> Self {
        self.clock = clock;
        self
    }

    /// An absolute URL.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// GET with the cookie jar.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// GET and return the body (any status).
    pub async fn get_html(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("body")
    }

    /// The session's CSRF token, read from a page's hidden field.
    pub async fn csrf(&self) -> String {
        let html = self.get_html("/password/forgot").await;
        hidden_value(&html, "csrf_token").expect("csrf token on the page")
    }

    /// POST a form with the session's CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.client
            .post(self.url(path))
            .form(&all)
            .send()
            .await
            .expect("POST")
    }

    /// Signs this client in to the console.
    pub async fn admin_login(&self, email: &str) {
        let r = self
            .post_form("/admin/login", &[("email", email), ("password", PASSWORD)])
            .await;
        assert_eq!(r.status(), 303, "admin login should redirect");
        let next = r.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(self.second_step(email, &next).await, "/admin");
    }

    /// Passes the second sign-in step that the password's redirect to `next` asks for: sets
    /// up the authenticator app (keeping its secret and recovery codes) or gives a fresh code.
    /// Returns where it lands.
    pub async fn second_step(&self, email: &str, next: &str) -> String {
        if next.ends_with("/two-step/setup") {
            let page = self.get_html(next).await;
            let secret = super::texts(&page, "#totp-secret")
                .pop()
                .unwrap_or_else(|| panic!("the set-up page shows the key: {page}"));
            super::totp::remember_secret(email, secret.trim());
            let code = super::totp::next_code(email, &self.clock);
            let r = self.post_form(next, &[("code", &code)]).await;
            assert_eq!(r.status(), 200, "set-up shows the recovery codes");
            let page = r.text().await.unwrap();
            let doc = scraper::Html::parse_document(&page);
            let sel = scraper::Selector::parse(".recovery-codes code").unwrap();
            let codes: Vec<String> = doc.select(&sel).map(|c| c.text().collect()).collect();
            assert_eq!(codes.len(), 10, "ten recovery codes: {page}");
            super::totp::remember_recovery(email, codes);
            return attr(&page, "a.button.primary", "href").expect("a way on");
        }
        assert!(next.ends_with("/login/code"), "a second step, not {next}");
        let code = super::totp::next_code(email, &self.clock);
        let r = self.post_form(next, &[("code", &code)]).await;
        assert_eq!(r.status(), 303, "the code is accepted");
        r.headers()["location"].to_str().unwrap().to_string()
    }

    /// Signs this client in to the portal.
    pub async fn portal_login(&self, email: &str) -> reqwest::Response {
        self.post_form("/login", &[("email", email), ("password", PASSWORD)])
            .await
    }

    /// POSTs a form given as owned pairs, with the CSRF token.
    pub async fn post_owned(&self, path: &str, fields: &[(String, String)]) -> reqwest::Response {
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.post_form(path, &pairs).await
    }

    /// POSTs `/signup` with owned pairs.
    pub async fn signup(&self, fields: &[(String, String)]) -> reqwest::Response {
        self.post_owned("/signup", fields).await
    }

    /// The id of the newest task in the inbox (as seen by a signed-in admin).
    pub async fn first_task_path(&self) -> String {
        let html = self.get_html("/admin").await;
        attr(&html, "table.data tbody a", "href").expect("a task in the inbox")
    }

    /// The newest-waiting task of `workflow` for the organisation `legal_name`.
    pub async fn task_for(&self, workflow: &str, legal_name: &str) -> String {
        let html = self.get_html(&format!("/admin?workflow={workflow}")).await;
        let doc = scraper::Html::parse_document(&html);
        let sel = scraper::Selector::parse("table.data tbody a").expect("selector");
        doc.select(&sel)
            .find(|a| a.text().collect::<String>() == legal_name)
            .and_then(|a| a.value().attr("href"))
            .unwrap_or_else(|| panic!("no {workflow} task for {legal_name} in: {html}"))
            .to_string()
    }

    /// Creates an application from `(field, value)` pairs; returns its page's path.
    pub async fn create_app(&self, fields: &[(&str, &str)]) -> String {
        let r = self.post_form("/applications/new", fields).await;
        assert_eq!(
            r.status(),
            303,
            "application created: {}",
            r.text().await.unwrap_or_default()
        );
        r.headers()["location"]
            .to_str()
            .expect("location")
            .to_string()
    }

    /// Creates a sandbox application that signs in with `private_key_jwt` under a fresh ES256
    /// key (`kid`) and gets its keys; returns the key and the Client ID.
    pub async fn private_key_jwt_client(&self, kid: &str) -> (onramp::jose::SigningKey, String) {
        let (key, _) = onramp::jose::SigningKey::generate_es256(kid.into()).expect("key");
        let jwks = serde_json::json!({ "keys": [key.public_jwk()] }).to_string();
        let app = self
            .create_app(&[
                ("name", "Keyed"),
                ("redirect_uris", "https://k.example/cb"),
                ("auth_method", "private_key_jwt"),
                ("jwks", &jwks),
                ("scopes", "accounts"),
            ])
            .await;
        let (id, _) = self.sandbox_keys(&app).await;
        (key, id)
    }

    /// Asks for sandbox keys on an application page; returns the credentials shown.
    pub async fn sandbox_keys(&self, app_path: &str) -> (String, Option<String>) {
        let r = self
            .post_form(&format!("{app_path}/sandbox-keys"), &[])
            .await;
        assert_eq!(r.status(), 200, "credentials page");
        credentials(&r.text().await.expect("body"))
    }

    /// Takes a step on a task page as the signed-in admin.
    pub async fn decide(&self, task: &str, action: &str, comment: &str) -> reqwest::Response {
        let html = self.get_html(task).await;
        let version = hidden_value(&html, "version").expect("version field");
        self.post_form(
            task,
            &[
                ("action", action),
                ("comment", comment),
                ("version", &version),
            ],
        )
        .await
    }
}
