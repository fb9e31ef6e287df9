//! The EBA register as published: `register import-eba` takes the ZIP (told by its first bytes)
//! and checks the JSON against the `.sha256` sidecar; the refresh from `authority.eba_url`
//! reads `filemetadata`, fetches the ZIP, checks its hash and imports it; a bad file leaves the
//! register as it was.

use super::registers::EBA;
use crate::helpers::*;
use onramp::authority::service;
use onramp::domain::evidence::Source;
use sha2::Digest;
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

/// A ZIP holding `json` as `download-PSDMD.json` and, when given, a sidecar saying `sidecar`.
fn zip_of(json: &str, sidecar: Option<&str>) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("download-PSDMD-202611300000.json", opts)
        .unwrap();
    w.write_all(json.as_bytes()).unwrap();
    if let Some(hash) = sidecar {
        w.start_file("download-PSDMD-202611300000.json.sha256", opts)
            .unwrap();
        w.write_all(format!("{hash}  download-PSDMD-202611300000.json\n").as_bytes())
            .unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

async fn count(app: &TestApp) -> u64 {
    onramp::store::authority::count(&app.state.db, Source::Eba)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_published_zip_is_imported_and_a_wrong_sidecar_hash_keeps_the_old_register() {
    let app = spawn_app().await;
    let file = app.state.settings.data_dir.join("download.zip");
    std::fs::write(&file, zip_of(EBA, Some(&sha256(EBA.as_bytes())))).unwrap();
    assert_eq!(service::import_eba(&app.state, &file).await.unwrap(), 3);
    assert_eq!(count(&app).await, 3);

    let other = EBA.replace("Withdrawn PI Ltd", "Changed Name Ltd");
    std::fs::write(&file, zip_of(&other, Some(&sha256(EBA.as_bytes())))).unwrap();
    let err = service::import_eba(&app.state, &file).await.unwrap_err();
    assert!(err.to_string().contains("sidecar"), "{err}");
    assert_eq!(count(&app).await, 3, "the old register stays");

    // No sidecar: imported as it is.
    std::fs::write(&file, zip_of(&other, None)).unwrap();
    assert_eq!(service::import_eba(&app.state, &file).await.unwrap(), 3);
}

/// Serves `files` (path → body) on a local port; returns the base URL.
async fn serve(files: HashMap<String, Vec<u8>>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let files = Arc::new(files);
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let files = files.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = head.split_whitespace().nth(1).unwrap_or_default();
                let (status, body) = match files.get(path) {
                    Some(b) => ("200 OK", b.clone()),
                    None => ("404 Not Found", Vec::new()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&body).await;
            });
        }
    });
    base
}

#[tokio::test]
async fn the_refresh_follows_filemetadata_checks_the_hash_and_imports() {
    let zip = zip_of(EBA, Some(&sha256(EBA.as_bytes())));
    let meta = |base: &str, hash: &str| {
        serde_json::json!({
            "latest_version_relative_zip_path": "20261130/download-PSDMD-202611300000.zip",
            "sha256_hash": hash,
            "golden_copy_path_context": format!("{base}/register/downloads/PSDMD/"),
        })
        .to_string()
        .into_bytes()
    };
    // The server's address is known once it runs: serve the metadata from a second server.
    let zips = serve(HashMap::from([(
        "/register/downloads/PSDMD/20261130/download-PSDMD-202611300000.zip".to_string(),
        zip.clone(),
    )]))
    .await;
    let good = serve(HashMap::from([(
        "/register/api/filemetadata".to_string(),
        meta(&zips, &sha256(&zip)),
    )]))
    .await;
    let bad = serve(HashMap::from([(
        "/register/api/filemetadata".to_string(),
        meta(&zips, &sha256(b"something else")),
    )]))
    .await;
    let url = format!("{good}/register/api/filemetadata");
    let app = spawn_app_with(move |s| {
        s.authority.eba_url = url;
        s.outbound.allow_http = true;
        s.outbound.allow_private_addresses = true;
    })
    .await;
    let n = onramp::authority::refresh::refresh_eba(&app.state)
        .await
        .unwrap();
    assert_eq!(n, Some(3));
    assert_eq!(count(&app).await, 3);

    let mut settings = (*app.state.settings).clone();
    settings.authority.eba_url = format!("{bad}/register/api/filemetadata");
    let mut st = app.state.clone();
    st.settings = Arc::new(settings);
    let err = onramp::authority::refresh::refresh_eba(&st)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("SHA-256"), "{err}");
    assert_eq!(count(&app).await, 3, "the old register stays");
}
