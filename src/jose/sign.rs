//! Signing JWTs with Onramp's own keys (ES256 by default, PS256 by configuration).

use super::b64;
use super::jws::{Alg, JoseError};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use serde_json::{Value, json};

enum Pair {
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

/// A private signing key with its `kid`. Never printed.
pub struct SigningKey {
    /// Key id.
    pub kid: String,
    /// Algorithm.
    pub alg: Alg,
    pair: Pair,
    rng: SystemRandom,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A new ES256 key; returns it with its PKCS#8 DER for storage.
    pub fn generate_es256(kid: String) -> Result<(Self, Vec<u8>), JoseError> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| JoseError::Malformed("key generation failed".into()))?;
        let der = pkcs8.as_ref().to_vec();
        Ok((Self::from_pkcs8(kid, Alg::Es256, &der)?, der))
    }

    /// Loads a key from PKCS#8 DER.
    pub fn from_pkcs8(kid: String, alg: Alg, der: &[u8]) -> Result<Self, JoseError> {
        let rng = SystemRandom::new();
        let pair = match alg {
            Alg::Es256 => Pair::Ec(
                EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, der, &rng)
                    .map_err(|_| JoseError::KeyMismatch("ES256"))?,
            ),
            Alg::Ps256 => {
                Pair::Rsa(RsaKeyPair::from_pkcs8(der).map_err(|_| JoseError::KeyMismatch("PS256"))?)
            }
        };
        Ok(Self {
            kid,
            alg,
            pair,
            rng,
        })
    }

    /// The public JWK.
    pub fn public_jwk(&self) -> Value {
        match &self.pair {
            Pair::Ec(p) => {
                let pt = p.public_key().as_ref();
                json!({ "kty": "EC", "crv": "P-256", "x": b64(&pt[1..33]), "y": b64(&pt[33..65]),
                        "kid": self.kid, "use": "sig", "alg": "ES256" })
            }
            Pair::Rsa(p) => {
                let c = p.public().into();
                let comps: ring::rsa::PublicKeyComponents<Vec<u8>> = c;
                json!({ "kty": "RSA", "n": b64(&comps.n), "e": b64(&comps.e),
                        "kid": self.kid, "use": "sig", "alg": "PS256" })
            }
        }
    }

    /// Signs claims as a compact JWS with `typ` in the header.
    pub fn sign<T: serde::Serialize + ?Sized>(
        &self,
        typ: &str,
        claims: &T,
    ) -> Result<String, JoseError> {
        #[derive(serde::Serialize)]
        struct Header<'a> {
            alg: &'a str,
            kid: &'a str,
            typ: &'a str,
        }
        let unserialisable = |_| JoseError::Malformed("the claims do not serialise".into());
        let header = serde_json::to_vec(&Header {
            alg: self.alg.as_str(),
            kid: &self.kid,
            typ,
        })
        .map_err(unserialisable)?;
        let payload = serde_json::to_vec(claims).map_err(unserialisable)?;
        let mut out = String::with_capacity((header.len() + payload.len()) * 4 / 3 + 400);
        URL_SAFE_NO_PAD.encode_string(&header, &mut out);
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut out);
        let sig = match &self.pair {
            Pair::Ec(p) => p
                .sign(&self.rng, out.as_bytes())
                .map_err(|_| JoseError::BadSignature)?
                .as_ref()
                .to_vec(),
            Pair::Rsa(p) => {
                let mut sig = vec![0u8; p.public().modulus_len()];
                p.sign(
                    &signature::RSA_PSS_SHA256,
                    &self.rng,
                    out.as_bytes(),
                    &mut sig,
                )
                .map_err(|_| JoseError::BadSignature)?;
                sig
            }
        };
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(&sig, &mut out);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::{JwkSet, decode};

    #[test]
    fn signed_tokens_verify_and_tampering_or_other_algs_fail() {
        let (key, _) = SigningKey::generate_es256("k1".into()).unwrap();
        let jwks = JwkSet::parse(&json!({ "keys": [key.public_jwk()] })).unwrap();
        let token = key.sign("JWT", &json!({ "sub": "c1" })).unwrap();
        let jws = decode(&token).unwrap();
        assert!(jws.verify(&jwks).is_ok());
        assert_eq!(jws.str_claim("sub"), Some("c1"));

        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = b64(br#"{"sub":"c2"}"#);
        parts[1] = &forged;
        assert_eq!(
            decode(&parts.join(".")).unwrap().verify(&jwks),
            Err(JoseError::BadSignature)
        );

        for alg in ["none", "HS256", "RS256", "ES384"] {
            let h = b64(format!(r#"{{"alg":"{alg}","kid":"k1"}}"#).as_bytes());
            let t = format!("{h}.{}.{}", b64(b"{}"), b64(b"sig"));
            assert_eq!(
                decode(&t).unwrap_err(),
                JoseError::UnsupportedAlg(alg.into())
            );
        }
        let h = b64(br#"{"alg":"ES256","crit":["b64"],"b64":false}"#);
        assert!(matches!(
            decode(&format!("{h}.{}.{}", b64(b"{}"), b64(b"s"))),
            Err(JoseError::Crit(_))
        ));
        assert!(decode("a.b").is_err());
    }

    #[test]
    fn an_unknown_kid_or_a_key_of_another_type_is_refused() {
        let (key, _) = SigningKey::generate_es256("k1".into()).unwrap();
        let token = key.sign("JWT", &json!({})).unwrap();
        let (other, _) = SigningKey::generate_es256("k2".into()).unwrap();
        let jwks = JwkSet::parse(&json!({ "keys": [other.public_jwk()] })).unwrap();
        assert_eq!(
            decode(&token).unwrap().verify(&jwks),
            Err(JoseError::UnknownKid("k1".into()))
        );
        let private =
            json!({ "keys": [{ "kty": "EC", "crv": "P-256", "x": "a", "y": "b", "d": "c" }] });
        assert!(JwkSet::parse(&private).is_err());
    }
}
