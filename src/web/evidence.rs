//! The "Authority checks" panel: the newest evidence of each source for an organisation, as
//! rows for the admin task page (verdict, what was found, when, mismatches highlighted) and as
//! plain sentences for the TPP's dashboard; every record for the organisation page's history;
//! and the before → after of an "Authorisation changed" task.

use crate::domain::OrganisationId;
use crate::domain::evidence::{Source, Verdict};
use crate::state::AppState;
use crate::store::authority::{EvidenceRecord, latest_per_source};
use crate::web::error::PageError;

/// One row of the panel.
pub struct EvidenceRow {
    /// The source, for people.
    pub source: &'static str,
    /// `verified`, `mismatch`, … (a CSS class too).
    pub verdict: &'static str,
    /// The verdict, for people.
    pub verdict_label: &'static str,
    /// What was looked up.
    pub looked_up: String,
    /// What was found, in one line.
    pub details: String,
    /// The fields that differ.
    pub mismatches: Vec<String>,
    /// When, as `30 Nov 2026 19:05 UTC`.
    pub checked_at: String,
    /// The plain sentence the TPP reads.
    pub plain: String,
}

fn source_label(s: Source) -> &'static str {
    match s {
        Source::Certificate => "Certificate",
        Source::Eba => "EBA register",
        Source::Fca => "FCA register",
        Source::Csv => "Bank's register",
        Source::Ssa => "Directory claims (software statement)",
        Source::Manual => "Manual check",
    }
}

fn verdict_label(v: Verdict) -> &'static str {
    match v {
        Verdict::Verified => "Verified",
        Verdict::Mismatch => "Mismatch",
        Verdict::NotFound => "Not found",
        Verdict::Withdrawn => "Withdrawn",
        Verdict::Unavailable => "Unavailable",
    }
}

fn row(e: EvidenceRecord) -> EvidenceRow {
    let mismatches = e
        .found
        .get("mismatches")
        .and_then(|m| m.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        });
    let day = e.checked_at.format("%-d %b %Y").to_string();
    EvidenceRow {
        source: source_label(e.source),
        verdict: e.verdict.as_str(),
        verdict_label: verdict_label(e.verdict),
        plain: format!(
            "{}: {}, checked {day}.",
            source_label(e.source),
            e.details.trim_end_matches('.')
        ),
        looked_up: e.looked_up,
        details: e.details,
        mismatches: mismatches.unwrap_or_default(),
        checked_at: e.checked_at.format("%-d %b %Y %H:%M UTC").to_string(),
    }
}

/// One record of an organisation's evidence history.
pub struct HistoryRow {
    /// The panel's row.
    pub row: EvidenceRow,
    /// Who recorded it (manual evidence); empty for automatic checks.
    pub by: String,
}

/// Every evidence record of an organisation, newest first.
pub async fn history(st: &AppState, org: OrganisationId) -> Result<Vec<HistoryRow>, PageError> {
    let all = crate::authority::service::history(st, org).await?;
    Ok(all
        .into_iter()
        .map(|e| HistoryRow {
            by: e.author.clone().unwrap_or_default(),
            row: row(e),
        })
        .collect())
}

/// The panel's rows for an organisation.
pub async fn rows(st: &AppState, org: OrganisationId) -> Result<Vec<EvidenceRow>, PageError> {
    let evidence = latest_per_source(&st.db, org)
        .await
        .map_err(PageError::from)?;
    Ok(evidence.into_iter().map(row).collect())
}

/// One source's change on an "Authorisation changed" task.
pub struct ChangeRow {
    /// The source, for people.
    pub source: &'static str,
    /// The evidence before, in one line.
    pub before: String,
    /// The finding now, in one line.
    pub after: String,
}

/// "Verified (AISP, PISP): details"
fn side(v: Option<&serde_json::Value>) -> String {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return "No earlier evidence".into();
    };
    let verdict = v
        .get("verdict")
        .and_then(|x| x.as_str())
        .and_then(Verdict::parse)
        .map_or("?", verdict_label);
    let roles = crate::domain::psd2::roles_in(v);
    let roles = if roles.is_empty() {
        "no roles".to_string()
    } else {
        crate::domain::psd2::roles_text(&roles)
    };
    let details = v
        .get("details")
        .and_then(|x| x.as_str())
        .unwrap_or_default();
    let at = v
        .get("checked_at")
        .and_then(|x| x.as_str())
        .map(|a| format!(" (checked {a})"))
        .unwrap_or_default();
    format!("{verdict} ({roles}): {details}{at}")
}

/// The before → after rows and the suspended clients an "Authorisation changed" task carries.
pub fn change_rows(
    data: &serde_json::Map<String, serde_json::Value>,
) -> (Vec<ChangeRow>, Vec<String>) {
    let rows = data
        .get("evidence")
        .and_then(|e| e.as_array())
        .map(|a| {
            a.iter()
                .map(|c| ChangeRow {
                    source: c
                        .get("source")
                        .and_then(|x| x.as_str())
                        .and_then(Source::parse)
                        .map_or("?", source_label),
                    before: side(c.get("before")),
                    after: side(c.get("after")),
                })
                .collect()
        })
        .unwrap_or_default();
    let clients = data
        .get("suspended_clients")
        .and_then(|e| e.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    (rows, clients)
}
