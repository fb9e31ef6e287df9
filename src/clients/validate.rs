//! The one validator of client metadata. The portal's application form, the console and DCR all
//! pass through it, each with its [`Context`], so a rule holds wherever a client comes from.

use super::model::{AuthMethod, Environment, Scope};
use crate::forms::FieldErrors;

/// What the caller allows.
#[derive(Clone, Debug)]
pub struct Context {
    /// The environment the metadata is for; `None` for an application that may get both
    /// (then `http://localhost` redirect URIs are accepted, and refused later for production).
    pub environment: Option<Environment>,
    /// Authentication methods the bank accepts here.
    pub auth_methods: Vec<AuthMethod>,
    /// Scopes the organisation may have; `None` when its roles are not declared yet.
    pub scopes: Option<Vec<Scope>>,
}

/// Client settings as typed into a form (or read from a request).
#[derive(Clone, Debug, Default)]
pub struct ClientInput {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Logo URL.
    pub logo_uri: String,
    /// Redirect URIs, one per line.
    pub redirect_uris: String,
    /// `token_endpoint_auth_method`.
    pub auth_method: String,
    /// JWKS URL.
    pub jwks_uri: String,
    /// Pasted JWKS.
    pub jwks: String,
    /// Certificate subject DN.
    pub tls_subject_dn: String,
    /// Chosen scopes.
    pub scopes: Vec<String>,
}

impl ClientInput {
    /// The typed values of a submitted form (field names as in the application form).
    pub fn from_submission(sub: &crate::forms::Submission) -> Self {
        let get = |k: &str| sub.get(k).unwrap_or_default().to_string();
        Self {
            name: get("name"),
            description: get("description"),
            logo_uri: get("logo_uri"),
            redirect_uris: get("redirect_uris"),
            auth_method: get("auth_method"),
            jwks_uri: get("jwks_uri"),
            jwks: get("jwks"),
            tls_subject_dn: get("tls_subject_dn"),
            scopes: sub.all("scopes").into_iter().map(str::to_string).collect(),
        }
    }
}

/// Checked client settings.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientSpec {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Logo URL.
    pub logo_uri: Option<String>,
    /// Redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Authentication method.
    pub auth_method: AuthMethod,
    /// JWKS URL.
    pub jwks_uri: Option<String>,
    /// Pasted JWKS.
    pub jwks: Option<serde_json::Value>,
    /// Certificate subject DN.
    pub tls_subject_dn: Option<String>,
    /// Scopes.
    pub scopes: Vec<Scope>,
}

/// Whether a URL points at this machine: `localhost` (or a name under it), 127.0.0.0/8 or `::1`.
/// The one definition the portal, the sandbox directory and DCR share.
pub fn is_localhost(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Checks one redirect URI: absolute, https (or http on localhost where allowed), no fragment.
/// The one redirect-URI rule: the portal's application form and production settings, the
/// sandbox directory and DCR all call it (`localhost_ok` only for sandbox portal clients).
pub fn check_redirect_uri(raw: &str, localhost_ok: bool) -> Result<String, String> {
    let u = url::Url::parse(raw).map_err(|_| format!("“{raw}” is not an absolute URL."))?;
    if u.fragment().is_some() {
        return Err(format!("“{raw}” must not contain a fragment (#…)."));
    }
    match u.scheme() {
        _ if is_localhost(&u) && !localhost_ok => Err(format!(
            "“{raw}”: localhost is allowed in the sandbox only."
        )),
        "https" if u.host().is_some() => Ok(u.to_string()),
        "http" if is_localhost(&u) => Ok(u.to_string()),
        _ => Err(format!("“{raw}” must use https://.")),
    }
}

/// Checks a pasted JWKS: a JSON object with a non-empty `keys` array of public keys.
pub fn check_jwks(text: &str) -> Result<serde_json::Value, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("The JWKS is not valid JSON: {e}."))?;
    let keys = v
        .get("keys")
        .and_then(|k| k.as_array())
        .filter(|k| !k.is_empty())
        .ok_or("The JWKS needs a non-empty \"keys\" array.")?;
    for k in keys {
        if k.get("kty").and_then(|t| t.as_str()).is_none() {
            return Err("Every key in the JWKS needs a \"kty\".".into());
        }
        if ["d", "p", "q", "dp", "dq", "qi", "k"]
            .iter()
            .any(|f| k.get(*f).is_some())
        {
            return Err("The JWKS contains private key material: paste public keys only.".into());
        }
    }
    Ok(v)
}

