//! The EBA PSD2 register file (spec/authority.md section 1), read as a stream: the top level
//! is `[[disclaimer], [entity, …]]`; every element with `EntityCode` and `EntityType` is an
//! entity, read and dropped one at a time. Only institutions are kept (agents, branches and
//! the out-of-scope `PSD_EXC` are skipped). `ENT_AUT` of odd length means authorised, even
//! length withdrawn on its last date. Services `PS_080` → AISP, `PS_070` → PISP, and `PS_05A`
//! → CBPII only when the bank says so (decision 2).

use super::codes::AuthorityCodes;
use crate::domain::evidence::Source;
use crate::store::authority::RegisterEntry;
use serde::de::{DeserializeSeed, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Read;

/// One element of an inner array: an entity when it has `EntityCode` and `EntityType`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Element {
    #[serde(rename = "CA_OwnerID")]
    owner: Option<String>,
    #[serde(rename = "EntityCode")]
    code: Option<String>,
    #[serde(rename = "EntityType")]
    kind: Option<String>,
    #[serde(rename = "Properties")]
    properties: Vec<serde_json::Map<String, Value>>,
    #[serde(rename = "Services")]
    services: Vec<serde_json::Map<String, Value>>,
}

/// Entity types that are not institutions with an authorisation of their own.
const SKIPPED: &[&str] = &["PSD_AG", "PSD_BR", "PSD_EXC"];

/// What the reader keeps.
pub struct Options<'a> {
    /// The authority codes (EBA `CA_OwnerID` → certificate form).
    pub codes: &'a AuthorityCodes,
    /// `authority.eba_cbpii_from_ps05a`.
    pub cbpii_from_ps05a: bool,
}

fn texts(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

impl Element {
    fn property(&self, key: &str) -> Vec<String> {
        self.properties
            .iter()
            .filter_map(|p| p.get(key))
            .flat_map(texts)
            .collect()
    }

    fn entry(self, o: &Options<'_>) -> Option<RegisterEntry> {
        let kind = self.kind.clone()?;
        self.code.as_ref()?;
        if SKIPPED.contains(&kind.as_str()) {
            return None;
        }
        let number = self.property("ENT_NAT_REF_COD").into_iter().next()?;
        let dates = self.property("ENT_AUT");
        let withdrawn = !dates.is_empty() && dates.len().is_multiple_of(2);
        let mut roles = BTreeSet::new();
        for service in self
            .services
            .iter()
            .flat_map(|m| m.values())
            .flat_map(texts)
        {
            match service.as_str() {
                "PS_080" => roles.insert("AISP"),
                "PS_070" => roles.insert("PISP"),
                "PS_05A" if o.cbpii_from_ps05a => roles.insert("CBPII"),
                _ => false,
            };
        }
        if kind == "PSD_AISP" {
            roles.insert("AISP");
        }
        Some(RegisterEntry {
            register: Source::Eba,
            authority: o
                .codes
                .canonical(self.owner.as_deref().unwrap_or_default(), None),
            number,
            name: self.property("ENT_NAM").join(" / "),
            status: if withdrawn { "withdrawn" } else { "authorised" }.into(),
            roles: roles.into_iter().map(str::to_string).collect(),
            entity_type: kind,
            authorised_since: dates.first().cloned(),
            withdrawn_at: withdrawn.then(|| dates.last().cloned()).flatten(),
        })
    }
}

struct Outer<'o, 'a> {
    options: &'o Options<'a>,
    out: &'o mut Vec<RegisterEntry>,
}

impl<'de> Visitor<'de> for Outer<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the EBA register: an array of arrays")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(Inner {
                options: self.options,
                out: &mut *self.out,
            })?
            .is_some()
        {}
        Ok(())
    }
}

struct Inner<'o, 'a> {
    options: &'o Options<'a>,
    out: &'o mut Vec<RegisterEntry>,
}

impl<'de> DeserializeSeed<'de> for Inner<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Inner<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an array of entities")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(e) = seq.next_element::<Element>()? {
            if let Some(entry) = e.entry(self.options) {
                self.out.push(entry);
            }
        }
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

/// Reads the register from `reader` (the JSON, not its ZIP), keeping institutions only.
pub fn read(reader: impl Read, options: &Options<'_>) -> Result<Vec<RegisterEntry>, String> {
    let mut out = Vec::new();
    let mut de = serde_json::Deserializer::from_reader(std::io::BufReader::new(reader));
    de.deserialize_seq(Outer {
        options,
        out: &mut out,
    })
    .map_err(|e| format!("not the EBA register's JSON: {e}"))?;
    Ok(out)
}
