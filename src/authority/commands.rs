//! What the authority commands print (CONTRACT.md): `onramp register import-eba|import-csv
//! FILE` and `onramp authority check --org ID`, one line per source, `SOURCE VERDICT DETAILS`.

use super::finding::Finding;
use super::service::{self, AuthorityError};
use crate::domain::OrganisationId;
use crate::domain::evidence::Verdict;
use crate::state::AppState;
use crate::store::organisations::{self, OrganisationRecord};

/// Exit 0 when a source verified and none said mismatch or withdrawn; 1 otherwise.
pub fn exit_code(findings: &[Finding]) -> u8 {
    let verified = findings.iter().any(|f| f.verdict == Verdict::Verified);
    let adverse = findings.iter().any(|f| f.verdict.is_adverse());
    if verified && !adverse { 0 } else { 1 }
}

/// The lines printed for findings.
pub fn lines(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("{} {} {}\n", f.source, f.verdict, f.details))
        .collect()
}

/// The organisation `id` names: Onramp's id, or a directory's `org_id`.
pub async fn find(st: &AppState, id: &str) -> Result<Option<OrganisationRecord>, AuthorityError> {
    if let Ok(uuid) = id.parse::<OrganisationId>() {
        return Ok(organisations::get(&st.db, uuid).await?);
    }
    for (issuer, _) in st.directories.issuers() {
        if let Some(org) = organisations::find_by_directory_id(&st.db, &issuer, id).await? {
            return Ok(Some(org));
        }
    }
    Ok(None)
}

/// `onramp authority check --org ID`: the output and the exit status (2: unknown organisation).
pub async fn check(st: &AppState, id: &str) -> Result<(String, u8), AuthorityError> {
    let Some(org) = find(st, id).await? else {
        return Ok((format!("No organisation {id}.\n"), 2));
    };
    let findings = service::check_organisation(&st.db, st, &org, None).await?;
    Ok(report(&findings))
}

/// What `onramp authority check` prints and its exit status, for stored findings.
pub fn report(findings: &[Finding]) -> (String, u8) {
    if findings.is_empty() {
        return (
            "No source has anything to say: import a register, or give a certificate.\n".into(),
            1,
        );
    }
    (lines(findings), exit_code(findings))
}
