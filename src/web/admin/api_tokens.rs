//! `/admin/api-tokens`: a superadmin lists admin API tokens (name, role, admin, expiry, last
//! use), makes one (shown once) and revokes one.

use super::who;
use crate::admin_api::ApiTokenError;
use crate::admin_api::tokens::{self, NewToken};
use crate::domain::{AdminRole, ApiTokenId, paths};
use crate::state::AppState;
use crate::store::admins::AdminRecord;
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::guards::require_admin;
use crate::web::ip::client_ip;
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

struct Row {
    id: String,
    name: String,
    role: String,
    admin: String,
    expires: String,
    last_used: String,
    status: String,
}

#[derive(Template)]
#[template(path = "admin/api_tokens.html")]
struct Page {
    layout: Layout,
    rows: Vec<Row>,
    created: Option<String>,
    error: String,
    name: String,
    admin: String,
    role: String,
    days: String,
}

async fn require_superadmin(
    st: &AppState,
    session: &TypedSession,
) -> Result<AdminRecord, PageError> {
    let admin = require_admin(st, session).await?;
    if admin.role != AdminRole::Superadmin {
        return Err(PageError::Forbidden(
            "Only a superadmin manages admin API tokens.",
        ));
    }
    Ok(admin)
}

fn page_error(e: ApiTokenError) -> PageError {
    match e {
        ApiTokenError::NotFound => PageError::NotFound,
        other => PageError::Internal(format!("{other:?}")),
    }
}

async fn render(
    st: &AppState,
    session: &TypedSession,
    admin: &AdminRecord,
    mut page: Page,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let now = st.clock.now();
    page.layout = Layout::admin("Admin API tokens", session, who(admin))?;
    page.rows = tokens::list(st)
        .await
        .map_err(page_error)?
        .into_iter()
        .map(|l| Row {
            id: l.token.id.to_string(),
            name: l.token.name,
            role: l.token.role.to_string(),
            admin: l.admin_email,
            expires: l.token.expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            last_used: l
                .token
                .last_used_at
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_else(|| "never".into()),
            status: if l.token.revoked_at.is_some() {
                "revoked"
            } else if l.token.expires_at <= now {
                "expired"
            } else {
                "active"
            }
            .into(),
        })
        .collect();
    render::page(&page, status)
}

fn blank() -> Page {
    Page {
        layout: Layout::bare(""),
        rows: Vec::new(),
        created: None,
        error: String::new(),
        name: String::new(),
        admin: String::new(),
        role: "reviewer".into(),
        days: "90".into(),
    }
}

/// GET.
pub async fn list(
    st: web::Data<AppState>,
    session: TypedSession,
) -> Result<HttpResponse, PageError> {
    let admin = require_superadmin(&st, &session).await?;
    render(&st, &session, &admin, blank(), StatusCode::OK).await
}

/// POST: make a token and show it once.
pub async fn create(
    st: web::Data<AppState>,
    session: TypedSession,
    req: HttpRequest,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let admin = require_superadmin(&st, &session).await?;
    let mut page = blank();
    page.name = sub.get("name").unwrap_or_default().to_string();
    page.admin = sub.get("admin").unwrap_or_default().to_string();
    page.role = sub.get("role").unwrap_or_default().to_string();
    page.days = sub.get("days").unwrap_or_default().to_string();
    let role: Result<AdminRole, String> = page.role.parse();
    let days: Result<i64, _> = page.days.trim().parse();
    let (Ok(role), Ok(days)) = (role, days) else {
        page.error = "Choose a role and a number of days.".into();
        return render(
            &st,
            &session,
            &admin,
            page,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let new = NewToken {
        name: &page.name,
        admin_email: &page.admin,
        role,
        days,
    };
    match tokens::create(&st, &admin, new, Some(client_ip(&req, &st.settings))).await {
        Ok((plain, _)) => {
            let mut done = blank();
            done.created = Some(plain.expose().to_string());
            render(&st, &session, &admin, done, StatusCode::OK).await
        }
        Err(ApiTokenError::Invalid(m)) => {
            page.error = m;
            render(
                &st,
                &session,
                &admin,
                page,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(page_error(e)),
    }
}

/// POST `/admin/api-tokens/{id}/revoke`.
pub async fn revoke(
    st: web::Data<AppState>,
    session: TypedSession,
    req: HttpRequest,
    path: web::Path<String>,
    FormPost(_): FormPost,
) -> Result<HttpResponse, PageError> {
    let admin = require_superadmin(&st, &session).await?;
    let id: ApiTokenId = path.parse().map_err(|_| PageError::NotFound)?;
    tokens::revoke(&st, &admin, id, Some(client_ip(&req, &st.settings)))
        .await
        .map_err(page_error)?;
    session.flash("success", "The token is revoked.")?;
    Ok(render::see_other(paths::ADMIN_API_TOKENS))
}
