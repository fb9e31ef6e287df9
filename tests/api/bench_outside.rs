//! Load benchmark from a separate process, run by hand and never in CI (the test is
//! `#[ignore]`d). It measures what `../shared/bench/README.md` defines:
//!
//! ```sh
//! cargo build --release
//! (cd ../shared/bench/loadgen && cargo build --release)
//! cargo test --release --test api -- --ignored --nocapture bench_outside
//! ```
//!
//! It starts the release `onramp serve` (target/release/onramp) on a fresh SQLite file (durable:
//! `synchronous = FULL`) with its mutual-TLS listener, trusting a test directory whose RSA key
//! signs a PS256 software statement. Through DCR it registers a `tls_client_auth` client and two
//! `private_key_jwt` clients (ES256 and PS256 assertions), then drives `loadgen` (64
//! connections, 2 threads, 2 s warm-up, 10 s measured), endpoint by endpoint, for: `GET
//! /healthz` over mTLS (the same run's baseline), `POST /token` with `tls_client_auth`, `POST
//! /token` with `private_key_jwt` (one fresh assertion per request, ES256 and, as UK Open
//! Banking TPPs sign them, PS256), and `POST /register` (one fresh PS256 request JWT per
//! request, the same SSA each time, the organisation's transport certificate).
//! For each it prints answers/s, p50, p99, the **server CPU per 2xx answer** (`utime + stime`
//! from `/proc/PID/stat`) and the bytes written to storage per answer (`/proc/PID/io`), and the
//! server's resident memory idle and after the load.
//!
//! Environment: `LOADGEN` (path of the loadgen binary; default the shared build), `BENCH_SERVER`
//! (the server binary; default target/release/onramp, so that two builds can be compared),
//! `BENCH_RUNS` (default 3), `BENCH_ONLY` (`token`, `pkjwt`, `pkjwt-ps256`, `dcr`: one endpoint),
//! `ONRAMP_TEST_DATABASE_URL` (a PostgreSQL server for the PostgreSQL figures, as for the tests),
//! `BENCH_PROFILE` (the same names: records `perf record -g` of the server during that
//! run's first measured window into `/tmp/onramp-<name>.perf.data`).

use crate::helpers::dcr::{ASPSP_ORG_ID, DIRECTORY, ORG_ID, SOFTWARE_ID, serve_json};
use crate::helpers::*;
use onramp::jose::{Alg, SigningKey};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CONNECTIONS: &str = "64";
const SECONDS: u64 = 10;
const WARM_UP: u64 = 2;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One measured window.
struct Window {
    rps: f64,
    ok: u64,
    p50: f64,
    p99: f64,
    cpu_us: f64,
    /// Bytes the server had written to storage (`write_bytes` of `/proc/PID/io`), per answer.
    written: f64,
}

