//! Grants, one file each. Onramp serves `client_credentials`.

pub mod client_credentials;
