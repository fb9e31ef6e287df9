//! What the bank does to an organisation from the console: suspend it (its active clients are
//! suspended with it) and reactivate it (the clients it suspended come back; those suspended on
//! their own stay so).

use super::SignupError;
use crate::audit;
use crate::domain::{Actor, OrganisationId};
use crate::state::AppState;
use crate::store;
use crate::unit_of_work::UnitOfWork;

/// Suspends or reactivates an organisation.
pub async fn set_suspended(
    st: &AppState,
    org_id: OrganisationId,
    suspend: bool,
    comment: &str,
    actor: &Actor,
    ip: Option<String>,
) -> Result<u64, SignupError> {
    let now = st.clock.now();
    let mut uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let org = store::organisations::get(tx, org_id)
        .await?
        .ok_or(SignupError::NotFound)?;
    use crate::domain::OrganisationStatus::{Active, Suspended};
    let (from, to) = if suspend {
        (Active, Suspended)
    } else {
        (Suspended, Active)
    };
    if org.status != from {
        return Err(SignupError::Refused(format!(
            "The organisation is {}, so it cannot be {}.",
            org.status,
            if suspend { "suspended" } else { "reactivated" }
        )));
    }
    store::organisations::set_status(tx, org.id, to, now).await?;
    let clients = if suspend {
        store::clients::suspend_for_org(tx, org.id, now).await?
    } else {
        store::clients::restore_for_org(tx, org.id, now).await?
    };
    audit::record(
        tx,
        audit::Event {
            actor,
            action: if suspend {
                "organisation.suspended"
            } else {
                "organisation.reactivated"
            },
            subject_type: "organisation",
            subject_id: org.id.to_string(),
            organisation: Some(org.id),
            detail: serde_json::json!({ "comment": comment, "clients": clients }),
            ip,
        },
        now,
    )
    .await?;
    uow.touches_clients();
    uow.commit(st).await?;
    Ok(clients)
}
