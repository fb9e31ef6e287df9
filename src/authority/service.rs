//! Authority checks as the rest of Onramp uses them: the loaded table and roots
//! ([`Authority`], held in the application state), register imports, and checks that store
//! their evidence (decision 1) on the organisation and, when given, the workflow instance.

use super::cert_check::CertificateSource;
use super::chain::TrustRoots;
use super::codes::AuthorityCodes;
use super::finding::{Claim, Finding};
use super::sources::{ImportedRegister, RegisterSource, SsaClaims};
use crate::config::Settings;
use crate::domain::evidence::Source;
use crate::domain::psd2::parse_roles;
use crate::domain::{EvidenceId, InstanceId, OrganisationId, Psd2Role};
use crate::state::AppState;
use crate::store::authority::{self as store, EvidenceRecord, RegisterEntry};
use crate::store::organisations::OrganisationRecord;
use crate::store::{ConnectionTrait, StoreError, TransactionTrait};
use serde_json::Value;
use std::path::Path;

/// What authority checks can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AuthorityError {
    /// No such organisation.
    #[error("no organisation {0}")]
    UnknownOrganisation(String),
    /// An import file could not be read.
    #[error("{0}")]
    Import(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sea_orm::DbErr> for AuthorityError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(e.into())
    }
}

/// The authority-code table and the certificate roots, loaded at start.
#[derive(Clone, Debug, Default)]
pub struct Authority {
    /// The authority codes.
    pub codes: AuthorityCodes,
    /// The roots certificates must chain to.
    pub roots: TrustRoots,
    /// This node's copy of the imported trusted lists.
    pub trusted: super::trusted::TrustedCache,
    /// Revocation answers kept until they expire.
    pub revocations: super::revocation::RevocationCache,
    /// `authority.revocation`.
    pub revocation: super::revocation::Mode,
    /// The FCA register API, when `[authority.fca]` has credentials.
    pub fca: Option<super::fca::FcaRegister>,
}

impl Authority {
    /// Loads `[authority]`; a root or codes file that cannot be read stops start-up.
    pub fn load(settings: &Settings) -> Result<Self, String> {
        Ok(Self {
            codes: AuthorityCodes::load(settings.authority.codes_file.as_deref())?,
            roots: TrustRoots::load(&settings.authority.extra_roots)?,
            trusted: Default::default(),
            revocations: Default::default(),
            revocation: super::revocation::Mode::parse(&settings.authority.revocation)?,
            fca: super::fca::FcaRegister::new(&settings.authority.fca),
        })
    }
}

impl Authority {
    /// What a revocation check needs, over `outbound`.
    pub fn revocation_with<'a>(
        &'a self,
        outbound: &'a dyn super::revocation::SignedFetch,
    ) -> super::revocation::Revocation<'a> {
        super::revocation::Revocation {
            outbound,
            cache: &self.revocations,
            mode: self.revocation,
        }
    }
}

/// Replaces register `register` with `entries` (a later entry with the same authority and
/// number wins); returns how many were stored.
async fn replace(
    st: &AppState,
    register: Source,
    entries: Vec<RegisterEntry>,
) -> Result<usize, AuthorityError> {
    let mut last = std::collections::HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        last.insert((e.authority.clone(), e.number.clone()), i);
    }
    let entries: Vec<RegisterEntry> = entries
        .into_iter()
        .enumerate()
        .filter(|(i, e)| last.get(&(e.authority.clone(), e.number.clone())) == Some(i))
        .map(|(_, e)| e)
        .collect();
    let now = st.clock.now();
    let tx = st.db.begin().await?;
    store::clear_register(&tx, register).await?;
    for chunk in entries.chunks(200) {
        store::insert_entries(&tx, chunk, now).await?;
    }
    tx.commit().await?;
    Ok(entries.len())
}

/// `onramp register import-eba FILE`: the EBA register's JSON or the ZIP it is published as,
/// streamed; institutions only. A file that cannot be read leaves the register as it was.
pub async fn import_eba(st: &AppState, file: &Path) -> Result<usize, AuthorityError> {
    let codes = st.authority.codes.clone();
    let ps05a = st.settings.authority.eba_cbpii_from_ps05a;
    let path = file.to_path_buf();
    let entries = tokio::task::spawn_blocking(move || {
        super::eba_zip::read_path(
            &path,
            &super::eba::Options {
                codes: &codes,
                cbpii_from_ps05a: ps05a,
            },
        )
    })
    .await
    .map_err(|e| AuthorityError::Import(e.to_string()))?
    .map_err(AuthorityError::Import)?;
    replace(st, Source::Eba, entries).await
}

