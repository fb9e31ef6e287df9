//! Authority checks: the evidence each check writes (one row per source and check, never
//! changed afterwards), and the registers the bank imports (EBA, CSV), one row per entry.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuthorityEvidence {
    Table,
    Id,
    OrganisationId,
    InstanceId,
    Source,
    Verdict,
    LookedUp,
    Found,
    Details,
    Author,
    CheckedAt,
}

#[derive(DeriveIden)]
enum RegisterEntries {
    Table,
    Register,
    Authority,
    Number,
    Name,
    Status,
    Roles,
    EntityType,
    AuthorisedSince,
    WithdrawnAt,
    ImportedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuthorityEvidence::Table)
                .if_not_exists()
                .col(string_len(AuthorityEvidence::Id, 36).primary_key())
                .col(string_len(AuthorityEvidence::OrganisationId, 36))
                .col(string_len_null(AuthorityEvidence::InstanceId, 36))
                .col(string_len(AuthorityEvidence::Source, 16))
                .col(string_len(AuthorityEvidence::Verdict, 16))
                .col(text(AuthorityEvidence::LookedUp))
                .col(text(AuthorityEvidence::Found))
                .col(text(AuthorityEvidence::Details))
                .col(string_null(AuthorityEvidence::Author))
                .col(timestamp_with_time_zone(AuthorityEvidence::CheckedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_authority_evidence_org")
                .table(AuthorityEvidence::Table)
                .col(AuthorityEvidence::OrganisationId)
                .col(AuthorityEvidence::CheckedAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RegisterEntries::Table)
                .if_not_exists()
                .col(string_len(RegisterEntries::Register, 16))
                .col(string_len(RegisterEntries::Authority, 32))
                .col(string_len(RegisterEntries::Number, 128))
                .col(text(RegisterEntries::Name))
                .col(string_len(RegisterEntries::Status, 16))
                .col(text(RegisterEntries::Roles))
                .col(string_len(RegisterEntries::EntityType, 32))
                .col(string_len_null(RegisterEntries::AuthorisedSince, 10))
                .col(string_len_null(RegisterEntries::WithdrawnAt, 10))
                .col(timestamp_with_time_zone(RegisterEntries::ImportedAt))
                .primary_key(
                    Index::create()
                        .col(RegisterEntries::Register)
                        .col(RegisterEntries::Authority)
                        .col(RegisterEntries::Number),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RegisterEntries::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(AuthorityEvidence::Table).to_owned())
            .await
    }
}
