//! Revocation of TPP certificates: OCSP first, then the CRL, each answer's signature checked
//! and kept until it expires; `require` refuses a certificate whose status cannot be learned,
//! `prefer` accepts it with a note. Re-checks act on the certificate on record: revoked, it
//! suspends exactly the clients bound to it; expiring within 30 days, it is mailed about once.

use crate::helpers::eidas::{AI, EidasSpec, PI};
use crate::helpers::qtsp::{Ocsp, Qtsp};
use crate::helpers::*;
use onramp::domain::evidence::Verdict;
use onramp::store::organisations::OrganisationRecord;

/// An app trusting `q`'s CA (as `extra_roots`) with `authority.revocation = mode`, and the
/// approved organisation Acme TPP Ltd with its member's email.
async fn app_trusting(q: &Qtsp, mode: &str) -> (TestApp, OrganisationRecord, String) {
    let dir = tempfile::tempdir().unwrap();
    let roots = dir.path().join("qtsp.pem");
    std::fs::write(&roots, &q.ca_pem).unwrap();
    let mode = mode.to_string();
    let app = spawn_app_with(move |s| {
        s.authority.extra_roots = vec![roots];
        s.authority.revocation = mode;
        s.outbound.allow_private_addresses = true;
    })
    .await;
    let (email, _) = app.approved_tpp("Acme TPP Ltd").await;
    let org = super::org_named(&app, "Acme").await;
    (app, org, email)
}

fn qwac(q: &Qtsp, serial: u64) -> Identity {
    q.qwac(
        serial,
        &EidasSpec::qwac(&[AI, PI]),
        (2026, 1, 1),
        (2028, 1, 1),
    )
}

#[tokio::test]
async fn a_certificate_revoked_on_the_crl_is_a_mismatch() {
    let q = Qtsp::start("CRL QTSP CA").await;
    let (app, org, _) = app_trusting(&q, "prefer").await;
    q.ocsp(Ocsp::Down);
    q.revoke_on_crl(&[7]);
    let org = super::with_certificate(&app, &org, &qwac(&q, 7).cert_pem).await;
    let f = super::certificate_finding(&app, &org).await;
    assert_eq!(f.verdict, Verdict::Mismatch);
    assert_eq!(
        f.details,
        "revoked: keyCompromise on 1 Jun 2026 00:00 UTC (by CRL)"
    );
    assert_eq!(q.hits(), (1, 1), "OCSP asked first, then the CRL");

    // Another certificate of the same CA, not on the CRL: good.
    let org = super::with_certificate(&app, &org, &qwac(&q, 8).cert_pem).await;
    let f = super::certificate_finding(&app, &org).await;
    assert_eq!(f.verdict, Verdict::Verified, "{}", f.details);
    assert_eq!(f.found["revocation"], "good");
}

#[tokio::test]
async fn a_certificate_revoked_by_ocsp_is_a_mismatch_and_a_good_answer_is_kept() {
    let q = Qtsp::start("OCSP QTSP CA").await;
    let (app, org, _) = app_trusting(&q, "require").await;
    let org = super::with_certificate(&app, &org, &qwac(&q, 21).cert_pem).await;
    let f = super::certificate_finding(&app, &org).await;
    assert_eq!(f.verdict, Verdict::Verified, "{}", f.details);
    assert_eq!(q.hits(), (1, 0));
    // Kept until it expires: asked again, the responder is not.
    let f = super::certificate_finding(&app, &org).await;
    assert_eq!(f.verdict, Verdict::Verified);
    assert_eq!(q.hits(), (1, 0));

    q.ocsp(Ocsp::Revoked);
    let org = super::with_certificate(&app, &org, &qwac(&q, 22).cert_pem).await;
    let f = super::certificate_finding(&app, &org).await;
    assert_eq!(f.verdict, Verdict::Mismatch);
    assert!(
        f.details.starts_with("revoked: keyCompromise on "),
        "{}",
        f.details
    );
    assert!(f.details.ends_with("(by OCSP)"), "{}", f.details);
    assert_eq!(q.hits(), (2, 0), "no CRL needed once OCSP answered");
}

