//! The certificate on record (the signup's `certificate` field) as re-checks see it: found
//! **revoked**, it suspends the organisation's active clients bound to it (`tls_client_auth`
//! clients registered with its subject DN), audited `authority.certificate_revoked` and mailed;
//! **expiring** within [`EXPIRY_NOTICE`], its members are mailed once
//! (`authority.certificate_expiring`). Both act once per certificate (keyed by its SHA-256 in
//! the audit trail), however often it is checked again.

use super::{Change, WatchError, suspend};
use crate::audit;
use crate::authority::finding::Finding;
use crate::domain::evidence::{Source, Verdict};
use crate::domain::{Actor, paths};
use crate::email::outbox::{self, Mail, Queued};
use crate::oauth::dn::Dn;
use crate::state::AppState;
use crate::store::clients::ClientRecord;
use crate::store::organisations::OrganisationRecord;
use crate::unit_of_work::UnitOfWork;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

/// How long before expiry the TPP is told.
pub const EXPIRY_NOTICE: Duration = Duration::days(30);

/// Acts on the certificate finding among `findings`; returns whether it suspended anything.
pub async fn act(
    st: &AppState,
    org: &OrganisationRecord,
    findings: &[Finding],
) -> Result<bool, WatchError> {
    let Some(f) = findings.iter().find(|f| f.source == Source::Certificate) else {
        return Ok(false);
    };
    let Some(sha) = f.found.get("sha256").and_then(Value::as_str) else {
        return Ok(false);
    };
    let done = |action: &'static str| async move {
        let events = audit::for_subject(&st.db, "certificate", sha).await?;
        Ok::<bool, WatchError>(events.iter().any(|e| e.action == action))
    };
    if f.verdict == Verdict::Mismatch
        && f.found.get("revocation").and_then(Value::as_str) == Some("revoked")
    {
        if done("authority.certificate_revoked").await? {
            return Ok(false);
        }
        return revoked(st, org, f, sha).await;
    }
    let not_after = f
        .found
        .get("not_after")
        .and_then(|v| serde_json::from_value::<DateTime<Utc>>(v.clone()).ok());
    let now = st.clock.now();
    if let Some(end) = not_after
        && end > now
        && end - now <= EXPIRY_NOTICE
        && !done("authority.certificate_expiring").await?
    {
        expiring(st, org, sha, end).await?;
    }
    Ok(false)
}

/// The subject DN of the certificate on record.
fn subject_of(org: &OrganisationRecord) -> Option<Dn> {
    let pem = org.profile.get("certificate").and_then(Value::as_str)?;
    let chain = crate::authority::cert::pem_chain(pem.as_bytes()).ok()?;
    Dn::of_certificate(chain.first()?)
}

/// Whether a client is bound to a certificate with subject `dn`.
fn bound_to(c: &ClientRecord, dn: &Dn) -> bool {
    crate::clients::settings::EnvSettings::of_metadata(&c.metadata)
        .tls_subject_dn
        .as_deref()
        .and_then(Dn::parse)
        .is_some_and(|d| &d == dn)
}

async fn revoked(
    st: &AppState,
    org: &OrganisationRecord,
    f: &Finding,
    sha: &str,
) -> Result<bool, WatchError> {
    let why = format!("the certificate on record ({sha}): {}", f.details);
    let change = Change {
        why,
        action: "authority.certificate_revoked",
        subject_type: "certificate",
        subject_id: sha.to_string(),
        evidence: Vec::new(),
    };
    let dn = subject_of(org);
    suspend(st, org, &change, |c| {
        dn.as_ref().is_some_and(|d| bound_to(c, d))
    })
    .await
}

async fn expiring(
    st: &AppState,
    org: &OrganisationRecord,
    sha: &str,
    end: DateTime<Utc>,
) -> Result<(), WatchError> {
    let now = st.clock.now();
    let mut uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    audit::record(
        tx,
        audit::Event {
            actor: &Actor::System,
            action: "authority.certificate_expiring",
            subject_type: "certificate",
            subject_id: sha.to_string(),
            organisation: Some(org.id),
            detail: serde_json::json!({ "not_after": end }),
            ip: None,
        },
        now,
    )
    .await?;
    let link = st.link(paths::DASHBOARD);
    let mails: Vec<Mail> = crate::store::users::list_by_org(tx, org.id)
        .await?
        .into_iter()
        .filter(|u| u.email_verified_at.is_some())
        .map(|u| Mail {
            to: u.email,
            subject: format!("Your certificate expires on {}", end.format("%-d %b %Y")),
            body: format!(
                "Hello,\n\nThe certificate the bank holds for {} (SHA-256 {sha}) expires on {}. \
                 Keys bound to it stop working then: send the bank your new certificate before \
                 that day. Your dashboard: {link}\n",
                org.legal_name,
                end.format("%-d %b %Y %H:%M UTC")
            ),
        })
        .collect();
    let mut queued = Queued::default();
    outbox::queue(tx, &st.clock, mails, &mut queued).await?;
    uow.mail = queued;
    uow.commit(st).await?;
    Ok(())
}
