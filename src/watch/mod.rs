//! Watching authorisations after onboarding: every `authority.recheck` (default 24 hours) each
//! active organisation's sources are checked again, as `onramp authority check` does by hand.
//! When a source newly says the authorisation is **withdrawn**, the organisation's production
//! clients are suspended at once; when a source that verified roles now lists fewer (a **lost
//! role**), the production clients whose scopes need a lost role are. Its members are mailed and
//! the audit trail records why. `unavailable` (a register that could not be read) and
//! `not_found` never suspend anything (decision 8). The certificate on record is watched too
//! ([`certificates`]): revoked, it suspends the clients bound to it; expiring within 30 days,
//! it is mailed about once.

pub mod certificates;

use crate::audit;
use crate::authority::finding::Finding;
use crate::authority::{AuthorityError, service as authority};
use crate::clients::service::{StatusChange, change_status};
use crate::clients::settings::EnvSettings;
use crate::clients::{ClientStatus, Environment};
use crate::domain::client::Scope;
use crate::domain::evidence::Verdict;
use crate::domain::psd2::{self, Psd2Role};
use crate::domain::{Actor, OrganisationStatus, paths};
use crate::email::outbox::{self, Mail, Queued};
use crate::state::AppState;
use crate::store::authority::EvidenceRecord;
use crate::store::clients::ClientRecord;
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

/// Runs the checks for one organisation, stores the evidence, and acts on a new withdrawal or a
/// lost role. Returns the findings and whether it acted.
pub async fn check_and_act(
    st: &AppState,
    org: &OrganisationRecord,
) -> Result<(Vec<Finding>, bool), WatchError> {
    let before = authority::latest(st, org.id).await?;
    let findings = authority::check_organisation(&st.db, st, org, None).await?;
    let acted_on_certificate = certificates::act(st, org, &findings).await?;
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
    if !newly_withdrawn.is_empty() {
        let why = format!("authorisation withdrawn: {}", newly_withdrawn.join("; "));
        let act = Act::on_organisation(org, &why, "authority.withdrawn");
        suspend(st, org, act, |c| c.environment == Environment::Production).await?;
        return Ok((findings, true));
    }
    let lost = lost_roles(&before, &findings);
    if lost.is_empty() {
        return Ok((findings, acted_on_certificate));
    }
    let why = format!("role no longer authorised: {}", psd2::roles_text(&lost));
    let needs_lost = |c: &ClientRecord| {
        c.environment == Environment::Production
            && EnvSettings::of_metadata(&c.metadata)
                .scopes
                .iter()
                .filter_map(|s| Scope::parse(s))
                .any(|s| lost.contains(&Psd2Role::for_scope(s)))
    };
    let act = Act::on_organisation(org, &why, "authority.role_lost");
    let acted = suspend(st, org, act, needs_lost).await?;
    Ok((findings, acted || acted_on_certificate))
}

/// Roles a source verified before and no longer lists now that it finds a mismatch.
fn lost_roles(before: &[EvidenceRecord], findings: &[Finding]) -> Vec<Psd2Role> {
    let mut lost = Vec::new();
    for f in findings.iter().filter(|f| f.verdict == Verdict::Mismatch) {
        let Some(prev) = before
            .iter()
            .find(|e| e.source == f.source && e.verdict == Verdict::Verified)
        else {
            continue;
        };
        let now = psd2::roles_in(&f.found);
        for r in psd2::roles_in(&prev.found) {
            if !now.contains(&r) && !lost.contains(&r) {
                lost.push(r);
            }
        }
    }
    lost
}

/// What a suspension records: why, the audit action and its subject.
struct Act<'a> {
    why: &'a str,
    action: &'a str,
    subject_type: &'a str,
    subject_id: String,
}

impl<'a> Act<'a> {
    fn on_organisation(org: &OrganisationRecord, why: &'a str, action: &'a str) -> Self {
        Self {
            why,
            action,
            subject_type: "organisation",
            subject_id: org.id.to_string(),
        }
    }
}

/// Suspends the organisation's active clients that `affected` picks, mails its members and
/// audits it, in one transaction. Returns whether any client was suspended (a lost role with
/// nothing to suspend is neither audited nor mailed; the other acts always are).
async fn suspend(
    st: &AppState,
    org: &OrganisationRecord,
    act: Act<'_>,
    affected: impl Fn(&ClientRecord) -> bool,
) -> Result<bool, WatchError> {
    let Act {
        why,
        action,
        subject_type,
        subject_id,
    } = act;
    let now = st.clock.now();
    let mut uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let comment = format!("Suspended by an authority check: {why}");
    let mut suspended = Vec::new();
    for c in store::clients::for_organisation(tx, org.id).await? {
        if c.status != ClientStatus::Active || !affected(&c) {
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
    if suspended.is_empty() && action == "authority.role_lost" {
        return Ok(false);
    }
    audit::record(
        tx,
        audit::Event {
            actor: &Actor::System,
            action,
            subject_type,
            subject_id,
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
            subject: format!("Your authorisation: keys of {} suspended", org.legal_name),
            body: format!(
                "Hello,\n\nA source the bank checks about the authorisation of {} has \
                 changed:\n{why}\n\n{} of your keys are suspended until the bank has \
                 looked at it. If this is a mistake, tell the bank; the details are on your \
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
    tracing::warn!(organisation = %org.id, why, "authority check: keys suspended");
    Ok(true)
}
