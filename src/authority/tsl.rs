//! ETSI TS 119 612 trusted lists, read with a streaming XML reader: a national list's `CA/QC`
//! services (certificates, current status, status history, the provider and its country),
//! and a list of lists' pointers to other lists (reported, not fetched). Signatures on the
//! lists are not checked (decision 6: the operator fetches them through a verified channel).

use crate::store::trusted::{StatusPeriod, TrustedService};
use chrono::{DateTime, Utc};
use quick_xml::Reader;
use quick_xml::events::Event;
use std::io::BufRead;

/// The service type Onramp keeps.
pub const CA_QC: &str = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC";
/// The status under which a service issues qualified certificates.
pub const GRANTED: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted";
/// A service no longer allowed to issue them.
pub const WITHDRAWN: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn";

/// What one trusted-list file holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedList {
    /// `SchemeTerritory` (`DE`, `EU`).
    pub territory: String,
    /// `TSLType`: a national list or the list of lists.
    pub tsl_type: String,
    /// The `CA/QC` services.
    pub services: Vec<TrustedService>,
    /// `TSLLocation`s of `OtherTSLPointer`s (a list of lists names the national lists here).
    pub pointers: Vec<String>,
}

#[derive(Default)]
struct Service {
    kind: String,
    name: Option<String>,
    status: Option<String>,
    from: Option<String>,
    certificates: Vec<Vec<u8>>,
    purposes: Vec<String>,
    history: Vec<(Option<String>, Option<String>)>,
}

/// Reads a trusted list; `fallback_key` names the list when it has no territory.
pub fn read(input: impl BufRead, fallback_key: &str) -> Result<TrustedList, String> {
    let mut reader = Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut list = TrustedList::default();
    let mut tsp_name: Option<String> = None;
    let mut service: Option<Service> = None;
    let mut services = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            format!(
                "not well-formed XML near byte {}: {e}",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_string();
                if path.is_empty() && name != "TrustServiceStatusList" {
                    return Err(format!(
                        "not a trusted list: the root element is {name}, not TrustServiceStatusList"
                    ));
                }
                match name.as_str() {
                    "TrustServiceProvider" => tsp_name = None,
                    "TSPService" => service = Some(Service::default()),
                    "ServiceHistoryInstance" => {
                        if let Some(s) = service.as_mut() {
                            s.history.push((None, None));
                        }
                    }
                    _ => {}
                }
                path.push(name);
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t),
            Event::GeneralRef(r) => {
                let name = r.into_inner();
                let resolved = match name.as_ref() {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    n => n
                        .strip_prefix("#x")
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()))
                        .and_then(char::from_u32),
                };
                text.push(resolved.ok_or_else(|| format!("unknown entity &{name};"))?);
            }
            Event::End(_) => {
                let value = text.trim().to_string();
                end(&path, value, &mut list, &mut tsp_name, &mut service)?;
                if path.last().map(String::as_str) == Some("TSPService")
                    && let Some(s) = service.take()
                    && s.kind == CA_QC
                {
                    services.push(finish(s, tsp_name.as_deref())?);
                }
                path.pop();
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !path.is_empty() {
        return Err(format!("the XML ends inside <{}>", path.join("/")));
    }
    if list.tsl_type.is_empty() && list.territory.is_empty() && services.is_empty() {
        return Err("not a trusted list: no scheme information and no services".into());
    }
    let key = if list.territory.is_empty() {
        fallback_key.to_string()
    } else {
        list.territory.clone()
    };
    for s in &mut services {
        s.list_key.clone_from(&key);
        s.territory.clone_from(&list.territory);
    }
    list.services = services;
    Ok(list)
}

/// Whether `path` ends with `tail`.
fn ends(path: &[String], tail: &[&str]) -> bool {
    path.len() >= tail.len()
        && path[path.len() - tail.len()..]
            .iter()
            .zip(tail)
            .all(|(a, b)| a == b)
}

/// Stores the text of the element `path` ends with where it belongs.
fn end(
    path: &[String],
    value: String,
    list: &mut TrustedList,
    tsp_name: &mut Option<String>,
    service: &mut Option<Service>,
) -> Result<(), String> {
    if ends(path, &["SchemeInformation", "SchemeTerritory"]) {
        list.territory = value;
    } else if ends(path, &["SchemeInformation", "TSLType"]) {
        list.tsl_type = value;
    } else if ends(path, &["OtherTSLPointer", "TSLLocation"]) {
        list.pointers.push(value);
    } else if ends(path, &["TSPInformation", "TSPName", "Name"]) {
        tsp_name.get_or_insert(value);
    } else if let Some(s) = service.as_mut() {
        if path.iter().any(|p| p == "ServiceHistoryInstance") {
            let Some(h) = s.history.last_mut() else {
                return Ok(());
            };
            if ends(path, &["ServiceHistoryInstance", "ServiceStatus"]) {
                h.0 = Some(value);
            } else if ends(path, &["ServiceHistoryInstance", "StatusStartingTime"]) {
                h.1 = Some(value);
            }
        } else if ends(path, &["ServiceInformation", "ServiceTypeIdentifier"]) {
            s.kind = value;
        } else if ends(path, &["ServiceInformation", "ServiceName", "Name"]) {
            s.name.get_or_insert(value);
        } else if ends(path, &["ServiceInformation", "ServiceStatus"]) {
            s.status = Some(value);
        } else if ends(path, &["ServiceInformation", "StatusStartingTime"]) {
            s.from = Some(value);
        } else if ends(path, &["AdditionalServiceInformation", "URI"]) {
            s.purposes.push(value);
        } else if ends(
            path,
            &["ServiceDigitalIdentity", "DigitalId", "X509Certificate"],
        ) {
            let clean: String = value.split_whitespace().collect();
            let der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, clean)
                .map_err(|_| "an X509Certificate is not base64".to_string())?;
            s.certificates.push(der);
        }
    }
    Ok(())
}

