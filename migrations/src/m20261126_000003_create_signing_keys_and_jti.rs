//! Onramp's token signing keys (kept until the tokens they signed have expired) and the
//! single-use record of client-assertion `jti`s, shared by every node.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    Kid,
    Alg,
    PrivatePkcs8,
    PublicJwk,
    CreatedAt,
    RetiresAt,
}

#[derive(DeriveIden)]
enum JtiUses {
    Table,
    Issuer,
    Jti,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(SigningKeys::Table)
                .col(string_len(SigningKeys::Kid, 64).primary_key())
                .col(string_len(SigningKeys::Alg, 16))
                .col(text(SigningKeys::PrivatePkcs8))
                .col(text(SigningKeys::PublicJwk))
                .col(timestamp_with_time_zone(SigningKeys::CreatedAt))
                .col(timestamp_with_time_zone_null(SigningKeys::RetiresAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(JtiUses::Table)
                .col(string_len(JtiUses::Issuer, 128))
                .col(string_len(JtiUses::Jti, 255))
                .col(timestamp_with_time_zone(JtiUses::ExpiresAt))
                .primary_key(Index::create().col(JtiUses::Issuer).col(JtiUses::Jti))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_jti_uses_expires")
                .table(JtiUses::Table)
                .col(JtiUses::ExpiresAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(JtiUses::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(SigningKeys::Table).to_owned())
            .await?;
        Ok(())
    }
}
