//! Load benchmark of `POST /register` over keep-alive mutual TLS, run by hand, never in CI:
//!
//! ```sh
//! cargo test --release --test api -- --ignored --nocapture bench_register
//! ```
//!
//! Every request is a unique, pre-minted registration JWT (so replay protection is exercised)
//! carrying the same software statement. The load comes from this process (wrk cannot present
//! client certificates): 16 and then 64 connections, each a keep-alive mTLS client, for a fixed
//! time; `/healthz` over the same mTLS clients is the same run's baseline.

use crate::helpers::dcr::*;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

struct Run {
    rps: f64,
    p50: Duration,
    p99: Duration,
    errors: usize,
}

async fn drive(
    d: &Dcr,
    path: &str,
    bodies: Option<Arc<Vec<String>>>,
    conns: usize,
    secs: u64,
) -> Run {
    let url = format!("{}{path}", d.base());
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let http = d.http(true);
        let (url, next, bodies) = (url.clone(), next.clone(), bodies.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let start = Instant::now();
                let ok = match &bodies {
                    Some(b) => {
                        let Some(body) = b.get(next.fetch_add(1, Ordering::Relaxed)) else {
                            break;
                        };
                        let r = http
                            .post(&url)
                            .header("Content-Type", "application/jwt")
                            .body(body.clone())
                            .send()
                            .await;
                        r.is_ok_and(|r| r.status() == 201)
                    }
                    None => http.get(&url).send().await.is_ok_and(|r| r.status() == 200),
                };
                lat.push(start.elapsed());
                errors += usize::from(!ok);
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        all.extend(l);
        errors += e;
    }
    all.sort();
    let pick = |q: f64| {
        all.get(((all.len() as f64) * q) as usize)
            .copied()
            .unwrap_or_default()
    };
    Run {
        rps: all.len() as f64 / secs as f64,
        p50: pick(0.50),
        p99: pick(0.99),
        errors,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a load benchmark: run by hand with --release (see the module docs)"]
async fn bench_register() {
    let d = Dcr::start().await;
    let ssa = d.ssa(|_| {});
    let secs = 10;
    // Enough unique requests for both runs at well over the target rate.
    let count = 150_000;
    let bodies: Vec<String> = (0..count)
        .map(|_| {
            let mut c = d.request_claims(&ssa);
            c.insert("jti".into(), json!(uuid::Uuid::new_v4().to_string()));
            d.software_key
                .sign("JWT", &serde_json::Value::Object(c))
                .unwrap()
        })
        .collect();
    let bodies = Arc::new(bodies);
    // Warm the software JWKS cache with one registration.
    d.register().await;
    println!(
        "\nPOST /register over keep-alive mTLS, release build, load from the same process, {secs} s each"
    );
    println!(
        "{:<28} {:>10} {:>10} {:>10} {:>10}",
        "run", "req/s", "p50", "p99", "vs healthz"
    );
    let mut used = 0;
    // BENCH_CONNS=64 runs one connection count only.
    let runs: Vec<usize> = std::env::var("BENCH_CONNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(vec![16, 64], |c| vec![c]);
    for conns in runs {
        let base = drive(&d, "/healthz", None, conns, secs).await;
        let rest: Arc<Vec<String>> = Arc::new(bodies[used..].to_vec());
        let reg = drive(&d, "/register", Some(rest), conns, secs).await;
        used += (reg.rps * secs as f64) as usize + conns;
        for (name, r) in [
            (format!("GET /healthz, {conns} conns"), &base),
            (format!("POST /register, {conns} conns"), &reg),
        ] {
            println!(
                "{:<28} {:>10.0} {:>10.2?} {:>10.2?} {:>9.3}x",
                name,
                r.rps,
                r.p50,
                r.p99,
                r.rps / base.rps
            );
        }
        assert_eq!(reg.errors, 0, "every registration answered 201");
        assert!(used < count, "the pre-minted requests ran out: raise count");
        assert!(reg.rps > 0.0);
    }
}
