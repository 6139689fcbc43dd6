//! The two inputs: `devstack.toml` (the world: roles, policies, identity pools,
//! bucket) and `seed.json` (what `seed.py` created in moto: the user pool, its
//! clients and its JWKS). Both are checked at start-up so that a mistake stops
//! the server with a sentence instead of surfacing as a puzzling 403 later.

use std::collections::BTreeMap;
use std::path::Path;

use jsonwebtoken::jwk::JwkSet;
use serde::{Deserialize, Deserializer};

use crate::policy::{self, Statement};

#[derive(Debug, Clone, Deserialize)]
pub struct World {
    pub region: String,
    pub account_id: String,
    /// API id in execute-api ARNs (stage "v1").
    pub api_id: String,
    /// Lifetime of issued temporary credentials, seconds.
    pub credential_lifetime: u64,
    pub user_pool: UserPool,
    #[serde(default)]
    pub identity_pools: Vec<IdentityPoolConfig>,
    pub s3: S3Config,
    #[serde(default)]
    pub roles: BTreeMap<String, Role>,
    #[serde(default)]
    pub cors: Cors,
}

/// The request headers each kind of endpoint allows cross-origin. A preflight
/// is answered with the configured list, as API Gateway does, never with an
/// echo of what was asked: a client that adds a header the list lacks fails
/// its preflight here as it would on AWS. S3 answers as a bucket whose CORS
/// rule has `AllowedHeaders: ["*"]` (it echoes), the usual SPA setting.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cors {
    /// API Gateway (IAM and JWT routes): the console's default `AllowHeaders`.
    pub api_allow_headers: Vec<String>,
    /// Cognito Identity, STS and the OAuth2 token endpoint.
    pub aws_allow_headers: Vec<String>,
    /// S3: the bucket CORS rule's `AllowedHeaders` (patterns, `*` a
    /// wildcard). `["*"]` echoes whatever is asked, as S3 does.
    pub s3_allowed_headers: Vec<String>,
}