fn time(value: Option<&str>, what: &str) -> Result<DateTime<Utc>, String> {
    let v = value.ok_or_else(|| format!("{what}: no StatusStartingTime"))?;
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{what}: StatusStartingTime {v} is not a date and time"))
}

fn finish(s: Service, tsp: Option<&str>) -> Result<TrustedService, String> {
    let name = s.name.unwrap_or_else(|| "(unnamed service)".into());
    let what = format!("service “{name}”");
    let status = s
        .status
        .ok_or_else(|| format!("{what}: no ServiceStatus"))?;
    if s.certificates.is_empty() {
        return Err(format!(
            "{what}: no X509Certificate in its ServiceDigitalIdentity"
        ));
    }
    let mut history = Vec::new();
    for (st, from) in s.history {
        let st = st.ok_or_else(|| format!("{what}: a history entry has no ServiceStatus"))?;
        history.push(StatusPeriod {
            status: st,
            from: time(from.as_deref(), &what)?,
        });
    }
    Ok(TrustedService {
        list_key: String::new(),
        territory: String::new(),
        tsp_name: tsp.unwrap_or("(unnamed provider)").to_string(),
        current: StatusPeriod {
            from: time(s.from.as_deref(), &what)?,
            status,
        },
        service_name: name,
        history,
        certificates: s.certificates,
        purposes: s.purposes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = r#"<?xml version="1.0"?>
<tsl:TrustServiceStatusList xmlns:tsl="http://uri.etsi.org/02231/v2#">
 <tsl:SchemeInformation><tsl:SchemeTerritory>XT</tsl:SchemeTerritory></tsl:SchemeInformation>
 <tsl:TrustServiceProviderList><tsl:TrustServiceProvider>
  <tsl:TSPInformation><tsl:TSPName><tsl:Name>A &amp; B</tsl:Name><tsl:Name>Second</tsl:Name></tsl:TSPName></tsl:TSPInformation>
  <tsl:TSPServices><tsl:TSPService><tsl:ServiceInformation>
   <tsl:ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</tsl:ServiceTypeIdentifier>
   <tsl:ServiceName><tsl:Name>QWAC CA</tsl:Name></tsl:ServiceName>
   <tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509Certificate>AQID
   BA==</tsl:X509Certificate></tsl:DigitalId></tsl:ServiceDigitalIdentity>
   <tsl:ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted</tsl:ServiceStatus>
   <tsl:StatusStartingTime>2019-01-01T00:00:00Z</tsl:StatusStartingTime>
  </tsl:ServiceInformation><tsl:ServiceHistory><tsl:ServiceHistoryInstance>
   <tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509Certificate>BQY=</tsl:X509Certificate></tsl:DigitalId></tsl:ServiceDigitalIdentity>
   <tsl:ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/undersupervision</tsl:ServiceStatus>
   <tsl:StatusStartingTime>2016-06-30T22:00:00Z</tsl:StatusStartingTime>
  </tsl:ServiceHistoryInstance></tsl:ServiceHistory></tsl:TSPService></tsl:TSPServices>
 </tsl:TrustServiceProvider></tsl:TrustServiceProviderList>
</tsl:TrustServiceStatusList>"#;

    #[test]
    fn a_prefixed_list_gives_its_service_certificates_status_and_history_but_not_historic_certificates()
     {
        let list = read(LIST.as_bytes(), "file.xml").unwrap();
        assert_eq!(list.territory, "XT");
        let [s] = list.services.as_slice() else {
            panic!("one service: {:?}", list.services);
        };
        assert_eq!(s.list_key, "XT");
        assert_eq!(s.tsp_name, "A & B");
        assert_eq!(s.service_name, "QWAC CA");
        assert_eq!(s.certificates, vec![vec![1, 2, 3, 4]]);
        assert_eq!(s.current.status, GRANTED);
        assert_eq!(s.history.len(), 1);
        assert!(s.history[0].status.ends_with("undersupervision"));
    }

    #[test]
    fn truncated_or_foreign_xml_is_refused_with_a_reason() {
        let cut = &LIST[..LIST.len() / 2];
        assert!(
            read(cut.as_bytes(), "f")
                .unwrap_err()
                .contains("ends inside")
        );
        assert!(read("<a><b></a>".as_bytes(), "f").is_err());
        assert!(
            read("<html/>".as_bytes(), "f").is_err(),
            "an empty root is not a list"
        );
        let no_status = LIST.replace("<tsl:ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted</tsl:ServiceStatus>", "");
        assert!(
            read(no_status.as_bytes(), "f")
                .unwrap_err()
                .contains("no ServiceStatus")
        );
    }
}
