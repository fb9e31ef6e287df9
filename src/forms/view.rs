//! The view model of a form: what a template needs to draw each field with its label, help,
//! typed value and error, without logic in the template.

use super::countries::COUNTRIES;
use super::definition::{FieldKind, FormDefinition};
use super::validate::{FieldErrors, Submission};

/// One option of a select, country list or tick-box group.
#[derive(Clone, Debug)]
pub struct OptionView {
    /// Submitted value.
    pub value: String,
    /// Shown text.
    pub label: String,
    /// Chosen.
    pub selected: bool,
}

/// One field, ready to render.
#[derive(Clone, Debug)]
pub struct FieldView {
    /// Form name.
    pub name: String,
    /// Element id (`f-<name>`).
    pub id: String,
    /// Label.
    pub label: String,
    /// `text`, `email`, `url`, `tel`, `textarea`, `select`, `multiselect`, `checkbox`,
    /// `country` or `certificate`.
    pub kind: String,
    /// Required.
    pub required: bool,
    /// Help text.
    pub help: String,
    /// The value typed (text kinds).
    pub value: String,
    /// Ticked (checkbox).
    pub checked: bool,
    /// Options (select, multiselect, country).
    pub options: Vec<OptionView>,
    /// The error, empty when none.
    pub error: String,
    /// HTML `maxlength`.
    pub max_length: usize,
    /// Placeholder.
    pub placeholder: String,
    /// Autocomplete hint.
    pub autocomplete: String,
}

impl FieldView {
    /// Whether the field has an error.
    pub fn has_error(&self) -> bool {
        !self.error.is_empty()
    }
}

impl FormDefinition {
    /// The fields as views, with `values` typed so far and `errors` from the last validation.
    pub fn view(&self, values: &Submission, errors: &FieldErrors) -> Vec<FieldView> {
        self.fields
            .iter()
            .map(|f| {
                let value = values.get(&f.name).unwrap_or_default().to_string();
                let chosen = values.all(&f.name);
                let options = match f.kind {
                    FieldKind::Select => f
                        .options
                        .iter()
                        .map(|o| OptionView {
                            value: o.value().to_string(),
                            label: o.label().to_string(),
                            selected: chosen.contains(&o.value()),
                        })
                        .collect(),
                    FieldKind::Country => COUNTRIES
                        .iter()
                        .map(|(code, name)| OptionView {
                            value: (*code).to_string(),
                            label: (*name).to_string(),
                            selected: value == *code,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                let kind = if f.kind == FieldKind::Select && f.multiple {
                    "multiselect".to_string()
                } else {
                    f.kind.as_str().to_string()
                };
                FieldView {
                    name: f.name.clone(),
                    id: format!("f-{}", f.name),
                    label: f.label.clone(),
                    kind,
                    required: f.required,
                    help: f.help.clone().unwrap_or_default(),
                    checked: f.kind == FieldKind::Checkbox && !value.is_empty(),
                    value,
                    options,
                    error: errors.get(&f.name).cloned().unwrap_or_default(),
                    max_length: f.max_length,
                    placeholder: f.placeholder.clone().unwrap_or_default(),
                    autocomplete: f.autocomplete.clone().unwrap_or_default(),
                }
            })
            .collect()
    }
}
