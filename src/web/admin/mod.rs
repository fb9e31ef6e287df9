//! The bank's admin console: its own sign-in, the task inbox, task pages, organisations,
//! clients and the audit trail.

mod account;
mod api_tokens;
mod audit;
mod authority;
mod clients;
mod inbox;
mod login;
mod notes;
mod organisations;
mod task;

use crate::domain::paths;
use crate::web::two_step;
use actix_web::web;

/// Registers the console's routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(paths::ADMIN, web::get().to(inbox::show))
        .route("/admin/", web::get().to(inbox::show))
        .route(paths::ADMIN_LOGIN, web::get().to(login::form))
        .route(paths::ADMIN_LOGIN, web::post().to(login::submit))
        .route(paths::ADMIN_LOGOUT, web::post().to(login::logout))
        .route(
            "/admin/account",
            web::get().to(crate::web::account_page::admin),
        )
        .route(
            paths::ADMIN_LOGIN_CODE,
            web::get().to(two_step::admin_code_form),
        )
        .route(
            paths::ADMIN_LOGIN_CODE,
            web::post().to(two_step::admin_code_submit),
        )
        .route(paths::ADMIN_TWO_STEP, web::get().to(two_step::admin_status))
        .route(
            paths::ADMIN_TWO_STEP_SETUP,
            web::get().to(two_step::admin_setup_form),
        )
        .route(
            paths::ADMIN_TWO_STEP_SETUP,
            web::post().to(two_step::admin_setup_submit),
        )
        .route(
            paths::ADMIN_TWO_STEP_CODES,
            web::post().to(two_step::admin_renew),
        )
        .route("/admin/tasks/{id}", web::get().to(task::show))
        .route("/admin/tasks/{id}", web::post().to(task::decide))
        .route("/admin/tasks/{id}/note", web::post().to(notes::add))
        .route(
            "/admin/tasks/{id}/authority",
            web::post().to(authority::act),
        )
        .route(paths::ADMIN_AUDIT, web::get().to(audit::show))
        .route(paths::ADMIN_SESSIONS, web::get().to(account::sessions))
        .route(paths::ADMIN_PASSWORD, web::get().to(account::password_form))
        .route(
            paths::ADMIN_PASSWORD,
            web::post().to(account::change_password),
        )
        .route(paths::ADMIN_SESSIONS_END, web::post().to(account::end_all))
        .route(
            paths::ADMIN_ORGANISATIONS,
            web::get().to(organisations::list),
        )
        .route(
            "/admin/organisations/{id}",
            web::get().to(organisations::show),
        )
        .route(
            "/admin/organisations/{id}/status",
            web::post().to(organisations::set_status),
        )
        .route(
            "/admin/organisations/{id}/authority",
            web::post().to(authority::act_on_organisation),
        )
        .route(paths::ADMIN_CLIENTS, web::get().to(clients::list))
        .route("/admin/clients/{id}", web::get().to(clients::show))
        .route(
            "/admin/clients/{id}/status",
            web::post().to(clients::set_status),
        )
        .route(paths::ADMIN_API_TOKENS, web::get().to(api_tokens::list))
        .route(paths::ADMIN_API_TOKENS, web::post().to(api_tokens::create))
        .route(
            "/admin/api-tokens/{id}/revoke",
            web::post().to(api_tokens::revoke),
        );
}

/// The layout's view of the signed-in admin.
pub(super) fn who(a: &crate::store::admins::AdminRecord) -> Option<(String, String)> {
    Some((a.email.clone(), a.role.to_string()))
}
