//! `onramp tasks list|show|act`, `onramp clients list|suspend|reactivate|revoke` and
//! `onramp orgs list|suspend|reactivate`: the admin API's work for scripts, straight on the
//! database through the same services as the console and the API. Changes name the acting
//! admin (`--as EMAIL`), so that roles, four-eyes and the audit trail hold as in the console.

use crate::admin_api::cursor::MAX_LIMIT;
use crate::admin_api::lists::{self, TaskQuery};
use crate::admin_api::tokens::actor_of;
use crate::clients::service::{self as clients, StatusChange};
use crate::clients::{ClientStatus, Environment};
use crate::domain::{Actor, ClientId, OrganisationStatus};
use crate::state::AppState;
use crate::store::{self, Page};
use crate::tasks::service::{Scope, StepRequest};
use anyhow::{Context, anyhow};
use clap::Subcommand;
use std::process::ExitCode;

/// `onramp tasks …`.
#[derive(Debug, Subcommand)]
pub enum TasksCommand {
    /// List tasks: waiting for an admin unless `--status` says otherwise.
    List {
        /// One workflow.
        #[arg(long)]
        workflow: Option<String>,
        /// waiting (default), any, pending, action_required, approved, rejected, cancelled.
        #[arg(long)]
        status: Option<String>,
    },
    /// Show a task with its data and history, as JSON.
    Show {
        /// The task's id.
        id: String,
    },
    /// Take a step on a task as an admin.
    Act {
        /// The task's id.
        id: String,
        /// The action (approve, reject, request_info, review…).
        #[arg(long)]
        action: String,
        /// The comment.
        #[arg(long)]
        comment: Option<String>,
        /// The acting admin's email.
        #[arg(long = "as")]
        admin: String,
    },
}

/// `onramp clients …`.
#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// List clients.
    List {
        /// sandbox or production.
        #[arg(long)]
        environment: Option<String>,
        /// pending, active, suspended, revoked.
        #[arg(long)]
        status: Option<String>,
    },
    /// Suspend a client.
    Suspend(Change),
    /// Reactivate a suspended client.
    Reactivate(Change),
    /// Revoke a client (final).
    Revoke(Change),
}

/// `onramp orgs …`.
#[derive(Debug, Subcommand)]
pub enum OrgsCommand {
    /// List organisations.
    List {
        /// unverified, pending, active, rejected, suspended.
        #[arg(long)]
        status: Option<String>,
    },
    /// Suspend an organisation and its active clients.
    Suspend(Change),
    /// Reactivate an organisation and the clients its suspension stopped.
    Reactivate(Change),
}

/// A status change.
#[derive(Debug, clap::Args)]
pub struct Change {
    /// The client's or organisation's id.
    id: String,
    /// Why (kept in the history).
    #[arg(long)]
    comment: String,
    /// The acting admin's email (an approver or superadmin).
    #[arg(long = "as")]
    admin: String,
}

impl Change {
    /// The acting admin, if they may change statuses, and the (required) comment; otherwise
    /// the reason it is refused, as the console would give it.
    async fn checked(&self, st: &AppState) -> anyhow::Result<Result<(Actor, &str), String>> {
        let (actor, role) = acting(st, &self.admin).await?;
        let comment = self.comment.trim();
        Ok(if !role.may_change_status() {
            Err(format!(
                "a {role} can read but not change clients and organisations"
            ))
        } else if comment.is_empty() {
            Err("give a reason with --comment: it is kept in the history".into())
        } else {
            Ok((actor, comment))
        })
    }
}

/// The acting admin, or a usage error.
async fn acting(st: &AppState, email: &str) -> anyhow::Result<(Actor, crate::domain::AdminRole)> {
    let admin = store::admins::find_by_email(&st.db, &email.trim().to_lowercase())
        .await?
        .filter(|a| !a.disabled)
        .ok_or_else(|| anyhow!("no active admin has the email {email}"))?;
    Ok((actor_of(&admin, admin.role), admin.role))
}

/// Prints why a change was refused; exit status 1.
fn refused(why: &str) -> anyhow::Result<ExitCode> {
    eprintln!("Refused: {why}");
    Ok(ExitCode::from(1))
}

/// Every page of a listing, until it ends.
fn all_pages() -> impl Iterator<Item = Page> {
    (1..).map(|n| Page::new(n, MAX_LIMIT))
}

