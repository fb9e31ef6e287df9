//! Two-step sign-in: a TOTP factor per admin or portal user (its secret sealed under the data
//! key, the last time step used so that a code works once), their one-use recovery codes
//! (SHA-256), and an organisation's choice to require the factor of its members.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MfaFactors {
    Table,
    Id,
    Kind,
    SubjectId,
    Secret,
    CreatedAt,
    EnrolledAt,
    LastStep,
}

#[derive(DeriveIden)]
enum MfaRecoveryCodes {
    Table,
    CodeHash,
    FactorId,
    UsedAt,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    RequireMfa,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(MfaFactors::Table)
                .if_not_exists()
                .col(string_len(MfaFactors::Id, 64).primary_key())
                .col(string_len(MfaFactors::Kind, 16))
                .col(string_len(MfaFactors::SubjectId, 36))
                .col(text(MfaFactors::Secret))
                .col(timestamp_with_time_zone(MfaFactors::CreatedAt))
                .col(timestamp_with_time_zone_null(MfaFactors::EnrolledAt))
                .col(big_integer(MfaFactors::LastStep).default(0))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(MfaRecoveryCodes::Table)
                .if_not_exists()
                .col(string_len(MfaRecoveryCodes::CodeHash, 64).primary_key())
                .col(string_len(MfaRecoveryCodes::FactorId, 64))
                .col(timestamp_with_time_zone_null(MfaRecoveryCodes::UsedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_mfa_recovery_codes_factor")
                .table(MfaRecoveryCodes::Table)
                .col(MfaRecoveryCodes::FactorId)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Organisations::Table)
                .add_column(boolean(Organisations::RequireMfa).default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Organisations::Table)
                .drop_column(Organisations::RequireMfa)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(MfaRecoveryCodes::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(MfaFactors::Table).to_owned())
            .await
    }
}
