//! Who acts: bank admin roles and the actor recorded with every workflow step and audit event.

use super::{AdminId, UserId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A bank admin's role. A superadmin may take any admin step; reviewers and approvers take the
/// steps a workflow gives them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AdminRole {
    /// Reviews submissions.
    Reviewer,
    /// Gives final approvals.
    Approver,
    /// Does everything, including managing admins.
    Superadmin,
}

impl AdminRole {
    /// The role's name as written in config, workflow files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reviewer => "reviewer",
            Self::Approver => "approver",
            Self::Superadmin => "superadmin",
        }
    }
}

impl AdminRole {
    /// Whether this role may suspend, reactivate or revoke organisations and clients
    /// (approvers and superadmins; reviewers only read). The console and the admin API both ask.
    pub fn may_change_status(self) -> bool {
        self != Self::Reviewer
    }
}

impl fmt::Display for AdminRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AdminRole {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "reviewer" => Ok(Self::Reviewer),
            "approver" => Ok(Self::Approver),
            "superadmin" => Ok(Self::Superadmin),
            other => Err(format!(
                "unknown admin role `{other}` (expected reviewer, approver or superadmin)"
            )),
        }
    }
}

/// Who took an action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A TPP's portal user.
    Tpp { id: UserId, email: String },
    /// A bank admin.
    Admin {
        id: AdminId,
        email: String,
        role: AdminRole,
    },
    /// Onramp itself (automatic rules, the CLI).
    System,
}

impl Actor {
    /// `tpp`, `admin` or `system`, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Tpp { .. } => "tpp",
            Self::Admin { .. } => "admin",
            Self::System => "system",
        }
    }

    /// The actor's id as text, if it has one.
    pub fn id(&self) -> Option<String> {
        match self {
            Self::Tpp { id, .. } => Some(id.to_string()),
            Self::Admin { id, .. } => Some(id.to_string()),
            Self::System => None,
        }
    }

    /// A human-readable name for history and audit pages.
    pub fn name(&self) -> String {
        match self {
            Self::Tpp { email, .. } | Self::Admin { email, .. } => email.clone(),
            Self::System => "Onramp (automatic)".to_string(),
        }
    }
}
