//! The named conditions of `when = [...]` on automatic transitions, read over the
//! organisation's newest authority evidence (workflows/README.md, "Conditions").

use super::TaskError;
use crate::clients::policy;
use crate::domain::psd2::{Psd2Role, parse_roles};
use crate::store::organisations::OrganisationRecord;
use crate::store::workflows::InstanceRecord;
use crate::store::{self, ConnectionTrait};
use crate::workflow::Condition;
use serde_json::Value;

/// The roles a task asks for: its form's `roles`, else the organisation's declared ones.
fn requested(inst: &InstanceRecord, org: &OrganisationRecord) -> Vec<Psd2Role> {
    let roles = inst.data.get("roles").or_else(|| org.profile.get("roles"));
    match roles {
        Some(Value::Array(a)) => parse_roles(a.iter().filter_map(Value::as_str)),
        Some(Value::String(s)) => parse_roles(s.split([',', ' '])),
        _ => Vec::new(),
    }
}

/// Whether every condition holds.
pub async fn hold(
    c: &impl ConnectionTrait,
    when: &[Condition],
    inst: &InstanceRecord,
    org: &OrganisationRecord,
) -> Result<bool, TaskError> {
    if when.is_empty() {
        return Ok(true);
    }
    let evidence = store::authority::latest_per_source(c, org.id).await?;
    Ok(when.iter().all(|w| match w {
        Condition::AuthorityVerified => policy::authority_verified(&evidence),
        Condition::RolesCoverRequest => {
            policy::roles_cover_request(&requested(inst, org), &evidence)
        }
    }))
}
