//! The vocabulary of authority evidence (spec/authority.md decision 1): where a piece of
//! evidence comes from and what it concluded. Stored as written here; printed by
//! `onramp authority check` as CONTRACT.md fixes.

use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// The value as stored and printed.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the stored form.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// Where evidence comes from.
    Source {
        /// A PSD2 eIDAS certificate (uploaded, or presented over mTLS).
        Certificate = "certificate",
        /// The EBA PSD2 register, as imported.
        Eba = "eba",
        /// The FCA register API.
        Fca = "fca",
        /// A register the bank keeps, imported from CSV.
        Csv = "csv",
        /// The directory's competent-authority claims in a software statement.
        Ssa = "ssa",
        /// A bank admin's own verification.
        Manual = "manual",
    }
);

text_enum!(
    /// What a check concluded.
    Verdict {
        /// The source confirms the authorisation.
        Verified = "verified",
        /// The source knows the firm but disagrees (name, roles, authority, validity).
        Mismatch = "mismatch",
        /// The source does not know the firm (not the same as withdrawn).
        NotFound = "not_found",
        /// The source says the authorisation was withdrawn.
        Withdrawn = "withdrawn",
        /// The source could not be consulted; never suspends anything.
        Unavailable = "unavailable",
    }
);

impl Verdict {
    /// Whether this verdict speaks against the firm.
    pub fn is_adverse(self) -> bool {
        matches!(self, Self::Mismatch | Self::Withdrawn)
    }
}
