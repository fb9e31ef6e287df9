//! Server-side validation of a submitted form against its definition. Every rule the page shows
//! is checked here; the browser's own checks are only a convenience.

use super::countries::country_name;
use super::definition::{FieldDef, FieldKind, FormDefinition};
use base64::Engine;
use std::collections::BTreeMap;

/// The raw values a browser sent, in order; a field may repeat (multiple select).
#[derive(Clone, Debug, Default)]
pub struct Submission(pub Vec<(String, String)>);

impl Submission {
    /// Parses an `application/x-www-form-urlencoded` body.
    pub fn from_urlencoded(body: &[u8]) -> Self {
        // NUL characters mean nothing in any field and the database cannot store them: they go.
        let clean = |s: std::borrow::Cow<'_, str>| s.replace('\0', "");
        Self(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (clean(k), clean(v)))
                .collect(),
        )
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Rebuilds a submission from stored values (to prefill an edit form).
    pub fn from_values(values: &FormValues) -> Self {
        let mut out = Vec::new();
        for (k, v) in values {
            match v {
                serde_json::Value::String(s) => out.push((k.clone(), s.clone())),
                serde_json::Value::Bool(true) => out.push((k.clone(), "on".into())),
                serde_json::Value::Array(items) => {
                    for i in items.iter().filter_map(|i| i.as_str()) {
                        out.push((k.clone(), i.to_string()));
                    }
                }
                _ => {}
            }
        }
        Self(out)
    }
}

/// Accepted values: text as strings, tick boxes as booleans, multiple selects as arrays.
pub type FormValues = serde_json::Map<String, serde_json::Value>;

/// One message per field that failed, keyed by field name.
pub type FieldErrors = BTreeMap<String, String>;

impl FormDefinition {
    /// Validates a submission; on success returns the typed values of every field.
    pub fn validate(&self, sub: &Submission) -> Result<FormValues, FieldErrors> {
        let mut values = FormValues::new();
        let mut errors = FieldErrors::new();
        for f in &self.fields {
            match check_field(f, sub) {
                Ok(v) => {
                    values.insert(f.name.clone(), v);
                }
                Err(msg) => {
                    errors.insert(f.name.clone(), msg);
                }
            }
        }
        if errors.is_empty() {
            Ok(values)
        } else {
            Err(errors)
        }
    }
}

fn check_field(f: &FieldDef, sub: &Submission) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    match f.kind {
        FieldKind::Checkbox => {
            let ticked = sub.get(&f.name).is_some_and(|v| !v.is_empty());
            if f.required && !ticked {
                return Err(format!("Tick “{}” to continue.", f.label));
            }
            Ok(Value::Bool(ticked))
        }
        FieldKind::Select if f.multiple => {
            let chosen: Vec<&str> = sub
                .all(&f.name)
                .into_iter()
                .filter(|v| !v.is_empty())
                .collect();
            if f.required && chosen.is_empty() {
                return Err(format!("Choose at least one option for “{}”.", f.label));
            }
            if let Some(bad) = chosen
                .iter()
                .find(|v| !f.options.iter().any(|o| o.value() == **v))
            {
                return Err(format!("“{bad}” is not one of the options."));
            }
            Ok(Value::Array(
                chosen
                    .into_iter()
                    .map(|v| Value::String(v.into()))
                    .collect(),
            ))
        }
        _ => {
            let raw = sub.get(&f.name).unwrap_or_default();
            let v = if f.kind == FieldKind::Textarea || f.kind == FieldKind::Certificate {
                raw.trim().replace("\r\n", "\n")
            } else {
                raw.trim().to_string()
            };
            if v.is_empty() {
                if f.required {
                    return Err(match f.kind {
                        FieldKind::Select | FieldKind::Country => {
                            format!("Choose {}.", lower(&f.label))
                        }
                        FieldKind::Certificate => format!("Paste or upload {}.", lower(&f.label)),
                        _ => format!("Enter {}.", lower(&f.label)),
                    });
                }
                return Ok(Value::String(String::new()));
            }
            check_value(f, &v)?;
            Ok(Value::String(v))
        }
    }
}

fn lower(label: &str) -> String {
    let mut c = label.chars();
    match c.next() {
        Some(first) if !label.chars().nth(1).is_some_and(char::is_uppercase) => {
            first.to_lowercase().collect::<String>() + c.as_str()
        }
        _ => label.to_string(),
    }
}

