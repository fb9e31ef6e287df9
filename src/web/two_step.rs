//! Two-step sign-in pages, one set for both doors (portal and console): the code asked after
//! the password, setting up an authenticator app (QR code and key), the recovery codes shown
//! once, and the account page that renews them. The rules live in [`crate::accounts::mfa`].

use super::csrf::FormPost;
use super::error::PageError;
use super::ip::client_ip;
use super::render::{self, Layout};
use super::session::TypedSession;
use crate::accounts::mfa::{self, Passed};
use crate::accounts::sessions::SessionKind;
use crate::accounts::{AccountError, people};
use crate::config::AdminMfa;
use crate::domain::{Actor, paths};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

/// How long after the password the second step may come.
const SECOND_STEP_WINDOW_MINUTES: i64 = 10;

struct DoorPaths {
    login: &'static str,
    code: &'static str,
    setup: &'static str,
    status: &'static str,
    codes: &'static str,
    home: &'static str,
}

fn paths_of(kind: SessionKind) -> DoorPaths {
    match kind {
        SessionKind::Admin => DoorPaths {
            login: paths::ADMIN_LOGIN,
            code: paths::ADMIN_LOGIN_CODE,
            setup: paths::ADMIN_TWO_STEP_SETUP,
            status: paths::ADMIN_TWO_STEP,
            codes: paths::ADMIN_TWO_STEP_CODES,
            home: paths::ADMIN,
        },
        SessionKind::Portal => DoorPaths {
            login: paths::LOGIN,
            code: paths::LOGIN_CODE,
            setup: paths::ACCOUNT_TWO_STEP_SETUP,
            status: paths::ACCOUNT_TWO_STEP,
            codes: paths::ACCOUNT_TWO_STEP_CODES,
            home: paths::DASHBOARD,
        },
    }
}

/// The person at the door: signed in, or past the password and owing the second step.
struct AtDoor {
    actor: Actor,
    signed_in: bool,
}

async fn actor_of(
    st: &AppState,
    kind: SessionKind,
    subject: &str,
) -> Result<Option<Actor>, PageError> {
    Ok(people::actor_by_id(st, kind, subject).await?)
}

async fn at_door(
    st: &AppState,
    session: &TypedSession,
    kind: SessionKind,
) -> Result<Option<AtDoor>, PageError> {
    let signed = match kind {
        SessionKind::Admin => session.admin_id().map(|i| i.to_string()),
        SessionKind::Portal => session.user_id().map(|i| i.to_string()),
    };
    if let Some(subject) = signed {
        return Ok(actor_of(st, kind, &subject).await?.map(|actor| AtDoor {
            actor,
            signed_in: true,
        }));
    }
    let Some(subject) = session.second_step_of(kind, st.clock.now()) else {
        return Ok(None);
    };
    Ok(actor_of(st, kind, &subject).await?.map(|actor| AtDoor {
        actor,
        signed_in: false,
    }))
}

fn layout(
    kind: SessionKind,
    title: &str,
    session: &TypedSession,
    at: &AtDoor,
) -> Result<Layout, PageError> {
    match (kind, &at.actor) {
        (SessionKind::Admin, Actor::Admin { email, role, .. }) if at.signed_in => {
            Layout::admin(title, session, Some((email.clone(), role.to_string())))
        }
        (SessionKind::Admin, _) => Layout::admin(title, session, None),
        (SessionKind::Portal, a) if at.signed_in => Layout::portal(title, session, Some(a.name())),
        (SessionKind::Portal, _) => Layout::portal(title, session, None),
    }
}

/// Whether this person must use two-step sign-in.
async fn required(st: &AppState, actor: &Actor) -> Result<bool, PageError> {
    Ok(match actor {
        Actor::Admin { .. } => st.settings.security.admin_mfa == AdminMfa::Required,
        Actor::Tpp { .. } => people::organisation_requires_mfa(st, actor).await?,
        Actor::System => false,
    })
}