#[tokio::test]
async fn an_unreachable_responder_refuses_under_require_and_is_noted_under_prefer() {
    let q = Qtsp::start("Down QTSP CA").await;
    q.ocsp(Ocsp::Down);
    let cert = qwac(&q, 31).cert_pem;

    let (app, org, _) = app_trusting(&q, "require").await;
    let org = super::with_certificate(&app, &org, &cert).await;
    let f = super::certificate_finding(&app, &org).await;
    assert_eq!(f.verdict, Verdict::Unavailable);
    assert!(
        f.details.starts_with("revocation status unknown"),
        "{}",
        f.details
    );

    let (app, org, _) = app_trusting(&q, "prefer").await;
    let org = super::with_certificate(&app, &org, &cert).await;
    let f = super::certificate_finding(&app, &org).await;
    assert_eq!(f.verdict, Verdict::Verified);
    assert!(
        f.details.contains("Revocation not checked: OCSP"),
        "{}",
        f.details
    );

    let (app, org, _) = app_trusting(&q, "off").await;
    let before = q.hits();
    let org = super::with_certificate(&app, &org, &cert).await;
    let f = super::certificate_finding(&app, &org).await;
    assert_eq!(f.verdict, Verdict::Verified);
    assert_eq!(f.found["revocation"], "not checked");
    assert_eq!(q.hits(), before, "off: nobody is asked");
}

#[tokio::test]
async fn an_ocsp_answer_not_signed_by_the_issuer_counts_for_nothing() {
    let q = Qtsp::start("Forged QTSP CA").await;
    let (app, org, _) = app_trusting(&q, "prefer").await;
    q.ocsp(Ocsp::Revoked);
    q.stand_in.lock().unwrap().forge = true;
    let org = super::with_certificate(&app, &org, &qwac(&q, 35).cert_pem).await;
    let f = super::certificate_finding(&app, &org).await;
    assert_eq!(f.verdict, Verdict::Verified, "{}", f.details);
    assert!(
        f.details
            .contains("signature is neither the issuer's nor a delegated responder's"),
        "{}",
        f.details
    );
}

#[tokio::test]
async fn a_responder_the_issuer_delegated_to_may_answer_and_another_may_not() {
    let q = Qtsp::start("Delegating QTSP CA").await;
    let (app, org, _) = app_trusting(&q, "prefer").await;
    q.ocsp(Ocsp::Revoked);
    q.delegate_ocsp(true);
    let org = super::with_certificate(&app, &org, &qwac(&q, 36).cert_pem).await;
    let f = super::certificate_finding(&app, &org).await;
    assert_eq!(f.verdict, Verdict::Mismatch);
    assert!(f.details.ends_with("(by OCSP)"), "{}", f.details);

    // A certificate of the CA that is not for OCSP signing makes no responder.
    q.delegate_ocsp(false);
    let org = super::with_certificate(&app, &org, &qwac(&q, 37).cert_pem).await;
    let f = super::certificate_finding(&app, &org).await;
    assert_eq!(f.verdict, Verdict::Verified, "{}", f.details);
    assert!(f.details.contains("delegated responder"), "{}", f.details);
}

#[tokio::test]
async fn an_expired_certificate_is_a_mismatch() {
    let q = Qtsp::start("Old QTSP CA").await;
    let (app, org, _) = app_trusting(&q, "require").await;
    let old = q.qwac(41, &EidasSpec::qwac(&[AI, PI]), (2023, 1, 1), (2025, 1, 1));
    let org = super::with_certificate(&app, &org, &old.cert_pem).await;
    let f = super::certificate_finding(&app, &org).await;
    assert_eq!(f.verdict, Verdict::Mismatch);
    assert_eq!(f.details, "expired: on 1 Jan 2025");
}

