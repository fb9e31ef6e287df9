//! What the console reads about organisations: the list, one organisation, its members.

use crate::domain::OrganisationId;
use crate::store::organisations::OrganisationRecord;
use crate::store::{self, ConnectionTrait, Page, StoreError};

/// Organisations with `status` (all when `None`) whose name contains `text`, with the total.
pub async fn list(
    c: &impl ConnectionTrait,
    status: Option<crate::domain::OrganisationStatus>,
    text: Option<&str>,
    page: Page,
) -> Result<(Vec<OrganisationRecord>, u64), StoreError> {
    store::organisations::list(c, status, text, page).await
}

/// One organisation.
pub async fn get(
    c: &impl ConnectionTrait,
    id: OrganisationId,
) -> Result<Option<OrganisationRecord>, StoreError> {
    store::organisations::get(c, id).await
}

/// Its members as (email, role).
pub async fn members(
    c: &impl ConnectionTrait,
    id: OrganisationId,
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(store::users::list_by_org(c, id)
        .await?
        .into_iter()
        .map(|u| (u.email, u.role))
        .collect())
}
