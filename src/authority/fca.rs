//! The FCA Financial Services Register API as an evidence source (spec/authority.md section 2):
//! `GET {base_url}/V0.1/Firm/{FRN}` and `…/Permissions` with the bank's `X-Auth-Email` and
//! `X-Auth-Key`. Answers are cached per FRN (`authority.fca.cache`), requests are kept within
//! `authority.fca.rate_limit` per 10 seconds, a 429 is retried once when its `Retry-After` is
//! short and otherwise blocks further requests for that long. Anything that is not an answer
//! about the firm (down, timeout, 429, refused credentials) gives `unavailable`, which never
//! suspends. How an answer becomes a verdict is in [`super::fca_judge`].

use super::finding::{Claim, Finding};
use super::sources::{Check, RegisterSource};
use crate::config::FcaSettings;
use crate::domain::evidence::{Source, Verdict};
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// What an HTTP GET answered.
#[derive(Debug)]
pub struct HttpAnswer {
    /// The HTTP status.
    pub status: u16,
    /// `Retry-After`, in seconds, when given as a number.
    pub retry_after: Option<u64>,
    /// The body.
    pub body: Vec<u8>,
}

/// A boxed GET.
pub type HttpFuture<'a> = Pin<Box<dyn Future<Output = Result<HttpAnswer, String>> + Send + 'a>>;

/// How register lookups reach the network (the guarded outbound client; a fake in unit tests).
pub trait RegisterHttp: Send + Sync {
    /// GETs `url` with `headers`; an error is a class of failure in words.
    fn get<'a>(&'a self, url: &'a str, headers: &'a [(&'a str, &'a str)]) -> HttpFuture<'a>;
}

/// What the register said about one FRN.
#[derive(Clone, Debug, PartialEq)]
pub enum Lookup {
    /// The firm record (`Data[0]`) and its permissions (`Data`, an object; null when none).
    Firm {
        /// The firm.
        firm: Value,
        /// Its permissions, keyed by activity.
        permissions: Value,
    },
    /// The register does not know the FRN.
    Unknown,
}

/// The longest `Retry-After` waited for before answering `unavailable`.
const RETRY_BUDGET: Duration = Duration::from_secs(5);
/// The window of the published rate limit.
const WINDOW: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Inner {
    cache: HashMap<String, (DateTime<Utc>, Lookup)>,
    sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

/// The FCA register client: settings, the per-FRN cache and the rate limiter. Cheap to clone.
#[derive(Clone)]
pub struct FcaRegister {
    settings: FcaSettings,
    inner: Arc<Mutex<Inner>>,
}

impl std::fmt::Debug for FcaRegister {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FcaRegister")
            .field("base_url", &self.settings.base_url)
            .finish_non_exhaustive()
    }
}

/// Whether `number` can be an FRN (digits only: it goes into a URL path).
pub fn is_frn(number: &str) -> bool {
    (1..=10).contains(&number.len()) && number.chars().all(|c| c.is_ascii_digit())
}

impl FcaRegister {
    /// The client for `[authority.fca]`, when it is configured.
    pub fn new(settings: &FcaSettings) -> Option<Self> {
        settings.enabled().then(|| Self {
            settings: settings.clone(),
            inner: Arc::new(Mutex::new(Inner::default())),
        })
    }

    /// The firm and its permissions, from the cache when fresh; `Err` says why the register
    /// could not answer.
    pub async fn lookup(
        &self,
        http: &dyn RegisterHttp,
        frn: &str,
        now: DateTime<Utc>,
    ) -> Result<Lookup, String> {
        let ttl = chrono::Duration::from_std(self.settings.cache).unwrap_or_default();
        if let Some((at, hit)) = self.inner.lock().await.cache.get(frn)
            && now - *at < ttl
        {
            return Ok(hit.clone());
        }
        let base = self.settings.base_url.trim_end_matches('/');
        let firm_url = format!("{base}/V0.1/Firm/{frn}");
        let answer = match self.request(http, &firm_url).await? {
            None => Lookup::Unknown,
            Some(firm) => {
                let permissions = self
                    .request(http, &format!("{firm_url}/Permissions"))
                    .await?
                    .unwrap_or(Value::Null);
                Lookup::Firm { firm, permissions }
            }
        };
        self.inner
            .lock()
            .await
            .cache
            .insert(frn.to_string(), (now, answer.clone()));
        Ok(answer)
    }