/// Sandbox keys for a new application named `name`; the client id.
async fn client(tpp: &Visitor, name: &str) -> String {
    let fields: Vec<(&str, &str)> = crate::production::KEY_APP
        .iter()
        .map(|&(k, v)| if k == "name" { (k, name) } else { (k, v) })
        .collect();
    let path = tpp.create_app(&fields).await;
    tpp.sandbox_keys(&path).await.0
}

async fn status_of(app: &TestApp, id: &str) -> String {
    let id = onramp::domain::ClientId(id.to_string());
    let c = onramp::store::clients::get(&app.state.db, &id)
        .await
        .unwrap()
        .unwrap();
    c.status.as_str().to_string()
}

async fn audited(app: &TestApp, action: &str) -> usize {
    let (rows, _) = onramp::audit::list(
        &app.state.db,
        &onramp::audit::AuditFilter {
            action: Some(action.into()),
            ..Default::default()
        },
        onramp::store::Page::new(1, 10),
    )
    .await
    .unwrap();
    rows.len()
}

#[tokio::test]
async fn a_revoked_certificate_on_record_suspends_exactly_the_clients_bound_to_it() {
    let q = Qtsp::start("Watch QTSP CA").await;
    let dir = tempfile::tempdir().unwrap();
    let roots = dir.path().join("qtsp.pem");
    std::fs::write(&roots, &q.ca_pem).unwrap();
    let app = spawn_app_with(move |s| {
        s.authority.extra_roots = vec![roots];
        s.outbound.allow_private_addresses = true;
    })
    .await;
    let (email, tpp) = app.approved_tpp("Acme TPP Ltd").await;
    let bound = client(&tpp, "Bound").await;
    let other = client(&tpp, "Other").await;
    let cert = qwac(&q, 51);
    let id = onramp::domain::ClientId(bound.clone());
    let c = onramp::store::clients::get(&app.state.db, &id)
        .await
        .unwrap()
        .unwrap();
    let mut meta = c.metadata.clone();
    meta["tls_client_auth_subject_dn"] = cert.dn.clone().into();
    meta["token_endpoint_auth_method"] = "tls_client_auth".into();
    let now = app.state.clock.now();
    onramp::store::clients::set_metadata(
        &app.state.db,
        &id,
        onramp::clients::AuthMethod::TlsClientAuth,
        &meta,
        now,
    )
    .await
    .unwrap();
    let org = super::org_named(&app, "Acme").await;
    let org = super::with_certificate(&app, &org, &cert.cert_pem).await;

    let (_, acted) = onramp::watch::check_and_act(&app.state, &org)
        .await
        .unwrap();
    assert!(!acted, "good: nothing to do");
    assert_eq!(status_of(&app, &bound).await, "active");

    // The CA revokes it; the kept answer expires; the next re-check finds it.
    q.ocsp(Ocsp::Revoked);
    app.state.clock.advance(chrono::Duration::minutes(61));
    let (_, acted) = onramp::watch::check_and_act(&app.state, &org)
        .await
        .unwrap();
    assert!(acted);
    assert_eq!(status_of(&app, &bound).await, "suspended");
    assert_eq!(status_of(&app, &other).await, "active", "not bound to it");
    assert_eq!(audited(&app, "authority.certificate_revoked").await, 1);
    let mail = app.emails_to(&email).await.pop().unwrap();
    assert!(mail.subject.contains("suspended"), "{}", mail.subject);
    assert!(
        mail.body.contains("revoked: keyCompromise"),
        "{}",
        mail.body
    );

    // Once: found again, nothing more.
    let mails = app.emails_to(&email).await.len();
    let (_, acted) = onramp::watch::check_and_act(&app.state, &org)
        .await
        .unwrap();
    assert!(!acted);
    assert_eq!(audited(&app, "authority.certificate_revoked").await, 1);
    assert_eq!(app.emails_to(&email).await.len(), mails);
}

