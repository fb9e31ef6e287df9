//! Load benchmarks of `/token`, run by hand, never in CI (the tests are `#[ignore]`d):
//!
//! ```sh
//! apt-get install wrk
//! cargo build --release
//! cargo test --release --test api -- --ignored --nocapture bench_token_endpoint
//! ```
//!
//! The harness prepares a SQLite database (an approved TPP with a client_secret_basic and a
//! private_key_jwt sandbox client), starts the release `onramp serve` on it, pre-mints unique
//! client assertions, then drives `wrk` over loopback at 64 connections: `/healthz` first as the
//! same run's baseline, then `/token` with each method. It prints tokens/s, p50 and p99, the
//! ratios to the baseline, and the server's resident memory idle and at its peak.

use crate::helpers::*;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Run {
    rps: f64,
    p50: String,
    p99: String,
    errors: u64,
}

fn wrk(url: &str, script: Option<&Path>, seconds: u32) -> Run {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t2", "-c64", &format!("-d{seconds}s"), "--latency"]);
    if let Some(s) = script {
        cmd.arg("-s").arg(s);
    }
    let out = cmd
        .arg(url)
        .output()
        .expect("wrk is installed (apt-get install wrk)");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let find = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .map(|l| l.trim_start()[prefix.len()..].trim().to_string())
            .unwrap_or_default()
    };
    Run {
        rps: find("Requests/sec:").parse().unwrap_or(0.0),
        p50: find("50%"),
        p99: find("99%"),
        errors: find("Non-2xx or 3xx responses:").parse().unwrap_or(0),
    }
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
    }
}

fn release_binary() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/onramp")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a load benchmark: run by hand with --release (see the module docs)"]
async fn bench_token_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("bench.db");
    let db_url = format!("sqlite://{}?mode=rwc", db_path.display());
    let url_for_setup = db_url.clone();
    let setup = spawn_app_with(move |s| s.database_url = url_for_setup).await;
    let (_, tpp) = setup.approved_tpp("Bench Ltd").await;
    let secret_app = tpp.create_app(APP).await;
    let (basic_id, secret) = tpp.sandbox_keys(&secret_app).await;
    let secret = secret.unwrap();
    let (key, jwt_id) = tpp.private_key_jwt_client("bench-key").await;

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let config = dir.path().join("bench.toml");
    std::fs::write(
        &config,
        format!(
            "public_url = \"{base}\"\nlisten = \"127.0.0.1:{port}\"\ndatabase_url = \"{db_url}\"\nworkflows_dir = \"{}\"\ndata_dir = \"{}\"\n[mail]\ntransport = \"log\"\n[log]\nlevel = \"warn\"\n",
            repo_workflows().display(),
            dir.path().display()
        ),
    )
    .unwrap();
    let child = Command::new(release_binary())
        .args(["serve", "--config"])
        .arg(&config)
        .stdout(Stdio::null())
        .spawn()
        .expect("build the release binary first: cargo build --release");
    let pid = child.id();
    let _server = Server(child);
    for _ in 0..100 {
        if reqwest::get(format!("{base}/healthz"))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_kib = rss_kib(pid, "VmRSS:");

    let seconds = 10;
    let token_url = format!("{base}/token");
    let now = setup.state.clock.now().timestamp();
    let count = 150_000;
    let assertions: Vec<String> = (0..count)
        .map(|i| {
            key.sign("JWT", &json!({ "iss": jwt_id, "sub": jwt_id, "aud": token_url, "iat": now, "exp": now + 600, "jti": format!("bench-{i}") }))
                .unwrap()
        })
        .collect();
    let assertions_file = dir.path().join("assertions.txt");
    std::fs::write(&assertions_file, assertions.join("\n")).unwrap();

    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{basic_id}:{secret}"),
    );
    let basic_lua = dir.path().join("basic.lua");
    std::fs::write(
        &basic_lua,
        format!(
            "wrk.method = \"POST\"\nwrk.body = \"grant_type=client_credentials\"\nwrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\nwrk.headers[\"Authorization\"] = \"Basic {basic}\"\n"
        ),
    )
    .unwrap();
    let jwt_lua = dir.path().join("jwt.lua");
    std::fs::write(
        &jwt_lua,
        format!(
            r#"local threads = {{}}
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  lines = {{}}
  local n = 0
  for line in io.lines("{file}") do
    if n % 2 == id then table.insert(lines, line) end
    n = n + 1
  end
  i = 0
end
function request()
  i = i + 1
  local body = "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=" .. lines[i]
  return wrk.format("POST", nil, {{["Content-Type"] = "application/x-www-form-urlencoded"}}, body)
end
"#,
            file = assertions_file.display()
        ),
    )
    .unwrap();

    // BENCH_PROFILE=secret|jwt records a CPU profile of the server during that run
    // (perf with the cpu-clock event) into /tmp/onramp-<run>.perf.data.
    let profile = std::env::var("BENCH_PROFILE").ok();
    let perf = |run: &str| {
        (profile.as_deref() == Some(run)).then(|| {
            Command::new("perf")
                .args(["record", "-e", "cpu-clock", "-F", "999", "-g", "-o"])
                .arg(format!("/tmp/onramp-{run}.perf.data"))
                .args(["-p", &pid.to_string(), "--", "sleep", &seconds.to_string()])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("perf is installed (apt-get install linux-perf)")
        })
    };
    let baseline = wrk(&format!("{base}/healthz"), None, seconds);
    let recording = perf("secret");
    let secret_run = wrk(&token_url, Some(&basic_lua), seconds);
    if let Some(mut p) = recording {
        let _ = p.wait();
    }
    let recording = perf("jwt");
    let jwt_run = wrk(&token_url, Some(&jwt_lua), seconds);
    if let Some(mut p) = recording {
        let _ = p.wait();
    }
    let peak_kib = rss_kib(pid, "VmHWM:");

    println!("\n/token over loopback, 64 connections, {seconds} s each, release build, wrk -t2");
    println!(
        "{:<22} {:>12} {:>10} {:>10} {:>10}",
        "endpoint", "req/s", "p50", "p99", "vs healthz"
    );
    for (name, r) in [
        ("GET /healthz", &baseline),
        ("client_secret_basic", &secret_run),
        ("private_key_jwt", &jwt_run),
    ] {
        println!(
            "{:<22} {:>12.0} {:>10} {:>10} {:>9.2}x",
            name,
            r.rps,
            r.p50,
            r.p99,
            r.rps / baseline.rps
        );
    }
    println!(
        "server RSS: idle {} MiB, peak {} MiB",
        idle_kib / 1024,
        peak_kib / 1024
    );
    assert!(
        baseline.rps > 0.0 && secret_run.rps > 0.0 && jwt_run.rps > 0.0,
        "every run served requests"
    );
    assert_eq!(
        secret_run.errors, 0,
        "client_secret_basic answered only 200s"
    );
    assert_eq!(
        jwt_run.errors, 0,
        "private_key_jwt answered only 200s (enough unique assertions)"
    );
}
