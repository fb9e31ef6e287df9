//! Applications, the one store of OAuth clients (portal- and DCR-made alike), team invitations,
//! and an index that makes a subject's audit history quick to read.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Applications {
    Table,
    Id,
    OrganisationId,
    Name,
    Description,
    LogoUri,
    RedirectUris,
    AuthMethod,
    JwksUri,
    Jwks,
    TlsSubjectDn,
    Scopes,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Clients {
    Table,
    ClientId,
    ApplicationId,
    OrganisationId,
    Environment,
    Origin,
    AuthMethod,
    Metadata,
    Status,
    StatusBeforeSuspension,
    SecretHash,
    SecretHint,
    SecretCreatedAt,
    PreviousSecretHash,
    PreviousSecretExpiresAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    TokenHash,
    OrganisationId,
    Email,
    InvitedBy,
    ExpiresAt,
    AcceptedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    SubjectType,
    SubjectId,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Applications::Table)
                .col(string_len(Applications::Id, 36).primary_key())
                .col(string_len(Applications::OrganisationId, 36))
                .col(string(Applications::Name))
                .col(text(Applications::Description))
                .col(string_null(Applications::LogoUri))
                .col(text(Applications::RedirectUris))
                .col(string_len(Applications::AuthMethod, 32))
                .col(string_null(Applications::JwksUri))
                .col(text_null(Applications::Jwks))
                .col(string_null(Applications::TlsSubjectDn))
                .col(text(Applications::Scopes))
                .col(string_len(Applications::Status, 16))
                .col(timestamp_with_time_zone(Applications::CreatedAt))
                .col(timestamp_with_time_zone(Applications::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Applications::Table, Applications::OrganisationId)
                        .to(Organisations::Table, Organisations::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_applications_org")
                .table(Applications::Table)
                .col(Applications::OrganisationId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Clients::Table)
                .col(string_len(Clients::ClientId, 64).primary_key())
                .col(string_len(Clients::ApplicationId, 36))
                .col(string_len(Clients::OrganisationId, 36))
                .col(string_len(Clients::Environment, 16))
                .col(string_len(Clients::Origin, 16))
                .col(string_len(Clients::AuthMethod, 32))
                .col(text(Clients::Metadata))
                .col(string_len(Clients::Status, 16))
                .col(string_len_null(Clients::StatusBeforeSuspension, 16))
                .col(string_len_null(Clients::SecretHash, 64))
                .col(string_len_null(Clients::SecretHint, 32))
                .col(timestamp_with_time_zone_null(Clients::SecretCreatedAt))
                .col(string_len_null(Clients::PreviousSecretHash, 64))
                .col(timestamp_with_time_zone_null(
                    Clients::PreviousSecretExpiresAt,
                ))
                .col(timestamp_with_time_zone(Clients::CreatedAt))
                .col(timestamp_with_time_zone(Clients::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Clients::Table, Clients::OrganisationId)
                        .to(Organisations::Table, Organisations::Id),
                )
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_clients_application", Clients::ApplicationId),
            ("idx_clients_org", Clients::OrganisationId),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table(Clients::Table)
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(Invitations::Table)
                .col(string_len(Invitations::TokenHash, 64).primary_key())
                .col(string_len(Invitations::OrganisationId, 36))
                .col(string(Invitations::Email))
                .col(string_len(Invitations::InvitedBy, 36))
                .col(timestamp_with_time_zone(Invitations::ExpiresAt))
                .col(timestamp_with_time_zone_null(Invitations::AcceptedAt))
                .col(timestamp_with_time_zone(Invitations::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_events_subject")
                .table(AuditEvents::Table)
                .col(AuditEvents::SubjectType)
                .col(AuditEvents::SubjectId)
                .col(AuditEvents::At)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_audit_events_subject")
                .table(AuditEvents::Table)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(Invitations::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Clients::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Applications::Table).to_owned())
            .await?;
        Ok(())
    }
}
