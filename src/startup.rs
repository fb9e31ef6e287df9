//! Building and running the server: connect and migrate the store, load workflows, build the
//! state, bind the listener and start the background worker (outbox retries, clean-up).

use crate::accounts::Hasher;
use crate::config::Settings;
use crate::domain::Clock;
use crate::email::{Mailer, outbox};
use crate::oauth::keyring::KeyRings;
use crate::oauth::outbound::Outbound;
use crate::state::AppState;
use crate::store;
use crate::workflow::Registry;
use anyhow::{Context, anyhow};
use std::net::TcpListener;
use std::sync::Arc;

/// Makes `ring` the process's TLS crypto provider (once; later calls do nothing). Every TLS
/// stack here (the listener, outbound fetches, test clients) uses it.
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A built, bound application.
pub struct Application {
    port: u16,
    tls_port: Option<u16>,
    server: actix_web::dev::Server,
    metrics: Option<(u16, actix_web::dev::Server)>,
    state: AppState,
}

/// Loads the workflows or returns every error, one per line.
pub fn load_workflows(settings: &Settings) -> anyhow::Result<Registry> {
    let webhooks: Vec<String> = settings.webhooks.iter().map(|w| w.name.clone()).collect();
    Registry::load_with_webhooks(&settings.workflows_dir, &webhooks).map_err(|errors| {
        anyhow!(
            "workflow files are invalid:\n{}",
            errors
                .iter()
                .map(|e| format!("  {e}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

/// Connects, migrates and builds the state shared by every request.
pub async fn build_state(settings: Settings, clock: Clock) -> anyhow::Result<AppState> {
    install_crypto();
    let workflows = load_workflows(&settings)?;
    let db = store::connect(&settings.database_url)
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                redact_url(&settings.database_url)
            )
        })?;
    store::migrate(&db)
        .await
        .context("database migration failed")?;
    let mailer = Mailer::from_settings(&settings.mail).map_err(|e| anyhow!(e))?;
    let hasher = Hasher::new(
        settings.security.argon2_memory_kib,
        settings.security.argon2_iterations,
    )
    .map_err(|e| anyhow!("invalid [security] argon2 settings: {e}"))?;
    let settings_is_sqlite = settings.database_url.starts_with("sqlite:");
    let alg = crate::jose::Alg::parse(&settings.oauth.token_signing_alg)
        .ok_or_else(|| anyhow!("oauth.token_signing_alg must be ES256 or PS256"))?;
    let data_key = settings
        .security
        .data_key()
        .map_err(|e| anyhow!(e))?
        .map(Arc::new);
    if data_key.is_none() {
        tracing::warn!(
            "security.data_key is NOT SET: token signing keys, the sandbox CA key and the session \
             key are stored UNENCRYPTED in the database. Set security.data_key (32 random bytes, \
             base64) and run `onramp keys rewrap`."
        );
    }
    let keys = KeyRings::load(
        &db,
        &clock,
        alg,
        settings.oauth.access_token_ttl,
        data_key.clone(),
    )
    .await?;
    let outbound = Outbound::new(&settings.outbound).map_err(|e| anyhow!(e))?;
    let sandbox_directory = if settings.dcr.sandbox_directory {
        Some(Arc::new(
            crate::trust::SandboxDirectory::load(&db, &clock, data_key.as_deref())
                .await
                .context("cannot load the sandbox directory")?,
        ))
    } else {
        None
    };
    let directories = crate::trust::Directories::load(
        &settings,
        sandbox_directory.as_ref().map(|d| d.trust_keys()),
    )
    .map_err(|e| anyhow!(e))?;
    let authority = Arc::new(crate::authority::Authority::load(&settings).map_err(|e| anyhow!(e))?);
    let sqlite_writes: Option<Arc<tokio::sync::Mutex<()>>> =
        settings_is_sqlite.then(Default::default);
    let writer = store::connect_writer(&settings.database_url).await?;
    let writes = crate::store::group_commit::GroupCommit::start(writer, sqlite_writes.clone())?;
    Ok(AppState {
        db,
        clock,
        settings: Arc::new(settings),
        workflows: Arc::new(workflows),
        mailer,
        hasher,
        keys,
        outbound,
        client_jwks: Default::default(),
        directories: Arc::new(directories),
        sandbox_directory,
        client_cache: Default::default(),
        sqlite_writes,
        dcr_orgs: Default::default(),
        ssa_cache: Default::default(),
        writes,
        data_key,
        authority,
    })
}

/// Hides a password in a database URL.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

impl Application {
    /// Builds the state and binds `settings.listen` (port 0 picks a free port).
    pub async fn build(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        install_crypto();
        let state = build_state(settings, clock).await?;
        Self::from_state(state).await
    }

    /// Binds `settings.listen` and serves an existing state.
    pub async fn from_state(state: AppState) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&state.settings.listen)
            .with_context(|| format!("cannot listen on {}", state.settings.listen))?;
        let tls = match &state.settings.tls {
            Some(t) => Some(
                TcpListener::bind(&t.listen)
                    .with_context(|| format!("cannot listen on {}", t.listen))?,
            ),
            None => None,
        };
        Self::with_listeners(state, listener, tls).await
    }

    /// Serves an existing state on listeners bound by the caller (tests bind first to learn the
    /// ports that `public_url` and `tls.public_url` must name).
    pub async fn with_listeners(
        state: AppState,
        listener: TcpListener,
        tls: Option<TcpListener>,
    ) -> anyhow::Result<Self> {
        crate::observe::install();
        let port = listener.local_addr()?.port();
        let session_key = crate::web::session::load_key(&state).await?;
        let (tls_port, tls) = match (tls, &state.settings.tls) {
            (Some(l), Some(cfg)) => {
                let extra_root = state
                    .sandbox_directory
                    .as_ref()
                    .map(|d| d.ca_der().to_vec());
                let config = crate::web::tls::server_config(cfg, extra_root)?;
                (Some(l.local_addr()?.port()), Some((l, config)))
            }
            _ => (None, None),
        };
        if state.settings.dcr.allow_without_mtls {
            tracing::warn!(
                "dcr.allow_without_mtls is on: registrations without a client certificate are \
                 accepted (development only)"
            );
        }
        let server = crate::web::server(listener, tls, state.clone(), session_key)?;
        let metrics = match &state.settings.metrics.listen {
            Some(addr) => {
                let l = TcpListener::bind(addr)
                    .with_context(|| format!("cannot listen on metrics.listen {addr}"))?;
                let port = l.local_addr()?.port();
                Some((port, crate::web::metrics_server(l, state.clone())?))
            }
            None => None,
        };
        Ok(Self {
            port,
            tls_port,
            server,
            metrics,
            state,
        })
    }

    /// The bound port of the metrics listener, when `metrics.listen` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(p, _)| *p)
    }

    /// The bound TLS port, when Onramp terminates TLS.
    pub fn tls_port(&self) -> Option<u16> {
        self.tls_port
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests read the mailbox and the clock through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until the process is stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let worker = tokio::spawn(background_worker(self.state.clone()));
        let upkeep = tokio::spawn(metrics_upkeep());
        let webhooks = tokio::spawn(crate::webhooks::run(self.state.clone()));
        let metrics = self.metrics.map(|(_, server)| {
            let handle = server.handle();
            (tokio::spawn(server), handle)
        });
        let res = self.server.await;
        worker.abort();
        upkeep.abort();
        webhooks.abort();
        if let Some((task, handle)) = metrics {
            handle.stop(true).await;
            let _ = task.await;
        }
        res
    }
}

