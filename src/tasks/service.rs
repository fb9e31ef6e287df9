//! Starting workflow instances and taking steps on them.

use super::TaskError;
use crate::audit;
use crate::clients::settings::{PREVIOUS_KEY, SETTINGS_KEY};
use crate::domain::{Actor, InstanceId, OrganisationId, paths};
use crate::email::messages::{self, StateNews};
use crate::email::outbox::{self, Mail, Queued};
use crate::forms::Submission;
use crate::state::AppState;
use crate::store::organisations::OrganisationRecord;
use crate::store::workflows::{EventRecord, InstanceRecord};
use crate::store::{self, ConnectionTrait};
use crate::unit_of_work::UnitOfWork;
use crate::workflow::{EmailName, Transition, Workflow, engine};

/// Who is asking: an admin sees every task, a TPP only its organisation's.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    /// The bank's console.
    Admin,
    /// One organisation's portal.
    Organisation(OrganisationId),
}

/// What a new instance is about.
pub struct Subject<'a> {
    /// `organisation`, `application`, …
    pub kind: &'a str,
    /// Its id.
    pub id: String,
}

/// Starts `wf` for a subject inside the caller's transaction: the first event, the effects of
/// the initial state and any automatic steps. Emails are queued in `queued`.
#[expect(clippy::too_many_arguments, reason = "the facts of a new instance")]
pub async fn start(
    c: &impl ConnectionTrait,
    st: &AppState,
    wf: &Workflow,
    subject: Subject<'_>,
    org: &OrganisationRecord,
    data: serde_json::Map<String, serde_json::Value>,
    actor: &Actor,
    queued: &mut Queued,
) -> Result<InstanceRecord, TaskError> {
    let id = InstanceId::new();
    start_as(c, st, wf, id, subject, org, data, actor, queued).await
}

/// [`start`] with the instance's id chosen by the caller, which has already written facts about
/// it (authority evidence that the workflow's conditions read).
#[expect(clippy::too_many_arguments, reason = "the facts of a new instance")]
pub async fn start_as(
    c: &impl ConnectionTrait,
    st: &AppState,
    wf: &Workflow,
    id: InstanceId,
    subject: Subject<'_>,
    org: &OrganisationRecord,
    data: serde_json::Map<String, serde_json::Value>,
    actor: &Actor,
    queued: &mut Queued,
) -> Result<InstanceRecord, TaskError> {
    let now = st.clock.now();
    let mut inst = InstanceRecord {
        id,
        workflow: wf.name.clone(),
        subject_type: subject.kind.to_string(),
        subject_id: subject.id,
        organisation_id: org.id,
        state: wf.initial.clone(),
        data,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    store::workflows::insert_instance(c, &inst).await?;
    let first = EventRecord {
        seq: 1,
        action: "submit".into(),
        from_state: None,
        to_state: inst.state.clone(),
        actor_type: actor.kind().into(),
        actor_id: actor.id(),
        actor_name: actor.name(),
        comment: None,
        at: now,
    };
    store::workflows::insert_event(c, inst.id, &first).await?;
    audit::record(
        c,
        audit::Event {
            actor,
            action: &format!("{}.submit", wf.name),
            subject_type: "task",
            subject_id: inst.id.to_string(),
            organisation: Some(org.id),
            detail: serde_json::json!({ "state": inst.state }),
            ip: None,
        },
        now,
    )
    .await?;
    enter_state(c, st, wf, &mut inst, org, None, None, 1, queued).await?;
    Ok(inst)
}

/// A step requested by a person.
pub struct StepRequest<'a> {
    /// The task.
    pub instance: InstanceId,
    /// The action.
    pub action: &'a str,
    /// The comment, if any.
    pub comment: Option<&'a str>,
    /// The version the person saw.
    pub expected_version: i32,
    /// The resubmitted form, for `with_form` steps.
    pub form: Option<&'a Submission>,
    /// Client address, for the audit trail.
    pub ip: Option<String>,
}

