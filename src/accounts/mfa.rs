//! Two-step sign-in for admins and portal users: TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30-second
//! steps, one step of drift either way) and ten one-use recovery codes.
//!
//! The secret is sealed under the data key; a code is accepted once (the factor keeps the last
//! step used, and the update that takes a step is conditional, so two nodes cannot both accept
//! it); recovery codes are kept as SHA-256 only (80 random bits each); wrong codes are throttled
//! per person with the same back-off as passwords.

use super::AccountError;
use super::sessions::SessionKind;
use crate::audit;
use crate::domain::{Actor, TokenHash, sealed};
use crate::ratelimit::Limit;
use crate::state::AppState;
use crate::store::{self, mfa::FactorRecord};
use crate::unit_of_work::UnitOfWork;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::store::mfa::SEAL_PURPOSE;
const STEP_SECONDS: i64 = 30;
const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "Onramp";

/// A factor being set up: what the authenticator app needs. Shown to its owner only.
pub struct Enrolment {
    /// The secret, base32, for typing by hand.
    pub secret: String,
    /// The `otpauth://` URI that the QR code carries.
    pub uri: String,
    /// The QR code, an inline SVG.
    pub qr_svg: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Enrolment(..)")
    }
}

/// Fresh recovery codes, to be shown once.
pub struct RecoveryCodes(Vec<String>);

impl RecoveryCodes {
    /// The codes' text.
    pub fn expose(&self) -> &[String] {
        &self.0
    }
}

impl std::fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecoveryCodes({} codes)", self.0.len())
    }
}

/// Where someone's two-step sign-in stands.
#[derive(Clone, Debug)]
pub struct Status {
    /// Since when it is on.
    pub enrolled_at: DateTime<Utc>,
    /// Recovery codes not used yet.
    pub codes_left: u64,
}

/// How a second step was passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Passed {
    /// A code from the authenticator app.
    Totp,
    /// A recovery code (now used up).
    RecoveryCode,
}

fn door(actor: &Actor) -> Result<(SessionKind, String), AccountError> {
    match actor {
        Actor::Admin { id, .. } => Ok((SessionKind::Admin, id.to_string())),
        Actor::Tpp { id, .. } => Ok((SessionKind::Portal, id.to_string())),
        Actor::System => Err(AccountError::BadCode),
    }
}

fn factor_id(actor: &Actor) -> Result<String, AccountError> {
    let (kind, id) = door(actor)?;
    Ok(format!("{}:{id}", kind.as_str()))
}

fn totp(secret_b32: &str) -> Result<TOTP, AccountError> {
    let bytes = Secret::Encoded(secret_b32.to_string())
        .to_bytes()
        .map_err(|_| AccountError::Store(store::StoreError::Malformed("TOTP secret".into())))?;
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECONDS as u64, bytes)
        .map_err(|e| AccountError::Store(store::StoreError::Malformed(e.to_string())))
}

/// The 30-second step that `at` falls in.
pub fn step_at(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(STEP_SECONDS)
}

/// The step (now, one before or one after) whose code `code` is, if any.
fn matching_step(
    secret: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Option<i64>, AccountError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let t = totp(secret)?;
    let now = step_at(now);
    Ok([now - 1, now, now + 1].into_iter().find(|s| {
        let expected = t.generate((*s * STEP_SECONDS).max(0) as u64);
        bool::from(expected.as_bytes().ct_eq(code.as_bytes()))
    }))
}

fn normalise_recovery(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn new_recovery_codes() -> (RecoveryCodes, Vec<String>) {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        let chars: Vec<char> = bytes
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
            .collect();
        let groups: Vec<String> = chars.chunks(4).map(|c| c.iter().collect()).collect();
        codes.push(groups.join("-"));
    }
    let hashes = codes
        .iter()
        .map(|c| TokenHash::of(&normalise_recovery(c)).as_str().to_string())
        .collect();
    (RecoveryCodes(codes), hashes)
}

fn reveal(st: &AppState, f: &FactorRecord) -> Result<String, AccountError> {
    sealed::reveal(st.data_key.as_deref(), SEAL_PURPOSE, &f.secret)
        .map_err(|e| AccountError::Store(store::StoreError::Malformed(e.to_string())))
}

fn enrolment(secret: String, email: &str) -> Enrolment {
    let label = format!("{ISSUER}:{email}");
    let uri = format!(
        "otpauth://totp/{}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits=6&period=30",
        url::form_urlencoded::byte_serialize(label.as_bytes()).collect::<String>()
    );
    let qr_svg = qrcode::QrCode::new(uri.as_bytes())
        .map(|q| {
            q.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(200, 200)
                .build()
        })
        .unwrap_or_default();
    let qr_svg = qr_svg
        .split_once("?>")
        .map_or(qr_svg.as_str(), |(_, svg)| svg)
        .replacen(
            "<svg ",
            "<svg role=\"img\" aria-label=\"QR code for your authenticator app\" ",
            1,
        );
    Enrolment {
        secret,
        uri,
        qr_svg,
    }
}