fn written_bytes(pid: u32) -> f64 {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io")).unwrap_or_default();
    io.lines()
        .find_map(|l| l.strip_prefix("write_bytes:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn loadgen() -> PathBuf {
    std::env::var_os("LOADGEN").map_or_else(
        || repo().join("../shared/bench/loadgen/target/release/loadgen"),
        PathBuf::from,
    )
}

/// `utime + stime` of `pid` in microseconds.
fn cpu_us(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The command name may hold spaces: count fields after its closing parenthesis.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of the whole line are 12 and 13 after the name (state is field 3).
    let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
    let hz: f64 = String::from_utf8(
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .parse()
    .unwrap();
    ticks * 1e6 / hz
}

fn rss_mib(pid: u32, field: &str) -> f64 {
    let kib: f64 = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap();
    kib / 1024.0
}

/// The TLS material and request shape of one loadgen run.
struct Target<'a> {
    url: String,
    body: Option<Body<'a>>,
    content_type: Option<&'a str>,
    tls: &'a [String],
}

enum Body<'a> {
    Fixed(&'a str),
    File(&'a Path),
}

fn run_loadgen(t: &Target<'_>, seconds: u64) -> Value {
    let mut cmd = Command::new(loadgen());
    cmd.args([
        "--url",
        &t.url,
        "--connections",
        CONNECTIONS,
        "--threads",
        "2",
    ])
    .args(["--duration", &seconds.to_string()])
    .args(t.tls);
    if let Some(ct) = t.content_type {
        cmd.args([
            "--method",
            "POST",
            "--header",
            &format!("Content-Type: {ct}"),
        ]);
    }
    match &t.body {
        Some(Body::Fixed(b)) => {
            cmd.args(["--body", b]);
        }
        Some(Body::File(f)) => {
            cmd.arg("--body-file").arg(f);
        }
        None => {}
    }
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .expect("build loadgen first: (cd ../shared/bench/loadgen && cargo build --release)");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or("{}");
    serde_json::from_str(line).unwrap()
}

/// Warms up, then measures one window (recording a profile when asked).
fn measure(pid: u32, name: &str, warm: &Target<'_>, t: &Target<'_>, profile: bool) -> Window {
    run_loadgen(warm, WARM_UP);
    let perf = profile.then(|| {
        Command::new("perf")
            .args(["record", "-g", "-F", "999", "-o"])
            .arg(format!("/tmp/onramp-{name}.perf.data"))
            .args(["-p", &pid.to_string(), "--", "sleep", &SECONDS.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("perf is installed")
    });
    let (before, written_before) = (cpu_us(pid), written_bytes(pid));
    let r = run_loadgen(t, SECONDS);
    let (after, written_after) = (cpu_us(pid), written_bytes(pid));
    if let Some(mut p) = perf {
        let _ = p.wait();
    }
    let status = r["status"].as_object().cloned().unwrap_or_default();
    let ok: u64 = status
        .iter()
        .filter(|(k, _)| k.starts_with('2'))
        .map(|(_, v)| v.as_u64().unwrap_or(0))
        .sum();
    let bad: Vec<String> = status
        .iter()
        .filter(|(k, _)| !k.starts_with('2'))
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    assert!(bad.is_empty(), "{name}: answers other than 2xx: {bad:?}");
    assert!(ok > 0, "{name}: no answer: {r}");
    Window {
        rps: r["rps"].as_f64().unwrap_or(0.0),
        ok,
        p50: r["latency_ms"]["p50"].as_f64().unwrap_or(0.0),
        p99: r["latency_ms"]["p99"].as_f64().unwrap_or(0.0),
        cpu_us: (after - before) / ok as f64,
        written: (written_after - written_before) / ok as f64,
    }
}

fn rsa_key(dir: &Path, kid: &str) -> SigningKey {
    let (pem, der) = (
        dir.join(format!("{kid}.pem")),
        dir.join(format!("{kid}.der")),
    );
    let openssl = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .stderr(Stdio::null())
            .status()
            .expect("openssl is installed");
        assert!(status.success(), "openssl {args:?}");
    };
    let (pem_s, der_s) = (pem.display().to_string(), der.display().to_string());
    openssl(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        &pem_s,
    ]);
    // ring reads PKCS#8 only.
    openssl(&[
        "pkcs8", "-topk8", "-nocrypt", "-in", &pem_s, "-outform", "DER", "-out", &der_s,
    ]);
    SigningKey::from_pkcs8(kid.into(), Alg::Ps256, &std::fs::read(der).unwrap()).unwrap()
}

/// Signs `n` bodies on every core.
fn mint(n: usize, f: impl Fn(usize) -> String + Sync) -> Vec<String> {
    let cores = std::thread::available_parallelism().map_or(2, |c| c.get());
    let chunk = n.div_ceil(cores);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..cores)
            .map(|c| {
                let f = &f;
                s.spawn(move || {
                    (c * chunk..((c + 1) * chunk).min(n))
                        .map(f)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

fn now() -> i64 {
    onramp::domain::Clock::system().now().timestamp()
}

struct Software {
    rsa: SigningKey,
    ec: SigningKey,
    ssa: String,
}

impl Software {
    fn request(&self, f: impl FnOnce(&mut Map<String, Value>)) -> String {
        let now = now();
        let mut c = json!({
            "iss": SOFTWARE_ID, "iat": now, "exp": now + 300, "aud": ASPSP_ORG_ID,
            "jti": uuid::Uuid::new_v4().to_string(),
            "redirect_uris": ["https://tpp.example/cb"],
            "token_endpoint_auth_method": "private_key_jwt",
            "token_endpoint_auth_signing_alg": "PS256",
            "grant_types": ["client_credentials"],
            "application_type": "web",
            "id_token_signed_response_alg": "PS256",
            "request_object_signing_alg": "PS256",
            "scope": "accounts payments",
            "software_id": SOFTWARE_ID,
            "software_statement": self.ssa,
        })
        .as_object()
        .unwrap()
        .clone();
        f(&mut c);
        self.rsa.sign("JWT", &Value::Object(c)).unwrap()
    }
}

async fn register(http: &reqwest::Client, base: &str, body: String) -> String {
    let r = http
        .post(format!("{base}/register"))
        .header("Content-Type", "application/jwt")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, 201, "{v}");
    v["client_id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a load benchmark from outside: run by hand with --release (see the module docs)"]
async fn bench_outside() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let pki = Pki::new(d);
    let transport = pki.client(SOFTWARE_ID, "Acme TPP Ltd", Some("PSDGB-FCA-123456"));
    let (cert_file, key_file) = (d.join("tpp.pem"), d.join("tpp.key"));
    std::fs::write(&cert_file, &transport.cert_pem).unwrap();
    std::fs::write(&key_file, &transport.key_pem).unwrap();

    let directory = rsa_key(d, "dir-rsa");
    std::fs::write(
        d.join("directory.jwks"),
        json!({ "keys": [directory.public_jwk()] }).to_string(),
    )
    .unwrap();
    let rsa = rsa_key(d, "soft-rsa");
    let (ec, _) = SigningKey::generate_es256("soft-ec".into()).unwrap();
    let jwks = Arc::new(Mutex::new(
        json!({ "keys": [rsa.public_jwk(), ec.public_jwk()] }),
    ));
    let jwks_url = format!("{}/software.jwks", serve_json(jwks).await);
    let ssa = directory
        .sign(
            "JWT",
            &json!({
                "iss": DIRECTORY, "iat": now(), "jti": uuid::Uuid::new_v4().simple().to_string(),
                "software_id": SOFTWARE_ID, "software_client_id": SOFTWARE_ID,
                "software_client_name": "Budget Buddy", "software_version": 1.2,
                "software_environment": "sandbox", "software_mode": "Live",
                "software_redirect_uris": ["https://tpp.example/cb"],
                "software_roles": ["AISP", "PISP"],
                "software_jwks_endpoint": jwks_url,
                "org_id": ORG_ID, "org_name": "Acme TPP Ltd", "org_status": "Active",
                "organisation_competent_authority_claims": {
                    "authority_id": "FCA", "registration_id": "123456", "status": "Active",
                    "authorisations": [{ "member_state": "GB", "roles": ["AISP", "PISP"] }]
                },
            }),
        )
        .unwrap();
    let software = Software { rsa, ec, ssa };

    let (port, tls_port) = (free_port(), free_port());
    let database_url = fresh_database(d).await;
    let config = d.join("bench.toml");
    std::fs::write(
        &config,
        format!(
            r#"public_url = "http://127.0.0.1:{port}"
listen = "127.0.0.1:{port}"
database_url = "{database_url}"
workflows_dir = "{workflows}"
data_dir = "{data}"
[mail]
transport = "log"
[tls]
listen = "127.0.0.1:{tls_port}"
public_url = "https://localhost:{tls_port}"
cert = "{cert}"
key = "{key}"
client_ca = "{ca}"
[[directories]]
issuer = "{DIRECTORY}"
jwks_file = "{data}/directory.jwks"
environment = "sandbox"
[dcr]
aspsp_org_id = "{ASPSP_ORG_ID}"
[outbound]
allow_http = true
allow_private_addresses = true
"#,
            workflows = repo_workflows().display(),
            data = d.display(),
            cert = pki.cert_file.display(),
            key = pki.key_file.display(),
            ca = pki.ca_file.display(),
        ),
    )
    .unwrap();
    let server = std::env::var_os("BENCH_SERVER")
        .map_or_else(|| repo().join("target/release/onramp"), PathBuf::from);
    let child = Command::new(server)
        .args(["serve", "--config"])
        .arg(&config)
        .stdout(Stdio::null())
        .spawn()
        .expect("build the release binary first: cargo build --release");
    let pid = child.id();
    let _server = Server(child);
    let base = format!("https://localhost:{tls_port}");
    let http = pki.client_http(Some(&transport));
    let mut up = false;
    for _ in 0..300 {
        if http
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the server did not start");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = rss_mib(pid, "VmRSS:");

    let dn = transport.dn.clone();
    let tls_client = register(
        &http,
        &base,
        software.request(|c| {
            c.insert(
                "token_endpoint_auth_method".into(),
                json!("tls_client_auth"),
            );
            c.remove("token_endpoint_auth_signing_alg");
            c.insert("tls_client_auth_subject_dn".into(), json!(dn));
        }),
    )
    .await;
    let jwt_client = register(
        &http,
        &base,
        software.request(|c| {
            c.insert("token_endpoint_auth_signing_alg".into(), json!("ES256"));
        }),
    )
    .await;
    // PS256 assertions, as UK Open Banking TPPs sign them with their directory-issued RSA keys.
    let ps_client = register(&http, &base, software.request(|_| {})).await;

    let tls: Vec<String> = [
        ("--cert", &cert_file),
        ("--key", &key_file),
        ("--cacert", &pki.ca_file),
    ]
    .iter()
    .flat_map(|(k, v)| [k.to_string(), v.display().to_string()])
    .collect();
    let token_url = format!("{base}/token");
    let form = "application/x-www-form-urlencoded";
    let healthz = Target {
        url: format!("{base}/healthz"),
        body: None,
        content_type: None,
        tls: &tls,
    };
    let token_body = format!("grant_type=client_credentials&client_id={tls_client}&scope=accounts");
    let token = Target {
        url: token_url.clone(),
        body: Some(Body::Fixed(&token_body)),
        content_type: Some(form),
        tls: &tls,
    };
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let only = std::env::var("BENCH_ONLY").ok();
    let profile = std::env::var("BENCH_PROFILE").ok();
    let wanted = |name: &str| only.as_deref().is_none_or(|o| o == name);
    // One endpoint's measured window, the `run`th time.
    let one = |name: &str, run: usize| -> (String, Window) {
        let prof = run == 1 && profile.as_deref() == Some(name);
        match name {
            "token" => (
                format!("token tls_client_auth #{run}"),
                measure(pid, "token", &token, &token, prof),
            ),
            "dcr" => {
                let request = |_| software.request(|_| {});
                let (warm, main) = (d.join("dcr-warm.txt"), d.join("dcr.txt"));
                std::fs::write(&warm, mint(16_000, request).join("\n")).unwrap();
                std::fs::write(&main, mint(100_000, request).join("\n")).unwrap();
                let t = |f| Target {
                    url: format!("{base}/register"),
                    body: Some(Body::File(f)),
                    content_type: Some("application/jwt"),
                    tls: &tls,
                };
                let w = measure(pid, "dcr", &t(&warm), &t(&main), prof);
                assert!(
                    w.ok < 100_000,
                    "the pre-minted registrations ran out: raise the count"
                );
                (format!("register #{run}"), w)
            }
            _ => {
                let (label, client, key, main_count) = if name == "pkjwt" {
                    ("ES256", &jwt_client, &software.ec, 200_000)
                } else {
                    ("PS256", &ps_client, &software.rsa, 200_000)
                };
                // Enough fresh assertions for the warm-up and the window at well over the goal.
                let assertion = |i: usize| {
                    let n = now();
                    let claims = json!({ "iss": client, "sub": client, "aud": token_url,
                        "iat": n, "exp": n + 300, "jti": format!("r{run}-{i}-{}", uuid::Uuid::new_v4().simple()) });
                    format!(
                        "grant_type=client_credentials&scope=accounts&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={}",
                        key.sign("JWT", &claims).unwrap()
                    )
                };
                let (warm, main) = (
                    d.join(format!("{name}-warm.txt")),
                    d.join(format!("{name}.txt")),
                );
                std::fs::write(&warm, mint(main_count / 5, assertion).join("\n")).unwrap();
                std::fs::write(&main, mint(main_count, assertion).join("\n")).unwrap();
                let t = |f| Target {
                    url: token_url.clone(),
                    body: Some(Body::File(f)),
                    content_type: Some(form),
                    tls: &tls,
                };
                let w = measure(pid, name, &t(&warm), &t(&main), prof);
                assert!(
                    w.ok < main_count as u64,
                    "the pre-minted assertions ran out: raise the count"
                );
                (format!("token private_key_jwt {label} #{run}"), w)
            }
        }
    };
    // Endpoint by endpoint, each run after a healthz baseline. The client assertions come last:
    // their single-use ids (hundreds of thousands of random keys within a run) would otherwise
    // weigh on the registrations' id index.
    let mut rows: Vec<(String, Window)> = Vec::new();
    for name in ["token", "dcr", "pkjwt", "pkjwt-ps256"] {
        if !wanted(name) {
            continue;
        }
        for run in 1..=runs {
            rows.push((
                format!("healthz #{run}"),
                measure(pid, "healthz", &healthz, &healthz, false),
            ));
            rows.push(one(name, run));
        }
    }
    let after = rss_mib(pid, "VmRSS:");
    let peak = rss_mib(pid, "VmHWM:");
    let db = if database_url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite (synchronous = FULL)"
    };
    println!(
        "\nfrom outside: loadgen, {CONNECTIONS} connections, 2 threads, {WARM_UP} s warm-up, {SECONDS} s measured, mTLS, release build, {db}"
    );
    println!(
        "{:<34} {:>9} {:>9} {:>8} {:>8} {:>12} {:>8} {:>10}",
        "run", "2xx", "req/s", "p50 ms", "p99 ms", "CPU µs/ans", "vs hz", "KiB w/ans"
    );
    let mut baseline = 1.0;
    for (name, w) in &rows {
        if name.starts_with("healthz") {
            baseline = w.rps;
        }
        println!(
            "{:<34} {:>9} {:>9.0} {:>8.2} {:>8.2} {:>12.1} {:>7.2}x {:>10.1}",
            name,
            w.ok,
            w.rps,
            w.p50,
            w.p99,
            w.cpu_us,
            w.rps / baseline,
            w.written / 1024.0
        );
    }
    println!("server RSS: idle {idle:.1} MiB, after the load {after:.1} MiB, peak {peak:.1} MiB");
    println!("{}", crypto_floor(&software.ec, &software.rsa));
}

/// What the signatures alone cost on this machine (one thread, this process, idle server): the
/// floor under the per-answer figures, and the way to relate figures from different hosts of
/// the same class (their CPUs differ by more than two to one).
fn crypto_floor(ec: &SigningKey, rsa: &SigningKey) -> String {
    const N: u32 = 2_000;
    let claims = json!({ "iss": "https://onramp.example", "sub": "client", "scope": "accounts",
        "iat": 1_700_000_000, "exp": 1_700_003_600, "jti": uuid::Uuid::new_v4().to_string() });
    let per_call = |f: &mut dyn FnMut()| {
        let started = std::time::Instant::now();
        for _ in 0..N {
            f();
        }
        started.elapsed().as_secs_f64() * 1e6 / f64::from(N)
    };
    let mut token = String::new();
    let sign = per_call(&mut || token = ec.sign("at+jwt", &claims).unwrap());
    let verify = |key: &SigningKey, token: &str| {
        let jwk = onramp::jose::Jwk::parse(&key.public_jwk()).unwrap();
        let jws = onramp::jose::decode(token).unwrap();
        per_call(&mut || jws.verify_with(&jwk).unwrap())
    };
    let es_verify = verify(ec, &token);
    let ps_verify = verify(rsa, &rsa.sign("JWT", &claims).unwrap());
    format!(
        "this machine's signature costs (one thread): ES256 sign {sign:.1} µs (a whole token), \
         ES256 verify {es_verify:.1} µs, PS256 verify {ps_verify:.1} µs"
    )
}
