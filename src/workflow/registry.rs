//! Loads every `*.toml` file of the workflows folder at start-up and refuses to start on any
//! error, naming the file and line.

use super::definition::Workflow;
use super::error::WorkflowFileError;
use std::collections::BTreeMap;
use std::path::Path;

/// The workflows Onramp needs by name.
pub const REQUIRED: &[&str] = &["signup", "application", "sandbox-keys", "production-keys"];

/// Every loaded workflow, by name.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    workflows: BTreeMap<String, Workflow>,
}

impl Registry {
    /// Loads a folder where no webhook is configured; returns every error found.
    pub fn load(dir: &Path) -> Result<Self, Vec<WorkflowFileError>> {
        Self::load_with_webhooks(dir, &[])
    }

    /// Loads a folder; `notify` may name only `webhooks`. Returns every error found, not only
    /// the first.
    pub fn load_with_webhooks(
        dir: &Path,
        webhooks: &[String],
    ) -> Result<Self, Vec<WorkflowFileError>> {
        let fail = |message: String| {
            vec![WorkflowFileError {
                file: dir.to_path_buf(),
                line: None,
                message,
            }]
        };
        if !dir.is_dir() {
            return Err(fail(
                "the workflows folder does not exist (set workflows_dir)".to_string(),
            ));
        }
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| fail(format!("cannot read the folder: {e}")))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let mut workflows = BTreeMap::new();
        let mut errors = Vec::new();
        for path in paths {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) => {
                    errors.push(WorkflowFileError {
                        file: path.clone(),
                        line: None,
                        message: format!("cannot read: {e}"),
                    });
                    continue;
                }
            };
            match Workflow::parse(&name, &text, webhooks) {
                Ok(wf) => {
                    workflows.insert(name, wf);
                }
                Err(e) => errors.push(WorkflowFileError {
                    file: path.clone(),
                    line: e.offset.map(|o| line_of(&text, o)),
                    message: e.message,
                }),
            }
        }
        for required in REQUIRED {
            if !workflows.contains_key(*required)
                && !errors
                    .iter()
                    .any(|e| e.file.ends_with(format!("{required}.toml")))
            {
                errors.push(WorkflowFileError {
                    file: dir.join(format!("{required}.toml")),
                    line: None,
                    message: format!("the `{required}` workflow is required but missing"),
                });
            }
        }
        for wf in workflows.values() {
            if let Some(message) = subject_mismatch(wf) {
                errors.push(WorkflowFileError {
                    file: dir.join(format!("{}.toml", wf.name)),
                    line: None,
                    message,
                });
            }
        }
        if errors.is_empty() {
            Ok(Self { workflows })
        } else {
            Err(errors)
        }
    }

    /// The workflow called `name`.
    pub fn get(&self, name: &str) -> Option<&Workflow> {
        self.workflows.get(name)
    }

    /// Every workflow, by name.
    pub fn all(&self) -> impl Iterator<Item = &Workflow> {
        self.workflows.values()
    }
}

/// Application effects belong to the workflows whose subject is an application; organisation
/// effects may appear anywhere.
fn subject_mismatch(wf: &Workflow) -> Option<String> {
    use super::Effect;
    let app_subject = APPLICATION_SUBJECT.contains(&wf.name.as_str());
    for s in &wf.states {
        for e in &s.effects {
            let app_effect = matches!(
                e,
                Effect::ActivateApplication
                    | Effect::RejectApplication
                    | Effect::IssueSandboxClient
                    | Effect::IssueProductionClient
                    | Effect::ApplyProductionChange
            );
            if *e == Effect::ApplyProductionChange && wf.name != "production-change" {
                return Some(format!(
                    "state `{}`: apply_production_change needs the settings a `production-change` \
                     request proposes, so it belongs to that workflow only",
                    s.name
                ));
            }
            if *e == Effect::ReactivateSuspendedClients && wf.name != AUTHORITY_CHANGE {
                return Some(format!(
                    "state `{}`: reactivate_suspended_clients needs the clients an authority \
                     check suspended, so it belongs to the `{AUTHORITY_CHANGE}` workflow only",
                    s.name
                ));
            }
            if app_effect && !app_subject {
                return Some(format!(
                    "state `{}`: {e:?} acts on an application, but `{}` is not about one \
                     (only application, sandbox-keys, production-keys and production-change are)",
                    s.name, wf.name
                ));
            }
        }
    }
    let applies = wf
        .states
        .iter()
        .any(|s| s.effects.contains(&Effect::ApplyProductionChange));
    if wf.name == "production-change" && !applies {
        return Some(
            "`production-change` must apply the change somewhere: give its approved state \
             effects = [\"apply_production_change\"]"
                .into(),
        );
    }
    None
}

