//! A test QTSP for trusted lists and revocation: a CA whose eIDAS certificates name an OCSP
//! responder and a CRL on a stand-in HTTP server run by the test. The stand-in serves a CRL
//! signed by the CA and OCSP answers built and signed here (good or revoked), or answers 500 as
//! a responder that is down. It counts what it is asked.

use super::Identity;
use super::eidas::{EidasSpec, oid, seq, tlv};
use super::pki::{ca_params, client_params, sign};
use rcgen::{
    CertificateParams, CrlDistributionPoint, CustomExtension, DnType, Issuer, KeyPair, SerialNumber,
};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use x509_cert::der::asn1::{BitString, GeneralizedTime, Null, ObjectIdentifier};
use x509_cert::der::{Decode, Encode};
use x509_ocsp::{
    BasicOcspResponse, CertStatus, OcspGeneralizedTime, OcspRequest, OcspResponse, ResponderId,
    ResponseData, RevokedInfo, SingleResponse,
};

/// What the OCSP responder answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ocsp {
    /// `good`.
    Good,
    /// `revoked`, key compromise, a day ago.
    Revoked,
    /// HTTP 500.
    Down,
}

/// The stand-in's state, changed by the test as it goes.
pub struct StandIn {
    /// The CRL served at `/crl` (404 without one).
    pub crl: Option<Vec<u8>>,
    /// What `/ocsp` answers.
    pub ocsp: Ocsp,
    /// How many OCSP requests came.
    pub ocsp_hits: usize,
    /// How many CRL requests came.
    pub crl_hits: usize,
    /// Sign OCSP answers with a key that is not the CA's.
    pub forge: bool,
    /// Sign OCSP answers as this responder (its certificate, its PKCS#8 key), sent along.
    delegate: Option<(Vec<u8>, Vec<u8>)>,
    ca_pkcs8: Vec<u8>,
    ca_der: Vec<u8>,
}

/// The QTSP.
pub struct Qtsp {
    /// The CA certificate (DER).
    pub ca_der: Vec<u8>,
    /// The CA certificate (PEM).
    pub ca_pem: String,
    /// The stand-in's state.
    pub stand_in: Arc<Mutex<StandIn>>,
    base: String,
    ca_params: CertificateParams,
    ca_key: KeyPair,
}

fn unix_now() -> Duration {
    Duration::from_secs(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
}

fn gt(d: Duration) -> OcspGeneralizedTime {
    OcspGeneralizedTime(GeneralizedTime::from_unix_duration(d).unwrap())
}

impl StandIn {
    fn answer(&mut self, head: &str, body: &[u8]) -> (u16, Vec<u8>) {
        if head.starts_with("GET /crl") {
            self.crl_hits += 1;
            return match &self.crl {
                Some(c) => (200, c.clone()),
                None => (404, Vec::new()),
            };
        }
        if !head.starts_with("POST /ocsp") {
            return (404, Vec::new());
        }
        self.ocsp_hits += 1;
        if self.ocsp == Ocsp::Down {
            return (500, Vec::new());
        }
        let req = OcspRequest::from_der(body).unwrap();
        let id = req.tbs_request.request_list[0].req_cert.clone();
        let now = unix_now();
        let status = match self.ocsp {
            Ocsp::Revoked => CertStatus::Revoked(RevokedInfo {
                revocation_time: gt(now - Duration::from_secs(86_400)),
                revocation_reason: Some(x509_cert::ext::pkix::CrlReason::KeyCompromise),
            }),
            _ => CertStatus::Good(Null),
        };
        let ca = x509_cert::Certificate::from_der(&self.ca_der).unwrap();
        let data = ResponseData {
            version: x509_ocsp::Version::V1,
            responder_id: ResponderId::ByName(ca.tbs_certificate.subject),
            produced_at: gt(now),
            responses: vec![SingleResponse {
                cert_id: id,
                cert_status: status,
                this_update: gt(now - Duration::from_secs(60)),
                next_update: Some(gt(now + Duration::from_secs(3 * 3600))),
                single_extensions: None,
            }],
            response_extensions: None,
        };
        let tbs = data.to_der().unwrap();
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = match &self.delegate {
            _ if self.forge => KeyPair::generate().unwrap().serialize_der(),
            Some((_, key)) => key.clone(),
            None => self.ca_pkcs8.clone(),
        };
        let certs = self
            .delegate
            .as_ref()
            .map(|(der, _)| vec![x509_cert::Certificate::from_der(der).unwrap()]);
        let key = ring::signature::EcdsaKeyPair::from_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
            &pkcs8,
            &rng,
        )
        .unwrap();
        let sig = key.sign(&rng, &tbs).unwrap();
        let basic = BasicOcspResponse {
            tbs_response_data: data,
            signature_algorithm: x509_cert::spki::AlgorithmIdentifierOwned {
                oid: ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2"),
                parameters: None,
            },
            signature: BitString::from_bytes(sig.as_ref()).unwrap(),
            certs,
        };
        (
            200,
            OcspResponse::successful(basic).unwrap().to_der().unwrap(),
        )
    }
}

