//! Rendering pages: the [`Layout`] every page carries (title, who is signed in, flash, CSRF
//! token) and a helper that turns a template into a response.

use super::error::PageError;
use super::session::{Flash, TypedSession};
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

/// What the shared layout needs.
#[derive(Clone, Debug, Default)]
pub struct Layout {
    /// Page title.
    pub title: String,
    /// `portal` or `admin`: which navigation to show.
    pub area: &'static str,
    /// The signed-in portal user's email.
    pub user: Option<String>,
    /// The signed-in admin's email and role.
    pub admin: Option<(String, String)>,
    /// A one-time message.
    pub flash: Option<Flash>,
    /// CSRF token for forms on the page.
    pub csrf: String,
}

impl Layout {
    /// A layout with no session (error pages).
    pub fn bare(title: &str) -> Self {
        Self {
            title: title.into(),
            area: "portal",
            ..Self::default()
        }
    }

    /// A portal page's layout; takes the flash message out of the session.
    pub fn portal(
        title: &str,
        session: &TypedSession,
        user: Option<String>,
    ) -> Result<Self, PageError> {
        Ok(Self {
            title: title.into(),
            area: "portal",
            user,
            admin: None,
            flash: session.take_flash()?,
            csrf: session.csrf_token()?,
        })
    }

    /// An admin page's layout.
    pub fn admin(
        title: &str,
        session: &TypedSession,
        admin: Option<(String, String)>,
    ) -> Result<Self, PageError> {
        Ok(Self {
            title: title.into(),
            area: "admin",
            user: None,
            admin,
            flash: session.take_flash()?,
            csrf: session.csrf_token()?,
        })
    }
}

/// Renders a page with a status.
pub fn page<T: Template>(t: &T, status: StatusCode) -> Result<HttpResponse, PageError> {
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(t.render()?))
}

/// Renders a page with 200.
pub fn ok<T: Template>(t: &T) -> Result<HttpResponse, PageError> {
    page(t, StatusCode::OK)
}

/// A 303 redirect (after a successful POST).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .finish()
}
