//! Route paths, shared by the router, templates, emails and tests, so that links match routes.

/// Portal home.
pub const HOME: &str = "/";
/// Signup form.
pub const SIGNUP: &str = "/signup";
/// After a signup.
pub const SIGNUP_DONE: &str = "/signup/check-email";
/// Email verification link target.
pub const VERIFY: &str = "/verify";
/// Ask for a new verification link.
pub const VERIFY_RESEND: &str = "/verify/resend";
/// Portal sign-in.
pub const LOGIN: &str = "/login";
/// Portal sign-out.
pub const LOGOUT: &str = "/logout";
/// Ask for a reset link.
pub const PASSWORD_FORGOT: &str = "/password/forgot";
/// Reset link target.
pub const PASSWORD_RESET: &str = "/password/reset";
/// Change the signed-in user's password.
pub const ACCOUNT_PASSWORD: &str = "/account/password";
/// The signed-in user's sessions.
pub const ACCOUNT_SESSIONS: &str = "/account/sessions";
/// Sign out everywhere (portal).
pub const ACCOUNT_SESSIONS_END: &str = "/account/sessions/end-all";
/// Change the signed-in admin's password.
pub const ADMIN_PASSWORD: &str = "/admin/account/password";
/// The signed-in admin's sessions.
pub const ADMIN_SESSIONS: &str = "/admin/account/sessions";
/// Sign out everywhere (console).
pub const ADMIN_SESSIONS_END: &str = "/admin/account/sessions/end-all";
/// The second sign-in step (portal).
pub const LOGIN_CODE: &str = "/login/code";
/// The second sign-in step (console).
pub const ADMIN_LOGIN_CODE: &str = "/admin/login/code";
/// Two-step sign-in: status and recovery codes (portal).
pub const ACCOUNT_TWO_STEP: &str = "/account/two-step";
/// Two-step sign-in: setting it up (portal).
pub const ACCOUNT_TWO_STEP_SETUP: &str = "/account/two-step/setup";
/// Two-step sign-in: new recovery codes (portal).
pub const ACCOUNT_TWO_STEP_CODES: &str = "/account/two-step/recovery-codes";
/// Two-step sign-in: turning it off (portal).
pub const ACCOUNT_TWO_STEP_OFF: &str = "/account/two-step/off";
/// Two-step sign-in: status and recovery codes (console).
pub const ADMIN_TWO_STEP: &str = "/admin/account/two-step";
/// Two-step sign-in: setting it up (console).
pub const ADMIN_TWO_STEP_SETUP: &str = "/admin/account/two-step/setup";
/// Two-step sign-in: new recovery codes (console).
pub const ADMIN_TWO_STEP_CODES: &str = "/admin/account/two-step/recovery-codes";
/// An owner requires two-step sign-in of the team.
pub const TEAM_TWO_STEP: &str = "/team/two-step";
/// The TPP's dashboard.
pub const DASHBOARD: &str = "/dashboard";
/// Edit and resubmit the organisation's details.
pub const ORGANISATION_EDIT: &str = "/organisation/edit";
/// Admin console inbox.
pub const ADMIN: &str = "/admin";
/// Admin sign-in.
pub const ADMIN_LOGIN: &str = "/admin/login";
/// Admin sign-out.
pub const ADMIN_LOGOUT: &str = "/admin/logout";
/// Admin task pages: `/admin/tasks/{id}`.
pub const ADMIN_TASKS: &str = "/admin/tasks";
/// Admin audit page.
pub const ADMIN_AUDIT: &str = "/admin/audit";
/// Liveness.
pub const HEALTHZ: &str = "/healthz";
/// Readiness.
pub const READYZ: &str = "/readyz";
/// Prometheus metrics.
pub const METRICS: &str = "/metrics";

/// The TPP's applications.
pub const APPLICATIONS: &str = "/applications";
/// The TPP's team.
pub const TEAM: &str = "/team";
/// Team invitation link target.
pub const INVITE: &str = "/invite";
/// Console: clients.
pub const ADMIN_CLIENTS: &str = "/admin/clients";
/// Console: organisations.
pub const ADMIN_ORGANISATIONS: &str = "/admin/organisations";
/// Console: admin API tokens (superadmins).
pub const ADMIN_API_TOKENS: &str = "/admin/api-tokens";

/// A TPP's application page.
pub fn application(id: impl std::fmt::Display) -> String {
    format!("{APPLICATIONS}/{id}")
}

/// An application's production-keys request.
pub fn production_keys(id: impl std::fmt::Display) -> String {
    format!("{APPLICATIONS}/{id}/production-keys")
}

/// An application's production change request.
pub fn production_settings(id: impl std::fmt::Display) -> String {
    format!("{APPLICATIONS}/{id}/production-settings")
}

/// The admin page of one task.
pub fn admin_task(id: impl std::fmt::Display) -> String {
    format!("{ADMIN_TASKS}/{id}")
}