/// `onramp register import-csv FILE`: the bank's own register.
pub async fn import_csv(st: &AppState, file: &Path) -> Result<usize, AuthorityError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| AuthorityError::Import(format!("{}: {e}", file.display())))?;
    let entries = super::csv::read(&text, &st.authority.codes).map_err(AuthorityError::Import)?;
    replace(st, Source::Csv, entries).await
}

/// What an organisation claims, from its signup profile (`legal_name`, `competent_authority`,
/// `authorisation_number`, `country`, `roles`, or an `authorisation` field's parts).
pub fn claim_of(org: &OrganisationRecord) -> Claim {
    let p = &org.profile;
    let text = |k: &str| {
        p.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let roles: Vec<Psd2Role> = match p.get("roles") {
        Some(Value::Array(a)) => parse_roles(a.iter().filter_map(Value::as_str)),
        Some(Value::String(s)) => parse_roles(s.split([',', ' '])),
        _ => Vec::new(),
    };
    // An `authorisation` field (authority and number together) wins over the separate ones.
    let (authority, number) = match text("authorisation")
        .as_deref()
        .and_then(crate::domain::psd2::parse_authorisation)
    {
        Some((a, n)) => (Some(a), Some(n)),
        None => (text("competent_authority"), text("authorisation_number")),
    };
    Claim {
        legal_name: Some(org.legal_name.clone()),
        authority,
        country: text("country"),
        number,
        roles,
    }
}

/// The software statement's claims of the organisation's newest DCR client, if any.
async fn ssa_claims(
    c: &impl ConnectionTrait,
    org: OrganisationId,
) -> Result<Option<Value>, AuthorityError> {
    let clients = crate::store::clients::for_organisation(c, org).await?;
    Ok(clients.iter().find_map(|c| {
        let jwt = c.metadata.get("software_statement")?.as_str()?;
        let payload = jwt.split('.').nth(1)?;
        let bytes =
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload)
                .ok()?;
        let claims: Value = serde_json::from_slice(&bytes).ok()?;
        claims
            .get("organisation_competent_authority_claims")
            .cloned()
    }))
}

/// Runs every source that has something to say about the organisation and stores what each
/// found (through `c`: the pool, or the caller's transaction); returns the findings. Registers
/// that were never imported are left out.
pub async fn check_organisation<C: ConnectionTrait + Send + Sync>(
    c: &C,
    st: &AppState,
    org: &OrganisationRecord,
    instance: Option<InstanceId>,
) -> Result<Vec<Finding>, AuthorityError> {
    let claim = claim_of(org);
    let a = &st.authority;
    let ssa = ssa_claims(c, org.id).await?;
    let mut sources: Vec<Box<dyn RegisterSource + '_>> = Vec::new();
    for register in [Source::Eba, Source::Csv] {
        if store::count(c, register).await? > 0 {
            sources.push(Box::new(ImportedRegister {
                register,
                db: c,
                codes: &a.codes,
            }));
        }
    }
    if let Some(register) = &a.fca
        && let Some(frn) = fca_number(&a.codes, &claim, ssa.as_ref())
    {
        sources.push(Box::new(super::fca::FcaSource {
            register,
            http: &st.outbound,
            frn,
            now: st.clock.now(),
        }));
    }
    if ssa.is_some() {
        sources.push(Box::new(SsaClaims {
            claims: ssa.as_ref(),
            codes: &a.codes,
        }));
    }
    let pem = org
        .profile
        .get("certificate")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    if let Some(pem) = pem {
        let lists = super::trust_import::lists(st).await?;
        sources.push(Box::new(CertificateSource {
            pem: pem.as_bytes(),
            roots: &a.roots,
            codes: &a.codes,
            now: st.clock.now(),
            lists: Some(lists),
            revocation: Some(a.revocation_with(&st.outbound)),
        }));
    }
    let mut findings = Vec::new();
    for s in &sources {
        findings.push(s.check(&claim).await);
    }
    record(c, st, org.id, instance, &findings, None).await?;
    Ok(findings)
}

