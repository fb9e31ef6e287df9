//! A second signup for an address that is not verified yet waits here, with its own password and
//! organisation, until that address follows its link; only then does it replace the first.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PendingSignups {
    Table,
    TokenHash,
    Email,
    OrganisationId,
    PasswordHash,
    ExpiresAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PendingSignups::Table)
                .if_not_exists()
                .col(string_len(PendingSignups::TokenHash, 64).primary_key())
                .col(string(PendingSignups::Email))
                .col(string_len(PendingSignups::OrganisationId, 36))
                .col(string(PendingSignups::PasswordHash))
                .col(timestamp_with_time_zone(PendingSignups::ExpiresAt))
                .col(timestamp_with_time_zone(PendingSignups::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_pending_signups_email")
                .table(PendingSignups::Table)
                .col(PendingSignups::Email)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PendingSignups::Table).to_owned())
            .await
    }
}
