//! sea-orm entities, one per table, matching `migrations/`. Only [`crate::store`] names them.

pub mod admin_api_tokens;
pub mod admins;
pub mod applications;
pub mod audit_events;
pub mod authority_evidence;
pub mod clients;
pub mod email_tokens;
pub mod invitations;
pub mod jti_uses;
pub mod mfa_factors;
pub mod mfa_recovery_codes;
pub mod organisations;
pub mod outbox;
pub mod pending_signups;
pub mod portal_users;
pub mod rate_events;
pub mod register_entries;
pub mod revoked_tokens;
pub mod sandbox_software;
pub mod server_secrets;
pub mod sessions;
pub mod signing_keys;
pub mod trusted_services;
pub mod workflow_events;
pub mod workflow_instances;
