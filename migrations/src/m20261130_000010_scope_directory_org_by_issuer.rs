//! A directory `org_id` means something only within the directory that issued it: organisations
//! made from software statements also keep the statement's issuer, and the `org_id` is unique
//! per issuer rather than across directories.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organisations {
    Table,
    DirectoryOrgId,
    DirectoryIssuer,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Organisations::Table)
                .add_column(string_len_null(Organisations::DirectoryIssuer, 255))
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name("uq_organisations_directory_org_id")
                .table(Organisations::Table)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_organisations_directory_issuer_org_id")
                .table(Organisations::Table)
                .col(Organisations::DirectoryIssuer)
                .col(Organisations::DirectoryOrgId)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("uq_organisations_directory_issuer_org_id")
                .table(Organisations::Table)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_organisations_directory_org_id")
                .table(Organisations::Table)
                .col(Organisations::DirectoryOrgId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Organisations::Table)
                .drop_column(Organisations::DirectoryIssuer)
                .to_owned(),
        )
        .await
    }
}