fn subject_of(actor: &Actor) -> String {
    actor.id().unwrap_or_default()
}

async fn sign_in(st: &AppState, session: &TypedSession, actor: &Actor) -> Result<(), PageError> {
    session.end_second_step();
    match actor {
        Actor::Admin { id, .. } => session.sign_in_admin(st, *id).await,
        Actor::Tpp { id, .. } => session.sign_in_user(st, *id).await,
        Actor::System => Err(PageError::NotFound),
    }
}

/// After the right password: sign in at once, or ask for the code (or to set up the app, where
/// two-step sign-in is required and not set up yet).
pub async fn after_password(
    st: &AppState,
    session: &TypedSession,
    actor: &Actor,
) -> Result<HttpResponse, PageError> {
    let kind = match actor {
        Actor::Admin { .. } => SessionKind::Admin,
        _ => SessionKind::Portal,
    };
    let p = paths_of(kind);
    let enrolled = mfa::status(st, actor).await?.is_some();
    if !enrolled && !required(st, actor).await? {
        sign_in(st, session, actor).await?;
        return Ok(render::see_other(p.home));
    }
    let until = st.clock.now() + chrono::Duration::minutes(SECOND_STEP_WINDOW_MINUTES);
    session.await_second_step(kind, &subject_of(actor), until)?;
    Ok(render::see_other(if enrolled { p.code } else { p.setup }))
}

#[derive(Template)]
#[template(path = "account/two_step_code.html")]
struct CodePage {
    layout: Layout,
    action: &'static str,
    error: String,
}

async fn code_form(
    kind: SessionKind,
    st: &AppState,
    session: &TypedSession,
) -> Result<HttpResponse, PageError> {
    let p = paths_of(kind);
    match at_door(st, session, kind).await? {
        Some(at) if !at.signed_in => render::ok(&CodePage {
            layout: layout(kind, "Two-step sign-in", session, &at)?,
            action: p.code,
            error: String::new(),
        }),
        Some(_) => Ok(render::see_other(p.home)),
        None => Ok(render::see_other(p.login)),
    }
}

