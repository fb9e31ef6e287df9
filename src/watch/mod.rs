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
use crate::tasks::{self, service::Subject};
use crate::unit_of_work::UnitOfWork;
use crate::workflow::registry::AUTHORITY_CHANGE;

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
    /// The "Authorisation changed" task could not be opened.
    #[error(transparent)]
    Task(#[from] crate::tasks::TaskError),
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
    let earlier = authority::history(st, org.id).await?;
    let before = baseline(&earlier);
    let findings = authority::check_organisation(&st.db, st, org, None).await?;
    let acted_on_certificate = certificates::act(st, org, &findings).await?;
    let withdrawn: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.verdict == Verdict::Withdrawn)
        .filter(|f| {
            !before
                .iter()
                .any(|e| e.source == f.source && e.verdict == Verdict::Withdrawn)
        })
        .collect();
    if !withdrawn.is_empty() {
        let why = withdrawn
            .iter()
            .map(|f| format!("{}: {}", f.source, f.details))
            .collect::<Vec<_>>()
            .join("; ");
        let change = Change::on_organisation(
            org,
            format!("authorisation withdrawn: {why}"),
            "authority.withdrawn",
            withdrawn.iter().map(|f| before_after(&before, f)).collect(),
        );
        suspend(st, org, &change, |c| {
            c.environment == Environment::Production
        })
        .await?;
        return Ok((findings, true));
    }
    let (lost, changed) = lost_roles(&before, &findings);
    if lost.is_empty() {
        return Ok((findings, acted_on_certificate));
    }
    let needs_lost = |c: &ClientRecord| {
        c.environment == Environment::Production
            && EnvSettings::of_metadata(&c.metadata)
                .scopes
                .iter()
                .filter_map(|s| Scope::parse(s))
                .any(|s| lost.contains(&Psd2Role::for_scope(s)))
    };
    let change = Change::on_organisation(
        org,
        format!("role no longer authorised: {}", psd2::roles_text(&lost)),
        "authority.role_lost",
        changed.iter().map(|f| before_after(&before, f)).collect(),
    );
    let acted = suspend(st, org, &change, needs_lost).await?;
    Ok((findings, acted || acted_on_certificate))
}

/// Each source's newest evidence that said something (not `unavailable`): what a new finding is
/// compared with, so that a register that was briefly unreachable neither hides a lost role nor
/// makes an old withdrawal look new. `earlier` is newest first.
fn baseline(earlier: &[EvidenceRecord]) -> Vec<EvidenceRecord> {
    let mut out: Vec<EvidenceRecord> = Vec::new();
    for e in earlier.iter().filter(|e| e.verdict != Verdict::Unavailable) {
        if !out.iter().any(|o| o.source == e.source) {
            out.push(e.clone());
        }
    }
    out
}

/// What changed, for the audit trail, the TPP's mail and the admin task.
struct Change {
    /// One line: what changed.
    why: String,
    /// The audit action.
    action: &'static str,
    /// The audit subject's type (`organisation`, `certificate`).
    subject_type: &'static str,
    /// The audit subject's id.
    subject_id: String,
    /// Per source: the evidence before and after; the "Authorisation changed" task opens when
    /// there is some (a register changed), not for a certificate's own revocation.
    evidence: Vec<serde_json::Value>,
}

impl Change {
    fn on_organisation(
        org: &OrganisationRecord,
        why: String,
        action: &'static str,
        evidence: Vec<serde_json::Value>,
    ) -> Self {
        Self {
            why,
            action,
            subject_type: "organisation",
            subject_id: org.id.to_string(),
            evidence,
        }
    }
}

/// A source's baseline evidence before this check and its finding now, for the task page.
fn before_after(before: &[EvidenceRecord], f: &Finding) -> serde_json::Value {
    let prev = before.iter().find(|e| e.source == f.source);
    serde_json::json!({
        "source": f.source,
        "before": prev.map(|e| serde_json::json!({
            "verdict": e.verdict, "roles": psd2::roles_in(&e.found), "details": e.details,
            "checked_at": crate::domain::clock::human_time(&e.checked_at),
        })),
        "after": { "verdict": f.verdict, "roles": psd2::roles_in(&f.found), "details": f.details },
    })
}

/// Roles a source verified before and no longer lists now that it finds a mismatch, and the
/// findings that lost them.
fn lost_roles<'f>(
    before: &[EvidenceRecord],
    findings: &'f [Finding],
) -> (Vec<Psd2Role>, Vec<&'f Finding>) {
    let mut lost = Vec::new();
    let mut changed = Vec::new();
    for f in findings.iter().filter(|f| f.verdict == Verdict::Mismatch) {
        let Some(prev) = before
            .iter()
            .find(|e| e.source == f.source && e.verdict == Verdict::Verified)
        else {
            continue;
        };
        let now = psd2::roles_in(&f.found);
        let gone: Vec<Psd2Role> = psd2::roles_in(&prev.found)
            .into_iter()
            .filter(|r| !now.contains(r))
            .collect();
        if !gone.is_empty() {
            changed.push(f);
        }
        for r in gone {
            if !lost.contains(&r) {
                lost.push(r);
            }
        }
    }
    (lost, changed)
}

/// Suspends the organisation's active clients that `affected` picks, mails its members, audits
/// it and opens the "Authorisation changed" task when registers changed, in one transaction.
/// Returns whether any client was suspended (a lost role with nothing to suspend is neither
/// audited nor mailed; the other acts always are).
async fn suspend(
    st: &AppState,
    org: &OrganisationRecord,
    change: &Change,
    affected: impl Fn(&ClientRecord) -> bool,
) -> Result<bool, WatchError> {
    let (why, action) = (change.why.as_str(), change.action);
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
            subject_type: change.subject_type,
            subject_id: change.subject_id.clone(),
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
    if !change.evidence.is_empty() {
        open_task(tx, st, org, change, &suspended, &mut queued).await?;
    }
    outbox::queue(tx, &st.clock, mails, &mut queued).await?;
    uow.mail = queued;
    uow.touches_clients();
    uow.commit(st).await?;
    tracing::warn!(organisation = %org.id, why, "authority check: keys suspended");
    Ok(true)
}

/// Opens the "Authorisation changed" task (the `authority-change` workflow) with the evidence
/// before → after and the clients suspended; skipped, with a warning, when the bank's workflows
/// do not include it.
async fn open_task(
    tx: &impl store::ConnectionTrait,
    st: &AppState,
    org: &OrganisationRecord,
    change: &Change,
    suspended: &[String],
    queued: &mut Queued,
) -> Result<(), WatchError> {
    let Some(wf) = st.workflows.get(AUTHORITY_CHANGE) else {
        tracing::warn!(
            organisation = %org.id,
            "no authority-change workflow: the authorisation change opens no admin task"
        );
        return Ok(());
    };
    let mut data = serde_json::Map::new();
    data.insert("why".into(), change.why.clone().into());
    data.insert("change".into(), change.action.into());
    data.insert("evidence".into(), change.evidence.clone().into());
    data.insert("suspended_clients".into(), suspended.to_vec().into());
    let subject = Subject {
        kind: "organisation",
        id: org.id.to_string(),
    };
    tasks::service::start(tx, st, wf, subject, org, data, &Actor::System, queued).await?;
    Ok(())
}
