//! The command line of CONTRACT.md: `serve`, `migrate`, `admin create|reset-mfa`, `keys rotate`,
//! `keys rewrap`, `audit verify|export`, `backup`, `restore`, `register import-eba|import-csv`,
//! `authority check`, `trust import`, `check-config`; `tasks`, `clients` and `orgs` live in [`crate::cli_ops`].

mod authority;
mod password;
mod trust;
use crate::accounts::{check_policy, service as accounts};
use crate::config::Settings;
use crate::domain::{AdminRole, Clock};
use crate::startup::{self, Application};
use crate::{store, telemetry};
use anyhow::{Context, anyhow};
use clap::{Parser, Subcommand};
use password::generate_password;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

/// Onramp: Open Banking TPP onboarding server.
#[derive(Debug, Parser)]
#[command(name = "onramp", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Migrate the database if needed and serve.
    Serve {
        /// Configuration file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Apply database migrations and exit.
    Migrate {
        /// Configuration file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Manage bank admins.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Manage Onramp's token signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// The tamper-evident audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write a consistent copy of the SQLite database while Onramp serves.
    Backup {
        /// The new file to write.
        #[arg(long)]
        out: PathBuf,
        /// Configuration file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Restore a backup as the (not yet existing) SQLite database of the configuration.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// Configuration file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Workflow tasks: list, show, act (as an admin).
    Tasks {
        #[command(subcommand)]
        command: crate::cli_ops::TasksCommand,
        /// Configuration file (TOML).
        #[arg(long, global = true)]
        config: Option<PathBuf>,
    },
    /// OAuth clients: list, suspend, reactivate, revoke.
    Clients {
        #[command(subcommand)]
        command: crate::cli_ops::ClientsCommand,
        /// Configuration file (TOML).
        #[arg(long, global = true)]
        config: Option<PathBuf>,
    },
    /// TPP organisations: list, suspend, reactivate.
    Orgs {
        #[command(subcommand)]
        command: crate::cli_ops::OrgsCommand,
        /// Configuration file (TOML).
        #[arg(long, global = true)]
        config: Option<PathBuf>,
    },
    /// Import a register of authorised firms.
    Register {
        #[command(subcommand)]
        command: authority::RegisterCommand,
    },
    /// EU trusted lists (ETSI TS 119 612): `trust import FILE...`.
    Trust {
        #[command(subcommand)]
        command: trust::TrustCommand,
    },
    /// Authority checks.
    Authority {
        #[command(subcommand)]
        command: authority::AuthorityCommand,
    },
    /// Load the configuration and every workflow file; print what is wrong.
    CheckConfig {
        /// Configuration file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the chain; name the first row that does not hold (exit 1).
    Verify {
        /// Configuration file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Write the events since a date or time as JSON lines on standard output.
    Export {
        /// A date (2026-11-30) or an RFC 3339 time.
        #[arg(long)]
        since: String,
        /// Configuration file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Re-encrypt every key kept in the database under `security.data_key` (values under
    /// `security.data_key_previous` or in clear are read and sealed again).
    Rewrap {
        /// Configuration file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Add a new signing key; older keys stay in the JWKS until their tokens have expired.
    Rotate {
        /// ES256 or PS256 (default: oauth.token_signing_alg).
        #[arg(long)]
        alg: Option<String>,
        /// A PKCS#8 PEM private key to import (required for PS256).
        #[arg(long)]
        key_file: Option<PathBuf>,
        /// Whose tokens the key signs: `production` (published at /jwks) or `sandbox`
        /// (published at /sandbox/jwks).
        #[arg(long, default_value = "production")]
        environment: String,
        /// Configuration file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create a bank admin. Reads the password from stdin, or generates one and prints it once.
    Create {
        /// The admin's email.
        #[arg(long)]
        email: String,
        /// reviewer, approver or superadmin.
        #[arg(long, default_value = "superadmin")]
        role: String,
        /// Configuration file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Remove an admin's two-step sign-in (a lost phone and no recovery code left): they set
    /// it up again at their next sign-in. Their open sessions end.
    ResetMfa {
        /// The admin's email.
        #[arg(long)]
        email: String,
        /// Configuration file (TOML).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

fn load(config: Option<&PathBuf>) -> anyhow::Result<Settings> {
    Settings::load(config.map(PathBuf::as_path)).map_err(|e| anyhow!("configuration: {e}"))
}

async fn run_audit(command: AuditCommand) -> anyhow::Result<ExitCode> {
    use crate::store::audit::ChainReport;
    match command {
        AuditCommand::Verify { config } => {
            let settings = load(config.as_ref())?;
            let db = store::connect(&settings.database_url).await?;
            store::migrate(&db).await?;
            match crate::ops::verify_audit(&db).await? {
                ChainReport::Intact {
                    chained,
                    before_chain,
                } => {
                    println!(
                        "The audit chain holds: {chained} rows ({before_chain} older rows were written before it began)."
                    );
                    Ok(ExitCode::SUCCESS)
                }
                ChainReport::Broken { seq, id, reason } => {
                    println!("The audit chain breaks at row {seq} (id {id}): {reason}.");
                    Ok(ExitCode::from(1))
                }
            }
        }
        AuditCommand::Export { since, config } => {
            let settings = load(config.as_ref())?;
            let since = crate::ops::parse_since(&since)?;
            let db = store::connect(&settings.database_url).await?;
            let mut out = std::io::stdout().lock();
            crate::ops::export_audit(&db, since, &mut out).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs a parsed command.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve { config } => {
            let settings = load(config.as_ref())?;
            telemetry::init(&settings.log);
            let app = Application::build(settings, Clock::system()).await?;
            let s = &app.state().settings;
            println!("Onramp is running.");
            println!("  Developer portal: {}/", s.base_url());
            println!("  Admin console:    {}/admin", s.base_url());
            println!("  Health:           {}/healthz", s.base_url());
            if let Some(t) = &s.tls {
                println!("  mTLS (token, registration): {}", t.public_url);
            }
            println!("Create the first admin with:");
            println!(
                "  onramp admin create --email you@bank.example{}",
                config
                    .as_ref()
                    .map(|c| format!(" --config {}", c.display()))
                    .unwrap_or_default()
            );
            if s.mail.transport == crate::config::MailTransport::File {
                println!(
                    "Mail is written to {} (one .eml per message).",
                    s.mail.dir.display()
                );
            }
            app.run_until_stopped().await?;
            // Every answered request was committed before its answer; the group commit's writer
            // finishes what it holds when its last handle is dropped with the state.
            println!("Onramp stopped.");
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { config } => {
            let settings = load(config.as_ref())?;
            let db = store::connect(&settings.database_url).await?;
            store::migrate(&db).await?;
            println!(
                "Migrations applied to {}.",
                startup::redact_url(&settings.database_url)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    role,
                    config,
                },
        } => {
            let role: AdminRole = role.parse().map_err(|e: String| anyhow!(e))?;
            let settings = load(config.as_ref())?;
            let stdin = std::io::stdin();
            let (password, generated) = if stdin.is_terminal() {
                (generate_password(), true)
            } else {
                let mut s = String::new();
                stdin
                    .lock()
                    .read_to_string(&mut s)
                    .context("reading the password from stdin")?;
                let p = s.trim_end_matches(['\n', '\r']).to_string();
                if p.is_empty() {
                    (generate_password(), true)
                } else {
                    (p, false)
                }
            };
            if !generated {
                check_policy(&password, &email).map_err(|m| anyhow!(m))?;
            }
            let state = startup::build_state(settings, Clock::system()).await?;
            let admin = accounts::create_admin(&state, &email, role, &password).await?;
            println!("Created {} admin {}.", admin.role, admin.email);
            if generated {
                println!("Password (shown once): {password}");
            }
            println!("Sign in at {}/admin/login", state.settings.base_url());
            if state.settings.security.admin_mfa == crate::config::AdminMfa::Required {
                println!(
                    "At the first sign-in you set up two-step sign-in with an authenticator app."
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin {
            command: AdminCommand::ResetMfa { email, config },
        } => {
            let settings = load(config.as_ref())?;
            let state = startup::build_state(settings, Clock::system()).await?;
            match crate::accounts::mfa::reset_admin(&state, &email).await? {
                Some(had) => {
                    println!(
                        "{} for {email}; their sessions have ended. They set it up again at \
                         their next sign-in.",
                        if had {
                            "Two-step sign-in removed"
                        } else {
                            "No two-step sign-in was set up"
                        }
                    );
                    Ok(ExitCode::SUCCESS)
                }
                None => {
                    eprintln!("No admin has the email {email}.");
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Keys {
            command:
                KeysCommand::Rotate {
                    alg,
                    key_file,
                    environment,
                    config,
                },
        } => {
            let env = crate::clients::Environment::parse(&environment)
                .ok_or_else(|| anyhow!("--environment must be sandbox or production"))?;
            let settings = load(config.as_ref())?;
            let alg_name = alg.unwrap_or_else(|| settings.oauth.token_signing_alg.clone());
            let alg = crate::jose::Alg::parse(&alg_name)
                .ok_or_else(|| anyhow!("--alg must be ES256 or PS256"))?;
            let imported = match key_file {
                Some(path) => {
                    use rustls_pki_types::pem::PemObject;
                    let key = rustls_pki_types::PrivatePkcs8KeyDer::from_pem_file(&path).map_err(
                        |e| anyhow!("{}: not a PKCS#8 PEM private key ({e})", path.display()),
                    )?;
                    Some(key.secret_pkcs8_der().to_vec())
                }
                None => None,
            };
            let db = store::connect(&settings.database_url).await?;
            store::migrate(&db).await?;
            let clock = Clock::system();
            let kid = crate::oauth::keyring::rotate(
                &db,
                &clock,
                env,
                alg,
                imported,
                settings.oauth.access_token_ttl,
                settings.security.data_key()?.as_ref(),
            )
            .await?;
            println!(
                "New {} {env} signing key {kid}; older {env} keys stay published until their tokens expire.",
                alg.as_str()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { command } => run_audit(command).await,
        Command::Tasks { command, config } => {
            let st = startup::build_state(load(config.as_ref())?, Clock::system()).await?;
            crate::cli_ops::tasks(&st, command).await
        }
        Command::Clients { command, config } => {
            let st = startup::build_state(load(config.as_ref())?, Clock::system()).await?;
            crate::cli_ops::clients(&st, command).await
        }
        Command::Orgs { command, config } => {
            let st = startup::build_state(load(config.as_ref())?, Clock::system()).await?;
            crate::cli_ops::orgs(&st, command).await
        }
        Command::Register { command } => authority::run_register(command, load).await,
        Command::Authority { command } => authority::run_authority(command, load).await,
        Command::Trust { command } => trust::run(command, load).await,
        Command::Backup { out, config } => {
            let settings = load(config.as_ref())?;
            let db = store::connect(&settings.database_url).await?;
            crate::ops::backup(&db, &out).await?;
            println!("Backed up to {}.", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { from, config } => {
            let settings = load(config.as_ref())?;
            let target = crate::ops::sqlite_file(&settings.database_url).ok_or_else(|| {
                anyhow!("restore is for a SQLite database_url; on PostgreSQL use pg_restore")
            })?;
            crate::ops::restore(&from, &target).await?;
            let db = store::connect(&settings.database_url).await?;
            store::migrate(&db).await?;
            match crate::ops::verify_audit(&db).await? {
                crate::store::audit::ChainReport::Intact { chained, .. } => println!(
                    "Restored {} from {}; the audit chain holds ({chained} rows).",
                    target.display(),
                    from.display()
                ),
                crate::store::audit::ChainReport::Broken { seq, reason, .. } => println!(
                    "Restored {}, but the audit chain breaks at row {seq}: {reason}.",
                    target.display()
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys {
            command: KeysCommand::Rewrap { config },
        } => {
            let settings = load(config.as_ref())?;
            let new = settings.security.data_key()?;
            let old = settings.security.data_key_previous()?;
            let db = store::connect(&settings.database_url).await?;
            store::migrate(&db).await?;
            let n = crate::oauth::rewrap::rewrap(&db, new.as_ref(), old.as_ref()).await?;
            match new {
                Some(_) => println!("{n} stored keys are now encrypted under security.data_key."),
                None => println!(
                    "security.data_key is not set: {n} stored keys are now in clear. Set it to encrypt them."
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::CheckConfig { config } => {
            let settings = match Settings::load(config.as_deref()) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!(
                        "{}: {e}",
                        config
                            .as_ref()
                            .map_or("configuration".into(), |c| c.display().to_string())
                    );
                    return Ok(ExitCode::FAILURE);
                }
            };
            if let Err(e) = crate::authority::Authority::load(&settings) {
                eprintln!("{e}");
                return Ok(ExitCode::FAILURE);
            }
            let webhooks: Vec<String> = settings.webhooks.iter().map(|w| w.name.clone()).collect();
            match crate::workflow::Registry::load_with_webhooks(&settings.workflows_dir, &webhooks)
            {
                Ok(reg) => {
                    for wf in reg.all() {
                        println!(
                            "ok  workflow {} ({} fields, {} states, {} transitions)",
                            wf.name,
                            wf.form.fields.len(),
                            wf.states.len(),
                            wf.transitions.len()
                        );
                    }
                    println!("Configuration is valid.");
                    Ok(ExitCode::SUCCESS)
                }
                Err(errors) => {
                    for e in errors {
                        eprintln!("{e}");
                    }
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
