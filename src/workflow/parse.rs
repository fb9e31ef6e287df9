//! Reading a workflow file: the TOML shapes as written, and their translation into the checked
//! [`Workflow`] model, with the byte offset of whatever is wrong so the registry can name the line.

use super::definition::{
    CommentRule, Condition, Effect, EmailName, Party, State, StateStatus, Transition, Workflow,
};
use crate::forms::{FieldDef, FieldSpec, FormDefinition};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    title: String,
    #[serde(default)]
    description: String,
    initial: Spanned<String>,
    #[serde(default)]
    notify_admins: Vec<String>,
    #[serde(default, rename = "field")]
    fields: Vec<Spanned<FieldSpec>>,
    #[serde(rename = "state")]
    states: Vec<Spanned<StateSpec>>,
    #[serde(default, rename = "transition")]
    transitions: Vec<Spanned<TransitionSpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateSpec {
    name: String,
    label: Option<String>,
    status: String,
    #[serde(default)]
    terminal: bool,
    #[serde(default)]
    effects: Vec<String>,
    email: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    notify: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransitionSpec {
    action: String,
    label: Option<String>,
    from: Vec<String>,
    to: String,
    by: Vec<String>,
    #[serde(default = "default_comment")]
    comment: String,
    #[serde(default)]
    auto: bool,
    #[serde(default)]
    when: Vec<String>,
    #[serde(default)]
    distinct_from: Vec<String>,
    #[serde(default)]
    with_form: bool,
}

fn default_comment() -> String {
    "optional".into()
}

/// A problem with its byte offset in the file.
pub(super) struct SpanError {
    pub offset: Option<usize>,
    pub message: String,
}

fn err<T>(offset: usize, message: String) -> Result<T, SpanError> {
    Err(SpanError {
        offset: Some(offset),
        message,
    })
}

fn title_case(action: &str) -> String {
    let words = action.replace('_', " ");
    let mut c = words.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

impl Workflow {
    /// Parses and checks a workflow file's text; `notify` may only name `webhooks`.
    pub(super) fn parse(name: &str, text: &str, webhooks: &[String]) -> Result<Self, SpanError> {
        let spec: FileSpec = toml::from_str(text).map_err(|e| SpanError {
            offset: e.span().map(|s| s.start),
            message: e.message().to_string(),
        })?;

        let mut fields = Vec::new();
        let mut names = BTreeSet::new();
        for f in &spec.fields {
            let def = FieldDef::from_spec(f.get_ref()).or_else(|m| err(f.span().start, m))?;
            if !names.insert(def.name.clone()) {
                return err(f.span().start, format!("duplicate field `{}`", def.name));
            }
            fields.push(def);
        }

        let mut states: Vec<State> = Vec::new();
        for s in &spec.states {
            let at = s.span().start;
            let s = s.get_ref();
            if states.iter().any(|x| x.name == s.name) {
                return err(at, format!("duplicate state `{}`", s.name));
            }
            let status = StateStatus::parse(&s.status).ok_or_else(|| SpanError {
                offset: Some(at),
                message: format!(
                    "state `{}`: unknown status `{}` (pending, action_required, approved, \
                     rejected, cancelled)",
                    s.name, s.status
                ),
            })?;
            let mut effects = Vec::new();
            for e in &s.effects {
                effects.push(Effect::parse(e).ok_or_else(|| SpanError {
                    offset: Some(at),
                    message: format!(
                        "state `{}`: unknown effect `{e}` (activate_organisation, \
                         reject_organisation, suspend_organisation, activate_application, \
                         reject_application, issue_sandbox_client, issue_production_client)",
                        s.name
                    ),
                })?);
            }
            let email = match &s.email {
                Some(e) => Some(EmailName::parse(e).ok_or_else(|| SpanError {
                    offset: Some(at),
                    message: format!(
                        "state `{}`: unknown email `{e}` (received, approved, rejected, \
                         info_requested, status_changed)",
                        s.name
                    ),
                })?),
                None => None,
            };
            if let Some(unknown) = s.notify.iter().find(|n| !webhooks.contains(n)) {
                return err(
                    at,
                    format!(
                        "state `{}`: notify names `{unknown}`, which no [[webhooks]] entry of the \
                         configuration defines",
                        s.name
                    ),
                );
            }
            states.push(State {
                name: s.name.clone(),
                label: s.label.clone().unwrap_or_else(|| title_case(&s.name)),
                status,
                terminal: s.terminal,
                effects,
                email,
                description: s.description.clone(),
                notify: s.notify.clone(),
            });
        }
        let known = |n: &str| states.iter().any(|s| s.name == n);
        if !known(spec.initial.get_ref()) {
            return err(
                spec.initial.span().start,
                format!(
                    "initial state `{}` is not a declared state",
                    spec.initial.get_ref()
                ),
            );
        }

        let mut transitions: Vec<Transition> = Vec::new();
        for t in &spec.transitions {
            let at = t.span().start;
            let t = t.get_ref();
            if transitions.iter().any(|x| x.action == t.action) {
                return err(at, format!("duplicate transition `{}`", t.action));
            }
            for s in t.from.iter().chain(std::iter::once(&t.to)) {
                if !known(s) {
                    return err(
                        at,
                        format!("transition `{}`: unknown state `{s}`", t.action),
                    );
                }
            }
            if t.from.is_empty() {
                return err(
                    at,
                    format!("transition `{}` needs at least one `from` state", t.action),
                );
            }
            for f in &t.from {
                if states.iter().any(|s| &s.name == f && s.terminal) {
                    return err(
                        at,
                        format!("transition `{}` leaves terminal state `{f}`", t.action),
                    );
                }
            }
            let mut by = BTreeSet::new();
            for p in &t.by {
                by.insert(Party::parse(p).ok_or_else(|| SpanError {
                    offset: Some(at),
                    message: format!(
                        "transition `{}`: unknown party `{p}` (tpp, reviewer, approver, \
                         superadmin, system)",
                        t.action
                    ),
                })?);
            }
            if by.is_empty() {
                return err(at, format!("transition `{}` needs `by`", t.action));
            }
            if t.auto && by.iter().any(|p| *p != Party::System) {
                return err(
                    at,
                    format!(
                        "transition `{}`: auto steps are taken by system only",
                        t.action
                    ),
                );
            }
            let mut when = Vec::new();
            for name in &t.when {
                let Some(c) = Condition::parse(name) else {
                    return err(
                        at,
                        format!(
                            "transition `{}`: unknown condition `{name}` ({})",
                            t.action,
                            Condition::NAMES.join(", ")
                        ),
                    );
                };
                when.push(c);
            }
            if !when.is_empty() && !t.auto {
                return err(
                    at,
                    format!("transition `{}`: `when` is for auto transitions", t.action),
                );
            }
            let comment = match t.comment.as_str() {
                "none" => CommentRule::None,
                "optional" => CommentRule::Optional,
                "required" => CommentRule::Required,
                other => {
                    return err(
                        at,
                        format!(
                            "transition `{}`: comment `{other}` must be none, optional or required",
                            t.action
                        ),
                    );
                }
            };
            if t.with_form && !by.contains(&Party::Tpp) {
                return err(
                    at,
                    format!(
                        "transition `{}`: with_form steps are taken by tpp",
                        t.action
                    ),
                );
            }
            transitions.push(Transition {
                action: t.action.clone(),
                label: t.label.clone().unwrap_or_else(|| title_case(&t.action)),
                from: t.from.clone(),
                to: t.to.clone(),
                by,
                comment,
                auto: t.auto,
                when,
                distinct_from: t.distinct_from.clone(),
                with_form: t.with_form,
            });
        }
        for (t, spec_t) in transitions.iter().zip(&spec.transitions) {
            for d in &t.distinct_from {
                if !transitions.iter().any(|x| &x.action == d) {
                    return err(
                        spec_t.span().start,
                        format!(
                            "transition `{}`: distinct_from names unknown action `{d}`",
                            t.action
                        ),
                    );
                }
            }
        }

        let wf = Workflow {
            name: name.to_string(),
            title: spec.title.clone(),
            description: spec.description.clone(),
            form: FormDefinition { fields },
            initial: spec.initial.get_ref().clone(),
            states,
            transitions,
            notify_admins: spec.notify_admins.clone(),
        };
        wf.check_graph(&spec)?;
        Ok(wf)
    }

    fn check_graph(&self, spec: &FileSpec) -> Result<(), SpanError> {
        let span_of = |name: &str| {
            spec.states
                .iter()
                .find(|s| s.get_ref().name == name)
                .map(|s| s.span().start)
                .unwrap_or_default()
        };
        let mut seen = BTreeSet::from([self.initial.as_str()]);
        let mut queue = VecDeque::from([self.initial.as_str()]);
        while let Some(s) = queue.pop_front() {
            for t in self.leaving(s) {
                if seen.insert(t.to.as_str()) {
                    queue.push_back(t.to.as_str());
                }
            }
        }
        for s in &self.states {
            if !seen.contains(s.name.as_str()) {
                return err(
                    span_of(&s.name),
                    format!("state `{}` is unreachable from `{}`", s.name, self.initial),
                );
            }
            if !s.terminal && self.leaving(&s.name).next().is_none() {
                return err(
                    span_of(&s.name),
                    format!(
                        "state `{}` has no way out: add a transition or mark it terminal",
                        s.name
                    ),
                );
            }
        }
        // Two automatic steps out of one state would race: refuse.
        let mut autos: BTreeMap<&str, &str> = BTreeMap::new();
        for t in self.transitions.iter().filter(|t| t.auto) {
            for f in &t.from {
                if let Some(other) = autos.insert(f, &t.action) {
                    return err(
                        span_of(f),
                        format!(
                            "state `{f}` has two automatic transitions: `{other}` and `{}`",
                            t.action
                        ),
                    );
                }
            }
        }
        Ok(())
    }
}