/// Validates client settings; errors are keyed by form field name.
pub fn validate(input: &ClientInput, ctx: &Context) -> Result<ClientSpec, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = input.name.trim().to_string();
    if name.is_empty() {
        errors.insert("name".into(), "Enter a name for the application.".into());
    } else if name.chars().count() > 100 {
        errors.insert(
            "name".into(),
            "Use at most 100 characters for the name.".into(),
        );
    }
    let description = input.description.trim().to_string();
    if description.chars().count() > 2000 {
        errors.insert("description".into(), "Use at most 2000 characters.".into());
    }
    let logo_uri = match input.logo_uri.trim() {
        "" => None,
        raw => match url::Url::parse(raw) {
            Ok(u) if u.scheme() == "https" && u.host().is_some() => Some(u.to_string()),
            _ => {
                errors.insert(
                    "logo_uri".into(),
                    "The logo URL must start with https://.".into(),
                );
                None
            }
        },
    };
    let localhost_ok = ctx.environment != Some(Environment::Production);
    let mut redirect_uris = Vec::new();
    for raw in input
        .redirect_uris
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        match check_redirect_uri(raw, localhost_ok) {
            Ok(u) if !redirect_uris.contains(&u) => redirect_uris.push(u),
            Ok(_) => {}
            Err(m) => {
                errors.entry("redirect_uris".into()).or_insert(m);
            }
        }
    }
    // None is fine: a client-credentials-only client never redirects anyone.
    let auth_method = match AuthMethod::parse(input.auth_method.trim()) {
        Some(m) if ctx.auth_methods.contains(&m) => Some(m),
        Some(m) => {
            errors.insert(
                "auth_method".into(),
                format!("The bank does not accept {} here.", m.as_str()),
            );
            None
        }
        None => {
            errors.insert(
                "auth_method".into(),
                "Choose how the client authenticates.".into(),
            );
            None
        }
    };
    let jwks_uri = match input.jwks_uri.trim() {
        "" => None,
        raw => match url::Url::parse(raw) {
            Ok(u) if u.scheme() == "https" && u.host().is_some() => Some(u.to_string()),
            _ => {
                errors.insert(
                    "jwks_uri".into(),
                    "The JWKS URL must start with https://.".into(),
                );
                None
            }
        },
    };
    let jwks = match input.jwks.trim() {
        "" => None,
        text => match check_jwks(text) {
            Ok(v) => Some(v),
            Err(m) => {
                errors.insert("jwks".into(), m);
                None
            }
        },
    };
    let dn = input.tls_subject_dn.trim();
    let tls_subject_dn = (!dn.is_empty()).then(|| dn.to_string());
    match auth_method {
        Some(AuthMethod::PrivateKeyJwt)
            if jwks_uri.is_none()
                && jwks.is_none()
                && !errors.contains_key("jwks_uri")
                && !errors.contains_key("jwks") =>
        {
            errors.insert(
                "jwks_uri".into(),
                "private_key_jwt needs your public keys: give a JWKS URL or paste a JWKS.".into(),
            );
        }
        Some(AuthMethod::PrivateKeyJwt) if jwks_uri.is_some() && jwks.is_some() => {
            errors.insert(
                "jwks".into(),
                "Give a JWKS URL or a pasted JWKS, not both.".into(),
            );
        }
        Some(AuthMethod::TlsClientAuth) if tls_subject_dn.is_none() => {
            errors.insert(
                "tls_subject_dn".into(),
                "tls_client_auth needs the subject DN of your transport certificate.".into(),
            );
        }
        _ => {}
    }
    let mut scopes = Vec::new();
    for s in &input.scopes {
        match Scope::parse(s) {
            Some(sc) if !scopes.contains(&sc) => scopes.push(sc),
            Some(_) => {}
            None => {
                errors.insert("scopes".into(), format!("Unknown scope “{s}”."));
            }
        }
    }
    if scopes.is_empty() && !errors.contains_key("scopes") {
        errors.insert("scopes".into(), "Choose at least one scope.".into());
    }
    if let Some(allowed) = &ctx.scopes
        && let Some(bad) = scopes.iter().find(|s| !allowed.contains(s))
    {
        errors.insert(
                "scopes".into(),
                format!(
                    "Your organisation is not approved for the {} role, so it cannot have the “{}” scope.",
                    bad.role(),
                    bad.as_str()
                ),
            );
    }
    scopes.sort();
    match (errors.is_empty(), auth_method) {
        (true, Some(auth_method)) => Ok(ClientSpec {
            name,
            description,
            logo_uri,
            redirect_uris,
            auth_method,
            jwks_uri,
            jwks,
            tls_subject_dn,
            scopes,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context {
            environment: None,
            auth_methods: AuthMethod::ALL.to_vec(),
            scopes: Some(vec![Scope::Accounts]),
        }
    }

    fn input() -> ClientInput {
        ClientInput {
            name: "Budget app".into(),
            redirect_uris: "https://app.example/cb\nhttp://localhost:3000/cb".into(),
            auth_method: "client_secret_basic".into(),
            scopes: vec!["accounts".into()],
            ..Default::default()
        }
    }

    #[test]
    fn one_localhost_rule_for_every_path() {
        for local in [
            "http://localhost:3000/cb",
            "https://LOCALHOST/cb",
            "https://app.localhost/cb",
            "https://127.0.0.2/cb",
            "https://[::1]:8443/cb",
        ] {
            assert!(check_redirect_uri(local, false).is_err(), "{local}");
        }
        assert!(check_redirect_uri("http://127.0.0.1:3000/cb", true).is_ok());
        assert!(check_redirect_uri("http://app.example/cb", true).is_err());
        assert!(check_redirect_uri("https://localhost.example/cb", false).is_ok());
    }

    #[test]
    fn a_plain_application_passes() {
        let spec = validate(&input(), &ctx()).unwrap();
        assert_eq!(spec.redirect_uris.len(), 2);
        let mut production = ctx();
        production.environment = Some(Environment::Production);
        let errors = validate(&input(), &production).unwrap_err();
        assert!(errors["redirect_uris"].contains("localhost"), "{errors:?}");
    }

    #[test]
    fn each_rule_refuses_its_case() {
        type Change = Box<dyn Fn(&mut ClientInput)>;
        let cases: Vec<(Change, &str)> = vec![
            (Box::new(|i| i.name.clear()), "name"),
            (
                Box::new(|i| i.redirect_uris = "http://app.example/cb".into()),
                "redirect_uris",
            ),
            (
                Box::new(|i| i.redirect_uris = "https://app.example/cb#x".into()),
                "redirect_uris",
            ),
            (
                Box::new(|i| i.redirect_uris = "ftp://x.example/cb".into()),
                "redirect_uris",
            ),
            (Box::new(|i| i.auth_method = "none".into()), "auth_method"),
            (
                Box::new(|i| i.auth_method = "private_key_jwt".into()),
                "jwks_uri",
            ),
            (
                Box::new(|i| i.auth_method = "tls_client_auth".into()),
                "tls_subject_dn",
            ),
            (Box::new(|i| i.scopes = vec!["payments".into()]), "scopes"),
            (Box::new(|i| i.scopes.clear()), "scopes"),
            (
                Box::new(|i| i.jwks = r#"{"keys":[{"kty":"EC","d":"x"}]}"#.into()),
                "jwks",
            ),
            (
                Box::new(|i| i.logo_uri = "http://x.example/l.png".into()),
                "logo_uri",
            ),
        ];
        for (change, field) in cases {
            let mut i = input();
            change(&mut i);
            let errs = validate(&i, &ctx()).unwrap_err();
            assert!(errs.contains_key(field), "{field}: {errs:?}");
        }
    }

    #[test]
    fn production_context_refuses_localhost() {
        let c = Context {
            environment: Some(Environment::Production),
            ..ctx()
        };
        assert!(
            validate(&input(), &c)
                .unwrap_err()
                .contains_key("redirect_uris")
        );
    }
}
