//! Machine-facing endpoints: health, readiness and metrics.

pub mod health;
