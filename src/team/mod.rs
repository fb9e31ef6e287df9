//! An organisation's team: its first user is the owner; owners invite developers by email (a
//! link valid 7 days) and remove members. Every team action checks membership and role.

mod error;
pub mod service;

pub use error::TeamError;
