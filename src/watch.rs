//! Watching authorisations after onboarding: every `authority.recheck` (default 24 hours) each
//! active organisation's sources are checked again, as `onramp authority check` does by hand.
//! When a source newly says the authorisation is **withdrawn**, the organisation's production
//! clients are suspended at once, its members are mailed, and the audit trail records why.
//! `unavailable` (a register that could not be read) never suspends anything (decision 8).

use crate::audit;
use crate::authority::finding::Finding;
use crate::authority::{AuthorityError, service as authority};
use crate::clients::service::{StatusChange, change_status};
use crate::clients::{ClientStatus, Environment};
use crate::domain::evidence::Verdict;
use crate::domain::{Actor, OrganisationStatus, paths};
use crate::email::outbox::{self, Mail, Queued};
use crate::state::AppState;
use crate::store::organisations::OrganisationRecord;
use crate::store::{self, Page};
use crate::unit_of_work::UnitOfWork;

/// Why watching failed.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// A check failed.
    #[error(transparent)]
    Authority(#[from] AuthorityError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// A client could not be suspended.
    #[error(transparent)]
    Client(#[from] crate::clients::ClientError),
}

impl From<sea_orm::DbErr> for WatchError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}

/// How often organisations are checked again (`authority.recheck`; 24 hours when unreadable).
pub fn interval(st: &AppState) -> std::time::Duration {
    humantime::parse_duration(&st.settings.authority.recheck)
        .unwrap_or(std::time::Duration::from_secs(24 * 3600))
}

/// Checks every active organisation whose newest evidence is older than the interval (or that
/// has none); returns how many organisations it acted on.
pub async fn recheck_due(st: &AppState) -> Result<usize, WatchError> {
    let due_before = st.clock.now()
        - chrono::Duration::from_std(interval(st)).unwrap_or(chrono::Duration::hours(24));
    let mut acted = 0;
    let mut page = 1;
    loop {
        let (orgs, _) = store::organisations::list(
            &st.db,
            Some(OrganisationStatus::Active),
            None,
            Page::new(page, 100),
        )
        .await?;
        if orgs.is_empty() {
            return Ok(acted);
        }
        for org in &orgs {
            let latest = authority::latest(st, org.id).await?;
            if latest.iter().any(|e| e.checked_at > due_before) {
                continue;
            }
            if check_and_act(st, org).await?.1 {
                acted += 1;
            }
        }
        page += 1;
    }
}

/// Runs the checks for one organisation, stores the evidence, and acts on a new withdrawal.
/// Returns the findings and whether it acted.
pub async fn check_and_act(
    st: &AppState,
    org: &OrganisationRecord,
) -> Result<(Vec<Finding>, bool), WatchError> {
    let before = authority::latest(st, org.id).await?;
    let findings = authority::check_organisation(&st.db, st, org, None).await?;
    let newly_withdrawn: Vec<String> = findings
        .iter()
        .filter(|f| f.verdict == Verdict::Withdrawn)
        .filter(|f| {
            !before
                .iter()
                .any(|e| e.source == f.source && e.verdict == Verdict::Withdrawn)
        })
        .map(|f| format!("{}: {}", f.source, f.details))
        .collect();
    if newly_withdrawn.is_empty() {
        return Ok((findings, false));
    }
    suspend_for_withdrawal(st, org, &newly_withdrawn.join("; ")).await?;
    Ok((findings, true))
}

/// Suspends the organisation's active production clients, mails its members and audits it, in
/// one transaction.
async fn suspend_for_withdrawal(
    st: &AppState,
    org: &OrganisationRecord,
    why: &str,
) -> Result<(), WatchError> {
    let now = st.clock.now();
    let mut uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let comment = format!("Authorisation withdrawn ({why})");
    let mut suspended = Vec::new();
    for c in store::clients::for_organisation(tx, org.id).await? {
        if c.environment != Environment::Production || c.status != ClientStatus::Active {
            continue;
        }
        let change = StatusChange {
            to: ClientStatus::Suspended,
            comment: &comment,
            ip: None,
        };
        change_status(tx, &c, change, &Actor::System, now).await?;
        suspended.push(c.client_id.to_string());
    }
    audit::record(
        tx,
        audit::Event {
            actor: &Actor::System,
            action: "authority.withdrawn",
            subject_type: "organisation",
            subject_id: org.id.to_string(),
            organisation: Some(org.id),
            detail: serde_json::json!({ "why": why, "suspended_clients": suspended }),
            ip: None,
        },
        now,
    )
    .await?;
    let link = st.link(paths::DASHBOARD);
    let mails: Vec<Mail> = store::users::list_by_org(tx, org.id)
        .await?
        .into_iter()
        .filter(|u| u.email_verified_at.is_some())
        .map(|u| Mail {
            to: u.email,
            subject: format!(
                "Your authorisation: production keys of {} suspended",
                org.legal_name
            ),
            body: format!(
                "Hello,\n\nA register the bank checks now shows the authorisation of {} as \
                 withdrawn:\n{why}\n\nYour production keys are suspended until the bank has looked \
                 at it ({} of them). If this is a mistake, tell the bank; the details are on your \
                 dashboard: {link}\n",
                org.legal_name,
                suspended.len()
            ),
        })
        .collect();
    let mut queued = Queued::default();
    outbox::queue(tx, &st.clock, mails, &mut queued).await?;
    uow.mail = queued;
    uow.touches_clients();
    uow.commit(st).await?;
    tracing::warn!(organisation = %org.id, why, "authorisation withdrawn: production keys suspended");
    Ok(())
}
