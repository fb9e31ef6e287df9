//! The layers hold: only `web`, `startup` and `telemetry` name actix; only `store` names
//! sea-orm entities; and every import between top-level modules of `src/` is an edge of the
//! allowed table below. A lower layer importing a higher one (say `store` importing `clients`,
//! or a service importing `web`) fails here with the file that does it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Which top-level modules each may import. Lower layers first: `domain` and `jose` know no
/// other; `store` only `domain`; services sit above; `web`, `cli` and `startup` at the top.
/// `state` is the application state handed to services: it holds the caches and clients that
/// services share, so it names their types (listed here) and they take it as a parameter.
#[rustfmt::skip]
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("jose", &[]),
    ("config", &["domain"]),
    ("forms", &["domain"]),
    ("store", &["domain"]),
    ("audit", &["domain", "store"]),
    ("admin_api", &["audit", "domain", "state", "store", "unit_of_work", "workflow"]),
    ("ratelimit", &["store"]),
    ("email", &["config", "domain", "store"]),
    ("workflow", &["domain", "forms"]),
    ("telemetry", &["config"]),
    ("unit_of_work", &["email", "state", "store"]),
    ("trust", &["config", "domain", "jose", "store"]),
    ("authority", &["audit", "config", "domain", "state", "store"]),
    ("ops", &["store"]),
    ("observe", &["email", "state", "store"]),
    ("clients", &["audit", "config", "domain", "forms", "state", "store", "unit_of_work"]),
    ("accounts", &["audit", "config", "domain", "email", "ratelimit", "state", "store", "unit_of_work"]),
    ("webhooks", &["state", "store"]),
    // watch → oauth: the certificate on record is matched to clients by subject DN (oauth::dn).
    // watch -> tasks, workflow: a withdrawal or lost role opens the "Authorisation changed" task.
    ("watch", &["audit", "authority", "clients", "domain", "email", "oauth", "state", "store", "tasks", "unit_of_work", "workflow"]),
    ("tasks", &["audit", "authority", "clients", "domain", "email", "forms", "state", "store", "unit_of_work", "webhooks", "workflow"]),
    ("applications", &["audit", "clients", "domain", "email", "forms", "state", "store", "tasks", "unit_of_work"]),
    ("keys", &["applications", "clients", "domain", "email", "forms", "state", "store", "tasks", "unit_of_work", "workflow"]),
    ("team", &["accounts", "audit", "domain", "email", "ratelimit", "state", "store", "unit_of_work"]),
    ("tpp", &["accounts", "audit", "authority", "domain", "email", "forms", "ratelimit", "state", "store", "tasks", "unit_of_work"]),
    ("oauth", &["authority", "clients", "config", "domain", "jose", "sandbox_directory", "state", "store"]),
    ("sandbox_directory", &["applications", "audit", "clients", "domain", "jose", "oauth", "state", "store", "trust"]),
    ("dcr", &["audit", "authority", "clients", "config", "domain", "jose", "oauth", "sandbox_directory", "state", "store", "trust", "unit_of_work"]),
    ("sandbox", &["domain"]),
    ("state", &["accounts", "authority", "config", "domain", "email", "oauth", "store", "trust", "workflow"]),
    ("web", &["accounts", "admin_api", "applications", "audit", "authority", "clients", "config", "dcr", "domain", "email", "forms", "keys", "oauth", "observe", "sandbox", "sandbox_directory", "state", "store", "tasks", "team", "tpp", "workflow"]),
    ("startup", &["accounts", "authority", "config", "dcr", "domain", "observe", "trust", "email", "jose", "oauth", "sandbox_directory", "state", "store", "watch", "web", "webhooks", "workflow"]),
    ("cli", &["accounts", "authority", "cli_ops", "clients", "config", "domain", "jose", "oauth", "ops", "startup", "store", "watch", "workflow"]),
    ("cli_ops", &["admin_api", "clients", "domain", "state", "store", "tasks", "tpp"]),
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file under `src/` belongs to (`None` for `lib.rs` and `main.rs`).
fn module_of(rel: &str) -> Option<&str> {
    let first = rel.split('/').next()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then_some(name)
}

