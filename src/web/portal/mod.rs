//! The TPP portal: signup, verification, sign-in, password reset, dashboard, resubmission.

mod account;
mod apps;
mod confirm;
mod dashboard;
mod dcr_docs;
mod examples;
mod keys;
mod login;
mod organisation;
mod password;
mod production;
mod sandbox_dir;
mod signup;
mod team;
mod verify;

use crate::domain::paths;
use crate::forms::{FieldErrors, FieldView, Submission};
use crate::web::two_step;
use actix_web::web;

/// Registers the portal's routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(paths::HOME, web::get().to(dashboard::home))
        .route(paths::DASHBOARD, web::get().to(dashboard::show))
        .route(paths::SIGNUP, web::get().to(signup::form))
        .route(paths::SIGNUP, web::post().to(signup::submit))
        .route(paths::SIGNUP_DONE, web::get().to(signup::done))
        .route(paths::VERIFY, web::get().to(verify::verify))
        .route(paths::VERIFY_RESEND, web::get().to(verify::resend_form))
        .route(paths::VERIFY_RESEND, web::post().to(verify::resend))
        .route(paths::LOGIN, web::get().to(login::form))
        .route(paths::LOGIN, web::post().to(login::submit))
        .route("/account", web::get().to(crate::web::account_page::portal))
        .route(paths::LOGIN_CODE, web::get().to(two_step::portal_code_form))
        .route(
            paths::LOGIN_CODE,
            web::post().to(two_step::portal_code_submit),
        )
        .route(
            paths::ACCOUNT_TWO_STEP,
            web::get().to(two_step::portal_status),
        )
        .route(
            paths::ACCOUNT_TWO_STEP_SETUP,
            web::get().to(two_step::portal_setup_form),
        )
        .route(
            paths::ACCOUNT_TWO_STEP_SETUP,
            web::post().to(two_step::portal_setup_submit),
        )
        .route(
            paths::ACCOUNT_TWO_STEP_CODES,
            web::post().to(two_step::portal_renew),
        )
        .route(
            paths::ACCOUNT_TWO_STEP_OFF,
            web::post().to(two_step::portal_off),
        )
        .route(paths::LOGOUT, web::post().to(login::logout))
        .route(paths::PASSWORD_FORGOT, web::get().to(password::forgot_form))
        .route(paths::PASSWORD_FORGOT, web::post().to(password::forgot))
        .route(paths::PASSWORD_RESET, web::get().to(password::reset_form))
        .route(paths::PASSWORD_RESET, web::post().to(password::reset))
        .route(
            paths::ACCOUNT_PASSWORD,
            web::get().to(account::password_form),
        )
        .route(
            paths::ACCOUNT_PASSWORD,
            web::post().to(account::change_password),
        )
        .route(paths::ACCOUNT_SESSIONS, web::get().to(account::sessions))
        .route(
            paths::ACCOUNT_SESSIONS_END,
            web::post().to(account::end_all),
        )
        .route(paths::ORGANISATION_EDIT, web::get().to(organisation::form))
        .route(
            paths::ORGANISATION_EDIT,
            web::post().to(organisation::resubmit),
        )
        .route("/tasks/{id}/edit", web::get().to(organisation::task_form))
        .route(
            "/tasks/{id}/edit",
            web::post().to(organisation::task_resubmit),
        )
        .route(paths::APPLICATIONS, web::get().to(apps::list::show))
        .route("/applications/new", web::get().to(apps::edit::new_form))
        .route("/applications/new", web::post().to(apps::edit::create))
        .route("/applications/{id}", web::get().to(apps::show::show))
        .route(
            "/applications/{id}/edit",
            web::get().to(apps::edit::edit_form),
        )
        .route(
            "/applications/{id}/edit",
            web::post().to(apps::edit::update),
        )
        .route(
            "/applications/{id}/delete",
            web::post().to(apps::edit::delete),
        )
        .route(
            "/applications/{id}/sandbox-keys",
            web::post().to(keys::request_sandbox),
        )
        .route(
            "/applications/{id}/production-keys",
            web::get().to(production::keys_form),
        )
        .route(
            "/applications/{id}/production-keys",
            web::post().to(production::request_keys),
        )
        .route(
            "/applications/{id}/production-settings",
            web::get().to(production::change_form),
        )
        .route(
            "/applications/{id}/production-settings",
            web::post().to(production::request_change),
        )
        .route(
            "/clients/{client_id}/secret",
            web::post().to(keys::new_secret),
        )
        .route("/clients/{client_id}/revoke", web::post().to(keys::revoke))
        .route(
            "/clients/{client_id}/revoke",
            web::get().to(confirm::revoke_client),
        )
        .route(
            "/applications/{id}/delete",
            web::get().to(confirm::delete_application),
        )
        .route(paths::TEAM, web::get().to(team::show))
        .route("/team/invite", web::post().to(team::invite))
        .route(paths::TEAM_TWO_STEP, web::post().to(team::two_step))
        .route("/team/{user_id}/remove", web::post().to(team::remove))
        .route(paths::INVITE, web::get().to(team::accept_form))
        .route(paths::INVITE, web::post().to(team::accept))
        .route("/developers/dcr", web::get().to(dcr_docs::show))
        .route("/sandbox-directory", web::get().to(sandbox_dir::list))
        .route("/sandbox-directory", web::post().to(sandbox_dir::create))
        .route(
            "/sandbox-directory/software/{id}",
            web::get().to(sandbox_dir::show),
        )
        .route(
            "/sandbox-directory/software/{id}/retire",
            web::post().to(sandbox_dir::retire),
        );
}

/// A portal-owned input (email, password) drawn like a configured field.
fn own_field(
    name: &str,
    label: &str,
    kind: &str,
    sub: &Submission,
    errors: &FieldErrors,
    help: &str,
    autocomplete: &str,
) -> FieldView {
    FieldView {
        name: name.into(),
        id: format!("f-{name}"),
        label: label.into(),
        kind: kind.into(),
        required: true,
        help: help.into(),
        value: if kind == "password" {
            String::new()
        } else {
            sub.get(name).unwrap_or_default().to_string()
        },
        checked: false,
        options: Vec::new(),
        error: errors.get(name).cloned().unwrap_or_default(),
        max_length: if kind == "password" { 128 } else { 254 },
        placeholder: String::new(),
        autocomplete: autocomplete.into(),
    }
}
