//! An organisation's lifecycle, shared by the store (which maps it to its column) and every
//! service that asks whether a TPP may act.

use serde::{Serialize, Serializer};

/// Where a TPP organisation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrganisationStatus {
    /// Signed up, email not verified yet.
    Unverified,
    /// Waiting for the bank's `signup` workflow.
    Pending,
    /// Approved: may have applications and keys.
    Active,
    /// Refused by the bank.
    Rejected,
    /// Stopped by the bank, with its clients.
    Suspended,
}

impl OrganisationStatus {
    /// Every value, in order.
    pub const ALL: &'static [Self] = &[
        Self::Unverified,
        Self::Pending,
        Self::Active,
        Self::Rejected,
        Self::Suspended,
    ];

    /// The value as written in the database, forms and pages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unverified => "unverified",
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Rejected => "rejected",
            Self::Suspended => "suspended",
        }
    }

    /// Parses the written form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for OrganisationStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for OrganisationStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
