//! Admin API tokens: a superadmin makes them in the console for an admin, with a role no higher
//! than that admin's and an expiry. Only the SHA-256 of the token is kept.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AdminApiTokens {
    Table,
    Id,
    TokenHash,
    Name,
    AdminId,
    Role,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
    RevokedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AdminApiTokens::Table)
                .if_not_exists()
                .col(string_len(AdminApiTokens::Id, 36).primary_key())
                .col(string_len(AdminApiTokens::TokenHash, 64).unique_key())
                .col(string_len(AdminApiTokens::Name, 100))
                .col(string_len(AdminApiTokens::AdminId, 36))
                .col(string_len(AdminApiTokens::Role, 16))
                .col(string_len(AdminApiTokens::CreatedBy, 36))
                .col(timestamp_with_time_zone(AdminApiTokens::CreatedAt))
                .col(timestamp_with_time_zone(AdminApiTokens::ExpiresAt))
                .col(timestamp_with_time_zone_null(AdminApiTokens::LastUsedAt))
                .col(timestamp_with_time_zone_null(AdminApiTokens::RevokedAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AdminApiTokens::Table).to_owned())
            .await
    }
}