impl Default for Cors {
    fn default() -> Self {
        let list = |names: &[&str]| names.iter().map(|n| n.to_string()).collect();
        Cors {
            api_allow_headers: list(&[
                "Content-Type",
                "X-Amz-Date",
                "Authorization",
                "X-Api-Key",
                "X-Amz-Security-Token",
            ]),
            aws_allow_headers: list(&[
                "Content-Type",
                "X-Amz-Target",
                "X-Amz-User-Agent",
                "X-Amz-Date",
                "X-Amz-Security-Token",
                "X-Amz-Content-Sha256",
                "Authorization",
                "Amz-Sdk-Invocation-Id",
                "Amz-Sdk-Request",
            ]),
            s3_allowed_headers: list(&["*"]),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct UserPool {
    pub name: String,
    pub client_name: String,
    pub m2m_client_name: String,
    pub resource_server: String,
    pub scope: String,
    #[serde(default)]
    pub groups: Vec<Group>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Group {
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct IdentityPoolConfig {
    pub name: String,
    #[serde(default)]
    pub allow_unauthenticated: bool,
    pub authenticated_role: Option<String>,
    pub unauthenticated_role: Option<String>,
    /// Whether the basic (classic) flow, GetOpenIdToken + STS, is enabled.
    #[serde(default)]
    pub allow_classic_flow: bool,
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// A role-mapping rule of an identity pool (Cognito's `MappingRule`).
#[derive(Debug, Clone, Deserialize)]
pub struct Rule {
    pub claim: String,
    #[serde(rename = "match")]
    pub match_type: MatchType,
    pub value: String,
    pub role: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum MatchType {
    Equals,
    Contains,
    StartsWith,
    NotEqual,
}

#[derive(Debug, Clone, Deserialize)]
pub struct S3Config {
    pub bucket: String,
    pub prefix: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Role {
    #[serde(default)]
    pub policy: Vec<Statement>,
}

impl Cors {
    /// Header names only (`*` allowed, as an S3 wildcard or a literal
    /// `Access-Control-Allow-Headers: *`), so that every answer is a valid header.
    fn validate(&self) -> Result<(), String> {
        for (key, list) in [
            ("api_allow_headers", &self.api_allow_headers),
            ("aws_allow_headers", &self.aws_allow_headers),
            ("s3_allowed_headers", &self.s3_allowed_headers),
        ] {
            for name in list {
                let bare = name.replace('*', "x");
                if http::HeaderName::from_bytes(bare.as_bytes()).is_err() {
                    return Err(format!("[cors] {key}: {name:?} is not a header name"));
                }
            }
        }
        Ok(())
    }
}

/// Role ARNs are `arn:aws:iam::<account>:role/cognito-sigv4-<name>` (README contract).
const ROLE_NAME_PREFIX: &str = "cognito-sigv4-";

impl World {
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let world: World = toml::from_str(text).map_err(|e| e.to_string())?;
        world.validate()?;
        Ok(world)
    }

    fn validate(&self) -> Result<(), String> {
        let known = |role: &str, what: String| {
            if self.roles.contains_key(role) {
                Ok(())
            } else {
                Err(format!(
                    "{what} names role {role:?}, which [roles] does not define"
                ))
            }
        };
        for g in &self.user_pool.groups {
            known(&g.role, format!("group {:?}", g.name))?;
        }
        let mut names = std::collections::BTreeSet::new();
        for p in &self.identity_pools {
            if !names.insert(p.name.as_str()) {
                return Err(format!("identity pool {:?} is defined twice", p.name));
            }
            for role in p.authenticated_role.iter().chain(&p.unauthenticated_role) {
                known(role, format!("identity pool {:?}", p.name))?;
            }
            for r in &p.rules {
                known(&r.role, format!("a rule of identity pool {:?}", p.name))?;
            }
        }
        for (name, role) in &self.roles {
            policy::validate(&role.policy).map_err(|e| format!("role {name:?}: {e}"))?;
        }
        if self.identity_pools.is_empty() {
            return Err("no [[identity_pools]]".into());
        }
        self.cors.validate()
    }

    pub fn role_arn(&self, role: &str) -> String {
        format!(
            "arn:aws:iam::{}:role/{ROLE_NAME_PREFIX}{role}",
            self.account_id
        )
    }

    /// The role name of the world's role with this ARN, if any.
    pub fn role_for_arn(&self, arn: &str) -> Option<&str> {
        let prefix = format!("arn:aws:iam::{}:role/{ROLE_NAME_PREFIX}", self.account_id);
        let name = arn.strip_prefix(&prefix)?;
        self.roles.get_key_value(name).map(|(k, _)| k.as_str())
    }

    /// IAM's name of a role (what appears in `assumed-role/<name>/...`).
    pub fn iam_role_name(&self, role: &str) -> String {
        format!("{ROLE_NAME_PREFIX}{role}")
    }

    pub fn policy(&self, role: &str) -> &[Statement] {
        self.roles.get(role).map_or(&[], |r| r.policy.as_slice())
    }

    /// Roles of user-pool groups, as the ARNs Cognito puts in `cognito:roles`.
    pub fn roles_of_groups<'a>(&self, groups: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let mut arns: Vec<String> = Vec::new();
        for g in groups {
            if let Some(group) = self.user_pool.groups.iter().find(|x| x.name == g) {
                let arn = self.role_arn(&group.role);
                if !arns.contains(&arn) {
                    arns.push(arn);
                }
            }
        }
        arns
    }
}

/// `.devstack/seed.json`, written by `seed.py` (README contract).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Seed {
    pub region: String,
    #[serde(deserialize_with = "string_or_number")]
    pub account_id: String,
    pub user_pool_id: String,
    #[serde(default)]
    pub user_pool_endpoint: Option<String>,
    /// The `iss` claim moto puts in its tokens.
    pub issuer: String,
    pub client_id: String,
    pub m2m_client_id: String,
    pub m2m_client_secret: String,
    pub m2m_scope: String,
    pub jwks: JwkSet,
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        S(String),
        N(u64),
    }
    Ok(match Either::deserialize(d)? {
        Either::S(s) => s,
        Either::N(n) => n.to_string(),
    })
}

impl Seed {
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Checks that the seed describes the same world as devstack.toml.
    pub fn check_against(&self, world: &World) -> Result<(), String> {
        if self.region != world.region {
            return Err(format!(
                "seed region {:?} differs from devstack.toml's {:?}",
                self.region, world.region
            ));
        }
        if self.account_id != world.account_id {
            return Err(format!(
                "seed accountId {:?} differs from devstack.toml's {:?}",
                self.account_id, world.account_id
            ));
        }
        if self.jwks.keys.is_empty() {
            return Err("seed jwks has no keys".into());
        }
        Ok(())
    }

    /// The identity pool `Logins` key for this user pool: `iss` without the scheme.
    pub fn logins_key(&self) -> String {
        let iss = self.issuer.trim_end_matches('/');
        iss.split_once("://")
            .map_or(iss, |(_, rest)| rest)
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit;

    #[test]
    fn the_shipped_world_is_valid() {
        let w = testkit::world();
        assert_eq!(
            w.role_arn("admin"),
            "arn:aws:iam::123456789012:role/cognito-sigv4-admin"
        );
        assert_eq!(
            w.role_for_arn("arn:aws:iam::123456789012:role/cognito-sigv4-user"),
            Some("user")
        );
        assert_eq!(
            w.role_for_arn("arn:aws:iam::999999999999:role/cognito-sigv4-user"),
            None
        );
        assert_eq!(
            w.role_for_arn("arn:aws:iam::123456789012:role/cognito-sigv4-nobody"),
            None
        );
        assert_eq!(
            w.roles_of_groups(["admin", "user", "nope"]),
            vec![w.role_arn("admin"), w.role_arn("user")]
        );
        assert!(w.policy("guest").is_empty());
        assert!(w
            .identity_pools
            .iter()
            .any(|p| p.name == "misconfigured" && p.rules.is_empty()));
    }

    #[test]
    fn refuses_dangling_roles_and_bad_policies() {
        let text = testkit::world_text();
        let dangling = text.replace(
            "authenticated_role = \"reader\"",
            "authenticated_role = \"ghost\"",
        );
        assert!(World::parse(&dangling).unwrap_err().contains("ghost"));
        let bad = text.replace("StringLike", "IpAddress");
        assert!(World::parse(&bad).unwrap_err().contains("IpAddress"));
    }

    #[test]
    fn cors_lists_default_and_come_from_the_cors_table() {
        let w = testkit::world();
        assert_eq!(
            w.cors.api_allow_headers.join(","),
            "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"
        );
        for needed in [
            "content-type",
            "x-amz-target",
            "x-amz-user-agent",
            "x-amz-date",
            "x-amz-security-token",
            "authorization",
            "amz-sdk-invocation-id",
            "amz-sdk-request",
        ] {
            assert!(
                w.cors
                    .aws_allow_headers
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(needed)),
                "{needed}"
            );
        }
        assert_eq!(w.cors.s3_allowed_headers, vec!["*".to_string()]);

        let text = testkit::world_text();
        let start = text
            .find("\n[cors]")
            .expect("devstack.toml has a [cors] table");
        let end = text[start + 1..]
            .find("\n[")
            .map_or(text.len(), |i| start + 1 + i);
        let without = format!("{}{}", &text[..start], &text[end..]);
        let defaults = World::parse(&without).unwrap().cors;
        assert_eq!(defaults.api_allow_headers, w.cors.api_allow_headers);
        assert_eq!(defaults.aws_allow_headers, w.cors.aws_allow_headers);
        assert_eq!(defaults.s3_allowed_headers, w.cors.s3_allowed_headers);

        let custom = format!(
            "{without}\n[cors]\napi_allow_headers = [\"Authorization\", \"X-Amz-Date\"]\n\
             s3_allowed_headers = [\"x-amz-*\", \"authorization\"]\n"
        );
        let c = World::parse(&custom).unwrap().cors;
        assert_eq!(c.api_allow_headers, vec!["Authorization", "X-Amz-Date"]);
        assert_eq!(c.aws_allow_headers, w.cors.aws_allow_headers);
        assert_eq!(c.s3_allowed_headers, vec!["x-amz-*", "authorization"]);

        let typo = format!("{without}\n[cors]\napi_allowed_headers = [\"X\"]\n");
        assert!(World::parse(&typo)
            .unwrap_err()
            .contains("api_allowed_headers"));
        let bad = format!("{without}\n[cors]\napi_allow_headers = [\"Content Type\"]\n");
        assert!(World::parse(&bad).unwrap_err().contains("Content Type"));
    }

    #[test]
    fn seed_logins_key_and_consistency() {
        let (seed, _) = testkit::seed();
        assert_eq!(
            seed.logins_key(),
            format!("cognito-idp.us-east-1.amazonaws.com/{}", seed.user_pool_id)
        );
        seed.check_against(&testkit::world()).unwrap();
        let mut other = seed.clone();
        other.region = "eu-west-1".into();
        assert!(other.check_against(&testkit::world()).is_err());
    }
}
