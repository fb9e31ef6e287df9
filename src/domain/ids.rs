//! Typed identifiers: a `UserId` can never be passed where an `OrganisationId` is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new id: time-ordered (UUIDv7, 74 random bits), so that rows made together sit
            /// together in the database's indexes.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

uuid_id!(
    /// A TPP organisation.
    OrganisationId
);
uuid_id!(
    /// A portal (TPP) user.
    UserId
);
uuid_id!(
    /// A bank admin.
    AdminId
);
uuid_id!(
    /// A running workflow instance (a task, from the admin's side).
    InstanceId
);
uuid_id!(
    /// A TPP's application.
    ApplicationId
);
uuid_id!(
    /// An admin API token.
    ApiTokenId
);
uuid_id!(
    /// One evidence record of an authority check.
    EvidenceId
);

/// An OAuth client id: a UUIDv7, URL-safe. Portal and DCR clients share the space. Client ids
/// are public identifiers, not secrets; 74 random bits make them unguessable all the same, and
/// their time order keeps the database's indexes compact under a stream of registrations.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientId(pub String);

impl ClientId {
    /// A new id.
    pub fn generate() -> Self {
        Self(Uuid::now_v7().to_string())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
