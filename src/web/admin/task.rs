//! `/admin/tasks/{id}`: everything the TPP submitted, the history, and a button for each step
//! this admin may take. POST takes the step, checked again on the server.

use super::who;
use crate::clients::settings::{EnvSettings, PREVIOUS_KEY, SETTINGS_KEY};
use crate::domain::{InstanceId, paths};
use crate::state::AppState;
use crate::tasks::TaskError;
use crate::tasks::query::{self, HistoryLine, OfferedStep};
use crate::tasks::service::{self, Scope, StepRequest};
use crate::web::csrf::FormPost;
use crate::web::error::PageError;
use crate::web::evidence::{ChangeRow, EvidenceRow};
use crate::web::guards::{admin_actor, require_admin};
use crate::web::ip::client_ip;
use crate::web::render::{self, Layout};
use crate::web::session::TypedSession;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

#[derive(Template)]
#[template(path = "admin/task.html")]
struct TaskPage {
    layout: Layout,
    id: String,
    legal_name: String,
    org_status: String,
    workflow_title: String,
    state_label: String,
    state_status: String,
    version: i32,
    submitted: Vec<(String, String)>,
    application: Vec<(String, String)>,
    /// What the request proposes for production: shown to the reviewer and the approver, and
    /// exactly what approval issues or applies.
    proposed: Vec<(String, String)>,
    /// For a change request: (field, in force, proposed) for each field that changes.
    changes: Vec<(String, String, String)>,
    organisation_details: Vec<(String, String)>,
    organisation_id: String,
    /// Internal notes, for admins only.
    notes: Vec<crate::tasks::notes::Note>,
    /// The clients of the application the task is about: id, environment, status.
    clients: Vec<(String, String, String)>,
    /// The "Authority checks" panel.
    authority: Vec<EvidenceRow>,
    /// For an "Authorisation changed" task: each source's evidence before → after.
    authority_change: Vec<ChangeRow>,
    /// For an "Authorisation changed" task: the clients the check suspended.
    suspended_clients: Vec<String>,
    events: Vec<HistoryLine>,
    steps: Vec<OfferedStep>,
    comment: String,
    error: String,
}

async fn render_task(
    st: &AppState,
    session: &TypedSession,
    admin: &crate::store::admins::AdminRecord,
    id: InstanceId,
    comment: String,
    error: String,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (detail, wf) = query::task_for_admin(st, id, &admin_actor(admin), admin.role).await?;
    let state = wf.state(&detail.instance.state);
    let mut application = Vec::new();
    let mut clients = Vec::new();
    if detail.instance.subject_type == "application"
        && let Ok(app_id) = detail.instance.subject_id.parse()
        && let Some(app) = crate::applications::service::get(&st.db, app_id).await?
    {
        clients = crate::clients::service::for_application(&st.db, app_id)
            .await?
            .into_iter()
            .map(|c| {
                (
                    c.client_id.to_string(),
                    c.environment.to_string(),
                    c.status.to_string(),
                )
            })
            .collect();
        application = vec![
            ("Name".to_string(), app.name.clone()),
            ("Application id".into(), app.id.to_string()),
            ("Sandbox redirect URIs".into(), app.redirect_uris.join(", ")),
            ("Sandbox authentication".into(), app.auth_method.clone()),
            ("Sandbox scopes".into(), app.scopes.join(" ")),
        ];
    }
    let data = &detail.instance.data;
    let proposed = EnvSettings::from_data(data, SETTINGS_KEY)
        .map(|s| settings_rows(&s))
        .unwrap_or_default();
    let changes = match (
        EnvSettings::from_data(data, SETTINGS_KEY),
        EnvSettings::from_data(data, PREVIOUS_KEY),
    ) {
        (Some(new), Some(old)) => new.diff(&old),
        _ => Vec::new(),
    };
    let organisation_details = if detail.instance.subject_type == "organisation" {
        Vec::new()
    } else {
        st.workflows
            .get(crate::tpp::service::SIGNUP_WORKFLOW)
            .map(|w| query::submitted_values(w, &detail.organisation.profile))
            .unwrap_or_default()
    };
    let (authority_change, suspended_clients) =
        if detail.instance.workflow == crate::workflow::registry::AUTHORITY_CHANGE {
            crate::web::evidence::change_rows(data)
        } else {
            (Vec::new(), Vec::new())
        };
    let page = TaskPage {
        layout: Layout::admin(
            &format!("{} — {}", wf.title, detail.organisation.legal_name),
            session,
            who(admin),
        )?,
        id: id.to_string(),
        legal_name: detail.organisation.legal_name.clone(),
        org_status: detail.organisation.status.to_string(),
        workflow_title: wf.title.clone(),
        state_label: state.map_or(detail.instance.state.clone(), |s| s.label.clone()),
        state_status: state.map_or("pending", |s| s.status.as_str()).to_string(),
        version: detail.instance.version,
        submitted: query::submitted_values(wf, &detail.instance.data),
        application,
        proposed,
        changes,
        organisation_details,
        organisation_id: detail.organisation.id.to_string(),
        notes: crate::tasks::notes::list(st, detail.instance.id).await?,
        clients,
        authority: crate::web::evidence::rows(st, detail.organisation.id).await?,
        authority_change,
        suspended_clients,
        events: query::history_lines(wf, &detail.events),
        steps: detail.steps,
        comment,
        error,
    };
    render::page(&page, status)
}

