//! `onramp trust import FILE...` and the lists as checks read them: each file read whole before
//! anything is written, all files stored in one transaction (a bad file leaves the store as it
//! was), a re-imported list replacing its own services; and this node's cached copy, reloaded
//! after an import or after [`super::trusted::RELOAD_AFTER`].

use super::AuthorityError;
use super::trusted::{TrustedLists, status_word};
use super::tsl::{self, GRANTED, WITHDRAWN};
use crate::state::AppState;
use crate::store::TransactionTrait;
use std::path::PathBuf;
use std::sync::Arc;

/// What one imported file held.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportedList {
    /// The file.
    pub file: PathBuf,
    /// Its territory (`DE`), or the file name when it has none.
    pub list_key: String,
    /// Its `CA/QC` services.
    pub services: usize,
    /// Of those, how many are granted now.
    pub granted: usize,
    /// Of those, how many are withdrawn now.
    pub withdrawn: usize,
    /// Lists it points to (a list of lists): reported, not fetched.
    pub pointers: Vec<String>,
}

/// Reads every file, then replaces each list's services in one transaction.
pub async fn import(st: &AppState, files: &[PathBuf]) -> Result<Vec<ImportedList>, AuthorityError> {
    let mut lists = Vec::new();
    for file in files {
        let f = std::fs::File::open(file)
            .map_err(|e| AuthorityError::Import(format!("{}: {e}", file.display())))?;
        let fallback = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let list = tsl::read(std::io::BufReader::new(f), &fallback)
            .map_err(|e| AuthorityError::Import(format!("{}: {e}", file.display())))?;
        lists.push((file.clone(), list));
    }
    let now = st.clock.now();
    let tx = st.db.begin().await?;
    let mut out = Vec::new();
    for (file, list) in &lists {
        let key = list.services.first().map(|s| s.list_key.clone());
        let list_key = key.unwrap_or_else(|| list.territory.clone());
        // A list of lists without services of its own stores nothing and replaces nothing.
        if !list.services.is_empty() {
            crate::store::trusted::replace_list(&tx, &list_key, &list.services, now).await?;
        }
        let count = |status: &str| {
            list.services
                .iter()
                .filter(|s| s.current.status == status)
                .count()
        };
        out.push(ImportedList {
            file: file.clone(),
            list_key,
            services: list.services.len(),
            granted: count(GRANTED),
            withdrawn: count(WITHDRAWN),
            pointers: list.pointers.clone(),
        });
    }
    tx.commit().await?;
    st.authority.trusted.clear();
    for (_, list) in &lists {
        for s in &list.services {
            tracing::info!(
                list = %s.list_key, service = %s.service_name, status = status_word(&s.current.status),
                "trusted-list service imported"
            );
        }
    }
    Ok(out)
}

/// The trusted lists this node holds, read from the store when its copy is stale.
pub async fn lists(st: &AppState) -> Result<Arc<TrustedLists>, AuthorityError> {
    let now = st.clock.now();
    if let Some(l) = st.authority.trusted.fresh(now) {
        return Ok(l);
    }
    let services = crate::store::trusted::all(&st.db).await?;
    Ok(st.authority.trusted.put(TrustedLists { services }, now))
}
