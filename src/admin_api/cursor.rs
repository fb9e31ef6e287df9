//! Cursor pages for the admin API: `?limit=&cursor=` in, `next_cursor` out. A cursor is opaque
//! to callers; it carries the next page and its size, so a later `limit` cannot skip rows.

use crate::store::Page;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Rows per page when no limit is given.
pub const DEFAULT_LIMIT: u64 = 50;
/// The largest page.
pub const MAX_LIMIT: u64 = 200;

/// The page a request asks for; an error names what is wrong.
pub fn page(limit: Option<u64>, cursor: Option<&str>) -> Result<Page, String> {
    let size = limit.unwrap_or(DEFAULT_LIMIT);
    if size == 0 || size > MAX_LIMIT {
        return Err(format!("limit must be between 1 and {MAX_LIMIT}"));
    }
    let Some(c) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(Page::new(1, size));
    };
    let bad = || "cursor is not one this server gave".to_string();
    let text = URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(bad)?;
    let (n, s) = text.split_once('.').ok_or_else(bad)?;
    let n: u64 = n
        .strip_prefix('p')
        .and_then(|v| v.parse().ok())
        .ok_or_else(bad)?;
    let s: u64 = s
        .strip_prefix('l')
        .and_then(|v| v.parse().ok())
        .ok_or_else(bad)?;
    if n == 0 || s == 0 || s > MAX_LIMIT {
        return Err(bad());
    }
    Ok(Page::new(n, s))
}

/// The cursor of the page after `page`, if rows remain.
pub fn next(page: Page, total: u64) -> Option<String> {
    (page.number.saturating_mul(page.size) < total)
        .then(|| URL_SAFE_NO_PAD.encode(format!("p{}.l{}", page.number + 1, page.size)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_strangers_are_refused() {
        let first = page(Some(2), None).unwrap();
        let c = next(first, 5).unwrap();
        let second = page(Some(100), Some(&c)).unwrap();
        assert_eq!((second.number, second.size), (2, 2));
        assert!(next(page(None, Some(&next(second, 5).unwrap())).unwrap(), 5).is_none());
        assert!(page(None, Some("bogus")).is_err());
        assert!(page(Some(0), None).is_err());
        assert!(page(Some(201), None).is_err());
    }
}
