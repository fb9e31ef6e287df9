//! Test harness: `spawn_app()`, form helpers that take the real CSRF path, mail capture and
//! assertions.

mod app;
pub mod dcr;
pub mod eidas;
mod pki;
mod visitor;

pub use app::*;
pub use pki::{Identity, Pki};
pub use visitor::Visitor;
