//! Whether a step may be taken: from the current state, by this party, with this comment,
//! respecting the four-eyes rule. Pure: no I/O, the caller applies the result.

use super::definition::{CommentRule, Party, Transition, Workflow};
use crate::domain::{Actor, AdminRole};

/// One earlier step, as the four-eyes rule needs it.
#[derive(Clone, Debug)]
pub struct StepHistory {
    /// The action taken.
    pub action: String,
    /// Who took it (`tpp:<id>`, `admin:<id>`, `system`).
    pub actor_key: String,
}

/// Why a step is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StepError {
    /// No such action in this workflow.
    #[error("this workflow has no action `{0}`")]
    UnknownAction(String),
    /// The action does not leave the current state.
    #[error("“{action}” cannot be taken while the task is “{state}”")]
    WrongState {
        /// The action.
        action: String,
        /// The current state's label.
        state: String,
    },
    /// This actor may not take it.
    #[error("you are not allowed to take “{0}” on this task")]
    NotPermitted(String),
    /// A comment is required.
    #[error("a comment is required for “{0}”")]
    CommentRequired(String),
    /// The four-eyes rule.
    #[error("“{action}” must be taken by someone other than who took “{earlier}”")]
    SameActor {
        /// The action refused.
        action: String,
        /// The earlier action by the same person.
        earlier: String,
    },
}

/// The key that identifies an actor in the four-eyes rule.
pub fn actor_key(actor: &Actor) -> String {
    match actor.id() {
        Some(id) => format!("{}:{id}", actor.kind()),
        None => actor.kind().to_string(),
    }
}

fn party_allows(t: &Transition, actor: &Actor) -> bool {
    match actor {
        Actor::Tpp { .. } => t.by.contains(&Party::Tpp),
        Actor::Admin { role, .. } => t.allows_admin(*role),
        Actor::System => t.by.contains(&Party::System),
    }
}

impl Workflow {
    /// Checks a step and returns the transition to apply.
    pub fn check_step<'a>(
        &'a self,
        state: &str,
        action: &str,
        actor: &Actor,
        comment: Option<&str>,
        history: &[StepHistory],
    ) -> Result<&'a Transition, StepError> {
        let t = self
            .transition(action)
            .ok_or_else(|| StepError::UnknownAction(action.to_string()))?;
        if !t.from.iter().any(|f| f == state) {
            let label = self.state(state).map_or(state, |s| s.label.as_str());
            return Err(StepError::WrongState {
                action: t.label.clone(),
                state: label.to_string(),
            });
        }
        if !party_allows(t, actor) {
            return Err(StepError::NotPermitted(t.label.clone()));
        }
        if t.comment == CommentRule::Required && comment.is_none_or(|c| c.trim().is_empty()) {
            return Err(StepError::CommentRequired(t.label.clone()));
        }
        let me = actor_key(actor);
        if matches!(actor, Actor::Admin { .. } | Actor::Tpp { .. })
            && let Some(h) = history
                .iter()
                .find(|h| h.actor_key == me && t.distinct_from.contains(&h.action))
        {
            let earlier = self
                .transition(&h.action)
                .map_or(h.action.clone(), |x| x.label.clone());
            return Err(StepError::SameActor {
                action: t.label.clone(),
                earlier,
            });
        }
        Ok(t)
    }

    /// The steps this admin role may take from `state` (the buttons on a task page).
    pub fn admin_steps(&self, state: &str, role: AdminRole) -> Vec<&Transition> {
        self.leaving(state)
            .filter(|t| t.allows_admin(role))
            .collect()
    }

    /// The steps a TPP may take from `state`.
    pub fn tpp_steps(&self, state: &str) -> Vec<&Transition> {
        self.leaving(state)
            .filter(|t| t.by.contains(&Party::Tpp))
            .collect()
    }

    /// The automatic step out of `state`, if any.
    pub fn auto_step(&self, state: &str) -> Option<&Transition> {
        self.leaving(state).find(|t| t.auto)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{AdminId, UserId};

    fn wf() -> Workflow {
        Workflow::parse(
            "production-keys",
            r#"
title = "Production keys"
initial = "submitted"
[[state]]
name = "submitted"
status = "pending"
[[state]]
name = "reviewed"
status = "pending"
[[state]]
name = "info_requested"
status = "action_required"
[[state]]
name = "approved"
status = "approved"
terminal = true
[[state]]
name = "rejected"
status = "rejected"
terminal = true
[[transition]]
action = "review"
from = ["submitted"]
to = "reviewed"
by = ["reviewer"]
[[transition]]
action = "approve"
from = ["reviewed"]
to = "approved"
by = ["approver"]
distinct_from = ["review"]
[[transition]]
action = "reject"
from = ["submitted", "reviewed"]
to = "rejected"
by = ["reviewer", "approver"]
comment = "required"
[[transition]]
action = "request_info"
from = ["submitted"]
to = "info_requested"
by = ["reviewer"]
comment = "required"
[[transition]]
action = "resubmit"
from = ["info_requested"]
to = "submitted"
by = ["tpp"]
with_form = true
"#,
            &[],
        )
        .ok()
        .unwrap()
    }

    fn admin(role: AdminRole, id: AdminId) -> Actor {
        Actor::Admin {
            id,
            email: "a@bank.example".into(),
            role,
        }
    }

    #[test]
    fn steps_follow_state_role_and_comment_rules() {
        let w = wf();
        let rev = admin(AdminRole::Reviewer, AdminId::new());
        assert!(w.check_step("submitted", "review", &rev, None, &[]).is_ok());
        assert!(matches!(
            w.check_step("reviewed", "review", &rev, None, &[]),
            Err(StepError::WrongState { .. })
        ));
        assert!(matches!(
            w.check_step("reviewed", "approve", &rev, None, &[]),
            Err(StepError::NotPermitted(_))
        ));
        assert!(matches!(
            w.check_step("submitted", "reject", &rev, Some("  "), &[]),
            Err(StepError::CommentRequired(_))
        ));
        let tpp = Actor::Tpp {
            id: UserId::new(),
            email: "t@tpp.example".into(),
        };
        assert!(
            w.check_step("info_requested", "resubmit", &tpp, None, &[])
                .is_ok()
        );
        assert!(
            w.check_step("submitted", "review", &tpp, None, &[])
                .is_err()
        );
    }

    #[test]
    fn four_eyes_refuses_the_same_person_even_as_superadmin() {
        let w = wf();
        let id = AdminId::new();
        let boss = admin(AdminRole::Superadmin, id);
        let history = vec![StepHistory {
            action: "review".into(),
            actor_key: actor_key(&boss),
        }];
        assert!(matches!(
            w.check_step("reviewed", "approve", &boss, None, &history),
            Err(StepError::SameActor { .. })
        ));
        let other = admin(AdminRole::Approver, AdminId::new());
        assert!(
            w.check_step("reviewed", "approve", &other, None, &history)
                .is_ok()
        );
    }
}
