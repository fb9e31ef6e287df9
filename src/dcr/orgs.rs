//! The organisation a software statement names: found by its `org_id` (the sandbox directory
//! names portal organisations by their own id), or made from the statement's claims. Lookups
//! for the group-committed path are cached for 30 seconds per node; the batch itself checks
//! inside its transaction that the organisation is still active, so a suspension is never
//! missed.

use super::DcrError;
use super::request::Request;
use crate::audit;
use crate::domain::{Actor, OrganisationId};
use crate::state::AppState;
use crate::store::organisations::OrganisationRecord;
use crate::store::{self, ConnectionTrait};
use crate::trust::OrgKey;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

fn cache_key(req: &Request) -> OrgKey {
    (
        req.ssa.str("iss").unwrap_or_default().to_string(),
        req.ssa.org_id().to_string(),
    )
}

/// [`known`], through the node's cache of active organisations.
pub async fn known_cached(
    st: &AppState,
    req: &Request,
) -> Result<Option<OrganisationRecord>, DcrError> {
    let key = cache_key(req);
    if let Some(org) = st.dcr_orgs.get(&key) {
        return Ok(Some(org));
    }
    let found = known(&st.db, req).await?;
    if let Some(org) = &found {
        st.dcr_orgs.insert(key, org.clone());
    }
    Ok(found)
}

/// The statement's organisation when this bank knows it (by `org_id`; the sandbox directory
/// names portal organisations by their own id), refused unless it is active.
pub async fn known(
    c: &impl ConnectionTrait,
    req: &Request,
) -> Result<Option<OrganisationRecord>, DcrError> {
    let ssa = &req.ssa;
    let found = if ssa.str("iss") == Some(crate::sandbox_directory::ISSUER) {
        let id = ssa.org_id().parse::<OrganisationId>().ok();
        let org = match id {
            Some(id) => store::organisations::get(c, id).await?,
            None => None,
        };
        Some(org.ok_or_else(|| {
            DcrError::Unapproved(format!(
                "Organisation {} is unknown at this bank.",
                ssa.org_id()
            ))
        })?)
    } else {
        let issuer = ssa.str("iss").unwrap_or_default();
        store::organisations::find_by_directory_id(c, issuer, ssa.org_id()).await?
    };
    match found {
        Some(org) if org.status != crate::domain::OrganisationStatus::Active => {
            Err(DcrError::Unapproved(format!(
                "Organisation {} is {} at this bank, so it cannot register software.",
                ssa.org_id(),
                org.status
            )))
        }
        other => Ok(other),
    }
}

/// A new organisation made from the statement's claims, active, with an audit event.
pub async fn create(
    c: &impl ConnectionTrait,
    req: &Request,
    now: DateTime<Utc>,
) -> Result<OrganisationRecord, DcrError> {
    let ssa = &req.ssa;
    let mut profile = Map::new();
    profile.insert(
        "legal_name".into(),
        json!(ssa.str("org_name").unwrap_or(ssa.org_id())),
    );
    profile.insert("roles".into(), json!(ssa.roles()));
    profile.insert("directory_org_id".into(), json!(ssa.org_id()));
    if let Some(ca) = ssa.claims().get("organisation_competent_authority_claims") {
        profile.insert(
            "competent_authority".into(),
            ca.get("authority_id").cloned().unwrap_or(Value::Null),
        );
        profile.insert(
            "authorisation_number".into(),
            ca.get("registration_id").cloned().unwrap_or(Value::Null),
        );
    }
    let org = OrganisationRecord {
        id: OrganisationId::new(),
        legal_name: ssa.str("org_name").unwrap_or(ssa.org_id()).to_string(),
        status: crate::domain::OrganisationStatus::Active,
        profile,
        created_at: now,
        updated_at: now,
        directory_org_id: Some(ssa.org_id().to_string()),
        directory_issuer: ssa.str("iss").map(str::to_string),
        require_mfa: false,
    };
    store::organisations::insert(c, &org).await?;
    audit::record(
        c,
        audit::Event {
            actor: &Actor::System,
            action: "organisation.created_from_ssa",
            subject_type: "organisation",
            subject_id: org.id.to_string(),
            organisation: Some(org.id),
            detail: json!({ "org_id": ssa.org_id(), "issuer": ssa.str("iss") }),
            ip: None,
        },
        now,
    )
    .await?;
    Ok(org)
}
