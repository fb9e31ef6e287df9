//! Workflow instances and their append-only events. A state change is guarded by the instance's
//! version, and events are unique per (instance, step), so that a step applies at most once.

use super::entities::workflow_events::{self as event, Entity as Events};
use super::entities::workflow_instances::{self as inst, Entity as Instances};
use super::error::parse_id;
use super::{Page, StoreError};
use crate::domain::{InstanceId, OrganisationId};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

/// A stored workflow instance.
#[derive(Clone, Debug)]
pub struct InstanceRecord {
    /// Id.
    pub id: InstanceId,
    /// Workflow name (the file's stem).
    pub workflow: String,
    /// What the workflow decides on: `organisation`, `application`, …
    pub subject_type: String,
    /// Id of that subject.
    pub subject_id: String,
    /// The organisation concerned.
    pub organisation_id: OrganisationId,
    /// Current state.
    pub state: String,
    /// Form values collected by the workflow.
    pub data: serde_json::Map<String, serde_json::Value>,
    /// Bumped on every step.
    pub version: i32,
    /// Started.
    pub created_at: DateTime<Utc>,
    /// Entered its current state.
    pub updated_at: DateTime<Utc>,
}

/// A stored workflow event.
#[derive(Clone, Debug)]
pub struct EventRecord {
    /// Step number within the instance, from 1.
    pub seq: i32,
    /// The action taken (`submit` for the first).
    pub action: String,
    /// State before (none for the first).
    pub from_state: Option<String>,
    /// State after.
    pub to_state: String,
    /// `tpp`, `admin` or `system`.
    pub actor_type: String,
    /// The actor's id.
    pub actor_id: Option<String>,
    /// The actor's name at the time.
    pub actor_name: String,
    /// Comment given with the step.
    pub comment: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// An inbox row: an instance with its organisation's legal name.
#[derive(Clone, Debug)]
pub struct InboxRow {
    /// The instance.
    pub instance: InstanceRecord,
    /// The organisation's legal name.
    pub legal_name: String,
}

/// What the inbox shows.
#[derive(Clone, Debug, Default)]
pub struct InboxFilter {
    /// States that wait for an admin, per workflow: `(workflow, state)`.
    pub waiting: Vec<(String, String)>,
    /// Only this workflow.
    pub workflow: Option<String>,
    /// Only this state.
    pub state: Option<String>,
}

fn from_model(m: inst::Model) -> Result<InstanceRecord, StoreError> {
    Ok(InstanceRecord {
        id: parse_id(&m.id)?,
        workflow: m.workflow,
        subject_type: m.subject_type,
        subject_id: m.subject_id,
        organisation_id: parse_id(&m.organisation_id)?,
        state: m.state,
        data: serde_json::from_str(&m.data).map_err(|e| StoreError::Malformed(e.to_string()))?,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// Inserts a new instance.
pub async fn insert_instance(
    c: &impl ConnectionTrait,
    r: &InstanceRecord,
) -> Result<(), StoreError> {
    let am = inst::ActiveModel {
        id: Set(r.id.to_string()),
        workflow: Set(r.workflow.clone()),
        subject_type: Set(r.subject_type.clone()),
        subject_id: Set(r.subject_id.clone()),
        organisation_id: Set(r.organisation_id.to_string()),
        state: Set(r.state.clone()),
        data: Set(serde_json::Value::Object(r.data.clone()).to_string()),
        version: Set(r.version),
        created_at: Set(r.created_at),
        updated_at: Set(r.updated_at),
    };
    Instances::insert(am).exec_without_returning(c).await?;
    Ok(())
}

/// One instance.
pub async fn get_instance(
    c: &impl ConnectionTrait,
    id: InstanceId,
) -> Result<Option<InstanceRecord>, StoreError> {
    Instances::find_by_id(id.to_string())
        .one(c)
        .await?
        .map(from_model)
        .transpose()
}

/// The newest instance of a workflow for a subject.
pub async fn latest_for_subject(
    c: &impl ConnectionTrait,
    workflow: &str,
    subject_type: &str,
    subject_id: &str,
) -> Result<Option<InstanceRecord>, StoreError> {
    Instances::find()
        .filter(inst::Column::Workflow.eq(workflow))
        .filter(inst::Column::SubjectType.eq(subject_type))
        .filter(inst::Column::SubjectId.eq(subject_id))
        .order_by_desc(inst::Column::CreatedAt)
        .one(c)
        .await?
        .map(from_model)
        .transpose()
}

/// Moves an instance to `state` if it is still at `expected_version`; returns whether it did.
pub async fn advance(
    c: &impl ConnectionTrait,
    id: InstanceId,
    expected_version: i32,
    state: &str,
    data: Option<&serde_json::Map<String, serde_json::Value>>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut q = Instances::update_many()
        .col_expr(inst::Column::State, Expr::value(state))
        .col_expr(inst::Column::Version, Expr::value(expected_version + 1))
        .col_expr(inst::Column::UpdatedAt, Expr::value(now));
    if let Some(d) = data {
        q = q.col_expr(
            inst::Column::Data,
            Expr::value(serde_json::Value::Object(d.clone()).to_string()),
        );
    }
    let res = q
        .filter(inst::Column::Id.eq(id.to_string()))
        .filter(inst::Column::Version.eq(expected_version))
        .exec(c)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Appends an event.
pub async fn insert_event(
    c: &impl ConnectionTrait,
    instance: InstanceId,
    e: &EventRecord,
) -> Result<(), StoreError> {
    let am = event::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        instance_id: Set(instance.to_string()),
        seq: Set(e.seq),
        action: Set(e.action.clone()),
        from_state: Set(e.from_state.clone()),
        to_state: Set(e.to_state.clone()),
        actor_type: Set(e.actor_type.clone()),
        actor_id: Set(e.actor_id.clone()),
        actor_name: Set(e.actor_name.clone()),
        comment: Set(e.comment.clone()),
        at: Set(e.at),
    };
    Events::insert(am).exec_without_returning(c).await?;
    Ok(())
}

/// An instance's events in order.
pub async fn events(
    c: &impl ConnectionTrait,
    instance: InstanceId,
) -> Result<Vec<EventRecord>, StoreError> {
    Ok(Events::find()
        .filter(event::Column::InstanceId.eq(instance.to_string()))
        .order_by_asc(event::Column::Seq)
        .all(c)
        .await?
        .into_iter()
        .map(|m| EventRecord {
            seq: m.seq,
            action: m.action,
            from_state: m.from_state,
            to_state: m.to_state,
            actor_type: m.actor_type,
            actor_id: m.actor_id,
            actor_name: m.actor_name,
            comment: m.comment,
            at: m.at,
        })
        .collect())
}

fn inbox_query(f: &InboxFilter) -> sea_orm::Select<Instances> {
    let mut waiting = sea_orm::Condition::any();
    for (wf, state) in &f.waiting {
        waiting = waiting.add(
            sea_orm::Condition::all()
                .add(inst::Column::Workflow.eq(wf.as_str()))
                .add(inst::Column::State.eq(state.as_str())),
        );
    }
    if f.waiting.is_empty() {
        // Nothing waits for an admin: match no row.
        waiting = waiting.add(inst::Column::Id.eq("-"));
    }
    let mut q = Instances::find().filter(waiting);
    if let Some(wf) = &f.workflow {
        q = q.filter(inst::Column::Workflow.eq(wf.as_str()));
    }
    if let Some(s) = &f.state {
        q = q.filter(inst::Column::State.eq(s.as_str()));
    }
    q
}

/// Instances waiting for an admin, oldest first, with the organisation's legal name.
pub async fn inbox(
    c: &impl ConnectionTrait,
    f: &InboxFilter,
    page: Page,
) -> Result<(Vec<InboxRow>, u64), StoreError> {
    let total = inbox_query(f).count(c).await?;
    let rows = inbox_query(f)
        .order_by_asc(inst::Column::UpdatedAt)
        .offset(page.offset())
        .limit(page.size)
        .all(c)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        let legal_name = super::organisations::legal_name(c, &m.organisation_id).await?;
        out.push(InboxRow {
            instance: from_model(m)?,
            legal_name,
        });
    }
    Ok((out, total))
}

/// Every instance of an organisation, newest first.
pub async fn for_organisation(
    c: &impl ConnectionTrait,
    org: OrganisationId,
) -> Result<Vec<InstanceRecord>, StoreError> {
    Instances::find()
        .filter(inst::Column::OrganisationId.eq(org.to_string()))
        .order_by_desc(inst::Column::CreatedAt)
        .all(c)
        .await?
        .into_iter()
        .map(from_model)
        .collect()
}

/// Instances per (workflow, state) with the time the oldest of them entered it, for the
/// metrics of waiting tasks (the caller keeps the states that are not terminal).
pub async fn counts_by_state(
    c: &impl ConnectionTrait,
) -> Result<Vec<(String, String, i64, DateTime<Utc>)>, StoreError> {
    use sea_orm::QuerySelect;
    let rows: Vec<(String, String, i64, DateTime<Utc>)> = Instances::find()
        .select_only()
        .column(inst::Column::Workflow)
        .column(inst::Column::State)
        .column_as(inst::Column::Id.count(), "n")
        .column_as(inst::Column::UpdatedAt.min(), "oldest")
        .group_by(inst::Column::Workflow)
        .group_by(inst::Column::State)
        .into_tuple()
        .all(c)
        .await?;
    Ok(rows)
}