async fn code_submit(
    kind: SessionKind,
    st: &AppState,
    session: &TypedSession,
    req: &HttpRequest,
    code: &str,
) -> Result<HttpResponse, PageError> {
    let p = paths_of(kind);
    let Some(at) = at_door(st, session, kind).await?.filter(|a| !a.signed_in) else {
        session.flash("error", "Your sign-in took too long. Start again.")?;
        return Ok(render::see_other(p.login));
    };
    let ip = client_ip(req, &st.settings);
    match mfa::verify(st, &at.actor, code, &ip).await {
        Ok(passed) => {
            sign_in(st, session, &at.actor).await?;
            if passed == Passed::RecoveryCode {
                let left = mfa::status(st, &at.actor)
                    .await?
                    .map_or(0, |s| s.codes_left);
                session.flash(
                    "info",
                    format!(
                        "You signed in with a recovery code; {left} left. Make new ones from \
                         your account's two-step sign-in page."
                    ),
                )?;
            }
            Ok(render::see_other(p.home))
        }
        Err(e @ (AccountError::BadCode | AccountError::CodeThrottled { .. })) => {
            let status = match e {
                AccountError::CodeThrottled { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let page = CodePage {
                layout: layout(kind, "Two-step sign-in", session, &at)?,
                action: p.code,
                error: e.to_string(),
            };
            render::page(&page, status)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "account/two_step_setup.html")]
struct SetupPage {
    layout: Layout,
    action: &'static str,
    secret: String,
    uri: String,
    qr_svg: String,
    required: bool,
    error: String,
}

async fn setup_page(
    kind: SessionKind,
    st: &AppState,
    session: &TypedSession,
    at: &AtDoor,
    error: String,
) -> Result<HttpResponse, PageError> {
    let p = paths_of(kind);
    let e = match mfa::begin(st, &at.actor).await {
        Ok(e) => e,
        Err(AccountError::MfaAlreadyOn) => return Ok(render::see_other(p.status)),
        Err(e) => return Err(e.into()),
    };
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SetupPage {
        layout: layout(kind, "Set up two-step sign-in", session, at)?,
        action: p.setup,
        secret: e.secret,
        uri: e.uri,
        qr_svg: e.qr_svg,
        required: !at.signed_in,
        error,
    };
    render::page(&page, status)
}

async fn setup_form(
    kind: SessionKind,
    st: &AppState,
    session: &TypedSession,
) -> Result<HttpResponse, PageError> {
    match at_door(st, session, kind).await? {
        Some(at) => setup_page(kind, st, session, &at, String::new()).await,
        None => Ok(render::see_other(paths_of(kind).login)),
    }
}

#[derive(Template)]
#[template(path = "account/two_step_codes.html")]
struct CodesPage {
    layout: Layout,
    codes: Vec<String>,
    next: &'static str,
}

async fn setup_submit(
    kind: SessionKind,
    st: &AppState,
    session: &TypedSession,
    req: &HttpRequest,
    code: &str,
) -> Result<HttpResponse, PageError> {
    let p = paths_of(kind);
    let Some(mut at) = at_door(st, session, kind).await? else {
        session.flash("error", "Your sign-in took too long. Start again.")?;
        return Ok(render::see_other(p.login));
    };
    let ip = client_ip(req, &st.settings);
    let codes = match mfa::confirm(st, &at.actor, code, &ip).await {
        Ok(c) => c,
        Err(e @ (AccountError::BadCode | AccountError::CodeThrottled { .. })) => {
            return setup_page(kind, st, session, &at, e.to_string()).await;
        }
        Err(AccountError::MfaNotStarted) => return Ok(render::see_other(p.setup)),
        Err(e) => return Err(e.into()),
    };
    if !at.signed_in {
        sign_in(st, session, &at.actor).await?;
        at.signed_in = true;
    }
    session.flash("success", "Two-step sign-in is on.")?;
    render::ok(&CodesPage {
        layout: layout(kind, "Your recovery codes", session, &at)?,
        codes: codes.expose().to_vec(),
        next: p.home,
    })
}

#[derive(Template)]
#[template(path = "account/two_step.html")]
struct StatusPage {
    layout: Layout,
    on_since: Option<String>,
    codes_left: u64,
    renew: &'static str,
    setup: &'static str,
    off: Option<&'static str>,
    required: bool,
    error: String,
}

async fn status_page(
    kind: SessionKind,
    st: &AppState,
    session: &TypedSession,
    error: String,
) -> Result<HttpResponse, PageError> {
    let p = paths_of(kind);
    let Some(at) = at_door(st, session, kind).await?.filter(|a| a.signed_in) else {
        return Err(PageError::SignIn(p.login));
    };
    let status = mfa::status(st, &at.actor).await?;
    let required = required(st, &at.actor).await?;
    let page = StatusPage {
        layout: layout(kind, "Two-step sign-in", session, &at)?,
        on_since: status
            .as_ref()
            .map(|s| crate::domain::clock::human_date(&s.enrolled_at)),
        codes_left: status.as_ref().map_or(0, |s| s.codes_left),
        renew: p.codes,
        setup: p.setup,
        off: (kind == SessionKind::Portal && !required).then_some(paths::ACCOUNT_TWO_STEP_OFF),
        required,
        error,
    };
    let code = if page.error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render::page(&page, code)
}

async fn renew(
    kind: SessionKind,
    st: &AppState,
    session: &TypedSession,
    req: &HttpRequest,
    code: &str,
) -> Result<HttpResponse, PageError> {
    let p = paths_of(kind);
    let Some(at) = at_door(st, session, kind).await?.filter(|a| a.signed_in) else {
        return Err(PageError::SignIn(p.login));
    };
    let ip = client_ip(req, &st.settings);
    match mfa::renew_codes(st, &at.actor, code, &ip).await {
        Ok(codes) => render::ok(&CodesPage {
            layout: layout(kind, "Your recovery codes", session, &at)?,
            codes: codes.expose().to_vec(),
            next: p.status,
        }),
        Err(e @ (AccountError::BadCode | AccountError::CodeThrottled { .. })) => {
            status_page(kind, st, session, e.to_string()).await
        }
        Err(e) => Err(e.into()),
    }
}

fn code_of(sub: &crate::forms::Submission) -> String {
    sub.get("code").unwrap_or_default().to_string()
}

macro_rules! door_handlers {
    ($kind:expr, $code_form:ident, $code_submit:ident, $setup_form:ident, $setup_submit:ident,
     $status:ident, $renew:ident) => {
        /// GET: the second sign-in step.
        pub async fn $code_form(
            st: web::Data<AppState>,
            session: TypedSession,
        ) -> Result<HttpResponse, PageError> {
            code_form($kind, &st, &session).await
        }

        /// POST: check the code and sign in.
        pub async fn $code_submit(
            st: web::Data<AppState>,
            session: TypedSession,
            req: HttpRequest,
            FormPost(sub): FormPost,
        ) -> Result<HttpResponse, PageError> {
            code_submit($kind, &st, &session, &req, &code_of(&sub)).await
        }

        /// GET: set up an authenticator app.
        pub async fn $setup_form(
            st: web::Data<AppState>,
            session: TypedSession,
        ) -> Result<HttpResponse, PageError> {
            setup_form($kind, &st, &session).await
        }

        /// POST: confirm the app with a first code; show the recovery codes once.
        pub async fn $setup_submit(
            st: web::Data<AppState>,
            session: TypedSession,
            req: HttpRequest,
            FormPost(sub): FormPost,
        ) -> Result<HttpResponse, PageError> {
            setup_submit($kind, &st, &session, &req, &code_of(&sub)).await
        }

        /// GET: where two-step sign-in stands.
        pub async fn $status(
            st: web::Data<AppState>,
            session: TypedSession,
        ) -> Result<HttpResponse, PageError> {
            status_page($kind, &st, &session, String::new()).await
        }

        /// POST: new recovery codes, after a fresh code.
        pub async fn $renew(
            st: web::Data<AppState>,
            session: TypedSession,
            req: HttpRequest,
            FormPost(sub): FormPost,
        ) -> Result<HttpResponse, PageError> {
            renew($kind, &st, &session, &req, &code_of(&sub)).await
        }
    };
}

door_handlers!(
    SessionKind::Admin,
    admin_code_form,
    admin_code_submit,
    admin_setup_form,
    admin_setup_submit,
    admin_status,
    admin_renew
);
door_handlers!(
    SessionKind::Portal,
    portal_code_form,
    portal_code_submit,
    portal_setup_form,
    portal_setup_submit,
    portal_status,
    portal_renew
);

/// POST (portal): turn two-step sign-in off, where the organisation does not require it.
pub async fn portal_off(
    st: web::Data<AppState>,
    session: TypedSession,
    req: HttpRequest,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let kind = SessionKind::Portal;
    let Some(at) = at_door(&st, &session, kind).await?.filter(|a| a.signed_in) else {
        return Err(PageError::SignIn(paths::LOGIN));
    };
    if required(&st, &at.actor).await? {
        return Err(PageError::Forbidden(
            "Your organisation requires two-step sign-in of its members.",
        ));
    }
    let ip = client_ip(&req, &st.settings);
    match mfa::turn_off(&st, &at.actor, &code_of(&sub), &ip).await {
        Ok(()) => {
            session.flash("info", "Two-step sign-in is off.")?;
            Ok(render::see_other(paths::ACCOUNT_TWO_STEP))
        }
        Err(e @ (AccountError::BadCode | AccountError::CodeThrottled { .. })) => {
            status_page(kind, &st, &session, e.to_string()).await
        }
        Err(e) => Err(e.into()),
    }
}
