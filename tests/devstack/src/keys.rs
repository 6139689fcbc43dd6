//! The devstack's own RSA key, made at start-up. It signs what AWS would sign
//! with keys we cannot have: Cognito Identity's OpenID tokens (for STS) and the
//! user pool's client-credentials access tokens (the OAuth2 endpoint).

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde::Serialize;
use serde_json::{json, Value};

pub struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    n: String,
    e: String,
}

impl SigningKey {
    /// A fresh 2048-bit key (about 0.1 s with aws-lc).
    pub fn generate(kid: impl Into<String>) -> Result<Self, String> {
        let pair = KeyPair::generate(KeySize::Rsa2048)
            .map_err(|_| "RSA key generation failed".to_string())?;
        let pkcs8 = pair
            .as_der()
            .map_err(|_| "cannot serialize the RSA key".to_string())?;
        // jsonwebtoken wants PKCS#1; its PEM reader unwraps PKCS#8 for us.
        let encoding = EncodingKey::from_rsa_pem(pem("PRIVATE KEY", pkcs8.as_ref()).as_bytes())
            .map_err(|e| format!("cannot load the RSA key: {e}"))?;
        let public = pair.public_key();
        let (n, e) = (
            public.modulus().big_endian_without_leading_zero().to_vec(),
            public.exponent().big_endian_without_leading_zero().to_vec(),
        );
        Ok(Self {
            kid: kid.into(),
            encoding,
            decoding: DecodingKey::from_rsa_raw_components(&n, &e),
            n: URL_SAFE_NO_PAD.encode(&n),
            e: URL_SAFE_NO_PAD.encode(&e),
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn decoding_key(&self) -> &DecodingKey {
        &self.decoding
    }

    /// An RS256 JWT of `claims` with this key's `kid` in the header.
    pub fn sign(&self, claims: &impl Serialize) -> Result<String, String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .map_err(|e| format!("JWT signing failed: {e}"))
    }

    /// The public key as a JWK (what a `jwks.json` lists).
    pub fn jwk(&self) -> Value {
        json!({ "kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid, "n": self.n, "e": self.e })
    }
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{decode, Validation};

    #[test]
    fn signs_tokens_its_public_key_verifies() {
        let key = SigningKey::generate("k1").unwrap();
        let token = key
            .sign(&json!({ "sub": "x", "exp": 4_000_000_000u64 }))
            .unwrap();
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.kid.as_deref(), Some("k1"));
        assert_eq!(header.alg, Algorithm::RS256);
        let data = decode::<Value>(
            &token,
            key.decoding_key(),
            &Validation::new(Algorithm::RS256),
        )
        .unwrap();
        assert_eq!(data.claims["sub"], "x");
        // The JWK form round-trips through jsonwebtoken too.
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(key.jwk()).unwrap();
        let from_jwk = DecodingKey::from_jwk(&jwk).unwrap();
        assert!(decode::<Value>(&token, &from_jwk, &Validation::new(Algorithm::RS256)).is_ok());
    }
}
