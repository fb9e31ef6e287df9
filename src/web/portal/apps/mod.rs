//! The TPP's applications: list, create, edit, delete, and each application's page with its
//! keys.

pub mod edit;
pub mod list;
pub mod show;

use crate::applications::service::org_scopes;
use crate::clients::validate::ClientInput;
use crate::clients::{Environment, Scope};
use crate::forms::{
    FieldDef, FieldErrors, FieldSpec, FieldView, FormDefinition, SelectOption, Submission,
};
use crate::state::AppState;
use crate::store::organisations::OrganisationRecord;

fn spec(name: &str, label: &str, kind: &str, required: bool, help: &str) -> FieldSpec {
    FieldSpec {
        name: name.into(),
        label: label.into(),
        kind: kind.into(),
        required,
        help: (!help.is_empty()).then(|| help.into()),
        pattern: None,
        pattern_message: None,
        min_length: None,
        max_length: None,
        options: Vec::new(),
        multiple: false,
        placeholder: None,
        autocomplete: None,
    }
}

/// The fields of one environment's client settings, with the methods the bank accepts there
/// and the scopes the organisation's roles allow (`roles`, or every scope when none are
/// declared yet).
pub fn settings_specs(
    st: &AppState,
    env: Environment,
    roles: Option<Vec<Scope>>,
) -> Vec<FieldSpec> {
    let methods = st.settings.keys.methods(env);
    let help = match env {
        Environment::Sandbox => format!(
            "For the sandbox. Production keys get settings of their own when you request them; production accepts: {}.",
            st.settings
                .keys
                .methods(Environment::Production)
                .iter()
                .map(|m| m.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Environment::Production => "Production accepts only these (FAPI: no shared secrets). Tokens are then issued over mutual TLS and bound to your certificate.".to_string(),
    };
    let mut auth = spec(
        "auth_method",
        "Token endpoint authentication",
        "select",
        true,
        &help,
    );
    auth.options = methods
        .iter()
        .map(|m| SelectOption::Labelled {
            value: m.as_str().into(),
            label: m.label().into(),
        })
        .collect();
    let allowed = roles.unwrap_or_else(|| Scope::ALL.to_vec());
    let mut scopes = spec(
        "scopes",
        "Scopes",
        "select",
        true,
        "Limited to the roles your organisation is authorised for.",
    );
    scopes.multiple = true;
    scopes.options = allowed
        .iter()
        .map(|s| SelectOption::Labelled {
            value: s.as_str().into(),
            label: format!("{} ({})", s.as_str(), s.role()),
        })
        .collect();
    let redirect_help = match env {
        Environment::Sandbox => {
            "Only if your software sends customers through an authorisation redirect; not needed \
             for client credentials alone. One per line. https:// only; http://localhost is \
             accepted for the sandbox."
        }
        Environment::Production => {
            "Only if your software sends customers through an authorisation redirect; not needed \
             for client credentials alone. One per line, https:// only (no localhost)."
        }
    };
    vec![
        spec(
            "redirect_uris",
            "Redirect URIs",
            "textarea",
            false,
            redirect_help,
        ),
        auth,
        spec(
            "jwks_uri",
            "JWKS URL",
            "url",
            false,
            "For private_key_jwt: where your public keys are published.",
        ),
        spec(
            "jwks",
            "JWKS (pasted)",
            "textarea",
            false,
            "For private_key_jwt, instead of a URL: your public keys as a JSON Web Key Set.",
        ),
        spec(
            "tls_subject_dn",
            "Certificate subject DN",
            "text",
            false,
            "For tls_client_auth: the subject of your transport certificate, e.g. CN=app,O=Acme Ltd,C=GB.",
        ),
        scopes,
    ]
}

/// Field specs as a form.
pub fn definition(specs: &[FieldSpec]) -> FormDefinition {
    FormDefinition {
        fields: specs
            .iter()
            .filter_map(|s| FieldDef::from_spec(s).ok())
            .collect(),
    }
}

/// The application form: name, description, logo and the sandbox settings.
pub fn form_definition(st: &AppState, org: &OrganisationRecord) -> FormDefinition {
    let mut specs = vec![
        spec(
            "name",
            "Application name",
            "text",
            true,
            "Shown to the bank's customers.",
        ),
        spec("description", "Description", "textarea", false, ""),
        spec(
            "logo_uri",
            "Logo URL",
            "url",
            false,
            "An https:// address of a square image.",
        ),
    ];
    specs.extend(settings_specs(st, Environment::Sandbox, org_scopes(org)));
    definition(&specs)
}

/// The form's typed values as the validator's input.
pub fn input_from(sub: &Submission) -> ClientInput {
    ClientInput::from_submission(sub)
}

/// Validator input back as a submission (to prefill a form).
pub fn submission_from(i: &ClientInput) -> Submission {
    let mut pairs = vec![
        ("name".to_string(), i.name.clone()),
        ("description".into(), i.description.clone()),
        ("logo_uri".into(), i.logo_uri.clone()),
        ("redirect_uris".into(), i.redirect_uris.clone()),
        ("auth_method".into(), i.auth_method.clone()),
        ("jwks_uri".into(), i.jwks_uri.clone()),
        ("jwks".into(), i.jwks.clone()),
        ("tls_subject_dn".into(), i.tls_subject_dn.clone()),
    ];
    pairs.extend(i.scopes.iter().map(|s| ("scopes".to_string(), s.clone())));
    Submission(pairs)
}

/// The fields to draw and the error summary.
pub fn fields(
    def: &FormDefinition,
    sub: &Submission,
    errors: &FieldErrors,
) -> (Vec<FieldView>, Vec<(String, String, String)>) {
    let fields = def.view(sub, errors);
    let summary = fields
        .iter()
        .filter(|f| f.has_error())
        .map(|f| (f.id.clone(), f.label.clone(), f.error.clone()))
        .collect();
    (fields, summary)
}