fn check_value(f: &FieldDef, v: &str) -> Result<(), String> {
    let len = v.chars().count();
    if let Some(min) = f.min_length
        && len < min
    {
        return Err(format!("{} must be at least {min} characters.", f.label));
    }
    if len > f.max_length {
        return Err(format!(
            "{} must be at most {} characters.",
            f.label, f.max_length
        ));
    }
    match f.kind {
        FieldKind::Email => {
            crate::domain::EmailAddress::parse(v).map_err(str::to_string)?;
        }
        FieldKind::Url => match url::Url::parse(v) {
            Ok(u) if (u.scheme() == "https" || u.scheme() == "http") && u.host().is_some() => {}
            _ => return Err("Enter a full web address starting with https://.".into()),
        },
        FieldKind::Tel => {
            let digits = v.chars().filter(char::is_ascii_digit).count();
            let allowed = v
                .chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c));
            if !allowed || !(6..=20).contains(&digits) {
                return Err("Enter a telephone number, like +44 20 7946 0000.".into());
            }
        }
        FieldKind::Select => {
            if !f.options.iter().any(|o| o.value() == v) {
                return Err(format!("Choose one of the options for “{}”.", f.label));
            }
        }
        FieldKind::Country => {
            if country_name(v).is_none() {
                return Err("Choose a country from the list.".into());
            }
        }
        FieldKind::Certificate => check_pem_certificate(v)?,
        FieldKind::Authorisation => {
            if crate::domain::psd2::parse_authorisation(v).is_none() {
                return Err("Enter the competent authority and your authorisation number, like “FCA 123456” or “PSDGB-FCA-123456”.".into());
            }
        }
        FieldKind::Text | FieldKind::Textarea | FieldKind::Checkbox => {}
    }
    if let Some(p) = &f.pattern
        && !p.is_match(v)
    {
        return Err(f
            .pattern_message
            .clone()
            .unwrap_or_else(|| format!("{} is not in the expected format.", f.label)));
    }
    Ok(())
}

/// A PEM text holding at least one well-formed CERTIFICATE block.
fn check_pem_certificate(v: &str) -> Result<(), String> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let msg = || {
        "Paste a PEM certificate, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----."
            .to_string()
    };
    let start = v.find(BEGIN).ok_or_else(msg)?;
    let rest = &v[start + BEGIN.len()..];
    let end = rest.find(END).ok_or_else(msg)?;
    let b64: String = rest[..end].split_whitespace().collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| {
            "The certificate is not valid base64 between its BEGIN and END lines.".to_string()
        })?;
    // A DER certificate is a SEQUENCE; anything shorter than a header and a key is not one.
    if der.len() < 100 || der[0] != 0x30 {
        return Err("That text is not a DER certificate inside PEM armour.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::{FieldDef, FieldSpec};

    fn field(toml_src: &str) -> FieldDef {
        let spec: FieldSpec = toml::from_str(toml_src).unwrap();
        FieldDef::from_spec(&spec).unwrap()
    }

    fn form(fields: Vec<FieldDef>) -> FormDefinition {
        FormDefinition { fields }
    }

    fn sub(pairs: &[(&str, &str)]) -> Submission {
        Submission(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn required_text_and_lengths() {
        let f = form(vec![field(
            "name='legal_name'\nlabel='Legal name'\ntype='text'\nrequired=true\nmin_length=2\nmax_length=5",
        )]);
        assert_eq!(
            f.validate(&sub(&[])).unwrap_err()["legal_name"],
            "Enter legal name."
        );
        assert!(
            f.validate(&sub(&[("legal_name", "a")])).unwrap_err()["legal_name"]
                .contains("at least 2")
        );
        assert!(
            f.validate(&sub(&[("legal_name", "abcdef")])).unwrap_err()["legal_name"]
                .contains("at most 5")
        );
        assert_eq!(
            f.validate(&sub(&[("legal_name", " Acme ")])).unwrap()["legal_name"],
            "Acme"
        );
    }

    #[test]
    fn pattern_must_match_the_whole_value() {
        let f = form(vec![field(
            "name='frn'\nlabel='FRN'\ntype='text'\npattern='[0-9]{6}'",
        )]);
        assert!(f.validate(&sub(&[("frn", "1234567")])).is_err());
        assert!(f.validate(&sub(&[("frn", "x123456")])).is_err());
        assert!(f.validate(&sub(&[("frn", "123456")])).is_ok());
        assert!(
            f.validate(&sub(&[("frn", "")])).is_ok(),
            "optional and empty is fine"
        );
    }

    #[test]
    fn kinds_check_their_values() {
        let f = form(vec![
            field("name='w'\nlabel='Website'\ntype='url'"),
            field("name='p'\nlabel='Phone'\ntype='tel'"),
            field("name='c'\nlabel='Country'\ntype='country'"),
            field("name='e'\nlabel='Contact email'\ntype='email'"),
            field("name='s'\nlabel='Size'\ntype='select'\noptions=['S','M']"),
            field(
                "name='r'\nlabel='Roles'\ntype='select'\nmultiple=true\nrequired=true\noptions=['AISP','PISP']",
            ),
            field("name='t'\nlabel='Terms'\ntype='checkbox'\nrequired=true"),
            field("name='x'\nlabel='Certificate'\ntype='certificate'"),
        ]);
        let errs = f
            .validate(&sub(&[
                ("w", "ftp://x"),
                ("p", "call me"),
                ("c", "ZZ"),
                ("e", "nope"),
                ("s", "XL"),
                ("r", "BANK"),
                ("x", "hello"),
            ]))
            .unwrap_err();
        for k in ["w", "p", "c", "e", "s", "r", "t", "x"] {
            assert!(errs.contains_key(k), "{k} should fail");
        }
        let ok = f
            .validate(&sub(&[
                ("w", "https://acme.example"),
                ("p", "+44 20 7946 0000"),
                ("c", "GB"),
                ("e", "ops@acme.example"),
                ("s", "M"),
                ("r", "AISP"),
                ("r", "PISP"),
                ("t", "on"),
            ]))
            .unwrap();
        assert_eq!(ok["r"], serde_json::json!(["AISP", "PISP"]));
        assert_eq!(ok["t"], serde_json::json!(true));
    }
}
