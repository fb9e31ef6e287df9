//! The bearer of an admin API token: an extractor that checks `Authorization: Bearer onr_adm_…`
//! (no cookies, so no CSRF) and leaves the caller in the request for the call's audit event.

use super::error::ApiError;
use crate::admin_api::tokens::{self, Caller};
use crate::domain::AdminRole;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

/// An authenticated admin API caller.
pub struct ApiCaller(pub Caller);

impl ApiCaller {
    /// Refuses a caller whose role may not change statuses (the console's rule).
    pub fn may_change_status(&self) -> Result<(), ApiError> {
        if self.0.role.may_change_status() {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "reviewers can read organisations and clients; changing them needs an approver",
            ))
        }
    }

    /// The role the call acts with.
    pub fn role(&self) -> AdminRole {
        self.0.role
    }
}

impl FromRequest for ApiCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let st = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::internal(&"no application state"))?;
            let header = req
                .headers()
                .get("Authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let token = header
                .strip_prefix("Bearer ")
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| ApiError::unauthorized("an admin API bearer token is required"))?;
            let caller = tokens::authenticate(st, token).await?;
            req.extensions_mut().insert(caller.clone());
            Ok(Self(caller))
        })
    }
}