/// Where `actor`'s two-step sign-in stands; `None` when it is off (or only being set up).
pub async fn status(st: &AppState, actor: &Actor) -> Result<Option<Status>, AccountError> {
    let id = factor_id(actor)?;
    let Some(f) = store::mfa::get(&st.db, &id).await? else {
        return Ok(None);
    };
    let Some(enrolled_at) = f.enrolled_at else {
        return Ok(None);
    };
    Ok(Some(Status {
        enrolled_at,
        codes_left: store::mfa::codes_left(&st.db, &id).await?,
    }))
}

/// Starts (or, on a reload, shows again) the setting up of a factor.
pub async fn begin(st: &AppState, actor: &Actor) -> Result<Enrolment, AccountError> {
    let id = factor_id(actor)?;
    match store::mfa::get(&st.db, &id).await? {
        Some(f) if f.enrolled_at.is_some() => return Err(AccountError::MfaAlreadyOn),
        Some(f) if st.clock.now() - f.created_at < Duration::minutes(30) => {
            return Ok(enrolment(reveal(st, &f)?, &actor.name()));
        }
        _ => {}
    }
    let mut bytes = vec![0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    let secret = match Secret::Raw(bytes).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => return Err(AccountError::BadCode),
    };
    let sealed = sealed::protect(st.data_key.as_deref(), SEAL_PURPOSE, &secret)
        .map_err(|e| AccountError::Store(store::StoreError::Malformed(e.to_string())))?;
    let (kind, subject) = door(actor)?;
    store::mfa::put_pending(
        &st.db,
        &FactorRecord {
            id,
            kind: kind.as_str().to_string(),
            subject_id: subject,
            secret: sealed,
            created_at: st.clock.now(),
            enrolled_at: None,
            last_step: 0,
        },
    )
    .await
    .map_err(|e| match e {
        store::StoreError::Conflict => AccountError::MfaAlreadyOn,
        e => e.into(),
    })?;
    Ok(enrolment(secret, &actor.name()))
}

/// Finishes setting up a factor with a first code; returns the recovery codes to show once.
pub async fn confirm(
    st: &AppState,
    actor: &Actor,
    code: &str,
    ip: &str,
) -> Result<RecoveryCodes, AccountError> {
    let id = factor_id(actor)?;
    let throttle = Throttle::begin(st, &id).await?;
    let pending = store::mfa::get(&st.db, &id)
        .await?
        .filter(|f| f.enrolled_at.is_none())
        .ok_or(AccountError::MfaNotStarted)?;
    let now = st.clock.now();
    let Some(step) = matching_step(&reveal(st, &pending)?, code, now)? else {
        return Err(AccountError::BadCode);
    };
    let (codes, hashes) = new_recovery_codes();
    let uow = UnitOfWork::begin(st).await?;
    if !store::mfa::confirm(&uow.tx, &id, step, &hashes, now).await? {
        return Err(AccountError::MfaNotStarted);
    }
    record(
        &uow.tx,
        actor,
        "mfa.enrolled",
        serde_json::json!({}),
        ip,
        now,
    )
    .await?;
    uow.commit(st).await?;
    throttle.passed(st).await?;
    Ok(codes)
}

/// Checks a second step: a code from the app (each accepted once) or a recovery code (each
/// used once).
pub async fn verify(
    st: &AppState,
    actor: &Actor,
    code: &str,
    ip: &str,
) -> Result<Passed, AccountError> {
    let id = factor_id(actor)?;
    let throttle = Throttle::begin(st, &id).await?;
    let factor = store::mfa::get(&st.db, &id)
        .await?
        .filter(|f| f.enrolled_at.is_some())
        .ok_or(AccountError::MfaNotStarted)?;
    let now = st.clock.now();
    let passed = match matching_step(&reveal(st, &factor)?, code, now)? {
        Some(step) if store::mfa::take_step(&st.db, &id, step).await? => Some(Passed::Totp),
        Some(_) => None,
        None => {
            let hash = TokenHash::of(&normalise_recovery(code));
            store::mfa::use_code(&st.db, &id, hash.as_str(), now)
                .await?
                .then_some(Passed::RecoveryCode)
        }
    };
    let Some(passed) = passed else {
        tracing::info!("wrong second-step code");
        return Err(AccountError::BadCode);
    };
    throttle.passed(st).await?;
    if passed == Passed::RecoveryCode {
        let left = store::mfa::codes_left(&st.db, &id).await?;
        let detail = serde_json::json!({ "codes_left": left });
        record(&st.db, actor, "mfa.recovery_code_used", detail, ip, now).await?;
    }
    Ok(passed)
}

