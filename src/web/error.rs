//! Page errors: what a person sees when something is not found, not allowed or broken. Causes
//! are logged once and never shown.

use super::render::Layout;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use std::fmt;

/// An error answered with an HTML page (or a redirect to sign in).
pub enum PageError {
    /// 404.
    NotFound,
    /// 403 with a reason.
    Forbidden(&'static str),
    /// Not signed in: redirect to this sign-in page.
    SignIn(&'static str),
    /// 422: a value out of range or malformed, with a message for the person.
    Invalid(String),
    /// 500; the cause goes to the log.
    Internal(String),
}

impl fmt::Debug for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound => f.write_str("not found"),
            Self::Forbidden(m) => write!(f, "forbidden: {m}"),
            Self::SignIn(p) => write!(f, "sign-in required at {p}"),
            Self::Invalid(m) => write!(f, "invalid: {m}"),
            Self::Internal(c) => write!(f, "internal: {c}"),
        }
    }
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage {
    layout: Layout,
    heading: &'static str,
    message: String,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::SignIn(_) => StatusCode::SEE_OTHER,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (heading, message) = match self {
            Self::SignIn(path) => {
                return HttpResponse::SeeOther()
                    .insert_header(("Location", *path))
                    .finish();
            }
            Self::NotFound => (
                "Page not found",
                "There is nothing at this address, or you may not see it.".to_string(),
            ),
            Self::Forbidden(m) => ("Not allowed", (*m).to_string()),
            Self::Invalid(m) => ("Check what you entered", m.clone()),
            Self::Internal(cause) => {
                tracing::error!(error = %cause, "request failed");
                (
                    "Something went wrong",
                    "The server could not complete your request. Try again; if it keeps failing, contact the bank."
                        .to_string(),
                )
            }
        };
        let page = ErrorPage {
            layout: Layout::bare(heading),
            heading,
            message,
        };
        let body = page.render().unwrap_or_else(|_| page.message.clone());
        HttpResponse::build(self.status_code())
            .content_type("text/html; charset=utf-8")
            .body(body)
    }
}

macro_rules! internal_from {
    ($($t:ty),*) => {$(
        impl From<$t> for PageError {
            fn from(e: $t) -> Self {
                let mut msg = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    msg.push_str(": ");
                    msg.push_str(&s.to_string());
                    src = s.source();
                }
                Self::Internal(msg)
            }
        }
    )*};
}

internal_from!(
    crate::store::StoreError,
    crate::authority::AuthorityError,
    askama::Error,
    actix_session::SessionInsertError,
    actix_session::SessionGetError
);

impl From<crate::tasks::TaskError> for PageError {
    fn from(e: crate::tasks::TaskError) -> Self {
        match e {
            crate::tasks::TaskError::NotFound => Self::NotFound,
            other => Self::Internal(format!("{other:?}")),
        }
    }
}

impl From<crate::tpp::SignupError> for PageError {
    fn from(e: crate::tpp::SignupError) -> Self {
        match e {
            crate::tpp::SignupError::NotFound => Self::NotFound,
            other => Self::Internal(format!("{other:?}")),
        }
    }
}

impl From<crate::accounts::AccountError> for PageError {
    fn from(e: crate::accounts::AccountError) -> Self {
        Self::Internal(format!("{e:?}"))
    }
}

macro_rules! not_found_or_internal {
    ($($t:ty),*) => {$(
        impl From<$t> for PageError {
            fn from(e: $t) -> Self {
                match e {
                    <$t>::NotFound => Self::NotFound,
                    other => Self::Internal(format!("{other:?}")),
                }
            }
        }
    )*};
}

not_found_or_internal!(
    crate::applications::ApplicationError,
    crate::keys::KeyError,
    crate::team::TeamError,
    crate::clients::ClientError,
    crate::sandbox_directory::SandboxError
);
