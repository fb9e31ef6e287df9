//! DCR fixtures: a test directory (its key signs SSAs, its JWKS is a trusted anchor), a TPP's
//! software (its key signs requests, its JWKS is served over HTTP by a tiny local server), a
//! transport certificate of the organisation, and builders for SSAs and request JWTs whose claims
//! a test can change before signing.

use super::{Pki, TestApp, spawn_tls_app_with};
use onramp::jose::SigningKey;
use serde_json::{Map, Value, json};
use std::sync::{Arc, Mutex};

/// The bank's directory organisation id in tests (`dcr.aspsp_org_id`).
pub const ASPSP_ORG_ID: &str = "0015800001041RHAAY";
/// The test directory's SSA issuer.
pub const DIRECTORY: &str = "Test Directory";
/// The TPP's directory org id.
pub const ORG_ID: &str = "0015800001ZEc3hAAD";
/// The TPP's software id.
pub const SOFTWARE_ID: &str = "SoftwareA1b2C3d4";

/// A running Onramp that trusts a test directory, and the TPP's software.
pub struct Dcr {
    /// The app (with its mTLS listener).
    pub app: TestApp,
    /// The directory's signing key.
    pub directory_key: SigningKey,
    /// The software's signing key (in its JWKS).
    pub software_key: SigningKey,
    /// The software JWKS served at `jwks_url`.
    pub jwks: Arc<Mutex<Value>>,
    /// Where the software JWKS is served.
    pub jwks_url: String,
    /// The organisation's transport certificate.
    pub cert: super::pki::Identity,
}

/// Serves `body` as JSON on every request, on a local port; returns the base URL.
pub async fn serve_json(body: Arc<Mutex<Value>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let body = body.lock().unwrap().to_string();
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = vec![0u8; 8192];
                let _ = sock.read(&mut buf).await;
                let resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}")
}

impl Dcr {
    /// Starts Onramp trusting a sandbox directory (and `tweak`ed further).
    pub async fn start_with(env: &str, tweak: impl FnOnce(&mut onramp::config::Settings)) -> Self {
        let (directory_key, _) = SigningKey::generate_es256("dir-1".into()).unwrap();
        let (software_key, _) = SigningKey::generate_es256("soft-1".into()).unwrap();
        let jwks = Arc::new(Mutex::new(json!({ "keys": [software_key.public_jwk()] })));
        let jwks_url = format!("{}/software.jwks", serve_json(jwks.clone()).await);
        let dir_jwks = json!({ "keys": [directory_key.public_jwk()] }).to_string();
        let env = env.to_string();
        let app = spawn_tls_app_with(move |s| {
            let file = s.data_dir.join("directory.jwks");
            std::fs::write(&file, dir_jwks).unwrap();
            s.directories = vec![onramp::config::DirectorySettings {
                issuer: DIRECTORY.into(),
                jwks_file: Some(file),
                jwks_uri: None,
                environment: env,
            }];
            s.dcr.aspsp_org_id = ASPSP_ORG_ID.into();
            s.outbound.allow_http = true;
            s.outbound.allow_private_addresses = true;
            tweak(s);
        })
        .await;
        let cert =
            app.pki
                .as_ref()
                .unwrap()
                .client(SOFTWARE_ID, "Acme TPP Ltd", Some("PSDGB-FCA-123456"));
        Self {
            app,
            directory_key,
            software_key,
            jwks,
            jwks_url,
            cert,
        }
    }

    /// Starts Onramp trusting a sandbox test directory.
    pub async fn start() -> Self {
        Self::start_with("sandbox", |_| {}).await
    }

    fn now(&self) -> i64 {
        self.app.state.clock.now().timestamp()
    }

    /// The claims of a valid SSA.
    pub fn ssa_claims(&self) -> Map<String, Value> {
        json!({
            "iss": DIRECTORY,
            "iat": self.now(),
            "jti": uuid::Uuid::new_v4().simple().to_string(),
            "software_id": SOFTWARE_ID,
            "software_client_id": SOFTWARE_ID,
            "software_client_name": "Budget Buddy",
            "software_client_description": "Budgets from all your accounts",
            "software_version": 1.2,
            "software_environment": "sandbox",
            "software_mode": "Live",
            "software_redirect_uris": ["https://tpp.example/cb", "https://tpp.example/cb2"],
            "software_roles": ["AISP", "PISP"],
            "software_jwks_endpoint": self.jwks_url,
            "org_id": ORG_ID,
            "org_name": "Acme TPP Ltd",
            "org_status": "Active",
            "organisation_competent_authority_claims": {
                "authority_id": "FCA",
                "registration_id": "123456",
                "status": "Active",
                "authorisations": [{ "member_state": "GB", "roles": ["AISP", "PISP"] }]
            }
        })
        .as_object()
        .unwrap()
        .clone()
    }