/// The top-level modules a file's text names as `crate::x`.
fn imports(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

/// Every import of `files` (path under `src/`, text) that the table does not allow, as
/// "file: from -> to".
fn forbidden_edges(files: &[(String, String)], allowed: &[(&str, &[&str])]) -> Vec<String> {
    let table: BTreeMap<&str, &[&str]> = allowed.iter().copied().collect();
    let mut out = Vec::new();
    for (rel, text) in files {
        let Some(from) = module_of(rel) else { continue };
        for to in imports(text) {
            if to == from {
                continue;
            }
            let ok = table.get(from).is_some_and(|l| l.contains(&to.as_str()));
            if !ok {
                out.push(format!("{rel}: {from} -> {to}"));
            }
        }
    }
    out
}

fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .into_iter()
        .map(|f| {
            let rel = f
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read_to_string(&f).unwrap())
        })
        .collect()
}

#[test]
fn imports_between_modules_follow_the_allowed_edges() {
    let bad = forbidden_edges(&sources(), ALLOWED);
    assert!(bad.is_empty(), "imports against the layers: {bad:#?}");
}

#[test]
fn the_checker_refuses_an_upward_import() {
    let files = vec![
        (
            "store/clients.rs".to_string(),
            "use crate::domain::ClientId;".to_string(),
        ),
        (
            "store/bad.rs".to_string(),
            "use crate::clients::service;\nfn f() { crate::web::x(); }".to_string(),
        ),
        (
            "clients/ok.rs".to_string(),
            "use crate::store::clients;".to_string(),
        ),
        ("lib.rs".to_string(), "pub mod web;".to_string()),
    ];
    let bad = forbidden_edges(&files, ALLOWED);
    assert_eq!(
        bad,
        vec![
            "store/bad.rs: store -> clients".to_string(),
            "store/bad.rs: store -> web".to_string(),
        ]
    );
    assert_eq!(module_of("web/portal/apps/show.rs"), Some("web"));
    assert_eq!(module_of("state.rs"), Some("state"));
    assert_eq!(module_of("main.rs"), None);
}

/// Calls of store functions (`store::x::y(`) in a file's text.
fn store_calls(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("store::") {
        let rest = &text[i + "store::".len()..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_' || *c == ':')
            .collect();
        let called = rest[path.len()..].starts_with('(');
        if called && path.contains("::") {
            out.push(format!("store::{path}"));
        }
    }
    out
}

#[test]
fn the_web_layer_reads_and_writes_through_services() {
    // The guards resolve the signed-in person from the session; everything else goes through
    // the service that owns the record.
    let allowed = ["web/guards.rs", "web/session.rs"];
    let mut offenders = Vec::new();
    for (rel, text) in sources() {
        if rel.starts_with("web/") && !allowed.contains(&rel.as_str()) {
            offenders.extend(
                store_calls(&text)
                    .into_iter()
                    .map(|c| format!("{rel}: {c}")),
            );
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
    assert_eq!(
        store_calls("let x = store::clients::get(&db, id); let p: store::Page = y;"),
        vec!["store::clients::get".to_string()]
    );
}

#[test]
fn domain_modules_know_nothing_of_http_or_entities() {
    let mut offenders = Vec::new();
    for (rel, text) in sources() {
        let web_ok = rel.starts_with("web/") || rel == "startup.rs" || rel == "telemetry.rs";
        if !web_ok && (text.contains("actix_web") || text.contains("actix_session")) {
            offenders.push(format!("{rel} uses actix"));
        }
        if !rel.starts_with("store/") && text.contains("entities::") {
            offenders.push(format!("{rel} names store entities"));
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}
