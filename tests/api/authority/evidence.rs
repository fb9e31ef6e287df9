//! A certificate as evidence, and `onramp authority check`: findings are printed one line per
//! source and stored as evidence on the organisation.

use super::registers::CSV;
use crate::helpers::eidas::{AI, EidasSpec};
use crate::helpers::{Pki, spawn_app_with};
use onramp::authority::cert_check::CertificateSource;
use onramp::authority::codes::AuthorityCodes;
use onramp::authority::finding::Claim;
use onramp::authority::{TrustRoots, commands, service};
use onramp::domain::Psd2Role;
use onramp::domain::evidence::{Source, Verdict};

fn acme(roles: &[Psd2Role]) -> Claim {
    Claim {
        legal_name: Some("Acme TPP Ltd".into()),
        authority: Some("FCA".into()),
        country: Some("GB".into()),
        number: Some("123456".into()),
        roles: roles.to_vec(),
    }
}

#[test]
fn a_certificate_is_verified_only_when_trusted_valid_and_in_agreement() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path());
    let pem = pki.eidas("app", &EidasSpec::qwac(&[AI])).cert_pem;
    let codes = AuthorityCodes::shipped();
    let roots = TrustRoots::load(&[&pki.ca_file]).unwrap();
    let now = onramp::domain::Clock::system().now();
    let source = |roots: &TrustRoots, now| {
        let f = CertificateSource {
            pem: pem.as_bytes(),
            roots,
            codes: &codes,
            now,
            lists: None,
            revocation: None,
        }
        .judge(&acme(&[Psd2Role::Aisp]));
        (f.verdict, f.details)
    };
    let (verdict, details) = source(&roots, now);
    assert_eq!(verdict, Verdict::Verified, "{details}");
    assert!(
        details.contains("QWAC") && details.contains("GB-FCA"),
        "{details}"
    );
    let (verdict, details) = source(&TrustRoots::default(), now);
    assert_eq!(verdict, Verdict::Mismatch);
    assert!(details.starts_with("trust:"), "{details}");
    let (verdict, details) = source(&roots, now + chrono::Duration::days(1_000_000));
    assert_eq!(verdict, Verdict::Mismatch);
    assert!(details.contains("expired"), "{details}");

    let asks_pis = CertificateSource {
        pem: pem.as_bytes(),
        roots: &roots,
        codes: &codes,
        now,
        lists: None,
        revocation: None,
    }
    .judge(&acme(&[Psd2Role::Aisp, Psd2Role::Pisp]));
    assert_eq!(asks_pis.verdict, Verdict::Mismatch);
    assert!(
        asks_pis.details.contains("roles: PISP asked"),
        "{}",
        asks_pis.details
    );
    let mut other = acme(&[]);
    other.number = Some("999".into());
    other.authority = Some("IE-CBI".into());
    let f = CertificateSource {
        pem: pem.as_bytes(),
        roots: &roots,
        codes: &codes,
        now,
        lists: None,
        revocation: None,
    }
    .judge(&other);
    assert!(
        f.details.contains("authority: IE-CBI") && f.details.contains("number: 999"),
        "{}",
        f.details
    );
    let plain = pki.client("x", "Acme TPP Ltd", None).cert_pem;
    let f = CertificateSource {
        pem: plain.as_bytes(),
        roots: &roots,
        codes: &codes,
        now,
        lists: None,
        revocation: None,
    }
    .judge(&acme(&[]));
    assert!(f.details.contains("no PSD2 statement"), "{}", f.details);
}

#[tokio::test]
async fn authority_check_prints_one_line_per_source_stores_the_evidence_and_sets_the_exit_status() {
    let app = spawn_app_with(|_| {}).await;
    let (out, code) = commands::check(&app.state, "no-such-org").await.unwrap();
    assert_eq!(code, 2, "{out}");
    app.verified_tpp("Acme TPP Ltd").await;
    let org = super::org_named(&app, "Acme TPP").await;
    let (_, code) = commands::check(&app.state, &org.id.to_string())
        .await
        .unwrap();
    assert_eq!(code, 1, "no source yet");

    super::import_csv(&app, CSV).await;
    let (out, code) = commands::check(&app.state, &org.id.to_string())
        .await
        .unwrap();
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with("csv verified Acme TPP Ltd (GB-FCA): authorised for AISP, PISP"),
        "{out}"
    );
    assert_eq!(code, 0);
    let evidence = service::latest(&app.state, org.id).await.unwrap();
    assert_eq!(evidence.len(), 1);
    assert_eq!(evidence[0].source, Source::Csv);
    assert!(onramp::clients::policy::authority_verified(&evidence));
    assert_eq!(
        onramp::clients::policy::proven_roles(&evidence),
        vec![Psd2Role::Aisp, Psd2Role::Pisp]
    );

    super::import_csv(
        &app,
        &CSV.replace("authorised,AISP;PISP", "withdrawn,AISP;PISP"),
    )
    .await;
    let (out, code) = commands::check(&app.state, &org.id.to_string())
        .await
        .unwrap();
    assert!(out.starts_with("csv withdrawn"), "{out}");
    assert_eq!(code, 1);
    let evidence = service::latest(&app.state, org.id).await.unwrap();
    assert!(!onramp::clients::policy::authority_verified(&evidence));
}
