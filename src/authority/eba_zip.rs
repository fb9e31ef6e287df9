//! The EBA register file as the EBA publishes it (spec/authority.md section 1): a ZIP holding
//! one JSON file and a `<file>.json.sha256` sidecar, or the JSON itself. The kind is told by
//! the first bytes (`PK\x03\x04`), not the name. The JSON entry is decompressed as a stream
//! into the streamed reader of [`super::eba`], and its SHA-256 is checked against the sidecar
//! when there is one.

use super::eba::{self, Options};
use crate::store::authority::RegisterEntry;
use sha2::{Digest, Sha256};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

const ZIP_MAGIC: [u8; 4] = *b"PK\x03\x04";

/// Reads the register from `path`, a ZIP or the JSON; institutions only.
pub fn read_path(path: &Path, options: &Options<'_>) -> Result<Vec<RegisterEntry>, String> {
    let shown = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut f = std::fs::File::open(path).map_err(shown)?;
    let mut magic = [0u8; 4];
    let n = f.read(&mut magic).map_err(shown)?;
    f.seek(SeekFrom::Start(0)).map_err(shown)?;
    if n == 4 && magic == ZIP_MAGIC {
        read_zip(f, options)
    } else {
        eba::read(f, options)
    }
}

/// A reader that hashes what passes through it.
struct Hashing<R> {
    inner: R,
    sha: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sha.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

fn read_zip(f: std::fs::File, options: &Options<'_>) -> Result<Vec<RegisterEntry>, String> {
    let bad = |e: zip::result::ZipError| format!("not a readable ZIP: {e}");
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(f)).map_err(bad)?;
    let names: Vec<String> = zip
        .file_names()
        .map(|n| n.map(|n| n.into_owned()))
        .collect::<Result<_, _>>()
        .map_err(bad)?;
    let json = names
        .iter()
        .find(|n| n.to_ascii_lowercase().ends_with(".json"))
        .ok_or("the ZIP holds no .json file")?;
    let sidecar = format!("{json}.sha256");
    let expected = match names.iter().find(|n| n.eq_ignore_ascii_case(&sidecar)) {
        Some(name) => {
            let mut text = String::new();
            zip.by_name(name)
                .map_err(bad)?
                .take(4096)
                .read_to_string(&mut text)
                .map_err(|e| format!("{sidecar}: {e}"))?;
            text.split_whitespace().next().map(str::to_ascii_lowercase)
        }
        None => None,
    };
    let entry = zip.by_name(json).map_err(bad)?;
    let mut hashing = Hashing {
        inner: entry,
        sha: Sha256::new(),
    };
    let entries = eba::read(&mut hashing, options)?;
    std::io::copy(&mut hashing, &mut std::io::sink()).map_err(|e| format!("{json}: {e}"))?;
    let got = hex::encode(hashing.sha.finalize());
    if let Some(want) = expected
        && want != got
    {
        return Err(format!(
            "{json}: its SHA-256 is {got}, the sidecar says {want}; not imported"
        ));
    }
    Ok(entries)
}