/// The FRN to ask the FCA register about: the claim's number when its authority is the FCA,
/// else the registration id of an FCA entry in the software statement's claims.
fn fca_number(codes: &AuthorityCodes, claim: &Claim, ssa: Option<&Value>) -> Option<String> {
    let fca = |a: &str, country: Option<&str>| codes.canonical(a, country) == "GB-FCA";
    if let (Some(a), Some(n)) = (&claim.authority, &claim.number)
        && fca(a, claim.country.as_deref())
    {
        return Some(n.clone());
    }
    let list: Vec<&Value> = match ssa? {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    list.into_iter().find_map(|c| {
        let authority = c.get("authority_id")?.as_str()?;
        let number = c.get("registration_id")?.as_str()?;
        (fca(authority, Some("GB")) && super::fca::is_frn(number)).then(|| number.to_string())
    })
}

/// Asks the remote registers (the FCA) about the organisation now, outside any transaction, so
/// that a check run inside one finds the answer in the cache instead of waiting on the network
/// while it holds the transaction. Best effort: a failure is left for the check to report.
pub async fn warm_remote(st: &AppState, org: &OrganisationRecord) {
    let Some(register) = &st.authority.fca else {
        return;
    };
    let ssa = ssa_claims(&st.db, org.id).await.ok().flatten();
    if let Some(frn) = fca_number(&st.authority.codes, &claim_of(org), ssa.as_ref())
        && super::fca::is_frn(&frn)
    {
        let _ = register.lookup(&st.outbound, &frn, st.clock.now()).await;
    }
}

/// Stores findings as evidence.
pub async fn record(
    c: &impl ConnectionTrait,
    st: &AppState,
    org: OrganisationId,
    instance: Option<InstanceId>,
    findings: &[Finding],
    author: Option<&str>,
) -> Result<(), AuthorityError> {
    let now = st.clock.now();
    for f in findings {
        store::insert(
            c,
            &EvidenceRecord {
                id: EvidenceId::new(),
                organisation_id: org,
                instance_id: instance,
                source: f.source,
                verdict: f.verdict,
                looked_up: f.looked_up.clone(),
                found: f.found.clone(),
                details: f.details.clone(),
                author: author.map(str::to_string),
                checked_at: now,
            },
        )
        .await?;
    }
    Ok(())
}

/// The newest evidence per source for an organisation (newest first).
pub async fn latest(
    st: &AppState,
    org: OrganisationId,
) -> Result<Vec<EvidenceRecord>, AuthorityError> {
    Ok(store::latest_per_source(&st.db, org).await?)
}

/// Every piece of evidence about an organisation, newest first (its history).
pub async fn history(
    st: &AppState,
    org: OrganisationId,
) -> Result<Vec<EvidenceRecord>, AuthorityError> {
    Ok(store::for_organisation(&st.db, org).await?)
}

/// An admin's own verification, recorded as `manual` evidence with its author and comment; it
/// proves the roles the organisation claims. Audited.
pub async fn record_manual(
    st: &AppState,
    org: &OrganisationRecord,
    instance: Option<InstanceId>,
    actor: &crate::domain::Actor,
    comment: &str,
) -> Result<(), AuthorityError> {
    let claim = claim_of(org);
    let finding = Finding {
        source: Source::Manual,
        verdict: crate::domain::evidence::Verdict::Verified,
        looked_up: claim.looked_up(),
        found: serde_json::json!({ "roles": claim.roles, "comment": comment, "by": actor.name() }),
        details: format!("Verified by {}: {comment}", actor.name()),
    };
    let tx = st.db.begin().await?;
    record(&tx, st, org.id, instance, &[finding], Some(&actor.name())).await?;
    crate::audit::record(
        &tx,
        crate::audit::Event {
            actor,
            action: "authority.manual_verification",
            subject_type: "organisation",
            subject_id: org.id.to_string(),
            organisation: Some(org.id),
            detail: serde_json::json!({ "comment": comment, "task": instance.map(|i| i.to_string()) }),
            ip: None,
        },
        st.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
