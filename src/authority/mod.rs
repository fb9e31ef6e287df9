//! Is this TPP authorised, and for which PSD2 roles? Certificates (ETSI TS 119 495), registers
//! (EBA, CSV, the FCA register API, the directory's claims in an SSA) and the authority-code
//! table, each giving evidence with a verdict (spec/authority.md section 7); EU trusted lists and
//! revocation (OCSP, CRL) for certificates. Knows nothing of HTTP; depends on
//! `config`, `domain` and `store`.

pub mod cert;
pub mod chain;

pub use cert::{CertKind, OrgIdentifier, Psd2Certificate};
pub use chain::{ChainVerdict, TrustRoots};
pub use service::{Authority, AuthorityError};
pub mod cert_check;
pub mod codes;
pub mod commands;
pub mod csv;
pub mod eba;
pub mod eba_zip;
pub mod fca;
pub mod fca_judge;
pub mod finding;
pub mod refresh;
pub mod revocation;
pub mod service;
pub mod sources;
pub mod trust_import;
pub mod trusted;
pub mod tsl;
