//! The FCA register API against a local stand-in (configurable base URL): an authorised firm is
//! verified with its roles, the bank's credentials go as `X-Auth-Email` / `X-Auth-Key`, the
//! answer is cached per FRN; a firm no longer authorised is withdrawn, an unknown FRN not
//! found; a 429 and a register that is down are unavailable, and unavailable never suspends.

use crate::helpers::*;
use onramp::authority::fca::{FcaRegister, FcaSource};
use onramp::authority::finding::{Claim, Finding};
use onramp::authority::sources::RegisterSource;
use onramp::domain::Psd2Role;
use onramp::domain::evidence::{Source, Verdict};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What the stand-in answers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    /// 200: an authorised payment institution with AIS and PIS permissions.
    Authorised,
    /// 200: "No longer authorised", PSD status cancelled.
    NotAuthorised,
    /// 200 with `FSR-API-02-01-21` and no data.
    Unknown,
    /// 429 with `Retry-After: 60`.
    RateLimited,
    /// 503: the register is down behind its proxy.
    Down,
}

/// A local stand-in of the FCA register API.
pub struct StandIn {
    /// Its base URL.
    pub url: String,
    /// Requests served.
    pub hits: Arc<AtomicUsize>,
    /// Each request's head (request line and headers), lower-cased.
    pub heads: Arc<Mutex<Vec<String>>>,
    /// What it answers now.
    pub mode: Arc<Mutex<Mode>>,
}

fn firm(status: &str, psd: &str) -> serde_json::Value {
    serde_json::json!({
        "Status": "FSR-API-02-01-00", "Message": "Ok. Firm Found",
        "ResultInfo": { "page": "1", "per_page": "1", "total_count": "1" },
        "Data": [{ "FRN": "123456", "Organisation Name": "Acme TPP Limited", "Status": status,
                   "Business Type": "Regulated", "Status Effective Date": "02/01/2019",
                   "PSD / EMD Status": psd, "PSD / EMD Effective Date": "29/11/2026" }]
    })
}

fn answer(mode: Mode, path: &str) -> (u16, String) {
    let permissions = serde_json::json!({
        "Status": "FSR-API-02-03-00", "Message": "Ok. Permissions found",
        "Data": {
            "Account information services": [{ "Limitation Not Found": ["Valid limitation not present"] }],
            "Payment initiation services": [{ "Limitation Not Found": ["Valid limitation not present"] }]
        }
    });
    let body = match mode {
        Mode::RateLimited => return (429, "{}".into()),
        Mode::Down => return (503, "{}".into()),
        Mode::Unknown => {
            serde_json::json!({ "Status": "FSR-API-02-01-21", "Message": "Firm not found", "Data": null })
        }
        _ if path.ends_with("/Permissions") => permissions,
        Mode::Authorised => firm("Authorised", "Authorised Payment Institution"),
        Mode::NotAuthorised => firm(
            "No longer authorised",
            "Cancelled - Authorised Payment Institution",
        ),
    };
    (200, body.to_string())
}

/// Starts the stand-in.
pub async fn stand_in(mode: Mode) -> StandIn {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/services", listener.local_addr().unwrap());
    let s = StandIn {
        url,
        hits: Arc::new(AtomicUsize::new(0)),
        heads: Arc::new(Mutex::new(Vec::new())),
        mode: Arc::new(Mutex::new(mode)),
    };
    let (hits, heads, mode) = (s.hits.clone(), s.heads.clone(), s.mode.clone());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = vec![0u8; 8192];
            let n = sock.read(&mut buf).await.unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).to_lowercase();
            let path = head
                .split_whitespace()
                .nth(1)
                .unwrap_or_default()
                .to_string();
            hits.fetch_add(1, Ordering::SeqCst);
            heads.lock().unwrap().push(head);
            let m = *mode.lock().unwrap();
            let (status, body) = answer(m, &path.replace("/permissions", "/Permissions"));
            let reason = match status {
                200 => "OK",
                429 => "Too Many Requests",
                _ => "Service Unavailable",
            };
            let resp = format!(
                "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nRetry-After: 60\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(resp.as_bytes()).await;
        }
    });
    s
}

