//! The layers hold: only `web`, `startup` and `telemetry` name actix; only `store` names
//! sea-orm entities.

use std::path::Path;

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

#[test]
fn domain_modules_know_nothing_of_http_or_entities() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut offenders = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&f).unwrap();
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
