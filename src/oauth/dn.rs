//! Distinguished names compared as parsed attribute lists (decision 17): attribute names or
//! dotted OIDs, `#hex` values decoded, order-insensitive, values trimmed and case-folded. Never
//! as raw strings: openssl, Go and Python print the same DN differently.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A normalised DN: sorted `(oid, value)` pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dn(Vec<(String, String)>);

fn oid_of(name: &str) -> String {
    match name.trim().to_ascii_lowercase().as_str() {
        "cn" | "commonname" => "2.5.4.3",
        "c" | "countryname" => "2.5.4.6",
        "l" | "localityname" => "2.5.4.7",
        "st" | "s" | "stateorprovincename" => "2.5.4.8",
        "street" | "streetaddress" => "2.5.4.9",
        "o" | "organizationname" => "2.5.4.10",
        "ou" | "organizationalunitname" => "2.5.4.11",
        "serialnumber" => "2.5.4.5",
        "organizationidentifier" => "2.5.4.97",
        "dc" | "domaincomponent" => "0.9.2342.19200300.100.1.25",
        "uid" | "userid" => "0.9.2342.19200300.100.1.1",
        "emailaddress" | "e" => "1.2.840.113549.1.9.1",
        other => return other.trim_start_matches("oid.").to_string(),
    }
    .to_string()
}

fn norm_value(v: &str) -> String {
    v.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Decodes a `#hex` DER value (a string type) to its text.
fn hex_value(v: &str) -> Option<String> {
    let bytes = hex::decode(v.strip_prefix('#')?).ok()?;
    // tag, short length, contents
    if bytes.len() < 2 || usize::from(bytes[1]) != bytes.len() - 2 {
        return None;
    }
    String::from_utf8(bytes[2..].to_vec()).ok()
}

/// A certificate's subject attributes as `(dotted OID, value)`, in order and as written; None when
/// one of them is not a string.
pub fn subject_attributes(
    cert: &x509_parser::certificate::X509Certificate<'_>,
) -> Option<Vec<(String, String)>> {
    let mut attrs = Vec::new();
    for rdn in cert.subject().iter() {
        for a in rdn.iter() {
            attrs.push((a.attr_type().to_id_string(), a.as_str().ok()?.to_string()));
        }
    }
    Some(attrs)
}

impl Dn {
    /// Parses an RFC 4514 string (`CN=app,O=Acme Ltd,C=GB`), with `\,` escapes; `/`-separated
    /// openssl forms (`/C=GB/O=Acme`) are accepted too.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let (sep, body) = match s.strip_prefix('/') {
            Some(rest) => ('/', rest),
            None => (',', s),
        };
        let mut parts = Vec::new();
        let mut cur = String::new();
        let mut chars = body.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    if let Some(n) = chars.next() {
                        cur.push(n);
                    }
                }
                c if c == sep || (sep == ',' && c == '+') || (sep == ',' && c == ';') => {
                    parts.push(std::mem::take(&mut cur));
                }
                c => cur.push(c),
            }
        }
        parts.push(cur);
        let mut attrs = Vec::new();
        for p in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            let (k, v) = p.split_once('=')?;
            let value = hex_value(v.trim()).unwrap_or_else(|| v.to_string());
            attrs.push((oid_of(k), norm_value(&value)));
        }
        if attrs.is_empty() {
            return None;
        }
        attrs.sort();
        Some(Self(attrs))
    }

    /// [`Dn::parse`], remembered: the registered DN a `tls_client_auth` client presents on every
    /// token request is parsed once per process, not once per request. A DN is a function of its
    /// text alone, so nothing needs forgetting; the memory is bounded (cleared past 10,000 DNs).
    pub fn parse_cached(s: &str) -> Option<Arc<Self>> {
        static PARSED: OnceLock<Mutex<HashMap<String, Option<Arc<Dn>>>>> = OnceLock::new();
        let parsed = PARSED.get_or_init(Mutex::default);
        if let Ok(map) = parsed.lock()
            && let Some(dn) = map.get(s)
        {
            return dn.clone();
        }
        let dn = Self::parse(s).map(Arc::new);
        if let Ok(mut map) = parsed.lock() {
            if map.len() >= 10_000 {
                map.clear();
            }
            map.insert(s.to_string(), dn.clone());
        }
        dn
    }

    /// The subject DN of a DER certificate.
    pub fn of_certificate(der: &[u8]) -> Option<Self> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
        Self::of_attributes(&subject_attributes(&cert)?)
    }

    /// The DN of `(dotted OID, value)` attributes as a certificate carries them.
    pub fn of_attributes(attrs: &[(String, String)]) -> Option<Self> {
        let mut attrs: Vec<(String, String)> = attrs
            .iter()
            .map(|(oid, v)| (oid.clone(), norm_value(v)))
            .collect();
        attrs.sort();
        Some(Self(attrs))
    }
}

#[cfg(test)]
mod tests {
    use super::Dn;

    #[test]
    fn the_same_dn_printed_differently_compares_equal() {
        let a = Dn::parse(
            "CN=app.acme.example,O=Acme Ltd,C=GB,organizationIdentifier=PSDGB-FCA-123456",
        )
        .unwrap();
        let b =
            Dn::parse("2.5.4.97=PSDGB-FCA-123456, c=gb, o=ACME  Ltd, cn=app.acme.example").unwrap();
        let c = Dn::parse(
            "/C=GB/O=Acme Ltd/CN=app.acme.example/organizationIdentifier=PSDGB-FCA-123456",
        )
        .unwrap();
        let hex = Dn::parse(
            "CN=app.acme.example,O=Acme Ltd,C=GB,2.5.4.97=#0C1050534447422D4643412D313233343536",
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a, hex);
        assert_ne!(
            a,
            Dn::parse(
                "CN=app.acme.example,O=Other Ltd,C=GB,organizationIdentifier=PSDGB-FCA-123456"
            )
            .unwrap()
        );
        assert!(Dn::parse("not a dn").is_none());
    }

    #[test]
    fn a_remembered_dn_is_parsed_once_and_equals_a_fresh_parse() {
        let text = "CN=cached.acme.example,O=Acme Ltd,C=GB";
        let first = Dn::parse_cached(text).unwrap();
        let again = Dn::parse_cached(text).unwrap();
        assert!(std::sync::Arc::ptr_eq(&first, &again), "parsed once");
        assert_eq!(*first, Dn::parse(text).unwrap());
        assert_ne!(
            *first,
            *Dn::parse_cached("CN=cached.acme.example,O=Other Ltd,C=GB").unwrap()
        );
        assert!(Dn::parse_cached("not a dn").is_none());
        assert!(
            Dn::parse_cached("not a dn").is_none(),
            "a miss is remembered as a miss"
        );
    }
}
