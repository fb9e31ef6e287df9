//! The authenticator app of the tests: remembers each account's TOTP secret (read from the
//! set-up page, as a person's app scans it) and recovery codes, and makes the code for the
//! server's clock, never one already used (a code works once).

use onramp::accounts::mfa::step_at;
use onramp::domain::Clock;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use totp_rs::{Algorithm, Secret, TOTP};

#[derive(Default)]
struct Entry {
    secret: String,
    last_step: i64,
    recovery: Vec<String>,
}

static APPS: LazyLock<Mutex<HashMap<String, Entry>>> = LazyLock::new(Mutex::default);

/// The code of `secret` for 30-second step `step`.
pub fn code_at(secret: &str, step: i64) -> String {
    let bytes = Secret::Encoded(secret.to_string())
        .to_bytes()
        .expect("base32");
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes)
        .expect("totp")
        .generate((step * 30) as u64)
}

/// Keeps the secret that `email`'s set-up page showed.
pub fn remember_secret(email: &str, secret: &str) {
    let mut apps = APPS.lock().unwrap();
    let e = apps.entry(email.to_string()).or_default();
    e.secret = secret.to_string();
    e.last_step = 0;
}

/// Keeps `email`'s recovery codes.
pub fn remember_recovery(email: &str, codes: Vec<String>) {
    APPS.lock()
        .unwrap()
        .entry(email.to_string())
        .or_default()
        .recovery = codes;
}

/// The secret of `email`'s app, if it was set up in this test run.
pub fn secret_of(email: &str) -> Option<String> {
    APPS.lock().unwrap().get(email).map(|e| e.secret.clone())
}

/// `email`'s recovery codes.
pub fn recovery_of(email: &str) -> Vec<String> {
    APPS.lock()
        .unwrap()
        .get(email)
        .map(|e| e.recovery.clone())
        .unwrap_or_default()
}

/// A fresh code for `email` at the server's time: the current step, or the next one when the
/// current one was used; the clock moves on a step when both were.
pub fn next_code(email: &str, clock: &Clock) -> String {
    let mut apps = APPS.lock().unwrap();
    let e = apps
        .get_mut(email)
        .expect("no authenticator app set up for this email");
    let mut now = step_at(clock.now());
    if e.last_step > now {
        clock.advance(chrono::Duration::seconds(30 * (e.last_step - now)));
        now = step_at(clock.now());
    }
    let step = (e.last_step + 1).max(now);
    e.last_step = step;
    code_at(&e.secret, step)
}