/// Replaces the recovery codes, after a fresh code from the app.
pub async fn renew_codes(
    st: &AppState,
    actor: &Actor,
    code: &str,
    ip: &str,
) -> Result<RecoveryCodes, AccountError> {
    if verify(st, actor, code, ip).await? != Passed::Totp {
        return Err(AccountError::BadCode);
    }
    let id = factor_id(actor)?;
    let (codes, hashes) = new_recovery_codes();
    let now = st.clock.now();
    let uow = UnitOfWork::begin(st).await?;
    store::mfa::replace_codes(&uow.tx, &id, &hashes).await?;
    let detail = serde_json::json!({});
    record(
        &uow.tx,
        actor,
        "mfa.recovery_codes_renewed",
        detail,
        ip,
        now,
    )
    .await?;
    uow.commit(st).await?;
    Ok(codes)
}

/// Turns two-step sign-in off (a portal user whose organisation does not require it), after a
/// fresh code.
pub async fn turn_off(
    st: &AppState,
    actor: &Actor,
    code: &str,
    ip: &str,
) -> Result<(), AccountError> {
    verify(st, actor, code, ip).await?;
    remove(st, actor, &Actor::System, "mfa.turned_off", ip).await?;
    Ok(())
}

/// `onramp admin reset-mfa`: removes the admin's factor and ends their sessions. `None` when
/// no admin has that email; otherwise whether a factor was removed.
pub async fn reset_admin(st: &AppState, email: &str) -> Result<Option<bool>, AccountError> {
    let Some(admin) = super::people::admin_by_email(st, email).await? else {
        return Ok(None);
    };
    let had = remove(st, &admin, &Actor::System, "mfa.reset", "").await?;
    let (kind, id) = door(&admin)?;
    super::sessions::end_all(st, kind, &id, None).await?;
    Ok(Some(had))
}

/// Removes someone's factor (the CLI's `admin reset-mfa`, or turning it off): they set it up
/// again at the next sign-in where it is required. Returns whether there was one.
async fn remove(
    st: &AppState,
    holder: &Actor,
    by: &Actor,
    action: &str,
    ip: &str,
) -> Result<bool, AccountError> {
    let id = factor_id(holder)?;
    let now = st.clock.now();
    let uow = UnitOfWork::begin(st).await?;
    let had = store::mfa::delete(&uow.tx, &id).await?;
    let by = if matches!(by, Actor::System) {
        holder
    } else {
        by
    };
    let detail = serde_json::json!({ "had_factor": had, "of": holder.name() });
    record(&uow.tx, by, action, detail, ip, now).await?;
    uow.commit(st).await?;
    Ok(had)
}

async fn record(
    c: &impl store::ConnectionTrait,
    actor: &Actor,
    action: &str,
    detail: serde_json::Value,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<(), AccountError> {
    let (kind, subject) = match actor {
        Actor::Admin { id, .. } => ("admin", id.to_string()),
        Actor::Tpp { id, .. } => ("user", id.to_string()),
        Actor::System => ("system", String::new()),
    };
    audit::record(
        c,
        audit::Event {
            actor,
            action,
            subject_type: kind,
            subject_id: subject,
            organisation: None,
            detail,
            ip: (!ip.is_empty()).then(|| ip.to_string()),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Wrong codes per person, with the password throttle's limit and back-off.
struct Throttle {
    limit: Limit,
    key: String,
    hit: crate::ratelimit::Hit,
}

impl Throttle {
    async fn begin(st: &AppState, factor: &str) -> Result<Self, AccountError> {
        let l = &st.settings.limits;
        let limit = Limit {
            kind: "mfa_fail",
            max: l.login_failures_per_account,
            window: Duration::from_std(l.login_lockout).unwrap_or(Duration::minutes(15)),
        };
        let now = st.clock.now();
        let hit = limit.hit(&st.db, factor, now).await?;
        if let Some(wait) = limit.backed_off(&st.db, factor, now).await? {
            limit.take_back(&st.db, &hit).await?;
            return Err(AccountError::CodeThrottled {
                minutes: wait.num_minutes().max(1),
            });
        }
        Ok(Self {
            limit,
            key: factor.to_string(),
            hit,
        })
    }

    async fn passed(self, st: &AppState) -> Result<(), AccountError> {
        self.limit.take_back(&st.db, &self.hit).await?;
        self.limit.clear(&st.db, &self.key).await?;
        Ok(())
    }
}