async fn serve(listener: tokio::net::TcpListener, state: Arc<Mutex<StandIn>>) {
    loop {
        let Ok((mut s, _)) = listener.accept().await else {
            return;
        };
        let state = state.clone();
        tokio::spawn(async move {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head, body) = loop {
                let n = s.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&buf[..end]).to_string();
                let len = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if buf.len() >= end + 4 + len {
                    break (head, buf[end + 4..end + 4 + len].to_vec());
                }
            };
            let (status, bytes) = state.lock().unwrap().answer(&head, &body);
            let reply = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                bytes.len()
            );
            let _ = s.write_all(reply.as_bytes()).await;
            let _ = s.write_all(&bytes).await;
        });
    }
}

impl Qtsp {
    /// A CA named `name` with its stand-in server running.
    pub async fn start(name: &str) -> Self {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = ca_params();
        ca_params.distinguished_name.push(DnType::CommonName, name);
        ca_params
            .distinguished_name
            .push(DnType::OrganizationName, "Test QTSP");
        ca_params.not_before = rcgen::date_time_ymd(2018, 1, 1);
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let stand_in = Arc::new(Mutex::new(StandIn {
            crl: None,
            ocsp: Ocsp::Good,
            ocsp_hits: 0,
            crl_hits: 0,
            forge: false,
            delegate: None,
            ca_pkcs8: ca_key.serialize_der(),
            ca_der: ca.der().to_vec(),
        }));
        tokio::spawn(serve(listener, stand_in.clone()));
        Self {
            ca_der: ca.der().to_vec(),
            ca_pem: ca.pem(),
            stand_in,
            base,
            ca_params,
            ca_key,
        }
    }

    /// A QWAC of Acme TPP Ltd with serial `serial`, valid from `from` to `to` (year, month, day), naming the
    /// stand-in's OCSP responder and CRL.
    pub fn qwac(
        &self,
        serial: u64,
        spec: &EidasSpec,
        from: (i32, u8, u8),
        to: (i32, u8, u8),
    ) -> Identity {
        let cn = format!("acme-{serial}");
        let (mut p, dn) = client_params(&cn, &spec.legal_name, spec.org_id.as_deref());
        p.serial_number = Some(SerialNumber::from(serial));
        p.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
        p.not_after = rcgen::date_time_ymd(to.0, to.1, to.2);
        p.crl_distribution_points = vec![CrlDistributionPoint {
            uris: vec![format!("{}/crl", self.base)],
        }];
        // Authority Information Access: id-ad-ocsp, a URI ([6] IA5String).
        let aia = seq(&[seq(&[
            oid("1.3.6.1.5.5.7.48.1"),
            tlv(0x86, format!("{}/ocsp", self.base).as_bytes()),
        ])]);
        p.custom_extensions = vec![
            CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 3], spec.qc_statements()),
            CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], aia),
        ];
        sign(p, dn, &Issuer::from_params(&self.ca_params, &self.ca_key))
    }

    /// Publishes a CRL that revokes `serials` (key compromise, 1 June 2026).
    pub fn revoke_on_crl(&self, serials: &[u64]) {
        let crl = rcgen::CertificateRevocationListParams {
            this_update: rcgen::date_time_ymd(2026, 1, 1),
            next_update: rcgen::date_time_ymd(2030, 1, 1),
            crl_number: SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs: serials
                .iter()
                .map(|s| rcgen::RevokedCertParams {
                    serial_number: SerialNumber::from(*s),
                    revocation_time: rcgen::date_time_ymd(2026, 6, 1),
                    reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        }
        .signed_by(&Issuer::from_params(&self.ca_params, &self.ca_key))
        .unwrap();
        self.stand_in.lock().unwrap().crl = Some(crl.der().to_vec());
    }

    /// Has OCSP answered by a responder certificate the CA issues, for `id-kp-OCSPSigning` or
    /// (`for_ocsp` false) for client authentication only.
    pub fn delegate_ocsp(&self, for_ocsp: bool) {
        let (mut p, _) = client_params("OCSP responder", "Test QTSP", None);
        if for_ocsp {
            p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::OcspSigning];
        }
        let key = KeyPair::generate().unwrap();
        let cert = p
            .signed_by(&key, &Issuer::from_params(&self.ca_params, &self.ca_key))
            .unwrap();
        self.stand_in.lock().unwrap().delegate = Some((cert.der().to_vec(), key.serialize_der()));
    }

    /// Sets what the OCSP responder answers.
    pub fn ocsp(&self, answer: Ocsp) {
        self.stand_in.lock().unwrap().ocsp = answer;
    }

    /// (OCSP requests, CRL requests) so far.
    pub fn hits(&self) -> (usize, usize) {
        let s = self.stand_in.lock().unwrap();
        (s.ocsp_hits, s.crl_hits)
    }
}
