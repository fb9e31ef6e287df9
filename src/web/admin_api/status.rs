//! Suspending, reactivating and revoking organisations and clients, through the console's own
//! services; approvers and superadmins only, with a required comment.

use super::ApiError;
use super::caller::ApiCaller;
use crate::clients::ClientStatus;
use crate::clients::service::{self as clients, StatusChange};
use crate::domain::{ClientId, OrganisationId};
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;

/// Why.
#[derive(Deserialize)]
pub struct Reason {
    comment: Option<String>,
}

impl Reason {
    fn comment(&self) -> Result<&str, ApiError> {
        self.comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| ApiError::invalid("comment is required: it is kept in the history"))
    }
}

/// A status change as asked: the caller (approver or superadmin), the subject's id, the action
/// from the path, the required comment and the caller's address.
pub struct StatusCall {
    st: web::Data<AppState>,
    caller: ApiCaller,
    id: String,
    action: String,
    comment: String,
    ip: Option<String>,
}

impl FromRequest for StatusCall {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        type Parts = (
            web::Data<AppState>,
            ApiCaller,
            web::Path<(String, String)>,
            web::Json<Reason>,
        );
        let parts = Parts::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let (st, caller, path, body) = parts.await?;
            caller.may_change_status()?;
            let comment = body.comment()?.to_string();
            let (id, action) = path.into_inner();
            let ip = Some(crate::web::ip::client_ip(&req, &st.settings));
            Ok(Self {
                st,
                caller,
                id,
                action,
                comment,
                ip,
            })
        })
    }
}

/// POST `/organisations/{id}/{action}`: `suspend` or `reactivate`.
pub async fn organisation(call: StatusCall) -> Result<HttpResponse, ApiError> {
    let suspend = match call.action.as_str() {
        "suspend" => true,
        "reactivate" => false,
        _ => return Err(ApiError::not_found()),
    };
    let id: OrganisationId = call.id.parse().map_err(|_| ApiError::not_found())?;
    let actor = &call.caller.0.actor;
    let n = crate::tpp::admin::set_suspended(&call.st, id, suspend, &call.comment, actor, call.ip)
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "id": id.to_string(),
        "status": if suspend { "suspended" } else { "active" },
        "clients_changed": n,
    })))
}

/// POST `/clients/{id}/{action}`: `suspend`, `reactivate` or `revoke`.
pub async fn client(call: StatusCall) -> Result<HttpResponse, ApiError> {
    let to = match call.action.as_str() {
        "suspend" => ClientStatus::Suspended,
        "reactivate" => ClientStatus::Active,
        "revoke" => ClientStatus::Revoked,
        _ => return Err(ApiError::not_found()),
    };
    let id = ClientId(call.id);
    let change = StatusChange {
        to,
        comment: &call.comment,
        ip: call.ip,
    };
    clients::change_status_now(&call.st, &id, change, &call.caller.0.actor).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "client_id": id.as_str(),
        "status": to.as_str(),
    })))
}
