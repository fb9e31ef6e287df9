//! Software statements of Onramp's own sandbox directory: one row per piece of software an
//! organisation made in the portal, with its public keys (the JWKS the directory hosts) and the
//! transport certificate the sandbox CA issued for it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SandboxSoftware {
    Table,
    SoftwareId,
    OrganisationId,
    ClientName,
    RedirectUris,
    Roles,
    Jwks,
    CertificatePem,
    CreatedBy,
    CreatedAt,
    RetiredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SandboxSoftware::Table)
                .col(string_len(SandboxSoftware::SoftwareId, 36).primary_key())
                .col(string_len(SandboxSoftware::OrganisationId, 36))
                .col(string(SandboxSoftware::ClientName))
                .col(text(SandboxSoftware::RedirectUris))
                .col(text(SandboxSoftware::Roles))
                .col(text(SandboxSoftware::Jwks))
                .col(text(SandboxSoftware::CertificatePem))
                .col(string(SandboxSoftware::CreatedBy))
                .col(timestamp_with_time_zone(SandboxSoftware::CreatedAt))
                .col(timestamp_with_time_zone_null(SandboxSoftware::RetiredAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sandbox_software_organisation")
                .table(SandboxSoftware::Table)
                .col(SandboxSoftware::OrganisationId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(SandboxSoftware::Table).to_owned())
            .await
    }
}
