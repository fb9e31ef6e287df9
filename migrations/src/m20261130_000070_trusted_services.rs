//! Trusted lists (ETSI TS 119 612): the `CA/QC` services imported with `onramp trust import`,
//! one row per service with its certificates, its current status and its status history, so
//! that every node judges certificates against the same lists. A re-import of a list replaces
//! that list's rows (`list_key`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TrustedServices {
    Table,
    Id,
    ListKey,
    Territory,
    TspName,
    ServiceName,
    Status,
    StatusFrom,
    History,
    Certificates,
    Purposes,
    ImportedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TrustedServices::Table)
                .if_not_exists()
                .col(string_len(TrustedServices::Id, 36).primary_key())
                .col(string_len(TrustedServices::ListKey, 255))
                .col(string_len(TrustedServices::Territory, 8))
                .col(text(TrustedServices::TspName))
                .col(text(TrustedServices::ServiceName))
                .col(text(TrustedServices::Status))
                .col(timestamp_with_time_zone(TrustedServices::StatusFrom))
                .col(text(TrustedServices::History))
                .col(text(TrustedServices::Certificates))
                .col(text(TrustedServices::Purposes))
                .col(timestamp_with_time_zone(TrustedServices::ImportedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_trusted_services_list")
                .table(TrustedServices::Table)
                .col(TrustedServices::ListKey)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(TrustedServices::Table).to_owned())
            .await
    }
}