/// The optional workflow an authority check opens when it suspends clients ("Authorisation
/// changed"); its subject is the organisation.
pub const AUTHORITY_CHANGE: &str = "authority-change";

/// The workflows whose subject is an application.
pub const APPLICATION_SUBJECT: &[&str] = &[
    "application",
    "sandbox-keys",
    "production-keys",
    "production-change",
];

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |t| t.matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
title = "Signup"
initial = "submitted"

[[field]]
name = "legal_name"
label = "Legal name"
type = "text"
required = true

[[state]]
name = "submitted"
status = "pending"

[[state]]
name = "approved"
status = "approved"
terminal = true
effects = ["activate_organisation"]

[[transition]]
action = "approve"
from = ["submitted"]
to = "approved"
by = ["approver"]
"#;

    /// Loads `text` as signup.toml beside the repository's other required workflows.
    fn load_one(text: &str) -> Result<Registry, Vec<WorkflowFileError>> {
        let dir = tempfile::tempdir().unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("workflows");
        for name in REQUIRED.iter().filter(|n| **n != "signup") {
            std::fs::copy(
                repo.join(format!("{name}.toml")),
                dir.path().join(format!("{name}.toml")),
            )
            .unwrap();
        }
        std::fs::write(dir.path().join("signup.toml"), text).unwrap();
        Registry::load(dir.path())
    }

    fn first_error(text: &str) -> String {
        load_one(text).unwrap_err()[0].to_string()
    }

    #[test]
    fn a_good_file_loads() {
        let r = load_one(GOOD).unwrap();
        let wf = r.get("signup").unwrap();
        assert_eq!(wf.admin_waiting_states(), vec!["submitted".to_string()]);
        assert_eq!(wf.transition("approve").unwrap().label, "Approve");
    }

    #[test]
    fn errors_name_the_file_the_line_and_the_reason() {
        let e = first_error(&GOOD.replace("to = \"approved\"", "to = \"done\""));
        assert!(e.contains("signup.toml:"), "{e}");
        assert!(e.contains("unknown state `done`"), "{e}");
        let line: usize = e.split(':').nth(1).unwrap().parse().unwrap();
        assert!(
            (21..=25).contains(&line),
            "the transition spans lines 21-25: {e}"
        );
    }

    #[test]
    fn each_kind_of_mistake_is_refused() {
        let cases = [
            (GOOD.replace("type = \"text\"", "type = \"colour\""), "unknown type `colour`"),
            (GOOD.replace("required = true", "pattern = \"([a-z\""), "pattern does not compile"),
            (GOOD.replace("[[state]]\nname = \"approved\"", "[[field]]\nname = \"legal_name\"\nlabel = \"X\"\ntype = \"text\"\n[[state]]\nname = \"approved\""), "duplicate field"),
            (GOOD.replace("initial = \"submitted\"", "initial = \"start\""), "initial state `start`"),
            (format!("{GOOD}\n[[state]]\nname = \"orphan\"\nstatus = \"pending\"\nterminal = true\n"), "unreachable"),
            (format!("{GOOD}\n[[transition]]\naction = \"reopen\"\nfrom = [\"approved\"]\nto = \"submitted\"\nby = [\"approver\"]\n"), "leaves terminal state"),
            (GOOD.replace("title = ", "colour = 1\ntitle = "), "unknown field `colour`"),
            (GOOD.replace("title = \"Signup\"", "title = "), "invalid"),
            (GOOD.replace("by = [\"approver\"]", "by = [\"system\"]\nauto = true\nwhen = [\"sunny\"]"), "unknown condition `sunny`"),
            (GOOD.replace("by = [\"approver\"]", "by = [\"approver\"]\nwhen = [\"authority_verified\"]"), "`when` is for auto transitions"),
        ];
        for (text, expected) in cases {
            let e = first_error(&text);
            assert!(e.contains(expected), "expected `{expected}` in: {e}");
        }
    }

    #[test]
    fn a_missing_required_workflow_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("signup.toml"), GOOD).unwrap();
        let e = Registry::load(dir.path()).unwrap_err();
        assert!(
            e.iter()
                .any(|e| e.message.contains("`production-keys` workflow is required")),
            "{e:?}"
        );
    }

    #[test]
    fn a_missing_folder_is_an_error() {
        let e = Registry::load(Path::new("/nonexistent/workflows")).unwrap_err();
        assert!(e[0].message.contains("does not exist"));
    }
}
