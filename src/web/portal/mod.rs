//! The TPP portal: signup, verification, sign-in, password reset, dashboard, resubmission.

mod dashboard;
mod login;
mod organisation;
mod password;
mod signup;
mod verify;

use crate::domain::paths;
use crate::forms::{FieldErrors, FieldView, Submission};
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
        .route(paths::LOGOUT, web::post().to(login::logout))
        .route(paths::PASSWORD_FORGOT, web::get().to(password::forgot_form))
        .route(paths::PASSWORD_FORGOT, web::post().to(password::forgot))
        .route(paths::PASSWORD_RESET, web::get().to(password::reset_form))
        .route(paths::PASSWORD_RESET, web::post().to(password::reset))
        .route(paths::ORGANISATION_EDIT, web::get().to(organisation::form))
        .route(
            paths::ORGANISATION_EDIT,
            web::post().to(organisation::submit),
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
