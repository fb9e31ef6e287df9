//! Client vocabulary: environments, statuses, origins, authentication methods, scopes, and the
//! registered metadata (RFC 7591 names). Shared by the store (which maps them to columns) and
//! every service.

use serde::{Deserialize, Serialize};

macro_rules! str_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as written in config, forms and the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the written form.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

str_enum!(
    /// Where a client works.
    Environment {
        /// The bank's sandbox: test data, issued at once.
        Sandbox = "sandbox",
        /// Live APIs: issued after approval.
        Production = "production",
    }
);

str_enum!(
    /// A client's lifecycle.
    ClientStatus {
        /// Registered, not usable yet.
        Pending = "pending",
        /// Usable.
        Active = "active",
        /// Stopped for now (by the bank, or with its organisation).
        Suspended = "suspended",
        /// Stopped for good.
        Revoked = "revoked",
    }
);

str_enum!(
    /// An application's lifecycle.
    ApplicationStatus {
        /// Waiting for the `application` workflow.
        Pending = "pending",
        /// Approved: may have keys.
        Active = "active",
        /// Refused by the bank.
        Rejected = "rejected",
        /// Deleted by its organisation (its clients are revoked).
        Deleted = "deleted",
    }
);

str_enum!(
    /// How a client came to be.
    Origin {
        /// Made in the developer portal.
        Portal = "portal",
        /// Registered by Dynamic Client Registration.
        Dcr = "dcr",
    }
);

str_enum!(
    /// Token endpoint client authentication (RFC 7591 `token_endpoint_auth_method`).
    AuthMethod {
        /// A JWT signed with the client's key (RFC 7523).
        PrivateKeyJwt = "private_key_jwt",
        /// The client's mTLS certificate (RFC 8705).
        TlsClientAuth = "tls_client_auth",
        /// A secret in the Authorization header.
        ClientSecretBasic = "client_secret_basic",
        /// A secret in the form body.
        ClientSecretPost = "client_secret_post",
    }
);

impl AuthMethod {
    /// Whether the method authenticates with a shared secret.
    pub fn uses_secret(self) -> bool {
        matches!(self, Self::ClientSecretBasic | Self::ClientSecretPost)
    }

    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::PrivateKeyJwt => "Private key JWT (private_key_jwt)",
            Self::TlsClientAuth => "Mutual TLS certificate (tls_client_auth)",
            Self::ClientSecretBasic => "Client secret, HTTP Basic (client_secret_basic)",
            Self::ClientSecretPost => "Client secret, form post (client_secret_post)",
        }
    }
}

str_enum!(
    /// API scopes, one per PSD2 role.
    Scope {
        /// Account information (AISP).
        Accounts = "accounts",
        /// Payment initiation (PISP).
        Payments = "payments",
        /// Confirmation of funds (CBPII).
        FundsConfirmations = "fundsconfirmations",
    }
);

impl Scope {
    /// The scope a PSD2 role opens (`AISP`, `PISP`, `CBPII`).
    /// The table is [`super::psd2::Psd2Role`]'s.
    pub fn for_role(role: &str) -> Option<Self> {
        super::psd2::Psd2Role::parse(role).and_then(super::psd2::Psd2Role::scope)
    }

    /// The role that grants this scope.
    pub fn role(self) -> &'static str {
        super::psd2::Psd2Role::for_scope(self).as_str()
    }
}

/// Registered client metadata, as RFC 7591 names it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientMetadata {
    /// Shown to people.
    pub client_name: String,
    /// Logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    /// Where authorisation responses go.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// How the client authenticates at the token endpoint.
    pub token_endpoint_auth_method: String,
    /// Grants it may use.
    #[serde(default)]
    pub grant_types: Vec<String>,
    /// Space-separated scopes.
    pub scope: String,
    /// Its key set, by reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// Its key set, by value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks: Option<serde_json::Value>,
    /// The subject DN of its transport certificate (tls_client_auth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_client_auth_subject_dn: Option<String>,
    /// The software's id (from an SSA, or the application id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_id: Option<String>,
}

impl ClientMetadata {
    /// The scopes as parsed values (unknown words are skipped).
    pub fn scopes(&self) -> Vec<Scope> {
        self.scope
            .split_whitespace()
            .filter_map(Scope::parse)
            .collect()
    }
}
