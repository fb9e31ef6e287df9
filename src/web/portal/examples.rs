//! Copy-ready shell examples for a sandbox client: get a token and call the sandbox Account
//! Information API. They need only `curl` (the token is cut out of the answer with `sed`, no
//! `jq`), use the TLS listener's URL for certificate-based clients, and carry the real client
//! secret when the page knows it (right after it was made, shown once).

use crate::clients::AuthMethod;
use crate::config::Settings;
use crate::store::clients::ClientRecord;

/// An example and what a person needs to know to run it.
pub struct Example {
    /// The shell text, runnable as pasted.
    pub text: String,
    /// What it needs, in words.
    pub needs: String,
    /// A reason it cannot work on this server as configured, if any.
    pub blocked: Option<String>,
}

const CUT_TOKEN: &str = r#"sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'"#;

/// The example for `c` (a sandbox client), with its secret when known; an empty `scope` asks
/// for every registered scope.
pub fn sandbox_example(
    settings: &Settings,
    c: &ClientRecord,
    scope: &str,
    secret: Option<&str>,
) -> Example {
    let id = c.client_id.as_str();
    let mtls = c.auth_method == AuthMethod::TlsClientAuth;
    let base = if mtls {
        settings.mtls_base_url()
    } else {
        settings.base_url()
    };
    let token = format!("{base}/token");
    let api = format!("{base}/sandbox/open-banking/v3.1/aisp/accounts");
    let set_secret = match secret {
        Some(s) => format!("CLIENT_SECRET='{s}'\n"),
        None => "# Your client secret (shown once when it was made), then Enter:\nread -rs CLIENT_SECRET\n"
            .to_string(),
    };
    let grant = if scope.is_empty() {
        "-d grant_type=client_credentials".to_string()
    } else {
        format!("-d grant_type=client_credentials --data-urlencode 'scope={scope}'")
    };
    let (prelude, get_token) = match c.auth_method {
        AuthMethod::ClientSecretBasic => (
            set_secret,
            format!("curl -s -u \"{id}:$CLIENT_SECRET\" {grant} \\\n  {token}"),
        ),
        AuthMethod::ClientSecretPost => (
            set_secret,
            format!(
                "curl -s {grant} \\\n  -d client_id={id} --data-urlencode \"client_secret=$CLIENT_SECRET\" \\\n  {token}"
            ),
        ),
        AuthMethod::TlsClientAuth => (
            "# transport.pem and transport.key: your transport certificate (its subject DN is the\n# one registered) and its key.\n".to_string(),
            format!(
                "curl -s --cert transport.pem --key transport.key {grant} -d client_id={id} \\\n  {token}"
            ),
        ),
        _ => (
            format!(
                "# ASSERTION: a JWT you sign with a key of your JWKS (ES256 or PS256, with its kid):\n#   {{\"iss\":\"{id}\",\"sub\":\"{id}\",\"aud\":\"{token}\",\n#    \"jti\":\"<unique>\",\"iat\":<now>,\"exp\":<now + at most 3600>}}\n"
            ),
            format!(
                "curl -s {grant} \\\n  -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \\\n  --data-urlencode \"client_assertion=$ASSERTION\" \\\n  {token}"
            ),
        ),
    };
    let cert = if mtls {
        "--cert transport.pem --key transport.key "
    } else {
        ""
    };
    let text = format!(
        "{prelude}TOKEN=$({get_token} \\\n  | {CUT_TOKEN})\ncurl -s {cert}-H \"Authorization: Bearer $TOKEN\" \\\n  {api}"
    );
    let needs = if mtls {
        "curl, and your transport certificate and key"
    } else {
        "curl"
    };
    let blocked = (mtls && settings.tls.is_none()).then(|| {
        "This client proves itself with a certificate over mutual TLS, and this bank's Onramp \
         has no TLS listener configured (`[tls]`): ask the bank to set one up, or use a \
         secret-based method in the sandbox."
            .to_string()
    });
    Example {
        text,
        needs: needs.to_string(),
        blocked,
    }
}
