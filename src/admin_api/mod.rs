//! The admin API's own rules: admin API tokens (made by a superadmin, stored hashed, with a
//! role no higher than their admin's, an expiry and revocation), cursor pages, and the lists
//! the API and the CLI read. Workflow steps and status changes are not here: the API calls the
//! same services as the console (tasks, clients, organisations), so
//! role and four-eyes rules hold alike. Knows nothing of HTTP.

pub mod cursor;
mod error;
pub mod lists;
pub mod tokens;

pub use error::ApiTokenError;
