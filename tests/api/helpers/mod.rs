//! Test harness: `spawn_app()`, form helpers that take the real CSRF path, mail capture and
//! assertions.

mod app;
pub mod dcr;
pub mod eidas;
mod node;
mod pki;
pub mod qtsp;
pub mod totp;
mod visitor;

pub use app::*;
pub use node::Node;
pub use pki::{Identity, Pki};
pub use visitor::Visitor;
