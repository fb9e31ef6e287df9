//! Separate token signing keys per environment (a sandbox token never verifies with the
//! production keys), and a deny list of revoked access tokens shared by every node.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    Environment,
}

#[derive(DeriveIden)]
enum RevokedTokens {
    Table,
    Jti,
    ExpiresAt,
    RevokedAt,
    Reason,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Keys made before this migration signed every token; they stay production keys, and
        // the sandbox gets a key of its own at the next start.
        m.alter_table(
            Table::alter()
                .table(SigningKeys::Table)
                .add_column(string_len(SigningKeys::Environment, 16).default("production"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RevokedTokens::Table)
                .if_not_exists()
                .col(string_len(RevokedTokens::Jti, 255).primary_key())
                .col(timestamp_with_time_zone(RevokedTokens::ExpiresAt))
                .col(timestamp_with_time_zone(RevokedTokens::RevokedAt))
                .col(string_len(RevokedTokens::Reason, 255))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RevokedTokens::Table).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(SigningKeys::Table)
                .drop_column(SigningKeys::Environment)
                .to_owned(),
        )
        .await
    }
}
