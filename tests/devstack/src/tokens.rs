//! JWT verification: RS256 signatures against a set of keys by `kid` (with
//! jsonwebtoken), then the claim checks Cognito makes, done by hand so that each
//! failure can be worded as AWS words it.

use std::collections::HashMap;
use std::fmt;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// Not three base64url parts of JSON.
    Malformed,
    UnsupportedAlgorithm,
    UnknownKey,
    BadSignature,
    MissingClaim(&'static str),
    Expired {
        now: u64,
        exp: u64,
    },
    WrongIssuer,
    WrongAudience,
    WrongTokenUse {
        expected: &'static str,
    },
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::Malformed => write!(f, "not a JWT"),
            TokenError::UnsupportedAlgorithm => write!(f, "algorithm is not RS256"),
            TokenError::UnknownKey => write!(f, "signed by an unknown key"),
            TokenError::BadSignature => write!(f, "signature does not verify"),
            TokenError::MissingClaim(c) => write!(f, "missing claim {c}"),
            TokenError::Expired { now, exp } => write!(f, "expired: {now} >= {exp}"),
            TokenError::WrongIssuer => write!(f, "wrong issuer"),
            TokenError::WrongAudience => write!(f, "wrong audience"),
            TokenError::WrongTokenUse { expected } => write!(f, "token_use is not {expected}"),
        }
    }
}

/// The verified payload of a token.
#[derive(Debug, Clone, Default)]
pub struct Claims(pub Map<String, Value>);

impl Claims {
    pub fn str(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }

    pub fn sub(&self) -> Option<&str> {
        self.str("sub")
    }

    pub fn exp(&self) -> Option<u64> {
        let v = self.0.get("exp")?;
        v.as_u64()
            .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
    }

    /// A claim that is a string or a list of strings, as a list.
    pub fn strings(&self, name: &str) -> Vec<String> {
        match self.0.get(name) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn groups(&self) -> Vec<String> {
        self.strings("cognito:groups")
    }

    /// `cognito:roles` if the token carries it (moto's do not).
    pub fn roles(&self) -> Option<Vec<String>> {
        self.0
            .contains_key("cognito:roles")
            .then(|| self.strings("cognito:roles"))
    }

    /// OAuth scopes: the space-separated `scope` claim.
    pub fn scopes(&self) -> Vec<&str> {
        self.str("scope")
            .map_or_else(Vec::new, |s| s.split_whitespace().collect())
    }
}

/// Public keys by `kid`.
#[derive(Default)]
pub struct KeySet {
    keys: HashMap<String, DecodingKey>,
}

impl KeySet {
    pub fn new() -> Self {
        Self::default()
    }

    /// The RSA keys of a JWKS document (others are skipped: Cognito's are all RSA).
    pub fn from_jwks(jwks: &JwkSet) -> Result<Self, String> {
        let mut set = Self::new();
        for jwk in &jwks.keys {
            let Some(kid) = jwk.common.key_id.clone() else {
                continue;
            };
            if let Ok(key) = DecodingKey::from_jwk(jwk) {
                if key.family() == jsonwebtoken::AlgorithmFamily::Rsa {
                    set.insert(kid, key);
                }
            }
        }
        if set.keys.is_empty() {
            return Err("the JWKS has no RSA key with a kid".into());
        }
        Ok(set)
    }

    pub fn insert(&mut self, kid: impl Into<String>, key: DecodingKey) {
        self.keys.insert(kid.into(), key);
    }

    /// Checks the RS256 signature and returns the claims, unchecked.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::RS256 {
            return Err(TokenError::UnsupportedAlgorithm);
        }
        let key = header
            .kid
            .as_deref()
            .and_then(|k| self.keys.get(k))
            .ok_or(TokenError::UnknownKey)?;
        // Claims are checked by the callers, each with its own words.
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        match jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation) {
            Ok(data) => Ok(Claims(data.claims)),
            Err(e) if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::InvalidSignature) => {
                Err(TokenError::BadSignature)
            }
            Err(_) => Err(TokenError::Malformed),
        }
    }
}

/// Checks `exp` against `now` (Cognito allows no leeway).
pub fn check_exp(claims: &Claims, now: u64) -> Result<(), TokenError> {
    let exp = claims.exp().ok_or(TokenError::MissingClaim("exp"))?;
    if now >= exp {
        return Err(TokenError::Expired { now, exp });
    }
    Ok(())
}

/// The user pool's tokens: signed by moto's JWKS or the devstack's key (which
/// issues the client-credentials tokens), issued by `issuer`.
pub struct UserPoolTokens {
    keys: KeySet,
    issuer: String,
}

