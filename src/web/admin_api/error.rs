//! The admin API's JSON errors: `{"error": "...", "error_description": "..."}` with 401 for a
//! bad, expired or revoked token, 403 for a role, 404, 409 for a conflict or four-eyes, 422 for
//! bad input. Causes of a 500 go to the log once, never into the body.

use crate::admin_api::ApiTokenError;
use crate::clients::ClientError;
use crate::tasks::TaskError;
use crate::tpp::SignupError;
use crate::workflow::StepError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use std::fmt;

/// An admin API error.
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    description: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            code,
            description: description.into(),
        }
    }

    /// 401.
    pub fn unauthorized(why: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_token", why)
    }

    /// 403.
    pub fn forbidden(why: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "insufficient_role", why)
    }

    /// 404.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }

    /// 409.
    pub fn conflict(code: &'static str, why: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, why)
    }

    /// 422.
    pub fn invalid(why: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", why)
    }

    /// 500; the cause is logged here, once.
    pub fn internal(cause: &dyn fmt::Debug) -> Self {
        tracing::error!(error = ?cause, "admin API request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "the server could not complete the request",
        )
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.description)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut r = HttpResponse::build(self.status);
        r.insert_header(("Cache-Control", "no-store"));
        if self.status == StatusCode::UNAUTHORIZED {
            r.insert_header((
                "WWW-Authenticate",
                format!(
                    "Bearer error=\"invalid_token\", error_description=\"{}\"",
                    self.description
                ),
            ));
        }
        r.json(serde_json::json!({ "error": self.code, "error_description": self.description }))
    }
}

impl From<ApiTokenError> for ApiError {
    fn from(e: ApiTokenError) -> Self {
        match e {
            ApiTokenError::NotFound => Self::not_found(),
            ApiTokenError::Invalid(m) => Self::invalid(m),
            ApiTokenError::Forbidden(m) => Self::forbidden(m),
            ApiTokenError::Unauthenticated(m) => Self::unauthorized(m),
            other => Self::internal(&other),
        }
    }
}

impl From<TaskError> for ApiError {
    fn from(e: TaskError) -> Self {
        match e {
            TaskError::NotFound => Self::not_found(),
            TaskError::Step(s) => match s {
                StepError::UnknownAction(_) | StepError::CommentRequired(_) => {
                    Self::invalid(s.to_string())
                }
                StepError::NotPermitted(_) => Self::forbidden(s.to_string()),
                StepError::SameActor { .. } => Self::conflict("four_eyes", s.to_string()),
                other => Self::conflict("wrong_state", other.to_string()),
            },
            e @ TaskError::Stale { .. } => Self::conflict("stale", e.to_string()),
            TaskError::Refused(m) => Self::conflict("refused", m),
            TaskError::Form(_) => Self::invalid("the step needs a form; take it in the portal"),
            other => Self::internal(&other),
        }
    }
}

impl From<ClientError> for ApiError {
    fn from(e: ClientError) -> Self {
        match e {
            ClientError::NotFound => Self::not_found(),
            e @ ClientError::Revoked => Self::conflict("revoked", e.to_string()),
            ClientError::NotApplicable(m) => Self::conflict("not_applicable", m),
            other => Self::internal(&other),
        }
    }
}

impl From<SignupError> for ApiError {
    fn from(e: SignupError) -> Self {
        match e {
            SignupError::NotFound => Self::not_found(),
            SignupError::Refused(m) => Self::conflict("not_applicable", m),
            other => Self::internal(&other),
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        Self::internal(&e)
    }
}
