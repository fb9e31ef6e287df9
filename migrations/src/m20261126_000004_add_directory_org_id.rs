//! Organisations found or created from software statements carry their directory `org_id`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organisations {
    Table,
    DirectoryOrgId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Organisations::Table)
                .add_column(string_len_null(Organisations::DirectoryOrgId, 64))
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
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("uq_organisations_directory_org_id")
                .table(Organisations::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Organisations::Table)
                .drop_column(Organisations::DirectoryOrgId)
                .to_owned(),
        )
        .await
    }
}