#[tokio::test]
async fn a_certificate_expiring_within_30_days_is_mailed_once() {
    let q = Qtsp::start("Expiry QTSP CA").await;
    let (app, org, email) = app_trusting(&q, "prefer").await;
    let end = (app.state.clock.now() + chrono::Duration::days(20)).date_naive();
    use chrono::Datelike;
    let soon = q.qwac(
        61,
        &EidasSpec::qwac(&[AI, PI]),
        (2026, 1, 1),
        (end.year(), end.month() as u8, end.day() as u8),
    );
    let org = super::with_certificate(&app, &org, &soon.cert_pem).await;
    let expiring = |mails: Vec<onramp::email::SentMail>| {
        mails
            .into_iter()
            .filter(|m| m.subject.starts_with("Your certificate expires"))
            .count()
    };
    onramp::watch::check_and_act(&app.state, &org)
        .await
        .unwrap();
    assert_eq!(expiring(app.emails_to(&email).await), 1);
    assert_eq!(audited(&app, "authority.certificate_expiring").await, 1);
    onramp::watch::check_and_act(&app.state, &org)
        .await
        .unwrap();
    assert_eq!(
        expiring(app.emails_to(&email).await),
        1,
        "once per certificate"
    );

    // A certificate valid for longer is not mailed about.
    let later = qwac(&q, 62);
    let org = super::with_certificate(&app, &org, &later.cert_pem).await;
    onramp::watch::check_and_act(&app.state, &org)
        .await
        .unwrap();
    assert_eq!(audited(&app, "authority.certificate_expiring").await, 1);
}

#[tokio::test]
async fn dcr_refuses_a_revoked_transport_certificate_and_under_require_one_of_unknown_status() {
    let q = Qtsp::start("DCR QTSP CA").await;
    let ca_pem = q.ca_pem.clone();
    let mut d = crate::helpers::dcr::Dcr::start_with("production", move |s| {
        let roots = s.data_dir.join("qtsp.pem");
        std::fs::write(&roots, &ca_pem).unwrap();
        // The TLS listener accepts the QTSP's certificates as well as the test PKI's.
        let tls = s.tls.as_mut().unwrap();
        let pki_ca = std::fs::read_to_string(tls.client_ca.as_ref().unwrap()).unwrap();
        let both = s.data_dir.join("client-cas.pem");
        std::fs::write(&both, format!("{pki_ca}{ca_pem}")).unwrap();
        tls.client_ca = Some(both);
        s.authority.extra_roots = vec![roots];
        s.authority.revocation = "require".into();
    })
    .await;
    let register = |d: &crate::helpers::dcr::Dcr| {
        super::dcr_roles::production_request(d, "openid accounts payments")
    };

    q.ocsp(Ocsp::Revoked);
    d.cert = qwac(&q, 71);
    let (status, body) = d.post("/register", &register(&d)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_client_metadata");
    let why = body["error_description"].as_str().unwrap();
    assert!(why.contains("revoked: keyCompromise"), "{why}");

    q.ocsp(Ocsp::Down);
    d.cert = qwac(&q, 72);
    let (status, body) = d.post("/register", &register(&d)).await;
    assert_eq!(status, 400, "{body}");
    let why = body["error_description"].as_str().unwrap();
    assert!(
        why.contains("revocation status could not be learned"),
        "{why}"
    );

    q.ocsp(Ocsp::Good);
    d.cert = qwac(&q, 73);
    let (status, body) = d.post("/register", &register(&d)).await;
    assert_eq!(status, 201, "{body}");
}

#[test]
fn an_unknown_revocation_mode_is_a_configuration_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_onramp"))
        .arg("check-config")
        .env("ONRAMP_AUTHORITY__REVOCATION", "sometimes")
        .env("ONRAMP_WORKFLOWS_DIR", repo_workflows())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("authority.revocation")
            && stderr.contains("must be require, prefer or off"),
        "{stderr}"
    );
}