    /// A signed SSA from these claims.
    pub fn ssa_from(&self, claims: Map<String, Value>) -> String {
        self.directory_key
            .sign("JWT", &Value::Object(claims))
            .unwrap()
    }

    /// A valid SSA, changed by `f` before signing.
    pub fn ssa(&self, f: impl FnOnce(&mut Map<String, Value>)) -> String {
        let mut c = self.ssa_claims();
        f(&mut c);
        self.ssa_from(c)
    }

    /// The claims of a valid registration request carrying `ssa`.
    pub fn request_claims(&self, ssa: &str) -> Map<String, Value> {
        let now = self.now();
        json!({
            "iss": SOFTWARE_ID,
            "iat": now,
            "exp": now + 300,
            "aud": ASPSP_ORG_ID,
            "jti": uuid::Uuid::new_v4().to_string(),
            "redirect_uris": ["https://tpp.example/cb"],
            "token_endpoint_auth_method": "private_key_jwt",
            "token_endpoint_auth_signing_alg": "ES256",
            "grant_types": ["client_credentials", "authorization_code", "refresh_token"],
            "response_types": ["code id_token"],
            "application_type": "web",
            "id_token_signed_response_alg": "ES256",
            "request_object_signing_alg": "ES256",
            "scope": "openid accounts payments",
            "software_id": SOFTWARE_ID,
            "software_statement": ssa,
        })
        .as_object()
        .unwrap()
        .clone()
    }

    /// A registration request signed by the software's key, changed by `f` before signing.
    pub fn request(&self, f: impl FnOnce(&mut Map<String, Value>)) -> String {
        let mut c = self.request_claims(&self.ssa(|_| {}));
        f(&mut c);
        self.software_key.sign("JWT", &Value::Object(c)).unwrap()
    }

    /// The mTLS base URL.
    pub fn base(&self) -> String {
        self.app.tls_address.clone().unwrap()
    }

    /// An HTTPS client presenting the organisation's certificate (or none).
    pub fn http(&self, with_cert: bool) -> reqwest::Client {
        let pki: &Pki = self.app.pki.as_ref().unwrap();
        pki.client_http(with_cert.then_some(&self.cert))
    }

    /// POSTs a body to `path` with the organisation's certificate as `application/jwt`.
    pub async fn post(&self, path: &str, body: &str) -> (u16, Value) {
        let r = self
            .http(true)
            .post(format!("{}{path}", self.base()))
            .header("Content-Type", "application/jwt")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Registers a valid client; returns the response.
    pub async fn register(&self) -> Value {
        let (status, body) = self.post("/register", &self.request(|_| {})).await;
        assert_eq!(status, 201, "{body}");
        body
    }

    /// A client-credentials token for a registered private_key_jwt client, over the
    /// organisation's certificate.
    pub async fn token_for(&self, client_id: &str) -> String {
        let r = private_key_jwt_token(
            &self.http(true),
            &self.base(),
            &self.software_key,
            client_id,
            self.now(),
        )
        .await;
        let body: Value = r.json().await.unwrap();
        body["access_token"]
            .as_str()
            .unwrap_or_else(|| panic!("token: {body}"))
            .to_string()
    }
}

/// Asks `{base}/token` for a client-credentials token with a `private_key_jwt` assertion signed
/// by `key`, issued at `now`.
pub async fn private_key_jwt_token(
    http: &reqwest::Client,
    base: &str,
    key: &SigningKey,
    client_id: &str,
    now: i64,
) -> reqwest::Response {
    private_key_jwt_token_with(http, base, key, client_id, now, &[]).await
}

/// As [`private_key_jwt_token`], with further form fields (`scope`).
pub async fn private_key_jwt_token_with(
    http: &reqwest::Client,
    base: &str,
    key: &SigningKey,
    client_id: &str,
    now: i64,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let aud = format!("{base}/token");
    let assertion = key
        .sign("JWT", &json!({ "iss": client_id, "sub": client_id, "aud": aud, "iat": now, "exp": now + 300, "jti": uuid::Uuid::new_v4().to_string() }))
        .unwrap();
    let mut form = vec![
        ("grant_type", "client_credentials"),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ),
        ("client_assertion", assertion.as_str()),
    ];
    form.extend_from_slice(extra);
    http.post(aud).form(&form).send().await.unwrap()
}
