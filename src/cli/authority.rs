//! `onramp register import-eba|import-csv FILE` and `onramp authority check --org ID`.

use crate::config::Settings;
use crate::domain::Clock;
use crate::startup;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

/// How the configuration is read (the parent's `load`).
pub type Load = fn(Option<&PathBuf>) -> anyhow::Result<Settings>;

#[derive(Debug, Subcommand)]
pub enum RegisterCommand {
    /// The EBA PSD2 register's JSON or the ZIP it is published as (institutions are kept;
    /// agents and branches skipped).
    ImportEba {
        /// The JSON or ZIP file.
        file: PathBuf,
        /// Configuration file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// The bank's own register as CSV (columns in README, "Authority checks").
    ImportCsv {
        /// The CSV file.
        file: PathBuf,
        /// Configuration file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuthorityCommand {
    /// Check an organisation's authorisation now; print one line per source and store it.
    Check {
        /// Onramp's organisation id or the directory's `org_id`.
        #[arg(long)]
        org: String,
        /// Configuration file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

pub async fn run_authority(command: AuthorityCommand, load: Load) -> anyhow::Result<ExitCode> {
    let AuthorityCommand::Check { org, config } = command;
    let state = startup::build_state(load(config.as_ref())?, Clock::system()).await?;
    use crate::authority::commands;
    let Some(record) = commands::find(&state, &org).await? else {
        println!("No organisation {org}.");
        return Ok(ExitCode::from(2));
    };
    // The same as a scheduled re-check: evidence stored, a new withdrawal or lost role acted on.
    let (findings, acted) = crate::watch::check_and_act(&state, &record).await?;
    let (out, code) = commands::report(&findings);
    print!("{out}");
    if acted {
        println!(
            "Acted on the findings (a withdrawal, a lost role or a revoked certificate): keys \
             suspended, members mailed, and an \"Authorisation changed\" task is open in the \
             console when the registers changed; the audit trail says which."
        );
    }
    Ok(ExitCode::from(code))
}

pub async fn run_register(command: RegisterCommand, load: Load) -> anyhow::Result<ExitCode> {
    use crate::authority::service;
    let (file, config, eba) = match command {
        RegisterCommand::ImportEba { file, config } => (file, config, true),
        RegisterCommand::ImportCsv { file, config } => (file, config, false),
    };
    let state = startup::build_state(load(config.as_ref())?, Clock::system()).await?;
    let n = if eba {
        service::import_eba(&state, &file).await?
    } else {
        service::import_csv(&state, &file).await?
    };
    println!("Imported {n} register entries from {}.", file.display());
    Ok(ExitCode::SUCCESS)
}