/// Settings as rows for people.
fn settings_rows(s: &EnvSettings) -> Vec<(String, String)> {
    vec![
        ("Authentication".to_string(), s.auth_method.clone()),
        ("JWKS URL".into(), s.jwks_uri.clone().unwrap_or_default()),
        (
            "JWKS (pasted)".into(),
            s.jwks.as_ref().map(|j| j.to_string()).unwrap_or_default(),
        ),
        (
            "Certificate subject DN".into(),
            s.tls_subject_dn.clone().unwrap_or_default(),
        ),
        ("Redirect URIs".into(), s.redirect_uris.join(", ")),
        ("Scopes".into(), s.scopes.join(" ")),
    ]
}

pub(super) fn parse_id(raw: &str) -> Result<InstanceId, PageError> {
    raw.parse().map_err(|_| PageError::NotFound)
}

/// GET.
pub async fn show(
    st: web::Data<AppState>,
    session: TypedSession,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin(&st, &session).await?;
    render_task(
        &st,
        &session,
        &admin,
        parse_id(&path)?,
        String::new(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

/// POST: take the step named by the button.
pub async fn decide(
    st: web::Data<AppState>,
    session: TypedSession,
    req: HttpRequest,
    path: web::Path<String>,
    FormPost(sub): FormPost,
) -> Result<HttpResponse, PageError> {
    let admin = require_admin(&st, &session).await?;
    let id = parse_id(&path)?;
    let action = sub.get("action").unwrap_or_default().to_string();
    let comment = sub.get("comment").unwrap_or_default().to_string();
    let version = sub
        .get("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1);
    let step = StepRequest {
        instance: id,
        action: &action,
        comment: Some(&comment),
        expected_version: version,
        form: None,
        ip: Some(client_ip(&req, &st.settings)),
    };
    match service::decide(&st, Scope::Admin, &admin_actor(&admin), step).await {
        Ok(inst) => {
            let wf = st.workflows.get(&inst.workflow);
            let label = wf
                .and_then(|w| w.state(&inst.state))
                .map_or(inst.state.clone(), |s| s.label.clone());
            let next = wf.map(|w| next_step(w, &inst.state)).unwrap_or_default();
            session.flash("success", format!("Done: the task is now “{label}”.{next}"))?;
            Ok(render::see_other(&paths::admin_task(id)))
        }
        Err(e @ TaskError::Stale { .. }) => {
            render_task(
                &st,
                &session,
                &admin,
                id,
                String::new(),
                e.to_string(),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e @ TaskError::Refused(_)) => {
            render_task(
                &st,
                &session,
                &admin,
                id,
                comment,
                e.to_string(),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(TaskError::Step(e)) => {
            render_task(
                &st,
                &session,
                &admin,
                id,
                comment,
                e.to_string(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// What the next decision is and who may take it, for the message after a step: " Next:
/// “Approve”, by an approver or a superadmin other than whoever took “Mark as reviewed”; they
/// have been emailed." Empty when no admin step follows.
fn next_step(wf: &crate::workflow::Workflow, state: &str) -> String {
    use crate::domain::AdminRole;
    let Some(t) = wf
        .leaving(state)
        .filter(|t| t.is_admin_step() && !t.auto)
        .find(|t| !t.action.contains("reject") && t.action != "request_info")
    else {
        return String::new();
    };
    let mut roles: Vec<&str> = [
        AdminRole::Reviewer,
        AdminRole::Approver,
        AdminRole::Superadmin,
    ]
    .into_iter()
    .filter(|r| t.allows_admin(*r))
    .map(|r| r.as_str())
    .collect();
    roles.dedup();
    let mut who = format!("by {}", roles.join(" or "));
    let earlier: Vec<String> = t
        .distinct_from
        .iter()
        .filter_map(|a| wf.transitions.iter().find(|x| &x.action == a))
        .map(|x| format!("“{}”", x.label))
        .collect();
    if !earlier.is_empty() {
        who.push_str(&format!(
            ", another admin than whoever took {}",
            earlier.join(" or ")
        ));
    }
    format!(" Next: “{}”, {who}; they have been emailed.", t.label)
}
