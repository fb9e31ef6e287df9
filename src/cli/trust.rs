//! `onramp trust import FILE...`: EU trusted lists (national lists, or a list of lists whose
//! pointers are reported, not fetched) into the store, all files or none; a summary per list.

use super::authority::Load;
use crate::domain::Clock;
use crate::startup;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

/// `onramp trust ...`.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Import trusted-list XML files; a re-imported list replaces its own services.
    Import {
        /// The XML files (national trusted lists, or the EU list of lists).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Configuration file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

/// Runs `trust import`: exit 0 with a summary per list, 1 with the reason when a file is refused.
pub async fn run(command: TrustCommand, load: Load) -> anyhow::Result<ExitCode> {
    let TrustCommand::Import { files, config } = command;
    let state = startup::build_state(load(config.as_ref())?, Clock::system()).await?;
    let lists = match crate::authority::trust_import::import(&state, &files).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("trust import: {e}");
            eprintln!("Nothing was imported.");
            return Ok(ExitCode::FAILURE);
        }
    };
    for l in &lists {
        println!(
            "{}: list {}: {} CA/QC services imported, {} granted now, {} withdrawn.",
            l.file.display(),
            l.list_key,
            l.services,
            l.granted,
            l.withdrawn
        );
        if !l.pointers.is_empty() {
            println!(
                "  It points to {} other lists (not fetched; import the national lists you trust):",
                l.pointers.len()
            );
            for p in &l.pointers {
                println!("  {p}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
