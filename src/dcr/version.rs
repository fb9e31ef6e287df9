//! The OB DCR versions and what differs between them.

/// A DCR spec version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// v3.2.
    V3_2,
    /// v3.3 (adds CIBA); `/register` follows it.
    V3_3,
    /// v3.4 (`application_type` web|native, jwt-bearer grant, DN pattern).
    V3_4,
}

impl Version {
    /// From a path's version segment.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "v3.2" => Some(Self::V3_2),
            "v3.3" => Some(Self::V3_3),
            "v3.4" => Some(Self::V3_4),
            _ => None,
        }
    }

    /// Accepted `application_type` values.
    pub fn application_types(self) -> &'static [&'static str] {
        match self {
            Self::V3_4 => &["web", "native"],
            _ => &["web", "mobile"],
        }
    }

    /// Grant types this version knows.
    pub fn grant_types(self) -> &'static [&'static str] {
        match self {
            Self::V3_2 => &["client_credentials", "authorization_code", "refresh_token"],
            Self::V3_3 => &[
                "client_credentials",
                "authorization_code",
                "refresh_token",
                "urn:openid:params:grant-type:ciba",
            ],
            Self::V3_4 => &[
                "client_credentials",
                "authorization_code",
                "refresh_token",
                "urn:openid:params:grant-type:ciba",
                "urn:ietf:params:oauth:grant-type:jwt-bearer",
            ],
        }
    }

    /// Longest `tls_client_auth_subject_dn`.
    pub fn max_dn_len(self) -> usize {
        if self == Self::V3_4 { 512 } else { 128 }
    }

    /// Whether the CIBA fields exist in this version.
    pub fn has_ciba(self) -> bool {
        self != Self::V3_2
    }
}
