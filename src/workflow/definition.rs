//! The checked model of a workflow (states, transitions, who may act); [`super::parse`] reads
//! it from the file format documented in `workflows/README.md`.

use crate::domain::AdminRole;
use crate::forms::FormDefinition;
use std::collections::BTreeSet;

/// Who may take a transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Party {
    /// A member of the TPP organisation.
    Tpp,
    /// A bank admin with this role (a superadmin may take any admin step).
    Admin(AdminRole),
    /// Onramp itself, by an automatic rule.
    System,
}

impl Party {
    pub(super) fn parse(s: &str) -> Option<Self> {
        match s {
            "tpp" => Some(Self::Tpp),
            "system" => Some(Self::System),
            other => other.parse().ok().map(Self::Admin),
        }
    }
}

/// How the TPP sees a state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateStatus {
    /// Waiting for the bank.
    Pending,
    /// Waiting for the TPP.
    ActionRequired,
    /// Done, granted.
    Approved,
    /// Done, refused.
    Rejected,
    /// Done, withdrawn.
    Cancelled,
}

impl StateStatus {
    /// Parses the name used in workflow files.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "action_required" => Self::ActionRequired,
            "approved" => Self::Approved,
            "rejected" => Self::Rejected,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }

    /// The name used in CSS classes and files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::ActionRequired => "action_required",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
        }
    }
}

/// Something done on entering a state, in the same transaction as the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// The organisation becomes active (may create applications).
    ActivateOrganisation,
    /// The organisation is marked rejected.
    RejectOrganisation,
    /// The organisation and its active clients are suspended.
    SuspendOrganisation,
    /// The application (the instance's subject) becomes active.
    ActivateApplication,
    /// The application is marked rejected.
    RejectApplication,
    /// A sandbox client is issued for the application.
    IssueSandboxClient,
    /// A production client is issued for the application, from the settings stored on the
    /// instance (what the reviewer and approver saw), after the production rules run again.
    IssueProductionClient,
    /// The production settings stored on the instance replace the live client's, after the
    /// production rules run again.
    ApplyProductionChange,
    /// The clients an authority check suspended (listed on an `authority-change` task) become
    /// active again.
    ReactivateSuspendedClients,
}

impl Effect {
    pub(super) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "activate_organisation" => Self::ActivateOrganisation,
            "reject_organisation" => Self::RejectOrganisation,
            "suspend_organisation" => Self::SuspendOrganisation,
            "activate_application" => Self::ActivateApplication,
            "reject_application" => Self::RejectApplication,
            "issue_sandbox_client" => Self::IssueSandboxClient,
            "issue_production_client" => Self::IssueProductionClient,
            "apply_production_change" => Self::ApplyProductionChange,
            "reactivate_suspended_clients" => Self::ReactivateSuspendedClients,
            _ => return None,
        })
    }
}

/// The emails a state may send to the TPP on entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmailName {
    /// "We received your submission."
    Received,
    /// "Approved", with the comment.
    Approved,
    /// "Rejected", with the reason.
    Rejected,
    /// "More information requested", with the question.
    InfoRequested,
    /// A generic "your status changed".
    StatusChanged,
}

impl EmailName {
    pub(super) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "received" => Self::Received,
            "approved" => Self::Approved,
            "rejected" => Self::Rejected,
            "info_requested" => Self::InfoRequested,
            "status_changed" => Self::StatusChanged,
            _ => return None,
        })
    }
}

/// Whether a step needs a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentRule {
    /// No comment field.
    None,
    /// A comment may be given.
    Optional,
    /// A comment must be given (reasons for rejection, questions).
    Required,
}

/// A checked state.
#[derive(Clone, Debug)]
pub struct State {
    /// Name.
    pub name: String,
    /// What people read.
    pub label: String,
    /// How the TPP sees it.
    pub status: StateStatus,
    /// No step leaves it.
    pub terminal: bool,
    /// Done on entry.
    pub effects: Vec<Effect>,
    /// Mailed to the TPP on entry.
    pub email: Option<EmailName>,
    /// Explanation for the TPP.
    pub description: String,
    /// Webhooks (by name) told on entry.
    pub notify: Vec<String>,
}

/// A named condition over facts Onramp keeps about the instance's organisation (its authority
/// evidence), written in `when = [...]` on an automatic transition, which then fires only when
/// every condition holds (and otherwise leaves the task to a person).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    /// Some authority check verified and none found a mismatch or a withdrawal.
    AuthorityVerified,
    /// The roles asked for are all proven by verified evidence.
    RolesCoverRequest,
}

impl Condition {
    /// Every condition, as written in files.
    pub const NAMES: &'static [&'static str] = &["authority_verified", "roles_cover_request"];

    /// Parses a condition's name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "authority_verified" => Some(Self::AuthorityVerified),
            "roles_cover_request" => Some(Self::RolesCoverRequest),
            _ => None,
        }
    }
}

/// A checked transition.
#[derive(Clone, Debug)]
pub struct Transition {
    /// Action name, unique in the workflow.
    pub action: String,
    /// Button text.
    pub label: String,
    /// States it leaves.
    pub from: Vec<String>,
    /// State it enters.
    pub to: String,
    /// Who may take it.
    pub by: BTreeSet<Party>,
    /// Comment rule.
    pub comment: CommentRule,
    /// Taken by the system as soon as its `from` state is entered.
    pub auto: bool,
    /// Conditions an automatic step needs (all of them).
    pub when: Vec<Condition>,
    /// The actor may not be one who took any of these actions on the same instance.
    pub distinct_from: Vec<String>,
    /// The TPP sends the workflow's form again with this step (a resubmission).
    pub with_form: bool,
}

impl Transition {
    /// Whether any bank admin may take this step.
    pub fn is_admin_step(&self) -> bool {
        self.by.iter().any(|p| matches!(p, Party::Admin(_)))
    }

    /// Whether an admin with `role` may take this step.
    pub fn allows_admin(&self, role: AdminRole) -> bool {
        role == AdminRole::Superadmin && self.is_admin_step()
            || self.by.contains(&Party::Admin(role))
    }
}

/// A checked workflow.
#[derive(Clone, Debug)]
pub struct Workflow {
    /// Name (the file's stem).
    pub name: String,
    /// Title shown to admins.
    pub title: String,
    /// Longer description.
    pub description: String,
    /// The form collected when the workflow starts (and on resubmission).
    pub form: FormDefinition,
    /// First state.
    pub initial: String,
    /// States in file order.
    pub states: Vec<State>,
    /// Transitions in file order.
    pub transitions: Vec<Transition>,
    /// Addresses to mail when a task waits; when empty, every admin who may act is mailed.
    pub notify_admins: Vec<String>,
}

impl Workflow {
    /// The state called `name`.
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.iter().find(|s| s.name == name)
    }

    /// The transition called `action`.
    pub fn transition(&self, action: &str) -> Option<&Transition> {
        self.transitions.iter().find(|t| t.action == action)
    }

    /// Transitions leaving `state`.
    pub fn leaving<'a, 's>(
        &'a self,
        state: &'s str,
    ) -> impl Iterator<Item = &'a Transition> + use<'a, 's> {
        self.transitions
            .iter()
            .filter(move |t| t.from.iter().any(|f| f == state))
    }

    /// States where an admin has a step to take: what the inbox lists.
    pub fn admin_waiting_states(&self) -> Vec<String> {
        self.states
            .iter()
            .filter(|s| self.leaving(&s.name).any(Transition::is_admin_step))
            .map(|s| s.name.clone())
            .collect()
    }
}
