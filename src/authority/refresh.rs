//! The nightly EBA register refresh from `authority.eba_url` (spec/authority.md section 1):
//! when the URL is the register's `filemetadata`, the ZIP's path and SHA-256 are read from it
//! (the date segment changes every night); otherwise the URL is the file itself. The file is
//! streamed to a temporary file in `data_dir` through the guarded outbound client, its hash
//! checked, then imported as `onramp register import-eba` does. Any failure leaves the register
//! as it was.

use super::service::{AuthorityError, import_eba};
use crate::state::AppState;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The largest file fetched (the JSON itself is about 217 MB; its ZIP about 19 MB).
const MAX_FILE: u64 = 512 * 1024 * 1024;

/// The file to fetch and its expected SHA-256, from `eba_url`.
async fn locate(st: &AppState, url: &str) -> Result<(String, Option<String>), String> {
    if !url.trim_end_matches('/').ends_with("filemetadata") {
        return Ok((url.to_string(), None));
    }
    let answer = st.outbound.get_with(url, &[], 64 * 1024).await?;
    if answer.status != 200 {
        return Err(format!("filemetadata answered {}", answer.status));
    }
    let meta: Value =
        serde_json::from_slice(&answer.body).map_err(|_| "filemetadata is not JSON".to_string())?;
    let text = |k: &str| meta.get(k).and_then(Value::as_str).unwrap_or_default();
    let (context, path) = (
        text("golden_copy_path_context"),
        text("latest_version_relative_zip_path"),
    );
    if context.is_empty() || path.is_empty() {
        return Err("filemetadata names no file".into());
    }
    let hash = Some(text("sha256_hash").to_ascii_lowercase()).filter(|h| !h.is_empty());
    Ok((
        format!(
            "{}/{}",
            context.trim_end_matches('/'),
            path.trim_start_matches('/')
        ),
        hash,
    ))
}

/// Fetches and imports the register from `authority.eba_url`; `Ok(None)` when no URL is set.
/// Returns how many entries were imported.
pub async fn refresh_eba(st: &AppState) -> Result<Option<usize>, AuthorityError> {
    let url = st.settings.authority.eba_url.trim();
    if url.is_empty() {
        return Ok(None);
    }
    let fail = |what: &str, e: String| AuthorityError::Import(format!("EBA refresh: {what}: {e}"));
    let (file_url, hash) = locate(st, url).await.map_err(|e| fail("metadata", e))?;
    let tmp = st.settings.data_dir.join("eba-refresh.download");
    let result = async {
        let mut out = tokio::fs::File::create(&tmp)
            .await
            .map_err(|e| fail("temporary file", e.to_string()))?;
        st.outbound
            .download(&file_url, &mut out, MAX_FILE)
            .await
            .map_err(|e| fail("download", e))?;
        drop(out);
        if let Some(want) = hash {
            let path = tmp.clone();
            let got = tokio::task::spawn_blocking(move || sha256_of(&path))
                .await
                .map_err(|e| fail("hash", e.to_string()))?
                .map_err(|e| fail("hash", e))?;
            if got != want {
                return Err(fail(
                    "hash",
                    format!("the file's SHA-256 is {got}, the register says {want}"),
                ));
            }
        }
        import_eba(st, &tmp).await
    }
    .await;
    let _ = tokio::fs::remove_file(&tmp).await;
    result.map(Some)
}

fn sha256_of(path: &std::path::Path) -> Result<String, String> {
    let mut f = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut sha = Sha256::new();
    std::io::copy(&mut f, &mut sha).map_err(|e| e.to_string())?;
    Ok(hex::encode(sha.finalize()))
}
