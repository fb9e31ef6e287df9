//! Two-step sign-in factors (TOTP) and their recovery codes. The secret is stored as the
//! caller sealed it; a recovery code only as its SHA-256. Using a code or a time step is one
//! conditional update, so that two nodes cannot both accept it.

use super::StoreError;
use super::entities::mfa_factors::{self as f, Entity as Factors};
use super::entities::mfa_recovery_codes::{self as rc, Entity as Codes};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};

/// The purpose TOTP secrets are sealed under (so that `onramp keys rewrap` can open them).
pub const SEAL_PURPOSE: &str = "mfa_totp";

/// A stored factor.
#[derive(Clone, Debug)]
pub struct FactorRecord {
    /// `<kind>:<subject id>`.
    pub id: String,
    /// `admin` or `portal`.
    pub kind: String,
    /// The admin's or user's id.
    pub subject_id: String,
    /// The TOTP secret (base32), sealed under the data key when there is one.
    pub secret: String,
    /// Made at.
    pub created_at: DateTime<Utc>,
    /// Confirmed with a first code at; `None` while enrolment is under way.
    pub enrolled_at: Option<DateTime<Utc>>,
    /// The last 30-second step whose code was accepted.
    pub last_step: i64,
}

fn from_model(m: f::Model) -> FactorRecord {
    FactorRecord {
        id: m.id,
        kind: m.kind,
        subject_id: m.subject_id,
        secret: m.secret,
        created_at: m.created_at,
        enrolled_at: m.enrolled_at,
        last_step: m.last_step,
    }
}

/// One factor.
pub async fn get(c: &impl ConnectionTrait, id: &str) -> Result<Option<FactorRecord>, StoreError> {
    Ok(Factors::find_by_id(id.to_string())
        .one(c)
        .await?
        .map(from_model))
}

/// Starts an enrolment: replaces an unconfirmed factor, never a confirmed one
/// ([`StoreError::Conflict`] then).
pub async fn put_pending(c: &impl ConnectionTrait, r: &FactorRecord) -> Result<(), StoreError> {
    Factors::delete_many()
        .filter(f::Column::Id.eq(&r.id))
        .filter(f::Column::EnrolledAt.is_null())
        .exec(c)
        .await?;
    let am = f::ActiveModel {
        id: Set(r.id.clone()),
        kind: Set(r.kind.clone()),
        subject_id: Set(r.subject_id.clone()),
        secret: Set(r.secret.clone()),
        created_at: Set(r.created_at),
        enrolled_at: Set(None),
        last_step: Set(0),
    };
    Factors::insert(am).exec_without_returning(c).await?;
    Ok(())
}

/// Confirms an enrolment with the step of its first code and stores its recovery codes.
/// Returns false when there was no enrolment under way.
pub async fn confirm(
    c: &impl ConnectionTrait,
    id: &str,
    step: i64,
    code_hashes: &[String],
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = Factors::update_many()
        .col_expr(f::Column::EnrolledAt, Expr::value(now))
        .col_expr(f::Column::LastStep, Expr::value(step))
        .filter(f::Column::Id.eq(id))
        .filter(f::Column::EnrolledAt.is_null())
        .exec(c)
        .await?
        .rows_affected
        == 1;
    if done {
        replace_codes(c, id, code_hashes).await?;
    }
    Ok(done)
}

/// Accepts a time step once: true when it is later than every step accepted before.
pub async fn take_step(c: &impl ConnectionTrait, id: &str, step: i64) -> Result<bool, StoreError> {
    Ok(Factors::update_many()
        .col_expr(f::Column::LastStep, Expr::value(step))
        .filter(f::Column::Id.eq(id))
        .filter(f::Column::EnrolledAt.is_not_null())
        .filter(f::Column::LastStep.lt(step))
        .exec(c)
        .await?
        .rows_affected
        == 1)
}

/// Uses a recovery code once: true when it was unused.
pub async fn use_code(
    c: &impl ConnectionTrait,
    id: &str,
    code_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(Codes::update_many()
        .col_expr(rc::Column::UsedAt, Expr::value(now))
        .filter(rc::Column::CodeHash.eq(code_hash))
        .filter(rc::Column::FactorId.eq(id))
        .filter(rc::Column::UsedAt.is_null())
        .exec(c)
        .await?
        .rows_affected
        == 1)
}

/// Replaces every recovery code of a factor.
pub async fn replace_codes(
    c: &impl ConnectionTrait,
    id: &str,
    code_hashes: &[String],
) -> Result<(), StoreError> {
    Codes::delete_many()
        .filter(rc::Column::FactorId.eq(id))
        .exec(c)
        .await?;
    if code_hashes.is_empty() {
        return Ok(());
    }
    Codes::insert_many(code_hashes.iter().map(|h| rc::ActiveModel {
        code_hash: Set(h.clone()),
        factor_id: Set(id.to_string()),
        used_at: Set(None),
    }))
    .exec_without_returning(c)
    .await?;
    Ok(())
}

/// How many recovery codes of a factor are still unused.
pub async fn codes_left(c: &impl ConnectionTrait, id: &str) -> Result<u64, StoreError> {
    Ok(Codes::find()
        .filter(rc::Column::FactorId.eq(id))
        .filter(rc::Column::UsedAt.is_null())
        .count(c)
        .await?)
}

/// Removes a factor and its codes; returns whether there was one.
pub async fn delete(c: &impl ConnectionTrait, id: &str) -> Result<bool, StoreError> {
    Codes::delete_many()
        .filter(rc::Column::FactorId.eq(id))
        .exec(c)
        .await?;
    Ok(Factors::delete_many()
        .filter(f::Column::Id.eq(id))
        .exec(c)
        .await?
        .rows_affected
        > 0)
}

/// Every factor's id and stored secret (for `onramp keys rewrap`).
pub async fn all_secrets(c: &impl ConnectionTrait) -> Result<Vec<(String, String)>, StoreError> {
    Ok(Factors::find()
        .all(c)
        .await?
        .into_iter()
        .map(|m| (m.id, m.secret))
        .collect())
}

/// Replaces a factor's stored secret (for `onramp keys rewrap`).
pub async fn set_secret(
    c: &impl ConnectionTrait,
    id: &str,
    secret: &str,
) -> Result<(), StoreError> {
    Factors::update_many()
        .col_expr(f::Column::Secret, Expr::value(secret))
        .filter(f::Column::Id.eq(id))
        .exec(c)
        .await?;
    Ok(())
}
