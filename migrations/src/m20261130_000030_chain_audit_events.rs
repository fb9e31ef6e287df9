//! A tamper-evident audit trail: each event carries its place in one chain (`seq`), the hash of
//! the event before it and its own hash, SHA-256 over the previous hash and its canonical
//! content. Events written before this migration stay outside the chain.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Seq,
    PrevHash,
    Hash,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            big_integer_null(AuditEvents::Seq),
            string_len_null(AuditEvents::PrevHash, 64),
            string_len_null(AuditEvents::Hash, 64),
        ] {
            m.alter_table(
                Table::alter()
                    .table(AuditEvents::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("uq_audit_events_seq")
                .table(AuditEvents::Table)
                .col(AuditEvents::Seq)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("uq_audit_events_seq")
                .table(AuditEvents::Table)
                .to_owned(),
        )
        .await?;
        for col in [AuditEvents::Hash, AuditEvents::PrevHash, AuditEvents::Seq] {
            m.alter_table(
                Table::alter()
                    .table(AuditEvents::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
