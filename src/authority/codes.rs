//! The authority-code table (decision 3): one competent authority under its certificate form
//! (`FI-FINFSA`), its EBA form (`FI_FIN-FSA`), its older forms (`LV-FCMC`) and the short names
//! people type (`FCA`). Shipped as data (`codes.toml`), extendable by the bank.

use serde::Deserialize;
use std::path::Path;

const SHIPPED: &str = include_str!("codes.toml");

/// One competent authority.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Nca {
    /// Its certificate form, the canonical id (`GB-FCA`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its EBA register form (`CA_OwnerID`).
    #[serde(default)]
    pub eba: Option<String>,
    /// Older certificate forms.
    #[serde(default)]
    pub older: Vec<String>,
    /// Short names and directory codes.
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    version: u32,
    #[serde(default)]
    authority: Vec<Nca>,
}

/// The table.
#[derive(Clone, Debug, Default)]
pub struct AuthorityCodes {
    list: Vec<Nca>,
    /// The shipped table's version.
    pub version: u32,
}

fn key(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase()
}

impl AuthorityCodes {
    /// The shipped table, extended by `extra` (a file in the same format) when given.
    pub fn load(extra: Option<&Path>) -> Result<Self, String> {
        let shipped: File =
            toml::from_str(SHIPPED).map_err(|e| format!("shipped authority codes: {e}"))?;
        let mut codes = Self {
            list: shipped.authority,
            version: shipped.version,
        };
        if let Some(path) = extra {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("authority.codes_file {}: {e}", path.display()))?;
            let more: File = toml::from_str(&text)
                .map_err(|e| format!("authority.codes_file {}: {e}", path.display()))?;
            for nca in more.authority {
                codes.list.retain(|n| n.id != nca.id);
                codes.list.push(nca);
            }
        }
        Ok(codes)
    }

    /// The shipped table alone.
    pub fn shipped() -> Self {
        Self::load(None).unwrap_or_default()
    }

    /// The authority `text` names in any of its forms; a bare short name (`FCA`) is tried with
    /// `country` (`GB`) as well. Punctuation and case are ignored.
    pub fn find(&self, text: &str, country: Option<&str>) -> Option<&Nca> {
        let k = key(text);
        if k.is_empty() {
            return None;
        }
        let hit = |n: &&Nca| {
            key(&n.id) == k
                || n.eba.as_deref().is_some_and(|e| key(e) == k)
                || n.older.iter().any(|o| key(o) == k)
                || n.aliases.iter().any(|a| key(a) == k)
        };
        self.list.iter().find(hit).or_else(|| {
            let cc = key(country?);
            self.list.iter().find(|n| key(&n.id) == format!("{cc}{k}"))
        })
    }

    /// The canonical (certificate-form) id of `text`, or `text` tidied when the table does not
    /// know it (`xx_abc` → `XX-ABC`), so that unknown authorities still compare.
    pub fn canonical(&self, text: &str, country: Option<&str>) -> String {
        match self.find(text, country) {
            Some(n) => n.id.clone(),
            None => text.trim().to_ascii_uppercase().replacen('_', "-", 1),
        }
    }

    /// Whether two writings name the same authority.
    pub fn same(&self, a: &str, b: &str, country: Option<&str>) -> bool {
        self.canonical(a, country) == self.canonical(b, country)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_an_authority_finds_the_same_row() {
        let c = AuthorityCodes::shipped();
        assert!(c.version >= 1);
        assert_eq!(c.canonical("FI_FIN-FSA", None), "FI-FINFSA");
        assert_eq!(c.canonical("FI-FINFSA", None), "FI-FINFSA");
        assert_eq!(c.canonical("LV-FCMC", None), "LV-BL");
        assert_eq!(c.canonical("LV_LV", None), "LV-BL");
        assert_eq!(c.canonical("FCA", Some("GB")), "GB-FCA");
        assert!(c.same("IE_CBI", "IE-CBI", None));
        assert!(!c.same("IE-CBI", "IS-CBI", None));
        assert_eq!(c.canonical("xx_abc", None), "XX-ABC");
    }
}
