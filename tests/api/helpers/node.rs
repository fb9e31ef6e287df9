//! A real `onramp serve` process for tests that need one (several nodes, logs, signals).

use super::{free_port, repo_workflows};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `onramp serve`; killed when dropped.
pub struct Node {
    /// The process.
    pub child: Child,
    /// `http://localhost:{port}`.
    pub address: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Node {
    /// Starts `onramp serve` on `database_url` with cheap password hashing, mail to the log,
    /// `public_url` as given, and `env` on top; its output is dropped.
    pub fn start(
        database_url: &str,
        data: &std::path::Path,
        public_url: &str,
        env: &[(&str, &str)],
    ) -> Node {
        Self::spawn(database_url, data, public_url, env, Stdio::null())
    }

    /// The same, keeping what it prints for [`Node::stop`].
    pub fn start_logged(
        database_url: &str,
        data: &std::path::Path,
        public_url: &str,
        env: &[(&str, &str)],
    ) -> Node {
        Self::spawn(database_url, data, public_url, env, Stdio::piped())
    }

    fn spawn(
        database_url: &str,
        data: &std::path::Path,
        public_url: &str,
        env: &[(&str, &str)],
        stdout: Stdio,
    ) -> Node {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_onramp"))
            .arg("serve")
            .env("ONRAMP_LISTEN", format!("127.0.0.1:{port}"))
            .env("ONRAMP_PUBLIC_URL", public_url)
            .env("ONRAMP_DATABASE_URL", database_url)
            .env("ONRAMP_WORKFLOWS_DIR", repo_workflows())
            .env("ONRAMP_DATA_DIR", data)
            .env("ONRAMP_MAIL__TRANSPORT", "log")
            .env("ONRAMP_SECURITY__ARGON2_MEMORY_KIB", "64")
            .env("ONRAMP_SECURITY__ARGON2_ITERATIONS", "1")
            .envs(env.iter().copied())
            .stdout(stdout)
            .stderr(Stdio::null())
            .spawn()
            .expect("start onramp serve");
        Node {
            child,
            address: format!("http://localhost:{port}"),
        }
    }

    /// Waits until `/readyz` answers 200 (at most a minute).
    pub async fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = reqwest::get(format!("{}/readyz", self.address)).await
                && r.status() == 200
            {
                return;
            }
            assert!(
                self.child.try_wait().unwrap().is_none(),
                "a node exited while starting"
            );
            assert!(Instant::now() < deadline, "a node never became ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops the process and returns what it printed.
    pub fn stop(mut self) -> String {
        self.child.kill().ok();
        let mut out = String::new();
        if let Some(mut stdout) = self.child.stdout.take() {
            std::io::Read::read_to_string(&mut stdout, &mut out).ok();
        }
        out
    }
}
