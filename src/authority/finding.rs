//! What a check hands back before it is stored: the claim it checked (what the TPP says) and
//! the finding (what a source says about it, with a verdict and the fields that differ).

use crate::domain::Psd2Role;
use crate::domain::evidence::{Source, Verdict};
use serde_json::{Value, json};

/// What the TPP says about its authorisation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Claim {
    /// Its legal name.
    pub legal_name: Option<String>,
    /// Its competent authority, in any form (`FCA`, `GB-FCA`, `FI_FIN-FSA`).
    pub authority: Option<String>,
    /// The country of that authority, to read a bare short name (`FCA` with `GB`).
    pub country: Option<String>,
    /// Its authorisation number.
    pub number: Option<String>,
    /// The roles it asks for.
    pub roles: Vec<Psd2Role>,
}

impl Claim {
    /// `GB-FCA 123456`, for the evidence's "looked up".
    pub fn looked_up(&self) -> String {
        let parts = [self.authority.as_deref(), self.number.as_deref()];
        let text: Vec<&str> = parts.into_iter().flatten().collect();
        if text.is_empty() {
            self.legal_name.clone().unwrap_or_default()
        } else {
            text.join(" ")
        }
    }
}

/// One source's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The source.
    pub source: Source,
    /// Its verdict.
    pub verdict: Verdict,
    /// What was looked up.
    pub looked_up: String,
    /// What was found (JSON; `mismatches` lists the fields that differ).
    pub found: Value,
    /// One line for people.
    pub details: String,
}

impl Finding {
    /// A finding with nothing found.
    pub fn empty(source: Source, verdict: Verdict, looked_up: String, details: String) -> Self {
        Self {
            source,
            verdict,
            looked_up,
            found: json!({}),
            details,
        }
    }

    /// The PSD2 roles the finding proves (verified findings only).
    pub fn proven_roles(&self) -> Vec<Psd2Role> {
        if self.verdict != Verdict::Verified {
            return Vec::new();
        }
        roles_in(&self.found)
    }
}

pub use crate::domain::psd2::roles_in;

/// Names compare without case, punctuation or common company suffixes.
pub fn same_name(a: &str, b: &str) -> bool {
    fn norm(s: &str) -> String {
        let words: Vec<String> = s
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .filter(|w| {
                !matches!(
                    w.as_str(),
                    "ltd" | "limited" | "plc" | "llp" | "oy" | "ab" | "gmbh" | "sa" | "bv" | "ag"
                )
            })
            .collect();
        words.join(" ")
    }
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
}

/// The roles a claim asks for that `have` lacks, as a mismatch line, if any.
pub fn role_gap(claim: &Claim, have: &[Psd2Role]) -> Option<String> {
    let missing: Vec<Psd2Role> = claim
        .roles
        .iter()
        .copied()
        .filter(|r| !have.contains(r))
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "roles: {} asked, {} found",
            crate::domain::psd2::roles_text(&missing),
            crate::domain::psd2::roles_text(have)
        )
    })
}
