//! One environment's client settings: how the client authenticates (method, keys or certificate
//! subject), where it may redirect, and its scopes. An application keeps its name and
//! description; each environment has its own settings. Sandbox settings are the application's
//! and change at once; production settings are what the bank approved, stored on the production
//! client, and change only through a reviewed request whose proposal is stored as these
//! settings on the workflow instance (key [`SETTINGS_KEY`]).

use super::model::{AuthMethod, ClientMetadata, Scope};
use super::validate::{ClientInput, ClientSpec};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where a workflow instance keeps the settings proposed for production.
pub const SETTINGS_KEY: &str = "settings";
/// Where a change request keeps the settings in force when it was made.
pub const PREVIOUS_KEY: &str = "previous_settings";

/// Client settings for one environment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnvSettings {
    /// `token_endpoint_auth_method`.
    pub auth_method: String,
    /// JWKS URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// Pasted JWKS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<Value>,
    /// Certificate subject DN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_subject_dn: Option<String>,
    /// Redirect URIs.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Scopes.
    #[serde(default)]
    pub scopes: Vec<String>,
}

impl EnvSettings {
    /// The settings part of checked input.
    pub fn of_spec(spec: &ClientSpec) -> Self {
        Self {
            auth_method: spec.auth_method.as_str().into(),
            jwks_uri: spec.jwks_uri.clone(),
            jwks: spec.jwks.clone(),
            tls_subject_dn: spec.tls_subject_dn.clone(),
            redirect_uris: spec.redirect_uris.clone(),
            scopes: spec.scopes.iter().map(|s| s.as_str().to_string()).collect(),
        }
    }

    /// The settings a client's registered metadata holds.
    pub fn of_metadata(meta: &Value) -> Self {
        let m: ClientMetadata = serde_json::from_value(meta.clone()).unwrap_or_default();
        Self {
            auth_method: m.token_endpoint_auth_method.clone(),
            jwks_uri: m.jwks_uri.clone(),
            jwks: m.jwks.clone(),
            tls_subject_dn: m.tls_client_auth_subject_dn.clone(),
            redirect_uris: m.redirect_uris.clone(),
            scopes: m.scopes().iter().map(|s| s.as_str().to_string()).collect(),
        }
    }

    /// The settings stored under `key` of a workflow instance's data, if any.
    pub fn from_data(data: &serde_json::Map<String, Value>, key: &str) -> Option<Self> {
        data.get(key)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }

    /// As JSON, to store on a workflow instance.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The authentication method, when it is one Onramp knows.
    pub fn method(&self) -> Option<AuthMethod> {
        AuthMethod::parse(&self.auth_method)
    }

    /// The scopes Onramp knows.
    pub fn scope_list(&self) -> Vec<Scope> {
        self.scopes.iter().filter_map(|s| Scope::parse(s)).collect()
    }

    /// The registered metadata of a portal client with these settings.
    pub fn metadata(&self, name: &str, logo_uri: Option<String>, software_id: &str) -> Value {
        let m = ClientMetadata {
            client_name: name.to_string(),
            logo_uri,
            redirect_uris: self.redirect_uris.clone(),
            token_endpoint_auth_method: self.auth_method.clone(),
            grant_types: vec!["client_credentials".into()],
            scope: self.scopes.join(" "),
            jwks_uri: self.jwks_uri.clone(),
            jwks: self.jwks.clone(),
            tls_client_auth_subject_dn: self.tls_subject_dn.clone(),
            software_id: Some(software_id.to_string()),
        };
        serde_json::to_value(m).unwrap_or(Value::Null)
    }

    /// The settings as form input, under an application's name (to prefill a form).
    pub fn input(&self, name: &str) -> ClientInput {
        ClientInput {
            name: name.to_string(),
            redirect_uris: self.redirect_uris.join("\n"),
            auth_method: self.auth_method.clone(),
            jwks_uri: self.jwks_uri.clone().unwrap_or_default(),
            jwks: self
                .jwks
                .as_ref()
                .map(|j| serde_json::to_string_pretty(j).unwrap_or_default())
                .unwrap_or_default(),
            tls_subject_dn: self.tls_subject_dn.clone().unwrap_or_default(),
            scopes: self.scopes.clone(),
            ..ClientInput::default()
        }
    }

    /// What differs from `old`, field by field: (field label, old, new), in form order.
    pub fn diff(&self, old: &EnvSettings) -> Vec<(String, String, String)> {
        let show_list = |l: &[String]| {
            if l.is_empty() {
                "(none)".to_string()
            } else {
                l.join(", ")
            }
        };
        let show_opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "(none)".into());
        let show_jwks = |j: &Option<Value>| {
            j.as_ref()
                .map_or_else(|| "(none)".into(), |v| v.to_string())
        };
        let rows = [
            (
                "Authentication method",
                old.auth_method.clone(),
                self.auth_method.clone(),
            ),
            (
                "JWKS URL",
                show_opt(&old.jwks_uri),
                show_opt(&self.jwks_uri),
            ),
            ("JWKS (pasted)", show_jwks(&old.jwks), show_jwks(&self.jwks)),
            (
                "Certificate subject DN",
                show_opt(&old.tls_subject_dn),
                show_opt(&self.tls_subject_dn),
            ),
            (
                "Redirect URIs",
                show_list(&old.redirect_uris),
                show_list(&self.redirect_uris),
            ),
            ("Scopes", show_list(&old.scopes), show_list(&self.scopes)),
        ];
        rows.into_iter()
            .filter(|(_, a, b)| a != b)
            .map(|(l, a, b)| (l.to_string(), a, b))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> EnvSettings {
        EnvSettings {
            auth_method: "tls_client_auth".into(),
            jwks_uri: None,
            jwks: None,
            tls_subject_dn: Some("CN=app,O=Acme".into()),
            redirect_uris: vec!["https://app.example/cb".into()],
            scopes: vec!["accounts".into()],
        }
    }

    #[test]
    fn settings_survive_metadata_and_instance_data() {
        let s = settings();
        assert_eq!(EnvSettings::of_metadata(&s.metadata("App", None, "x")), s);
        let mut data = serde_json::Map::new();
        data.insert(SETTINGS_KEY.into(), s.to_value());
        assert_eq!(EnvSettings::from_data(&data, SETTINGS_KEY), Some(s));
        assert_eq!(EnvSettings::from_data(&data, PREVIOUS_KEY), None);
    }

    #[test]
    fn the_diff_names_only_what_changed() {
        let old = settings();
        let mut new = settings();
        assert!(new.diff(&old).is_empty());
        new.scopes.push("payments".into());
        new.tls_subject_dn = Some("CN=app2,O=Acme".into());
        let d = new.diff(&old);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].0, "Certificate subject DN");
        assert_eq!(d[0].1, "CN=app,O=Acme");
        assert_eq!(d[0].2, "CN=app2,O=Acme");
        assert_eq!(
            d[1],
            (
                "Scopes".into(),
                "accounts".into(),
                "accounts, payments".into()
            )
        );
    }
}
