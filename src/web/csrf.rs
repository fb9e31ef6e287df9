//! CSRF protection for every HTML form POST, in two layers: the `Origin`/`Sec-Fetch-Site`
//! headers must not name another site, and the form must carry the session's synchronizer
//! token. [`FormPost`] does both and hands the parsed form to the handler.

use super::error::PageError;
use super::session::TypedSession;
use crate::forms::Submission;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::web::{Bytes, Data};
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

/// A form POST that passed the CSRF checks.
pub struct FormPost(pub Submission);

fn origin_of(url: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
}

fn same_origin(req: &HttpRequest) -> bool {
    if req
        .headers()
        .get("Sec-Fetch-Site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
    {
        return false;
    }
    let Some(origin) = req.headers().get("Origin").and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let mut allowed = Vec::new();
    if let Some(st) = req.app_data::<Data<AppState>>() {
        allowed.extend(origin_of(&st.settings.public_url));
        if let Some(tls) = &st.settings.tls {
            allowed.extend(origin_of(&tls.public_url));
        }
    }
    let info = req.connection_info();
    allowed.push(format!("{}://{}", info.scheme(), info.host()));
    allowed.iter().any(|a| a == origin)
}

impl FromRequest for FormPost {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, PageError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = Bytes::from_request(&req, payload);
        Box::pin(async move {
            if !same_origin(&req) {
                return Err(PageError::Forbidden(
                    "This form was sent from another site, so it was refused.",
                ));
            }
            let bytes = body
                .await
                .map_err(|_| PageError::Forbidden("The form could not be read."))?;
            let sub = Submission::from_urlencoded(&bytes);
            let session = TypedSession::of(&req);
            if !session.csrf_matches(sub.get("csrf_token").unwrap_or_default()) {
                return Err(PageError::Forbidden(
                    "Your form expired or was not sent from this site. Go back, reload the page and try again.",
                ));
            }
            Ok(Self(sub))
        })
    }
}
