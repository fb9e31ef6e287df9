//! The foundation: organisations, portal users, admins, workflow instances and their append-only
//! events, single-use email tokens, the audit trail, the mail outbox, rate-limit events and
//! server secrets.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
    LegalName,
    Status,
    Profile,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PortalUsers {
    Table,
    Id,
    OrganisationId,
    Email,
    PasswordHash,
    Role,
    EmailVerifiedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Admins {
    Table,
    Id,
    Email,
    PasswordHash,
    Role,
    Disabled,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WorkflowInstances {
    Table,
    Id,
    Workflow,
    SubjectType,
    SubjectId,
    OrganisationId,
    State,
    Data,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WorkflowEvents {
    Table,
    Id,
    InstanceId,
    Seq,
    Action,
    FromState,
    ToState,
    ActorType,
    ActorId,
    ActorName,
    Comment,
    At,
}

#[derive(DeriveIden)]
enum EmailTokens {
    Table,
    TokenHash,
    Purpose,
    UserId,
    ExpiresAt,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    At,
    ActorType,
    ActorId,
    ActorName,
    Action,
    SubjectType,
    SubjectId,
    OrganisationId,
    Detail,
    Ip,
}

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    Recipient,
    Subject,
    BodyText,
    Status,
    Attempts,
    LastError,
    NextAttemptAt,
    ClaimedUntil,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum RateEvents {
    Table,
    Id,
    Kind,
    Key,
    At,
}

#[derive(DeriveIden)]
enum ServerSecrets {
    Table,
    Name,
    Value,
    CreatedAt,
}

fn id(col: impl IntoIden) -> ColumnDef {
    string_len(col, 36).primary_key().take()
}

fn at(col: impl IntoIden) -> ColumnDef {
    timestamp_with_time_zone(col)
}

fn at_null(col: impl IntoIden) -> ColumnDef {
    timestamp_with_time_zone_null(col)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Organisations::Table)
                .col(id(Organisations::Id))
                .col(string(Organisations::LegalName))
                .col(string_len(Organisations::Status, 32))
                .col(text(Organisations::Profile))
                .col(at(Organisations::CreatedAt))
                .col(at(Organisations::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PortalUsers::Table)
                .col(id(PortalUsers::Id))
                .col(string_len(PortalUsers::OrganisationId, 36))
                .col(string_uniq(PortalUsers::Email))
                .col(string(PortalUsers::PasswordHash))
                .col(string_len(PortalUsers::Role, 32))
                .col(at_null(PortalUsers::EmailVerifiedAt))
                .col(at(PortalUsers::CreatedAt))
                .col(at(PortalUsers::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(PortalUsers::Table, PortalUsers::OrganisationId)
                        .to(Organisations::Table, Organisations::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_portal_users_org")
                .table(PortalUsers::Table)
                .col(PortalUsers::OrganisationId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Admins::Table)
                .col(id(Admins::Id))
                .col(string_uniq(Admins::Email))
                .col(string(Admins::PasswordHash))
                .col(string_len(Admins::Role, 32))
                .col(boolean(Admins::Disabled).default(false))
                .col(at(Admins::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WorkflowInstances::Table)
                .col(id(WorkflowInstances::Id))
                .col(string_len(WorkflowInstances::Workflow, 64))
                .col(string_len(WorkflowInstances::SubjectType, 32))
                .col(string_len(WorkflowInstances::SubjectId, 36))
                .col(string_len(WorkflowInstances::OrganisationId, 36))
                .col(string_len(WorkflowInstances::State, 64))
                .col(text(WorkflowInstances::Data))
                .col(integer(WorkflowInstances::Version))
                .col(at(WorkflowInstances::CreatedAt))
                .col(at(WorkflowInstances::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(WorkflowInstances::Table, WorkflowInstances::OrganisationId)
                        .to(Organisations::Table, Organisations::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_workflow_instances_state")
                .table(WorkflowInstances::Table)
                .col(WorkflowInstances::State)
                .col(WorkflowInstances::UpdatedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_workflow_instances_subject")
                .table(WorkflowInstances::Table)
                .col(WorkflowInstances::SubjectType)
                .col(WorkflowInstances::SubjectId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WorkflowEvents::Table)
                .col(id(WorkflowEvents::Id))
                .col(string_len(WorkflowEvents::InstanceId, 36))
                .col(integer(WorkflowEvents::Seq))
                .col(string_len(WorkflowEvents::Action, 64))
                .col(string_len_null(WorkflowEvents::FromState, 64))
                .col(string_len(WorkflowEvents::ToState, 64))
                .col(string_len(WorkflowEvents::ActorType, 16))
                .col(string_len_null(WorkflowEvents::ActorId, 36))
                .col(string(WorkflowEvents::ActorName))
                .col(text_null(WorkflowEvents::Comment))
                .col(at(WorkflowEvents::At))
                .foreign_key(
                    ForeignKey::create()
                        .from(WorkflowEvents::Table, WorkflowEvents::InstanceId)
                        .to(WorkflowInstances::Table, WorkflowInstances::Id),
                )
                .to_owned(),
        )
        .await?;
        // One event per step of an instance: a second writer of the same step fails here even if
        // it slipped past the version check.
        m.create_index(
            Index::create()
                .name("uq_workflow_events_step")
                .table(WorkflowEvents::Table)
                .col(WorkflowEvents::InstanceId)
                .col(WorkflowEvents::Seq)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(EmailTokens::Table)
                .col(string_len(EmailTokens::TokenHash, 64).primary_key())
                .col(string_len(EmailTokens::Purpose, 16))
                .col(string_len(EmailTokens::UserId, 36))
                .col(at(EmailTokens::ExpiresAt))
                .col(at_null(EmailTokens::UsedAt))
                .col(at(EmailTokens::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(id(AuditEvents::Id))
                .col(at(AuditEvents::At))
                .col(string_len(AuditEvents::ActorType, 16))
                .col(string_len_null(AuditEvents::ActorId, 36))
                .col(string(AuditEvents::ActorName))
                .col(string_len(AuditEvents::Action, 64))
                .col(string_len(AuditEvents::SubjectType, 32))
                .col(string_len(AuditEvents::SubjectId, 64))
                .col(string_len_null(AuditEvents::OrganisationId, 36))
                .col(text(AuditEvents::Detail))
                .col(string_len_null(AuditEvents::Ip, 64))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_audit_events_at")
                .table(AuditEvents::Table)
                .col(AuditEvents::At)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Outbox::Table)
                .col(id(Outbox::Id))
                .col(string(Outbox::Recipient))
                .col(string(Outbox::Subject))
                .col(text(Outbox::BodyText))
                .col(string_len(Outbox::Status, 16))
                .col(integer(Outbox::Attempts))
                .col(text_null(Outbox::LastError))
                .col(at(Outbox::NextAttemptAt))
                .col(at_null(Outbox::ClaimedUntil))
                .col(at(Outbox::CreatedAt))
                .col(at_null(Outbox::SentAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_outbox_due")
                .table(Outbox::Table)
                .col(Outbox::Status)
                .col(Outbox::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RateEvents::Table)
                .col(id(RateEvents::Id))
                .col(string_len(RateEvents::Kind, 32))
                .col(string(RateEvents::Key))
                .col(at(RateEvents::At))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_rate_events_key")
                .table(RateEvents::Table)
                .col(RateEvents::Kind)
                .col(RateEvents::Key)
                .col(RateEvents::At)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ServerSecrets::Table)
                .col(string_len(ServerSecrets::Name, 64).primary_key())
                .col(text(ServerSecrets::Value))
                .col(at(ServerSecrets::CreatedAt))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ServerSecrets::Table.into_iden(),
            RateEvents::Table.into_iden(),
            Outbox::Table.into_iden(),
            AuditEvents::Table.into_iden(),
            EmailTokens::Table.into_iden(),
            WorkflowEvents::Table.into_iden(),
            WorkflowInstances::Table.into_iden(),
            Admins::Table.into_iden(),
            PortalUsers::Table.into_iden(),
            Organisations::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
