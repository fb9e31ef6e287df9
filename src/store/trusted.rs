//! The trusted-list services (`CA/QC`, ETSI TS 119 612) imported with `onramp trust import`:
//! replaced list by list, read whole into each node's memory.

use super::StoreError;
use super::entities::trusted_services as ts;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

/// A status a service held from a time on (the current one or one from its history).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusPeriod {
    /// The status URI (`http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted`).
    pub status: String,
    /// From when.
    pub from: DateTime<Utc>,
}

/// One `CA/QC` service of a trusted list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedService {
    /// The list it came from (its territory, or the file's name when it has none).
    pub list_key: String,
    /// The list's territory (`DE`, `EU`).
    pub territory: String,
    /// The trust service provider's name.
    pub tsp_name: String,
    /// The service's name.
    pub service_name: String,
    /// Its current status, from when.
    pub current: StatusPeriod,
    /// Its earlier statuses (`ServiceHistoryInstance`), in list order.
    pub history: Vec<StatusPeriod>,
    /// The DER certificates of its digital identity.
    pub certificates: Vec<Vec<u8>>,
    /// Its `AdditionalServiceInformation` URIs (`…/ForWebSiteAuthentication`, `…/ForeSeals`).
    pub purposes: Vec<String>,
}

fn model(s: &TrustedService, now: DateTime<Utc>) -> ts::ActiveModel {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let certs: Vec<String> = s.certificates.iter().map(|c| b64.encode(c)).collect();
    ts::ActiveModel {
        id: Set(uuid::Uuid::now_v7().to_string()),
        list_key: Set(s.list_key.clone()),
        territory: Set(s.territory.clone()),
        tsp_name: Set(s.tsp_name.clone()),
        service_name: Set(s.service_name.clone()),
        status: Set(s.current.status.clone()),
        status_from: Set(s.current.from),
        history: Set(serde_json::json!(s.history).to_string()),
        certificates: Set(serde_json::json!(certs).to_string()),
        purposes: Set(serde_json::json!(s.purposes).to_string()),
        imported_at: Set(now),
    }
}

/// Replaces the services of list `list_key` with `services` (call it in a transaction).
pub async fn replace_list(
    c: &impl ConnectionTrait,
    list_key: &str,
    services: &[TrustedService],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ts::Entity::delete_many()
        .filter(ts::Column::ListKey.eq(list_key))
        .exec(c)
        .await?;
    for chunk in services.chunks(100) {
        ts::Entity::insert_many(chunk.iter().map(|s| model(s, now)))
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

/// Every imported service.
pub async fn all(c: &impl ConnectionTrait) -> Result<Vec<TrustedService>, StoreError> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let bad = |what: &str| StoreError::Malformed(format!("trusted service {what}"));
    let mut out = Vec::new();
    for m in ts::Entity::find().all(c).await? {
        let certs: Vec<String> =
            serde_json::from_str(&m.certificates).map_err(|_| bad("certificates"))?;
        out.push(TrustedService {
            list_key: m.list_key,
            territory: m.territory,
            tsp_name: m.tsp_name,
            service_name: m.service_name,
            current: StatusPeriod {
                status: m.status,
                from: m.status_from,
            },
            history: serde_json::from_str(&m.history).map_err(|_| bad("history"))?,
            certificates: certs
                .iter()
                .map(|c| b64.decode(c).map_err(|_| bad("certificate")))
                .collect::<Result<_, _>>()?,
            purposes: serde_json::from_str(&m.purposes).map_err(|_| bad("purposes"))?,
        });
    }
    Ok(out)
}
