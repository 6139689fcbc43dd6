//! The shared state of every service: the world, the seed, the devstack's key,
//! the identity registry and the issued credentials.

use crate::clock;
use crate::config::{Seed, World};
use crate::credentials::CredentialStore;
use crate::identity::Registry;
use crate::keys::SigningKey;
use crate::tokens::{KeySet, UserPoolTokens};

pub struct App {
    pub world: World,
    pub seed: Seed,
    /// Lifetime of issued credentials, seconds.
    pub credential_lifetime: u64,
    pub key: SigningKey,
    /// Verifies the user pool's tokens (moto's keys and ours).
    pub user_pool: UserPoolTokens,
    /// Verifies Cognito Identity's OpenID tokens (ours only).
    pub identity_keys: KeySet,
    pub identities: Registry,
    pub credentials: CredentialStore,
}

impl App {
    pub fn new(world: World, seed: Seed, credential_lifetime: Option<u64>) -> Result<Self, String> {
        seed.check_against(&world)?;
        let key = SigningKey::generate(format!("devstack-{}", &crate::ids::random_uuid()[..8]))?;
        let mut pool_keys = KeySet::from_jwks(&seed.jwks).map_err(|e| format!("seed jwks: {e}"))?;
        pool_keys.insert(key.kid(), key.decoding_key().clone());
        let mut identity_keys = KeySet::new();
        identity_keys.insert(key.kid(), key.decoding_key().clone());
        Ok(Self {
            credential_lifetime: credential_lifetime.unwrap_or(world.credential_lifetime),
            user_pool: UserPoolTokens::new(pool_keys, seed.issuer.clone()),
            identities: Registry::new(&world),
            credentials: CredentialStore::new(),
            identity_keys,
            key,
            world,
            seed,
        })
    }

    pub fn now(&self) -> u64 {
        clock::now_secs()
    }

    /// The identity pool `Logins` keys accepted for the user pool: the one
    /// derived from `iss` and AWS's canonical form (the same with real Cognito).
    pub fn accepts_provider(&self, key: &str) -> bool {
        let canonical = format!(
            "cognito-idp.{}.amazonaws.com/{}",
            self.world.region, self.seed.user_pool_id
        );
        key == self.seed.logins_key() || key == canonical
    }
}
