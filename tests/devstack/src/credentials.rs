//! Temporary credentials issued by the identity pool and STS, remembered so that
//! the API Gateway and S3 can find the secret, session token, role and identity
//! behind an access key id.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::ids;

#[derive(Debug, Clone)]
pub struct Issued {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    /// Role name in devstack.toml (`admin`, ...).
    pub role: String,
    pub role_arn: String,
    /// IdentityId: the value of `${cognito-identity.amazonaws.com:sub}`.
    pub identity_id: String,
    pub identity_pool_id: String,
    /// The session name in `assumed-role/<role>/<session>`.
    pub session_name: String,
    /// Epoch seconds.
    pub expiration: u64,
}

impl Issued {
    pub fn expired(&self, now: u64) -> bool {
        now >= self.expiration
    }
}

/// What a new set of credentials is for.
pub struct Grant<'a> {
    pub role: &'a str,
    pub role_arn: String,
    pub identity_id: &'a str,
    pub identity_pool_id: &'a str,
    pub session_name: &'a str,
    pub lifetime: u64,
}

#[derive(Default)]
pub struct CredentialStore {
    by_key: Mutex<HashMap<String, Arc<Issued>>>,
}

/// Expired credentials are kept this long so that their use is answered
/// "expired" (as AWS does) rather than "invalid".
const KEEP_EXPIRED_SECS: u64 = 24 * 3600;

impl CredentialStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn issue(&self, grant: Grant<'_>, now: u64) -> Arc<Issued> {
        let issued = Arc::new(Issued {
            // ASIA: AWS's prefix for temporary (session) access keys.
            access_key_id: format!("ASIA{}", ids::random_from(ids::UPPER_ALNUM, 16)),
            secret_access_key: ids::random_from(ids::SECRET_CHARS, 40),
            session_token: ids::random_base64(96),
            role: grant.role.to_string(),
            role_arn: grant.role_arn,
            identity_id: grant.identity_id.to_string(),
            identity_pool_id: grant.identity_pool_id.to_string(),
            session_name: grant.session_name.to_string(),
            expiration: now.saturating_add(grant.lifetime),
        });
        let mut map = self.by_key.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, c| c.expiration.saturating_add(KEEP_EXPIRED_SECS) > now);
        map.insert(issued.access_key_id.clone(), issued.clone());
        issued
    }

    pub fn get(&self, access_key_id: &str) -> Option<Arc<Issued>> {
        self.by_key
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(access_key_id)
            .cloned()
    }
}

/// Why a presented (access key, session token) pair is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown access key, or a session token that is missing or not its own.
    Invalid,
    Expired,
}

impl CredentialStore {
    /// The credentials behind `access_key_id` if `session_token` is theirs and
    /// they have not expired.
    pub fn check(
        &self,
        access_key_id: &str,
        session_token: Option<&str>,
        now: u64,
    ) -> Result<Arc<Issued>, Refusal> {
        let issued = self.get(access_key_id).ok_or(Refusal::Invalid)?;
        let token_ok = session_token
            .is_some_and(|t| constant_time_eq(t.as_bytes(), issued.session_token.as_bytes()));
        if !token_ok {
            return Err(Refusal::Invalid);
        }
        if issued.expired(now) {
            return Err(Refusal::Expired);
        }
        Ok(issued)
    }
}

/// Comparison whose time does not depend on where the inputs differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(lifetime: u64) -> Grant<'static> {
        Grant {
            role: "user",
            role_arn: "arn:aws:iam::1:role/cognito-sigv4-user".into(),
            identity_id: "us-east-1:x",
            identity_pool_id: "us-east-1:p",
            session_name: "CognitoIdentityCredentials",
            lifetime,
        }
    }

    #[test]
    fn issues_distinct_aws_shaped_credentials() {
        let store = CredentialStore::new();
        let a = store.issue(grant(60), 1000);
        let b = store.issue(grant(60), 1000);
        assert_ne!(a.access_key_id, b.access_key_id);
        assert!(a.access_key_id.starts_with("ASIA") && a.access_key_id.len() == 20);
        assert_eq!(a.secret_access_key.len(), 40);
        assert_eq!(a.expiration, 1060);
        assert_eq!(
            store.get(&a.access_key_id).unwrap().identity_id,
            "us-east-1:x"
        );
    }

    #[test]
    fn checks_token_and_expiry() {
        let store = CredentialStore::new();
        let c = store.issue(grant(60), 1000);
        let token = c.session_token.as_str();
        assert!(store.check(&c.access_key_id, Some(token), 1059).is_ok());
        assert_eq!(
            store
                .check(&c.access_key_id, Some(token), 1060)
                .unwrap_err(),
            Refusal::Expired
        );
        assert_eq!(
            store.check(&c.access_key_id, None, 1000).unwrap_err(),
            Refusal::Invalid
        );
        assert_eq!(
            store.check(&c.access_key_id, Some("x"), 1000).unwrap_err(),
            Refusal::Invalid
        );
        assert_eq!(
            store.check("ASIANOPE", Some(token), 1000).unwrap_err(),
            Refusal::Invalid
        );
    }

    #[test]
    fn forgets_long_expired_credentials() {
        let store = CredentialStore::new();
        let old = store.issue(grant(1), 0);
        store.issue(grant(1), KEEP_EXPIRED_SECS + 10);
        assert!(store.get(&old.access_key_id).is_none());
    }
}