/// Takes a step on a task, in one transaction; sends its emails after the commit.
pub async fn decide(
    st: &AppState,
    scope: Scope,
    actor: &Actor,
    req: StepRequest<'_>,
) -> Result<InstanceRecord, TaskError> {
    if let Some(form) = req.form {
        warm_resubmitted(st, req.instance, form).await?;
    }
    let mut uow = UnitOfWork::begin(st).await?;
    let tx = &uow.tx;
    let mut inst = store::workflows::get_instance(tx, req.instance)
        .await?
        .ok_or(TaskError::NotFound)?;
    if let Scope::Organisation(o) = scope
        && inst.organisation_id != o
    {
        return Err(TaskError::NotFound);
    }
    let wf = st
        .workflows
        .get(&inst.workflow)
        .ok_or_else(|| TaskError::UnknownWorkflow(inst.workflow.clone()))?;
    let events = store::workflows::events(tx, inst.id).await?;
    if inst.version != req.expected_version {
        return Err(stale(wf, &inst, &events));
    }
    let history = super::query::history_of(&events);
    let comment = req.comment.map(str::trim).filter(|c| !c.is_empty());
    let t = wf.check_step(&inst.state, req.action, actor, comment, &history)?;
    let org = store::organisations::get(tx, inst.organisation_id)
        .await?
        .ok_or(TaskError::NotFound)?;
    let now = st.clock.now();
    let mut new_data = None;
    if t.with_form {
        let sub = req.form.cloned().unwrap_or_default();
        let values = wf.form.validate(&sub).map_err(TaskError::Form)?;
        if inst.subject_type == "organisation" {
            let legal = values
                .get("legal_name")
                .and_then(|v| v.as_str())
                .unwrap_or(&org.legal_name)
                .to_string();
            store::organisations::update_profile(tx, org.id, &legal, &values, now).await?;
        }
        // What the request proposed stays with it: a resubmission answers the bank's question,
        // it does not replace the settings under review.
        let mut values = values;
        for key in [SETTINGS_KEY, PREVIOUS_KEY, "client_id", "roles"] {
            if let Some(v) = inst.data.get(key)
                && !values.contains_key(key)
            {
                values.insert(key.into(), v.clone());
            }
        }
        new_data = Some(values);
    }
    let seq = i32::try_from(events.len()).unwrap_or(i32::MAX) + 1;
    if !apply(tx, &mut inst, t, actor, comment, seq, new_data, now).await? {
        drop(uow);
        let fresh = store::workflows::get_instance(&st.db, inst.id)
            .await?
            .ok_or(TaskError::NotFound)?;
        let events = store::workflows::events(&st.db, inst.id).await?;
        return Err(stale(wf, &fresh, &events));
    }
    audit::record(
        tx,
        audit::Event {
            actor,
            action: &format!("{}.{}", wf.name, t.action),
            subject_type: "task",
            subject_id: inst.id.to_string(),
            organisation: Some(org.id),
            detail: serde_json::json!({ "to": inst.state, "comment": comment }),
            ip: req.ip,
        },
        now,
    )
    .await?;
    let mut queued = Queued::default();
    let org = store::organisations::get(tx, inst.organisation_id)
        .await?
        .unwrap_or(org);
    // A signup resubmitted with corrected details is checked again before any condition reads
    // the evidence.
    if t.with_form && inst.subject_type == "organisation" {
        crate::authority::service::check_organisation(tx, st, &org, Some(inst.id)).await?;
    }
    enter_state(
        tx,
        st,
        wf,
        &mut inst,
        &org,
        comment,
        Some(actor),
        seq,
        &mut queued,
    )
    .await?;
    uow.mail = queued;
    uow.touches_clients();
    uow.commit(st).await?;
    Ok(inst)
}

