//! Onramp's database migrations (sea-orm-migration). Append-only: never edit a merged migration;
//! add a new file and list it in order in [`Migrator::migrations`].

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_create_core;
mod m20261126_000002_create_applications_clients;
mod m20261126_000003_create_signing_keys_and_jti;
mod m20261126_000004_add_directory_org_id;
mod m20261126_000005_create_sandbox_software;
mod m20261130_000001_token_environments;
mod m20261130_000010_scope_directory_org_by_issuer;
mod m20261130_000011_create_pending_signups;
mod m20261130_000012_create_sessions;
mod m20261130_000030_chain_audit_events;
mod m20261130_000040_create_mfa;
mod m20261130_000050_admin_api_tokens;
mod m20261130_000051_add_outbox_kind;
mod m20261130_000060_authority_evidence;
mod m20261130_000070_trusted_services;

/// Runs every Onramp migration in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_core::Migration),
            Box::new(m20261126_000002_create_applications_clients::Migration),
            Box::new(m20261126_000003_create_signing_keys_and_jti::Migration),
            Box::new(m20261126_000004_add_directory_org_id::Migration),
            Box::new(m20261126_000005_create_sandbox_software::Migration),
            Box::new(m20261130_000001_token_environments::Migration),
            Box::new(m20261130_000010_scope_directory_org_by_issuer::Migration),
            Box::new(m20261130_000011_create_pending_signups::Migration),
            Box::new(m20261130_000012_create_sessions::Migration),
            Box::new(m20261130_000030_chain_audit_events::Migration),
            Box::new(m20261130_000040_create_mfa::Migration),
            Box::new(m20261130_000050_admin_api_tokens::Migration),
            Box::new(m20261130_000051_add_outbox_kind::Migration),
            Box::new(m20261130_000060_authority_evidence::Migration),
            Box::new(m20261130_000070_trusted_services::Migration),
        ]
    }
}
