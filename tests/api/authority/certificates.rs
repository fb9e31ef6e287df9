//! PSD2 eIDAS certificates as Onramp reads them: roles by OID, NCA, QcType, identifier, chain.

use crate::helpers::Pki;
use crate::helpers::eidas::{AI, ESEAL, EidasSpec, IC, PI};
use onramp::authority::cert::{self, CertKind, OrgIdentifier};
use onramp::authority::{ChainVerdict, TrustRoots};
use onramp::domain::Psd2Role;

#[test]
fn a_qwac_gives_its_roles_nca_kind_and_identifier_whatever_the_statement_order() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path());
    let id = pki.eidas("app", &EidasSpec::qwac(&[PI, AI]));
    let c = cert::parse_der(&id.der).unwrap();
    assert_eq!(c.roles, vec![Psd2Role::Aisp, Psd2Role::Pisp]);
    assert_eq!(c.nca_id.as_deref(), Some("GB-FCA"));
    assert_eq!(c.nca_name.as_deref(), Some("Financial Conduct Authority"));
    assert_eq!(c.kind, Some(CertKind::Qwac));
    assert_eq!(c.legal_name.as_deref(), Some("Acme TPP Ltd"));
    assert_eq!(
        c.organization_identifier,
        Some(OrgIdentifier::Psd {
            country: "GB".into(),
            nca: "FCA".into(),
            number: "123456".into()
        })
    );
    assert!(c.is_psd2());
}

#[test]
fn roles_are_matched_by_oid_not_by_name_and_a_seal_is_a_qsealc() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path());
    let mut spec = EidasSpec::qwac(&[("PISP", IC.1), ("whatever", "0.4.0.19495.1.0")]);
    spec.qc_type = Some(ESEAL);
    spec.org_id = Some("NTRGB-09876543".into());
    let c = cert::parse_der(&pki.eidas("seal", &spec).der).unwrap();
    assert_eq!(c.roles, vec![Psd2Role::Cbpii]);
    assert_eq!(c.kind, Some(CertKind::Qsealc));
    assert_eq!(
        c.organization_identifier.as_ref().and_then(|o| o.number()),
        None
    );
}

#[test]
fn a_plain_certificate_has_no_psd2_statement() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path());
    let c = cert::parse_der(&pki.client("a", "Plain Ltd", None).der).unwrap();
    assert!(!c.is_psd2());
    assert!(c.roles.is_empty());
    assert_eq!(c.kind, None);
}

#[test]
fn a_certificate_chains_only_to_a_configured_root() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new(dir.path());
    let other_dir = tempfile::tempdir().unwrap();
    let other = Pki::new(other_dir.path());
    let id = pki.eidas("app", &EidasSpec::qwac(&[AI]));
    let roots = TrustRoots::load(&[&pki.ca_file]).unwrap();
    let now = onramp::domain::Clock::system().now();
    assert!(matches!(
        roots.verify(&id.der, &[], now),
        ChainVerdict::Trusted(s) if s.contains("Onramp Test CA")
    ));
    let strangers = TrustRoots::load(&[&other.ca_file]).unwrap();
    assert!(matches!(
        strangers.verify(&id.der, &[], now),
        ChainVerdict::Untrusted(_)
    ));
    let (der, parsed) = cert::parse_pem_or_der(id.cert_pem.as_bytes()).unwrap();
    assert_eq!(der, id.der);
    assert!(parsed.valid_at(now), "rcgen certificates run to 4096");
    assert!(!parsed.valid_at(now + chrono::Duration::days(1_000_000)));
}
