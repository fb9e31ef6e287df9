//! The imported trusted lists as certificates are judged against them: which `CA/QC` service
//! issued a certificate, and whether that service was granted at the certificate's
//! `notBefore` (decision 6). Held in memory per node and reloaded from the store after an
//! import or once [`RELOAD_AFTER`] has passed, so the DCR path never waits on a query.

use super::tsl::GRANTED;
use crate::store::trusted::{StatusPeriod, TrustedService};
use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, RwLock};

/// How long a node keeps the lists before it reads them again (another node may have imported).
pub const RELOAD_AFTER: Duration = Duration::seconds(60);

/// `ForWebSiteAuthentication`: the service issues QWACs.
pub const FOR_WEB: &str =
    "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForWebSiteAuthentication";
/// `ForeSeals`: the service issues QSealCs.
pub const FOR_SEALS: &str = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSeals";

/// The `CA/QC` services of every imported list.
#[derive(Clone, Debug, Default)]
pub struct TrustedLists {
    /// The services.
    pub services: Vec<TrustedService>,
}

impl TrustedLists {
    /// The services one of whose certificates is `issuer_der`.
    pub fn by_certificate<'a>(
        &'a self,
        issuer_der: &'a [u8],
    ) -> impl Iterator<Item = &'a TrustedService> + 'a {
        self.services
            .iter()
            .filter(move |s| s.certificates.iter().any(|c| c == issuer_der))
    }

    /// Every service certificate, with its service.
    pub fn certificates(&self) -> impl Iterator<Item = (&TrustedService, &[u8])> {
        self.services
            .iter()
            .flat_map(|s| s.certificates.iter().map(move |c| (s, c.as_slice())))
    }
}

/// The status `s` held at `at`: the newest of its current status and history that had begun.
pub fn status_at(s: &TrustedService, at: DateTime<Utc>) -> Option<&StatusPeriod> {
    std::iter::once(&s.current)
        .chain(&s.history)
        .filter(|p| p.from <= at)
        .max_by_key(|p| p.from)
}

/// Whether `s` was granted at `at`.
pub fn granted_at(s: &TrustedService, at: DateTime<Utc>) -> bool {
    status_at(s, at).is_some_and(|p| p.status == GRANTED)
}

/// The last word of a status URI (`granted`, `withdrawn`).
pub fn status_word(uri: &str) -> &str {
    uri.rsplit('/').next().unwrap_or(uri)
}

/// Why `s` does not vouch for a certificate issued at `not_before`, for the evidence.
pub fn why_not(s: &TrustedService, not_before: DateTime<Utc>) -> String {
    let name = format!("“{}” of {} ({})", s.service_name, s.tsp_name, s.territory);
    match status_at(s, not_before) {
        Some(p) => format!(
            "the service {name} was {} from {}, before the certificate's notBefore {}",
            status_word(&p.status),
            p.from.format("%-d %b %Y %H:%M UTC"),
            not_before.format("%-d %b %Y %H:%M UTC")
        ),
        None => format!(
            "the service {name} had no status yet at the certificate's notBefore {}",
            not_before.format("%-d %b %Y %H:%M UTC")
        ),
    }
}

/// Lists and when they were loaded.
type Loaded = (Arc<TrustedLists>, DateTime<Utc>);

/// The lists as loaded, with when.
#[derive(Clone, Debug, Default)]
pub struct TrustedCache {
    inner: Arc<RwLock<Option<Loaded>>>,
}

impl TrustedCache {
    /// The lists if loaded less than [`RELOAD_AFTER`] before `now`.
    pub fn fresh(&self, now: DateTime<Utc>) -> Option<Arc<TrustedLists>> {
        let guard = self.inner.read().ok()?;
        let (lists, at) = guard.as_ref()?;
        (now - *at < RELOAD_AFTER && *at <= now).then(|| lists.clone())
    }

    /// Keeps `lists`, loaded at `now`.
    pub fn put(&self, lists: TrustedLists, now: DateTime<Utc>) -> Arc<TrustedLists> {
        let lists = Arc::new(lists);
        if let Ok(mut guard) = self.inner.write() {
            *guard = Some((lists.clone(), now));
        }
        lists
    }

    /// Forgets the lists (after an import), so that the next check reads them again.
    pub fn clear(&self) {
        if let Ok(mut guard) = self.inner.write() {
            *guard = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authority::tsl::WITHDRAWN;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn service() -> TrustedService {
        TrustedService {
            list_key: "XT".into(),
            territory: "XT".into(),
            tsp_name: "TSP".into(),
            service_name: "CA".into(),
            current: StatusPeriod {
                status: WITHDRAWN.into(),
                from: at("2025-01-01T00:00:00Z"),
            },
            history: vec![
                StatusPeriod {
                    status: GRANTED.into(),
                    from: at("2019-01-01T00:00:00Z"),
                },
                StatusPeriod {
                    status: "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/undersupervision"
                        .into(),
                    from: at("2015-01-01T00:00:00Z"),
                },
            ],
            certificates: vec![vec![1]],
            purposes: Vec::new(),
        }
    }

    #[test]
    fn the_status_at_a_time_is_the_newest_that_had_begun_whatever_the_list_order() {
        let s = service();
        assert!(!granted_at(&s, at("2014-06-01T00:00:00Z")), "no status yet");
        assert!(
            !granted_at(&s, at("2016-06-01T00:00:00Z")),
            "pre-eIDAS status"
        );
        assert!(granted_at(&s, at("2019-01-01T00:00:00Z")));
        assert!(granted_at(&s, at("2024-12-31T23:59:59Z")));
        assert!(!granted_at(&s, at("2025-01-01T00:00:00Z")));
        assert!(why_not(&s, at("2025-06-01T00:00:00Z")).contains("withdrawn from 1 Jan 2025"));
        assert!(why_not(&s, at("2014-06-01T00:00:00Z")).contains("no status yet"));
    }
}