    /// Waits for a free slot under the rate limit, unless a 429 blocked the register.
    async fn slot(&self) -> Result<(), String> {
        let limit = usize::try_from(self.settings.rate_limit.max(1)).unwrap_or(usize::MAX);
        loop {
            let wait = {
                let mut inner = self.inner.lock().await;
                let now = Instant::now();
                if inner.blocked_until.is_some_and(|b| b > now) {
                    return Err("the register asked Onramp to wait (429)".into());
                }
                while inner.sent.front().is_some_and(|t| now - *t >= WINDOW) {
                    inner.sent.pop_front();
                }
                if inner.sent.len() < limit {
                    inner.sent.push_back(now);
                    return Ok(());
                }
                inner.sent.front().map_or(now, |t| *t + WINDOW)
            };
            tokio::time::sleep_until(wait).await;
        }
    }

    /// One GET of the API: the `Data` it holds (`Data[0]` for a list), `None` when the
    /// register does not know it.
    async fn request(&self, http: &dyn RegisterHttp, url: &str) -> Result<Option<Value>, String> {
        let key = self.settings.key.expose_secret();
        let headers = [
            ("X-Auth-Email", self.settings.email.as_str()),
            ("X-Auth-Key", key),
        ];
        for attempt in 0..2 {
            self.slot().await?;
            let answer = http.get(url, &headers).await?;
            match answer.status {
                200 => return data(&answer.body),
                404 => return Ok(None),
                401 | 403 => return Err("the register refused the bank's credentials".into()),
                429 => {
                    let wait = Duration::from_secs(answer.retry_after.unwrap_or(60));
                    if attempt == 0 && wait <= RETRY_BUDGET {
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    self.inner.lock().await.blocked_until = Some(Instant::now() + wait);
                    return Err("the register is limiting requests (429)".into());
                }
                s => return Err(format!("the register answered {s}")),
            }
        }
        Err("the register is limiting requests (429)".into())
    }
}

/// The `Data` of an API answer; refused credentials are an error, not "not found".
fn data(body: &[u8]) -> Result<Option<Value>, String> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|_| "the register's answer is not JSON".to_string())?;
    let status = v.get("Status").and_then(Value::as_str).unwrap_or_default();
    if status.starts_with("FSR-API-01") {
        return Err("the register refused the bank's credentials".into());
    }
    // Not-found answers vary (`-21`, or `-11` with null Data): an empty Data is not found.
    Ok(match v.get("Data") {
        Some(Value::Array(a)) => a.first().cloned(),
        Some(o @ Value::Object(m)) if !m.is_empty() => Some(o.clone()),
        _ => None,
    })
}

/// The FCA register asked about one FRN.
pub struct FcaSource<'a> {
    /// The client (cache and limiter).
    pub register: &'a FcaRegister,
    /// The network.
    pub http: &'a dyn RegisterHttp,
    /// The FRN to look up.
    pub frn: String,
    /// Now, for the cache.
    pub now: DateTime<Utc>,
}

impl RegisterSource for FcaSource<'_> {
    fn source(&self) -> Source {
        Source::Fca
    }

    fn check<'a>(&'a self, claim: &'a Claim) -> Check<'a> {
        Box::pin(async move {
            let looked_up = format!("GB-FCA {}", self.frn);
            if !is_frn(&self.frn) {
                return Finding::empty(
                    Source::Fca,
                    Verdict::NotFound,
                    looked_up,
                    format!("“{}” is not an FRN (digits only).", self.frn),
                );
            }
            match self.register.lookup(self.http, &self.frn, self.now).await {
                Ok(found) => super::fca_judge::judge(claim, &self.frn, looked_up, &found),
                Err(why) => {
                    tracing::warn!(frn = %self.frn, why, "FCA register unavailable");
                    Finding::empty(
                        Source::Fca,
                        Verdict::Unavailable,
                        looked_up,
                        format!("The FCA register could not be asked: {why}."),
                    )
                }
            }
        })
    }
}
