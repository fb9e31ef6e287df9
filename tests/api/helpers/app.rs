//! `TestApp`: a running Onramp with its own database, workflows folder and memory mailbox.

use super::{Pki, Visitor};
use onramp::accounts::service as accounts;
use onramp::config::{MailTransport, Settings};
use onramp::domain::{AdminRole, Clock};
use onramp::startup::{self, Application};
use onramp::state::AppState;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

static TRACING: LazyLock<()> = LazyLock::new(|| {
    if std::env::var("TEST_LOG").is_ok() {
        onramp::telemetry::init(&Default::default());
    }
});

/// A running server for one test, with a first browser (reached through `Deref`).
pub struct TestApp {
    /// The shared state (mailbox, clock, database).
    pub state: AppState,
    /// `https://localhost:{port}` of the mTLS listener, when the test asked for one.
    pub tls_address: Option<String>,
    /// The test PKI behind that listener.
    pub pki: Option<Pki>,
    /// The first browser.
    pub visitor: Visitor,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for TestApp {
    type Target = Visitor;
    fn deref(&self) -> &Visitor {
        &self.visitor
    }
}

/// The repository's `workflows/` folder.
pub fn repo_workflows() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("workflows")
}

/// A port free now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A fresh database URL: a SQLite file in `dir`, or a new PostgreSQL database.
pub async fn fresh_database(dir: &Path) -> String {
    match std::env::var("ONRAMP_TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            use sea_orm::ConnectionTrait;
            let name = format!("onramp_t_{}", uuid::Uuid::new_v4().simple());
            let admin = sea_orm::Database::connect(&base)
                .await
                .expect("connect to PostgreSQL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let mut url = url::Url::parse(&base).expect("ONRAMP_TEST_DATABASE_URL is a URL");
            url.set_path(&name);
            url.to_string()
        }
        _ => format!("sqlite://{}/onramp.db?mode=rwc", dir.display()),
    }
}

/// Settings for a test: cheap argon2, memory mail, the given workflows.
pub async fn test_settings(dir: &Path, workflows: &Path) -> Settings {
    let mut s = Settings {
        listen: "127.0.0.1:0".into(),
        database_url: fresh_database(dir).await,
        workflows_dir: workflows.to_path_buf(),
        data_dir: dir.to_path_buf(),
        ..Settings::default()
    };
    s.mail.transport = MailTransport::Memory;
    s.security.argon2_memory_kib = 64;
    s.security.argon2_iterations = 1;
    s
}

/// Starts Onramp with the repository's workflows.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts Onramp after `tweak` has changed the settings.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
    spawn(false, tweak).await
}

/// Starts Onramp with its own mTLS listener (a test CA, optional client certificates).
pub async fn spawn_tls_app_with(tweak: impl FnOnce(&mut Settings)) -> TestApp {
    spawn(true, tweak).await
}

async fn spawn(with_tls: bool, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    LazyLock::force(&TRACING);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = test_settings(dir.path(), &repo_workflows()).await;
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let address = format!("http://localhost:{port}");
    settings.public_url = address.clone();
    let (tls_listener, tls_address, pki) = if with_tls {
        let pki = Pki::new(dir.path());
        let l = TcpListener::bind("127.0.0.1:0").expect("bind tls");
        let tls_address = format!("https://localhost:{}", l.local_addr().expect("addr").port());
        settings.tls = Some(onramp::config::TlsSettings {
            listen: "127.0.0.1:0".into(),
            public_url: tls_address.clone(),
            cert: pki.cert_file.clone(),
            key: pki.key_file.clone(),
            client_ca: Some(pki.ca_file.clone()),
            client_auth: "optional".into(),
        });
        (Some(l), Some(tls_address), Some(pki))
    } else {
        (None, None, None)
    };
    tweak(&mut settings);
    let state = startup::build_state(settings, Clock::system())
        .await
        .expect("build state");
    let app = Application::with_listeners(state.clone(), listener, tls_listener)
        .await
        .expect("build app");
    tokio::spawn(app.run_until_stopped());
    let clock = state.clock.clone();
    TestApp {
        state,
        tls_address,
        pki,
        visitor: Visitor::new(address).with_clock(clock),
        _dir: dir,
    }
}

/// A strong password that passes the policy.
pub const PASSWORD: &str = "Vq7!pL2#zR9m-orchid";

impl TestApp {
    /// Mail sent so far, once the deliveries that answers started in the background are done.
    pub async fn emails(&self) -> Vec<onramp::email::SentMail> {
        self.state.mailer.settled().await;
        self.state.mailer.sent()
    }

    /// Mail sent to `to`.
    pub async fn emails_to(&self, to: &str) -> Vec<onramp::email::SentMail> {
        self.emails()
            .await
            .into_iter()
            .filter(|m| m.to == to)
            .collect()
    }