/// Points `[authority.fca]` at `url` with test credentials, and lets the outbound client reach
/// a local plain-HTTP server.
pub fn use_stand_in(s: &mut onramp::config::Settings, url: &str) {
    s.authority.fca.base_url = url.to_string();
    s.authority.fca.email = "onboarding@bank.example".into();
    s.authority.fca.key = "fca-test-key".to_string().into();
    s.outbound.allow_http = true;
    s.outbound.allow_private_addresses = true;
}

fn claim() -> Claim {
    Claim {
        legal_name: Some("Acme TPP Ltd".into()),
        authority: Some("FCA".into()),
        country: None,
        number: Some("123456".into()),
        roles: vec![Psd2Role::Aisp, Psd2Role::Pisp],
    }
}

/// Asks the FCA source configured for `url` about FRN 123456, `now` being `at` hours ahead.
async fn ask(fca: &FcaRegister, url: &str, at_hours: i64) -> Finding {
    let mut s = onramp::config::Settings::default();
    use_stand_in(&mut s, url);
    let out = onramp::oauth::outbound::Outbound::new(&s.outbound).unwrap();
    let now = chrono::DateTime::UNIX_EPOCH + chrono::Duration::hours(at_hours);
    FcaSource {
        register: fca,
        http: &out,
        frn: "123456".into(),
        now,
    }
    .check(&claim())
    .await
}

fn register(url: &str) -> FcaRegister {
    let mut s = onramp::config::Settings::default();
    use_stand_in(&mut s, url);
    FcaRegister::new(&s.authority.fca).unwrap()
}

#[tokio::test]
async fn an_authorised_firm_is_verified_with_its_roles_asked_with_the_credentials_and_cached() {
    onramp::startup::install_crypto();
    let s = stand_in(Mode::Authorised).await;
    let fca = register(&s.url);
    let f = ask(&fca, &s.url, 0).await;
    assert_eq!(f.source, Source::Fca);
    assert_eq!(f.verdict, Verdict::Verified, "{f:?}");
    assert_eq!(f.proven_roles(), vec![Psd2Role::Aisp, Psd2Role::Pisp]);
    assert_eq!(s.hits.load(Ordering::SeqCst), 2, "firm and permissions");
    let heads = s.heads.lock().unwrap().clone();
    assert!(
        heads[0].starts_with("get /services/v0.1/firm/123456 "),
        "{}",
        heads[0]
    );
    assert!(heads[1].starts_with("get /services/v0.1/firm/123456/permissions "));
    for h in &heads {
        assert!(h.contains("x-auth-email: onboarding@bank.example"), "{h}");
        assert!(h.contains("x-auth-key: fca-test-key"), "{h}");
    }

    // Asked again within the cache's day: no request.
    let again = ask(&fca, &s.url, 1).await;
    assert_eq!(again.verdict, Verdict::Verified);
    assert_eq!(s.hits.load(Ordering::SeqCst), 2, "served from the cache");
    // After a day it asks again.
    ask(&fca, &s.url, 25).await;
    assert_eq!(s.hits.load(Ordering::SeqCst), 4);
    assert!(
        !format!("{fca:?}").contains("fca-test-key"),
        "the key never prints"
    );
}