/// A signup resubmitted with corrected details is checked again inside the step's
/// transaction: ask the remote registers about the corrected details before it opens.
async fn warm_resubmitted(
    st: &AppState,
    instance: InstanceId,
    form: &Submission,
) -> Result<(), TaskError> {
    let Some(inst) = store::workflows::get_instance(&st.db, instance).await? else {
        return Ok(());
    };
    let wf = st.workflows.get(&inst.workflow);
    let org = store::organisations::get(&st.db, inst.organisation_id).await?;
    if let (Some(wf), Some(mut org)) = (wf, org)
        && inst.subject_type == "organisation"
        && let Ok(values) = wf.form.validate(form)
    {
        org.profile = values;
        crate::authority::service::warm_remote(st, &org).await;
    }
    Ok(())
}

fn stale(wf: &Workflow, inst: &InstanceRecord, events: &[EventRecord]) -> TaskError {
    let last = events.last();
    TaskError::Stale {
        by: last.map_or_else(|| "someone".into(), |e| e.actor_name.clone()),
        at: last.map_or_else(String::new, |e| crate::domain::clock::human_time(&e.at)),
        state: wf
            .state(&inst.state)
            .map_or(inst.state.clone(), |s| s.label.clone()),
    }
}

/// Moves the instance along `t` if its version still matches, and appends the event.
#[expect(clippy::too_many_arguments, reason = "one step's worth of facts")]
async fn apply(
    c: &impl ConnectionTrait,
    inst: &mut InstanceRecord,
    t: &Transition,
    actor: &Actor,
    comment: Option<&str>,
    seq: i32,
    data: Option<serde_json::Map<String, serde_json::Value>>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, TaskError> {
    if !store::workflows::advance(c, inst.id, inst.version, &t.to, data.as_ref(), now).await? {
        return Ok(false);
    }
    let event = EventRecord {
        seq,
        action: t.action.clone(),
        from_state: Some(inst.state.clone()),
        to_state: t.to.clone(),
        actor_type: actor.kind().into(),
        actor_id: actor.id(),
        actor_name: actor.name(),
        comment: comment.map(str::to_string),
        at: now,
    };
    match store::workflows::insert_event(c, inst.id, &event).await {
        Ok(()) => {}
        // Another writer recorded this step first.
        Err(store::StoreError::Conflict) => return Ok(false),
        Err(e) => return Err(e.into()),
    }
    inst.state = t.to.clone();
    inst.version += 1;
    inst.updated_at = now;
    if let Some(d) = data {
        inst.data = d;
    }
    Ok(true)
}

/// The name of the application an instance is about, if it is about one.
async fn application_name(
    c: &impl ConnectionTrait,
    inst: &InstanceRecord,
) -> Result<Option<String>, TaskError> {
    if inst.subject_type != "application" {
        return Ok(None);
    }
    let Ok(id) = inst.subject_id.parse() else {
        return Ok(None);
    };
    Ok(store::applications::get(c, id).await?.map(|a| a.name))
}

/// Applies what entering the instance's current state does: effects, the TPP's email, the
/// admins' notice, and any automatic step (repeated while automatic steps follow).
#[expect(clippy::too_many_arguments, reason = "one step's worth of facts")]
async fn enter_state(
    c: &impl ConnectionTrait,
    st: &AppState,
    wf: &Workflow,
    inst: &mut InstanceRecord,
    org: &OrganisationRecord,
    comment: Option<&str>,
    acted_by: Option<&Actor>,
    mut seq: i32,
    queued: &mut Queued,
) -> Result<(), TaskError> {
    let mut comment = comment.map(str::to_string);
    // Automatic steps cannot loop for ever: the registry refuses two from one state, and we stop
    // after a few in a row.
    for _ in 0..8 {
        let Some(state) = wf.state(&inst.state) else {
            return Ok(());
        };
        let now = st.clock.now();
        for effect in &state.effects {
            super::effects::apply(c, st, *effect, inst, org, now).await?;
        }
        if !state.notify.is_empty() {
            let event = crate::webhooks::StateEntered {
                task_id: inst.id.to_string(),
                workflow: &wf.name,
                state: &state.name,
                state_label: &state.label,
                status: state.status.as_str(),
                subject_type: &inst.subject_type,
                subject_id: &inst.subject_id,
                organisation_id: org.id.to_string(),
                legal_name: &org.legal_name,
                comment: comment.as_deref(),
                link: st.link(&paths::admin_task(inst.id)),
            };
            crate::webhooks::queue(c, &state.notify, &event, now).await?;
        }
        let mut mails: Vec<Mail> = Vec::new();
        let application = application_name(c, inst).await?;
        if let Some(name) = state.email {
            let kind = match name {
                EmailName::Received => "received",
                EmailName::Approved => "approved",
                EmailName::Rejected => "rejected",
                EmailName::InfoRequested => "info_requested",
                EmailName::StatusChanged => "status_changed",
            };
            let link = if inst.subject_type == "application" {
                st.link(&paths::application(&inst.subject_id))
            } else {
                st.link(paths::DASHBOARD)
            };
            let news = StateNews {
                kind,
                application: application.as_deref(),
                legal_name: &org.legal_name,
                workflow_title: &wf.title,
                state_label: &state.label,
                comment: comment.as_deref().unwrap_or_default(),
                link: &link,
            };
            for user in store::users::list_by_org(c, org.id).await? {
                if user.email_verified_at.is_some() {
                    mails.push(messages::state_changed(&user.email, &news)?);
                }
            }
        }
        let admin_steps: Vec<&Transition> = wf
            .leaving(&state.name)
            .filter(|t| t.is_admin_step())
            .collect();
        // An automatic step fires only when its conditions hold; otherwise a person decides.
        let auto = match wf.auto_step(&state.name) {
            Some(t) if super::conditions::hold(c, &t.when, inst, org).await? => Some(t),
            _ => None,
        };
        // A state left by an automatic step at once waits for nobody: no "task waiting" mail.
        if !admin_steps.is_empty() && auto.is_none() {
            let link = st.link(&paths::admin_task(inst.id));
            // Only those who may take a next step (the role allows it and four-eyes does not bar
            // them), and never the admin who just acted: they know.
            let history = super::query::history_of(&store::workflows::events(c, inst.id).await?);
            let may_act = |a: &crate::store::admins::AdminRecord| {
                if acted_by.and_then(Actor::id) == Some(a.id.to_string()) {
                    return false;
                }
                let actor = Actor::Admin {
                    id: a.id,
                    email: a.email.clone(),
                    role: a.role,
                };
                admin_steps.iter().any(|t| {
                    wf.check_step(&state.name, &t.action, &actor, Some("-"), &history)
                        .is_ok()
                })
            };
            let recipients: Vec<String> = if wf.notify_admins.is_empty() {
                store::admins::list_active(c)
                    .await?
                    .into_iter()
                    .filter(may_act)
                    .map(|a| a.email)
                    .collect()
            } else {
                wf.notify_admins.clone()
            };
            let about = messages::TaskAbout {
                legal_name: &org.legal_name,
                application: application.as_deref(),
                workflow_title: &wf.title,
                state_label: &state.label,
                link: &link,
            };
            for to in recipients {
                mails.push(messages::task_waiting(&to, &about)?);
            }
        }
        outbox::queue(c, &st.clock, mails, queued).await?;

        let Some(auto) = auto else {
            return Ok(());
        };
        seq += 1;
        if !apply(c, inst, auto, &Actor::System, None, seq, None, now).await? {
            return Ok(());
        }
        audit::record(
            c,
            audit::Event {
                actor: &Actor::System,
                action: &format!("{}.{}", wf.name, auto.action),
                subject_type: "task",
                subject_id: inst.id.to_string(),
                organisation: Some(org.id),
                detail: serde_json::json!({ "to": inst.state, "automatic": true }),
                ip: None,
            },
            now,
        )
        .await?;
        comment = None;
    }
    Ok(())
}

/// Re-exported for callers that check steps without taking them.
pub use engine::actor_key;