/// Folds the histograms' samples into their buckets every second: under load a node records
/// about 100,000 a second, and each waits in memory until this runs.
async fn metrics_upkeep() {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tick.tick().await;
        crate::observe::upkeep();
    }
}

/// Retries mail deliveries, clears old throttle counters, re-checks authorisations and refreshes
/// the EBA register.
async fn background_worker(st: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(15));
    let mut rounds: u64 = 0;
    let mut eba_refreshed: Option<tokio::time::Instant> = None;
    loop {
        tick.tick().await;
        if let Err(e) = outbox::deliver_due(&st.db, &st.mailer, &st.clock).await {
            tracing::error!(error = %e, "outbox worker failed");
        }
        if st.keys.stale() {
            let _ = st.keys.refresh(&st.db, &st.clock).await;
        }
        rounds += 1;
        // Authorisations are checked again on `authority.recheck` (checked here every hour).
        if rounds.is_multiple_of(240)
            && let Err(e) = crate::watch::recheck_due(&st).await
        {
            tracing::error!(error = %e, "authority re-check failed");
        }
        // The EBA register from `authority.eba_url`, once a day; a failure is retried an hour
        // later and leaves the imported register as it was.
        if rounds.is_multiple_of(240)
            && !st.settings.authority.eba_url.is_empty()
            && eba_refreshed.is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(86_400))
        {
            match crate::authority::refresh::refresh_eba(&st).await {
                Ok(n) => {
                    tracing::info!(entries = ?n, "EBA register refreshed");
                    eba_refreshed = Some(tokio::time::Instant::now());
                }
                Err(e) => tracing::error!(error = %e, "EBA register refresh failed"),
            }
        }
        if rounds.is_multiple_of(240) {
            let _ = store::rate::purge(&st.db, st.clock.now() - chrono::Duration::days(1)).await;
            let _ = store::jti::purge(&st.db, st.clock.now()).await;
            let _ = crate::accounts::sessions::purge(&st).await;
        }
    }
}