#[tokio::test]
async fn not_authorised_is_withdrawn_unknown_is_not_found_and_429_or_down_is_unavailable() {
    onramp::startup::install_crypto();
    let s = stand_in(Mode::NotAuthorised).await;
    let f = ask(&register(&s.url), &s.url, 0).await;
    assert_eq!(f.verdict, Verdict::Withdrawn, "{f:?}");
    assert!(f.details.contains("Cancelled"), "{}", f.details);

    *s.mode.lock().unwrap() = Mode::Unknown;
    let f = ask(&register(&s.url), &s.url, 0).await;
    assert_eq!(f.verdict, Verdict::NotFound, "{f:?}");

    *s.mode.lock().unwrap() = Mode::RateLimited;
    let fca = register(&s.url);
    let before = s.hits.load(Ordering::SeqCst);
    let f = ask(&fca, &s.url, 0).await;
    assert_eq!(f.verdict, Verdict::Unavailable, "{f:?}");
    assert!(f.details.contains("429"), "{}", f.details);
    // The register asked for a minute's pause: the next lookup does not even ask.
    let f = ask(&fca, &s.url, 0).await;
    assert_eq!(f.verdict, Verdict::Unavailable);
    assert_eq!(s.hits.load(Ordering::SeqCst), before + 1);

    // Down: nothing listens on the port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = format!("http://127.0.0.1:{port}/services");
    let f = ask(&register(&down), &down, 0).await;
    assert_eq!(f.verdict, Verdict::Unavailable, "{f:?}");
}

#[tokio::test]
async fn a_signup_naming_the_fca_is_checked_there_and_a_withdrawal_suspends_but_unavailable_never_does()
 {
    let s = stand_in(Mode::Authorised).await;
    let url = s.url.clone();
    let app = spawn_app_with(move |st| use_stand_in(st, &url)).await;
    app.approved_tpp("Acme TPP Ltd").await;
    let org = super::org_named(&app, "Acme").await;
    let latest = onramp::authority::service::latest(&app.state, org.id)
        .await
        .unwrap();
    let fca = latest.iter().find(|e| e.source == Source::Fca).unwrap();
    assert_eq!(fca.verdict, Verdict::Verified, "{fca:?}");
    assert_eq!(
        s.hits.load(Ordering::SeqCst),
        2,
        "asked once (firm, permissions): the warm-up before the verification's transaction and \
         the check inside it share the cache"
    );

    // The register is down: unavailable, nothing is done.
    *s.mode.lock().unwrap() = Mode::Down;
    app.state.clock.advance(chrono::Duration::hours(25));
    let (findings, acted) = onramp::watch::check_and_act(&app.state, &org)
        .await
        .unwrap();
    assert!(!acted, "{findings:?}");
    let fca = findings.iter().find(|f| f.source == Source::Fca).unwrap();
    assert_eq!(fca.verdict, Verdict::Unavailable);

    // Once the stand-in says the firm is no longer authorised, the watch acts and opens the
    // "Authorisation changed" task with the FCA's before and after.
    *s.mode.lock().unwrap() = Mode::NotAuthorised;
    app.state.clock.advance(chrono::Duration::hours(25));
    let (_, acted) = onramp::watch::check_and_act(&app.state, &org)
        .await
        .unwrap();
    assert!(acted);
    let (_, admin) = app.admin(onramp::domain::AdminRole::Approver).await;
    let task = admin.task_for("authority-change", "Acme TPP Ltd").await;
    let html = admin.get_html(&task).await;
    let rows = texts(&html, "#authority-change tbody tr");
    assert_eq!(rows.len(), 1, "{html}");
    assert!(rows[0].contains("FCA register"), "{rows:?}");
    assert!(rows[0].contains("Verified (AISP, PISP)"), "{rows:?}");
    assert!(rows[0].contains("Withdrawn"), "{rows:?}");

    // The register is briefly down, then says the same again: the withdrawal is not new, nothing
    // more is done and no second task opens.
    for mode in [Mode::Down, Mode::NotAuthorised] {
        *s.mode.lock().unwrap() = mode;
        app.state.clock.advance(chrono::Duration::hours(25));
        let (findings, acted) = onramp::watch::check_and_act(&app.state, &org)
            .await
            .unwrap();
        assert!(!acted, "{mode:?}: {findings:?}");
    }
    let (_, admin) = app.admin(onramp::domain::AdminRole::Approver).await;
    let html = admin.get_html("/admin?workflow=authority-change").await;
    assert_eq!(texts(&html, "table.data tbody a").len(), 1, "one task");
}
