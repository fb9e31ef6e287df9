//! Field definitions as written in workflow files, and their checked, compiled form.

use regex::Regex;
use serde::Deserialize;

/// The kinds of field a form may hold (CONTRACT.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// One line of text.
    Text,
    /// An email address.
    Email,
    /// An http(s) URL.
    Url,
    /// A telephone number.
    Tel,
    /// Several lines of text.
    Textarea,
    /// One (or, with `multiple`, several) of fixed options.
    Select,
    /// A tick box.
    Checkbox,
    /// An ISO 3166 country.
    Country,
    /// A PEM certificate.
    Certificate,
    /// A competent authority and an authorisation number (`FCA 123456`, `PSDGB-FCA-123456`).
    Authorisation,
}

impl FieldKind {
    /// Parses a `type` value.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "text" => Self::Text,
            "email" => Self::Email,
            "url" => Self::Url,
            "tel" => Self::Tel,
            "textarea" => Self::Textarea,
            "select" => Self::Select,
            "checkbox" => Self::Checkbox,
            "country" => Self::Country,
            "certificate" => Self::Certificate,
            "authorisation" => Self::Authorisation,
            _ => return None,
        })
    }

    /// The name used in templates.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Email => "email",
            Self::Url => "url",
            Self::Tel => "tel",
            Self::Textarea => "textarea",
            Self::Select => "select",
            Self::Checkbox => "checkbox",
            Self::Country => "country",
            Self::Certificate => "certificate",
            Self::Authorisation => "authorisation",
        }
    }

    fn default_max_length(self) -> usize {
        match self {
            Self::Textarea => 5_000,
            Self::Certificate => 20_000,
            Self::Url => 2_000,
            _ => 500,
        }
    }
}

/// A select option: a bare string (value = label) or `{ value, label }`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum SelectOption {
    /// Value and label alike.
    Plain(String),
    /// Distinct value and label.
    Labelled {
        /// Submitted value.
        value: String,
        /// Shown text.
        label: String,
    },
}

impl SelectOption {
    /// The submitted value.
    pub fn value(&self) -> &str {
        match self {
            Self::Plain(v) | Self::Labelled { value: v, .. } => v,
        }
    }

    /// The shown text.
    pub fn label(&self) -> &str {
        match self {
            Self::Plain(v) => v,
            Self::Labelled { label, .. } => label,
        }
    }
}

/// A field as written in a workflow file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Form name (letters, digits, `_`).
    pub name: String,
    /// Label shown to the user.
    pub label: String,
    /// One of the [`FieldKind`] names.
    #[serde(rename = "type")]
    pub kind: String,
    /// Must be filled (or ticked).
    #[serde(default)]
    pub required: bool,
    /// Help text under the label.
    pub help: Option<String>,
    /// A regex the whole value must match.
    pub pattern: Option<String>,
    /// Message shown when `pattern` does not match.
    pub pattern_message: Option<String>,
    /// Fewest characters.
    pub min_length: Option<usize>,
    /// Most characters.
    pub max_length: Option<usize>,
    /// Options of a `select`.
    #[serde(default)]
    pub options: Vec<SelectOption>,
    /// A `select` that takes several options (rendered as tick boxes).
    #[serde(default)]
    pub multiple: bool,
    /// Placeholder text.
    pub placeholder: Option<String>,
    /// Browser autocomplete hint.
    pub autocomplete: Option<String>,
}

/// A checked field, ready to validate submissions.
#[derive(Clone, Debug)]
pub struct FieldDef {
    /// Form name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Kind.
    pub kind: FieldKind,
    /// Must be filled.
    pub required: bool,
    /// Help text.
    pub help: Option<String>,
    /// Anchored pattern.
    pub pattern: Option<Regex>,
    /// Message for a pattern mismatch.
    pub pattern_message: Option<String>,
    /// Fewest characters.
    pub min_length: Option<usize>,
    /// Most characters.
    pub max_length: usize,
    /// Select options.
    pub options: Vec<SelectOption>,
    /// Several options may be chosen.
    pub multiple: bool,
    /// Placeholder.
    pub placeholder: Option<String>,
    /// Autocomplete hint.
    pub autocomplete: Option<String>,
}

/// Names the portal uses itself; a form field may not take them.
pub const RESERVED_NAMES: &[&str] = &[
    "email",
    "password",
    "password_confirm",
    "csrf_token",
    "version",
    "action",
    "comment",
];

impl FieldDef {
    /// Checks a spec and compiles it; the error says what is wrong with this field.
    pub fn from_spec(spec: &FieldSpec) -> Result<Self, String> {
        let name_ok = !spec.name.is_empty()
            && spec.name.len() <= 64
            && spec
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !name_ok {
            return Err(format!(
                "field name `{}` must be 1 to 64 letters, digits or underscores",
                spec.name
            ));
        }
        if RESERVED_NAMES.contains(&spec.name.as_str()) {
            return Err(format!(
                "field name `{}` is reserved by the portal",
                spec.name
            ));
        }
        if spec.label.trim().is_empty() {
            return Err(format!("field `{}` needs a label", spec.name));
        }
        let kind = FieldKind::parse(&spec.kind).ok_or_else(|| {
            format!(
                "field `{}` has unknown type `{}` (known: text, email, url, tel, textarea, \
                 select, checkbox, country, certificate, authorisation)",
                spec.name, spec.kind
            )
        })?;
        let pattern = match &spec.pattern {
            Some(p) => Some(
                Regex::new(&format!("^(?:{p})$"))
                    .map_err(|e| format!("field `{}`: pattern does not compile: {e}", spec.name))?,
            ),
            None => None,
        };
        if kind == FieldKind::Select && spec.options.is_empty() {
            return Err(format!("select field `{}` needs options", spec.name));
        }
        if kind != FieldKind::Select && (!spec.options.is_empty() || spec.multiple) {
            return Err(format!(
                "field `{}`: options and multiple apply to select fields only",
                spec.name
            ));
        }
        let max_length = spec.max_length.unwrap_or(kind.default_max_length());
        if let Some(min) = spec.min_length
            && min > max_length
        {
            return Err(format!(
                "field `{}`: min_length {min} is above max_length {max_length}",
                spec.name
            ));
        }
        Ok(Self {
            name: spec.name.clone(),
            label: spec.label.clone(),
            kind,
            required: spec.required,
            help: spec.help.clone(),
            pattern,
            pattern_message: spec.pattern_message.clone(),
            min_length: spec.min_length,
            max_length,
            options: spec.options.clone(),
            multiple: spec.multiple,
            placeholder: spec.placeholder.clone(),
            autocomplete: spec.autocomplete.clone(),
        })
    }
}

/// An ordered list of checked fields.
#[derive(Clone, Debug, Default)]
pub struct FormDefinition {
    /// Fields in display order.
    pub fields: Vec<FieldDef>,
}

impl FormDefinition {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }
}
