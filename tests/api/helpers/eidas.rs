//! Test eIDAS certificates: PSD2 QCStatements (roles, NCA), QcType and organizationIdentifier
//! written as raw DER under the test PKI's CA (the test QTSP), as ETSI TS 119 495 lays them out.

use super::{Identity, Pki};
use rcgen::CustomExtension;

/// A DER TLV (short or long length).
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend([0x81, n as u8]);
    } else {
        out.extend([0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(content);
    out
}

/// A DER OBJECT IDENTIFIER from dotted text.
pub fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().unwrap()).collect();
    let mut body = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &a in &arcs[2..] {
        let mut stack = vec![(a & 0x7f) as u8];
        let mut v = a >> 7;
        while v > 0 {
            stack.push(((v & 0x7f) as u8) | 0x80);
            v >>= 7;
        }
        stack.reverse();
        body.extend(stack);
    }
    tlv(0x06, &body)
}

/// A DER SEQUENCE of `items`.
pub fn seq(items: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &items.concat())
}

fn utf8(s: &str) -> Vec<u8> {
    tlv(0x0c, s.as_bytes())
}

/// What a test certificate says.
#[derive(Clone)]
pub struct EidasSpec {
    /// `organizationIdentifier`, if any.
    pub org_id: Option<String>,
    /// Role names and their OIDs (`("PSP_AI", "0.4.0.19495.1.3")`).
    pub roles: Vec<(&'static str, &'static str)>,
    /// `nCAName`, `nCAId`; `None` leaves the PSD2 statement out.
    pub nca: Option<(&'static str, &'static str)>,
    /// The QcType OID (`0.4.0.1862.1.6.3` web), if any.
    pub qc_type: Option<&'static str>,
    /// The subject's `O`.
    pub legal_name: String,
}

/// `PSP_AI`.
pub const AI: (&str, &str) = ("PSP_AI", "0.4.0.19495.1.3");
/// `PSP_PI`.
pub const PI: (&str, &str) = ("PSP_PI", "0.4.0.19495.1.2");
/// `PSP_IC`.
pub const IC: (&str, &str) = ("PSP_IC", "0.4.0.19495.1.4");
/// QcType web (QWAC).
pub const WEB: &str = "0.4.0.1862.1.6.3";
/// QcType eSeal (QSealC).
pub const ESEAL: &str = "0.4.0.1862.1.6.2";

impl EidasSpec {
    /// A QWAC of `PSDGB-FCA-123456` with `roles`.
    pub fn qwac(roles: &[(&'static str, &'static str)]) -> Self {
        Self {
            org_id: Some("PSDGB-FCA-123456".into()),
            roles: roles.to_vec(),
            nca: Some(("Financial Conduct Authority", "GB-FCA")),
            qc_type: Some(WEB),
            legal_name: "Acme TPP Ltd".into(),
        }
    }

    /// The qcStatements extension's DER: QcCompliance first (so that the PSD2 statement is
    /// not the first), then QcType and the PSD2 statement.
    pub fn qc_statements(&self) -> Vec<u8> {
        let mut statements = vec![seq(&[oid("0.4.0.1862.1.1")])];
        if let Some(t) = self.qc_type {
            statements.push(seq(&[oid("0.4.0.1862.1.6"), seq(&[oid(t)])]));
        }
        if let Some((name, id)) = self.nca {
            let roles: Vec<Vec<u8>> = self
                .roles
                .iter()
                .map(|(n, o)| seq(&[oid(o), utf8(n)]))
                .collect();
            statements.push(seq(&[
                oid("0.4.0.19495.2"),
                seq(&[seq(&roles), utf8(name), utf8(id)]),
            ]));
        }
        seq(&statements)
    }
}

impl Pki {
    /// An eIDAS client certificate, signed by this PKI's CA (the test QTSP).
    pub fn eidas(&self, cn: &str, spec: &EidasSpec) -> Identity {
        let qc =
            CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 3], spec.qc_statements());
        self.issue(cn, &spec.legal_name, spec.org_id.as_deref(), vec![qc])
    }
}
