//! Running workflows against Onramp's subjects: start an instance, take a step (checked by the
//! [`crate::workflow`] engine, guarded by the instance version, recorded as an event and an
//! audit row in one transaction), apply the effects of the state entered, run automatic steps,
//! and queue the emails that go out after the commit. Also the admin inbox and task pages.

mod conditions;
mod effects;
mod error;
pub mod notes;
pub mod query;
pub mod service;

pub use error::TaskError;