impl UserPoolTokens {
    pub fn new(keys: KeySet, issuer: impl Into<String>) -> Self {
        Self {
            keys,
            issuer: issuer.into(),
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    fn common(&self, token: &str, now: u64, token_use: &'static str) -> Result<Claims, TokenError> {
        let claims = self.keys.verify(token)?;
        if claims.sub().is_none() {
            return Err(TokenError::MissingClaim("sub"));
        }
        check_exp(&claims, now)?;
        if claims.str("iss") != Some(self.issuer.as_str()) {
            return Err(TokenError::WrongIssuer);
        }
        if claims.str("token_use") != Some(token_use) {
            return Err(TokenError::WrongTokenUse {
                expected: token_use,
            });
        }
        Ok(claims)
    }

    /// An IdToken whose `aud` is one of `audiences`.
    pub fn id_token(
        &self,
        token: &str,
        now: u64,
        audiences: &[&str],
    ) -> Result<Claims, TokenError> {
        let claims = self.common(token, now, "id")?;
        if !claims
            .strings("aud")
            .iter()
            .any(|a| audiences.contains(&a.as_str()))
        {
            return Err(TokenError::WrongAudience);
        }
        Ok(claims)
    }

    /// An access token whose `client_id` is one of `clients`.
    pub fn access_token(
        &self,
        token: &str,
        now: u64,
        clients: &[&str],
    ) -> Result<Claims, TokenError> {
        let claims = self.common(token, now, "access")?;
        if !claims
            .str("client_id")
            .is_some_and(|c| clients.contains(&c))
        {
            return Err(TokenError::WrongAudience);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{self, Minter};
    use serde_json::json;

    fn pool(minter: &Minter) -> UserPoolTokens {
        UserPoolTokens::new(minter.keyset(), minter.issuer.clone())
    }

    #[test]
    fn accepts_a_valid_id_token_and_reads_its_claims() {
        let m = testkit::minter();
        let t = m.id_token("sub-1", &["admin", "user"], 3600);
        let c = pool(&m)
            .id_token(&t, testkit::now(), &[&m.client_id])
            .unwrap();
        assert_eq!(c.sub(), Some("sub-1"));
        assert_eq!(c.groups(), vec!["admin", "user"]);
        assert_eq!(c.roles(), None);
    }

    #[test]
    fn refuses_expired_foreign_misdirected_and_misused_tokens() {
        let m = testkit::minter();
        let p = pool(&m);
        let now = testkit::now();
        let aud = [m.client_id.as_str()];

        let expired = m.id_token("s", &[], -10);
        assert!(matches!(
            p.id_token(&expired, now, &aud),
            Err(TokenError::Expired { .. })
        ));

        let other = testkit::Minter::new(m.issuer.clone(), m.client_id.clone());
        let foreign = other.id_token("s", &[], 3600);
        // Same kid, different key: the signature fails.
        assert_eq!(
            p.id_token(&foreign, now, &aud).unwrap_err(),
            TokenError::BadSignature
        );

        let wrong_aud =
            m.sign(json!({"sub":"s","iss":m.issuer,"aud":"other","token_use":"id","exp":now+60}));
        assert_eq!(
            p.id_token(&wrong_aud, now, &aud).unwrap_err(),
            TokenError::WrongAudience
        );

        let wrong_iss = m.sign(
            json!({"sub":"s","iss":"https://evil","aud":m.client_id,"token_use":"id","exp":now+60}),
        );
        assert_eq!(
            p.id_token(&wrong_iss, now, &aud).unwrap_err(),
            TokenError::WrongIssuer
        );

        let access = m.access_token("s", &m.client_id, "openid", 3600);
        assert!(matches!(
            p.id_token(&access, now, &aud),
            Err(TokenError::WrongTokenUse { .. })
        ));
        assert!(p.access_token(&access, now, &aud).is_ok());
        assert_eq!(
            p.access_token(&access, now, &["x"]).unwrap_err(),
            TokenError::WrongAudience
        );

        assert_eq!(
            p.id_token("a.b.c", now, &aud).unwrap_err(),
            TokenError::Malformed
        );
        assert_eq!(
            p.id_token("", now, &aud).unwrap_err(),
            TokenError::Malformed
        );

        // Tampering with the payload breaks the signature.
        let t = m.id_token("s", &[], 3600);
        let parts: Vec<&str> = t.split('.').collect();
        let evil = testkit::b64(
            &json!({"sub":"root","iss":m.issuer,"aud":m.client_id,"token_use":"id","exp":now+60}),
        );
        let forged = format!("{}.{}.{}", parts[0], evil, parts[2]);
        assert_eq!(
            p.id_token(&forged, now, &aud).unwrap_err(),
            TokenError::BadSignature
        );
    }

    #[test]
    fn refuses_unknown_kid_and_other_algorithms() {
        let m = testkit::minter();
        let p = pool(&m);
        let hs = jsonwebtoken::encode(
            &jsonwebtoken::Header {
                kid: Some(m.kid().into()),
                ..jsonwebtoken::Header::new(Algorithm::HS256)
            },
            &json!({"sub":"s"}),
            &jsonwebtoken::EncodingKey::from_secret(b"k"),
        )
        .unwrap();
        assert_eq!(
            p.id_token(&hs, 0, &["x"]).unwrap_err(),
            TokenError::UnsupportedAlgorithm
        );
        let stranger = crate::keys::SigningKey::generate("stranger").unwrap();
        let t = stranger.sign(&json!({"sub":"s"})).unwrap();
        assert_eq!(
            p.id_token(&t, 0, &["x"]).unwrap_err(),
            TokenError::UnknownKey
        );
    }
}
