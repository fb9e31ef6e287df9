//! Authority evidence (append-only: inserted, never changed) and the imported registers (EBA,
//! CSV), replaced whole by each import.

use super::StoreError;
use super::entities::authority_evidence as ev;
use super::entities::register_entries as re;
use super::error::parse_id;
use crate::domain::evidence::{Source, Verdict};
use crate::domain::{EvidenceId, InstanceId, OrganisationId};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

/// One piece of evidence.
#[derive(Clone, Debug, PartialEq)]
pub struct EvidenceRecord {
    /// Its id.
    pub id: EvidenceId,
    /// Whose authorisation.
    pub organisation_id: OrganisationId,
    /// The workflow instance (task) it was gathered for, if any.
    pub instance_id: Option<InstanceId>,
    /// Where it comes from.
    pub source: Source,
    /// What the check concluded.
    pub verdict: Verdict,
    /// What was looked up (identifier, number, authority).
    pub looked_up: String,
    /// What was found (JSON).
    pub found: serde_json::Value,
    /// One line for people: what agrees or differs.
    pub details: String,
    /// Who recorded it, for manual evidence.
    pub author: Option<String>,
    /// When.
    pub checked_at: DateTime<Utc>,
}

/// Stores evidence.
pub async fn insert(c: &impl ConnectionTrait, e: &EvidenceRecord) -> Result<(), StoreError> {
    let am = ev::ActiveModel {
        id: Set(e.id.to_string()),
        organisation_id: Set(e.organisation_id.to_string()),
        instance_id: Set(e.instance_id.map(|i| i.to_string())),
        source: Set(e.source.as_str().into()),
        verdict: Set(e.verdict.as_str().into()),
        looked_up: Set(e.looked_up.clone()),
        found: Set(e.found.to_string()),
        details: Set(e.details.clone()),
        author: Set(e.author.clone()),
        checked_at: Set(e.checked_at),
    };
    ev::Entity::insert(am).exec_without_returning(c).await?;
    Ok(())
}

fn record(m: ev::Model) -> Result<EvidenceRecord, StoreError> {
    let bad = |what: &str, v: &str| StoreError::Malformed(format!("evidence {what} {v}"));
    Ok(EvidenceRecord {
        id: parse_id(&m.id)?,
        organisation_id: parse_id(&m.organisation_id)?,
        instance_id: m.instance_id.as_deref().map(parse_id).transpose()?,
        source: Source::parse(&m.source).ok_or_else(|| bad("source", &m.source))?,
        verdict: Verdict::parse(&m.verdict).ok_or_else(|| bad("verdict", &m.verdict))?,
        looked_up: m.looked_up,
        found: serde_json::from_str(&m.found).unwrap_or(serde_json::Value::Null),
        details: m.details,
        author: m.author,
        checked_at: m.checked_at,
    })
}

/// An organisation's evidence, newest first.
pub async fn for_organisation(
    c: &impl ConnectionTrait,
    org: OrganisationId,
) -> Result<Vec<EvidenceRecord>, StoreError> {
    ev::Entity::find()
        .filter(ev::Column::OrganisationId.eq(org.to_string()))
        .order_by_desc(ev::Column::CheckedAt)
        .order_by_desc(ev::Column::Id)
        .all(c)
        .await?
        .into_iter()
        .map(record)
        .collect()
}

/// The newest evidence of each source for an organisation (newest first).
pub async fn latest_per_source(
    c: &impl ConnectionTrait,
    org: OrganisationId,
) -> Result<Vec<EvidenceRecord>, StoreError> {
    let mut out: Vec<EvidenceRecord> = Vec::new();
    for e in for_organisation(c, org).await? {
        if !out.iter().any(|o| o.source == e.source) {
            out.push(e);
        }
    }
    Ok(out)
}

/// One entry of an imported register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterEntry {
    /// `eba` or `csv`.
    pub register: Source,
    /// The authority, in its certificate form (`GB-FCA`).
    pub authority: String,
    /// The national authorisation or reference number.
    pub number: String,
    /// The firm's name(s), joined by ` / `.
    pub name: String,
    /// `authorised` or `withdrawn`.
    pub status: String,
    /// PSD2 role names (`AISP`, …).
    pub roles: Vec<String>,
    /// The register's entity type (`PSD_PI`, …).
    pub entity_type: String,
    /// First authorisation date.
    pub authorised_since: Option<String>,
    /// Withdrawal date, when withdrawn.
    pub withdrawn_at: Option<String>,
}

fn entry_model(e: &RegisterEntry, now: DateTime<Utc>) -> re::ActiveModel {
    re::ActiveModel {
        register: Set(e.register.as_str().into()),
        authority: Set(e.authority.clone()),
        number: Set(e.number.clone()),
        name: Set(e.name.clone()),
        status: Set(e.status.clone()),
        roles: Set(serde_json::json!(e.roles).to_string()),
        entity_type: Set(e.entity_type.clone()),
        authorised_since: Set(e.authorised_since.clone()),
        withdrawn_at: Set(e.withdrawn_at.clone()),
        imported_at: Set(now),
    }
}

/// Drops every entry of `register` (an import starts with this, in its transaction).
pub async fn clear_register(c: &impl ConnectionTrait, register: Source) -> Result<(), StoreError> {
    re::Entity::delete_many()
        .filter(re::Column::Register.eq(register.as_str()))
        .exec(c)
        .await?;
    Ok(())
}

/// Adds entries, whose keys (register, authority, number) must be new.
pub async fn insert_entries(
    c: &impl ConnectionTrait,
    entries: &[RegisterEntry],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if entries.is_empty() {
        return Ok(());
    }
    re::Entity::insert_many(entries.iter().map(|e| entry_model(e, now)))
        .exec_without_returning(c)
        .await?;
    Ok(())
}

/// The entries of `register` with this number (under any authority).
pub async fn find_entries(
    c: &impl ConnectionTrait,
    register: Source,
    number: &str,
) -> Result<Vec<RegisterEntry>, StoreError> {
    let rows = re::Entity::find()
        .filter(re::Column::Register.eq(register.as_str()))
        .filter(re::Column::Number.eq(number))
        .all(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(|m| RegisterEntry {
            register,
            authority: m.authority,
            number: m.number,
            name: m.name,
            status: m.status,
            roles: serde_json::from_str(&m.roles).unwrap_or_default(),
            entity_type: m.entity_type,
            authorised_since: m.authorised_since,
            withdrawn_at: m.withdrawn_at,
        })
        .collect())
}

/// How many entries `register` holds.
pub async fn count(c: &impl ConnectionTrait, register: Source) -> Result<u64, StoreError> {
    use sea_orm::PaginatorTrait;
    Ok(re::Entity::find()
        .filter(re::Column::Register.eq(register.as_str()))
        .count(c)
        .await?)
}