/// Runs `onramp tasks …`.
pub async fn tasks(st: &AppState, cmd: TasksCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        TasksCommand::List { workflow, status } => {
            let q = TaskQuery {
                workflow,
                state: None,
                status,
            };
            for page in all_pages() {
                let (rows, total) = lists::tasks(st, &q, page).await?;
                for r in &rows {
                    let i = &r.instance;
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        i.id,
                        i.workflow,
                        i.state,
                        r.legal_name,
                        i.updated_at.to_rfc3339()
                    );
                }
                if page.number * page.size >= total {
                    break;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        TasksCommand::Show { id } => {
            let id = id.parse().map_err(|_| anyhow!("not a task id: {id}"))?;
            let Some(inst) = store::workflows::get_instance(&st.db, id).await? else {
                eprintln!("no task {id}");
                return Ok(ExitCode::from(2));
            };
            let events = store::workflows::events(&st.db, id).await?;
            let v = serde_json::json!({
                "id": inst.id.to_string(), "workflow": inst.workflow, "state": inst.state,
                "organisation_id": inst.organisation_id.to_string(), "version": inst.version,
                "data": inst.data,
                "events": events.iter().map(|e| serde_json::json!({
                    "action": e.action, "to": e.to_state, "actor": e.actor_name,
                    "comment": e.comment, "at": e.at.to_rfc3339(),
                })).collect::<Vec<_>>(),
            });
            println!("{}", serde_json::to_string_pretty(&v)?);
            Ok(ExitCode::SUCCESS)
        }
        TasksCommand::Act {
            id,
            action,
            comment,
            admin,
        } => {
            let id = id.parse().map_err(|_| anyhow!("not a task id: {id}"))?;
            let (actor, _) = acting(st, &admin).await?;
            let inst = store::workflows::get_instance(&st.db, id)
                .await?
                .context("no such task")?;
            let step = StepRequest {
                instance: id,
                action: &action,
                comment: comment.as_deref(),
                expected_version: inst.version,
                form: None,
                ip: None,
            };
            match crate::tasks::service::decide(st, Scope::Admin, &actor, step).await {
                Ok(inst) => {
                    println!("Done: task {} is now {}.", inst.id, inst.state);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refused(&e.to_string()),
            }
        }
    }
}

fn parse_opt<T>(
    raw: Option<String>,
    what: &str,
    f: impl Fn(&str) -> Option<T>,
) -> anyhow::Result<Option<T>> {
    raw.map(|s| f(&s).ok_or_else(|| anyhow!("unknown {what} `{s}`")))
        .transpose()
}

/// Runs `onramp clients …`.
pub async fn clients(st: &AppState, cmd: ClientsCommand) -> anyhow::Result<ExitCode> {
    let (change, to) = match cmd {
        ClientsCommand::List {
            environment,
            status,
        } => {
            let filter = store::clients::ClientFilter {
                environment: parse_opt(environment, "environment", Environment::parse)?,
                status: parse_opt(status, "status", ClientStatus::parse)?,
                ..Default::default()
            };
            for page in all_pages() {
                let (rows, total) = clients::search(&st.db, &filter, page).await?;
                for r in &rows {
                    let c = &r.client;
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        c.client_id, c.environment, c.status, c.origin, r.legal_name
                    );
                }
                if page.number * page.size >= total {
                    break;
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        ClientsCommand::Suspend(c) => (c, ClientStatus::Suspended),
        ClientsCommand::Reactivate(c) => (c, ClientStatus::Active),
        ClientsCommand::Revoke(c) => (c, ClientStatus::Revoked),
    };
    let (actor, comment) = match change.checked(st).await? {
        Ok(ok) => ok,
        Err(why) => return refused(&why),
    };
    let id = ClientId(change.id.clone());
    let req = StatusChange {
        to,
        comment,
        ip: None,
    };
    match clients::change_status_now(st, &id, req, &actor).await {
        Ok(_) => {
            println!("Client {id} is now {}.", to.as_str());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(&e.to_string()),
    }
}

/// Runs `onramp orgs …`.
pub async fn orgs(st: &AppState, cmd: OrgsCommand) -> anyhow::Result<ExitCode> {
    let (change, suspend) = match cmd {
        OrgsCommand::List { status } => {
            let status = parse_opt(status, "status", OrganisationStatus::parse)?;
            for page in all_pages() {
                let (rows, total) = crate::tpp::query::list(&st.db, status, None, page).await?;
                for o in &rows {
                    println!("{}\t{}\t{}", o.id, o.status, o.legal_name);
                }
                if page.number * page.size >= total {
                    break;
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        OrgsCommand::Suspend(c) => (c, true),
        OrgsCommand::Reactivate(c) => (c, false),
    };
    let (actor, comment) = match change.checked(st).await? {
        Ok(ok) => ok,
        Err(why) => return refused(&why),
    };
    let id = change
        .id
        .parse()
        .map_err(|_| anyhow!("not an organisation id: {}", change.id))?;
    match crate::tpp::admin::set_suspended(st, id, suspend, comment, &actor, None).await {
        Ok(n) => {
            let what = if suspend { "suspended" } else { "reactivated" };
            println!("Organisation {id} {what}, with {n} of its clients.");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(&e.to_string()),
    }
}