    /// The first link in the newest mail to `to` whose path starts with `path`, as a path+query.
    pub async fn link_in_mail(&self, to: &str, path: &str) -> String {
        let mails = self.emails_to(to).await;
        let mail = mails.last().unwrap_or_else(|| panic!("no mail to {to}"));
        linkify::LinkFinder::new()
            .links(&mail.body)
            .map(|l| l.as_str().to_string())
            .filter_map(|l| url::Url::parse(&l).ok())
            .find(|u| u.path() == path)
            .map(|u| format!("{}?{}", u.path(), u.query().unwrap_or_default()))
            .unwrap_or_else(|| panic!("no {path} link in: {}", mail.body))
    }

    /// Creates an admin and returns its email.
    pub async fn create_admin(&self, role: AdminRole) -> String {
        let email = format!(
            "{}-{}@bank.example",
            role,
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        accounts::create_admin(&self.state, &email, role, PASSWORD)
            .await
            .expect("create admin");
        email
    }

    /// Runs the `onramp` binary on this app's database and the repository's workflows.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_onramp"))
            .args(args)
            .env("ONRAMP_DATABASE_URL", &self.state.settings.database_url)
            .env("ONRAMP_WORKFLOWS_DIR", repo_workflows())
            .output()
            .expect("run onramp")
    }

    /// Follows the invitation mailed to `email` and joins with [`PASSWORD`]; returns the
    /// newcomer's browser and the answer to joining.
    pub async fn join_by_invitation(&self, email: &str) -> (Visitor, reqwest::Response) {
        let link = self.link_in_mail(email, "/invite").await;
        let v = self.other_browser();
        let page = v.get_html(&link).await;
        let token = hidden_value(&page, "token").expect("the invitation's token");
        let r = v
            .post_form(
                "/invite",
                &[
                    ("token", &token),
                    ("password", PASSWORD),
                    ("password_confirm", PASSWORD),
                ],
            )
            .await;
        (v, r)
    }

    /// Another browser (its own cookie jar) on the same server.
    pub fn other_browser(&self) -> Visitor {
        Visitor::new(self.address.clone()).with_clock(self.state.clock.clone())
    }
}

/// The value of a hidden (or any) input called `name`.
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(&format!("input[name=\"{name}\"]")).ok()?;
    doc.select(&sel)
        .next()?
        .value()
        .attr("value")
        .map(str::to_string)
}

/// Selects elements and returns their texts.
pub fn texts(html: &str, selector: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(selector).expect("selector");
    doc.select(&sel)
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

/// The value of attribute `attr` of the first element matching `selector`.
pub fn attr(html: &str, selector: &str, attr: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(selector).expect("selector");
    doc.select(&sel)
        .next()?
        .value()
        .attr(attr)
        .map(str::to_string)
}

/// A complete, valid signup for the shipped full-pattern form.
pub fn signup_fields(email: &str, legal_name: &str) -> Vec<(String, String)> {
    [
        ("legal_name", legal_name),
        ("trading_name", "Acme Pay"),
        ("country", "GB"),
        ("company_number", "09876543"),
        ("competent_authority", "FCA"),
        ("authorisation_number", "123456"),
        ("roles", "AISP"),
        ("roles", "PISP"),
        ("contact_name", "Ann Smith"),
        ("phone", "+44 20 7946 0000"),
        ("website", "https://acme.example"),
        ("email", email),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// The Client ID and (if shown) the Client secret on a credentials page.
pub fn credentials(html: &str) -> (String, Option<String>) {
    let id = texts(html, "#client-id")
        .pop()
        .expect("a Client ID on the page");
    (id, texts(html, "#client-secret").pop())
}

/// A minimal application of the full pattern's roles, with a secret-based method.
pub const APP: &[(&str, &str)] = &[
    ("name", "Budget helper"),
    ("redirect_uris", "https://budget.example/cb"),
    ("auth_method", "client_secret_basic"),
    ("scopes", "accounts"),
];

/// A public JWKS (an EC P-256 key) for private_key_jwt applications.
pub const JWKS: &str = r#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;

impl TestApp {
    /// A new admin of `role`, signed in on a browser of its own.
    pub async fn admin(&self, role: AdminRole) -> (String, Visitor) {
        let email = self.create_admin(role).await;
        let v = self.other_browser();
        v.admin_login(&email).await;
        (email, v)
    }

    /// A TPP whose signup the bank has approved, signed in on a browser of its own.
    pub async fn approved_tpp(&self, legal_name: &str) -> (String, Visitor) {
        let email = self.verified_tpp(legal_name).await;
        let (_, admin) = self.admin(AdminRole::Superadmin).await;
        let task = admin.task_for("signup", legal_name).await;
        assert_eq!(admin.decide(&task, "approve", "").await.status(), 303);
        let tpp = self.other_browser();
        assert_eq!(tpp.portal_login(&email).await.status(), 303);
        (email, tpp)
    }

    /// Signs up, follows the mailed link and signs in; returns the TPP's email.
    pub async fn verified_tpp(&self, legal_name: &str) -> String {
        let email = format!(
            "dev-{}@tpp.example",
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let r = self.signup(&signup_fields(&email, legal_name)).await;
        assert_eq!(r.status(), 303, "signup should succeed");
        let link = self.link_in_mail(&email, "/verify").await;
        let r = self.get(&link).await;
        assert_eq!(r.status(), 200, "verification should succeed");
        email
    }
}
