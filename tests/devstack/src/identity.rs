//! Cognito Identity (identity pools), JSON 1.1: GetId, GetCredentialsForIdentity
//! (the enhanced flow) and GetOpenIdToken (the first half of the basic flow).
//!
//! IdentityIds are derived from (pool, provider, `sub`), so a user keeps the
//! same IdentityId across calls and restarts, as with AWS's stored identities.
//! Guest identities are random and remembered in memory.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use http::StatusCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::App;
use crate::config::{IdentityPoolConfig, MatchType, Rule, World};
use crate::credentials::Grant;
use crate::ids;
use crate::tokens::{Claims, TokenError};
use crate::web::{header, response, set_header, Req, Resp};

/// `iss` of the OpenID tokens GetOpenIdToken returns.
pub const OPENID_ISSUER: &str = "https://cognito-identity.amazonaws.com";
/// Lifetime of those tokens (AWS: 10 minutes).
const OPENID_TOKEN_LIFETIME: u64 = 600;
/// The session name of enhanced-flow credentials (`assumed-role/<role>/<this>`).
pub const ENHANCED_SESSION_NAME: &str = "CognitoIdentityCredentials";

const TARGET_PREFIX: &str = "AWSCognitoIdentityService.";
const LOGINS_DONT_MATCH: &str =
    "Logins don't match. Please include at least one valid login for this identity or identity pool.";
const UNAUTH_NOT_SUPPORTED: &str =
    "Unauthenticated access is not supported for this identity pool.";

pub struct Pool {
    pub id: String,
    pub config: IdentityPoolConfig,
}

impl Pool {
    /// Roles whose trust policy lets this pool's identities assume them through
    /// STS: the authenticated side (default role and rule roles) or the guest role.
    pub fn trusted_roles(&self, authenticated: bool) -> Vec<&str> {
        if authenticated {
            let rules = self.config.rules.iter().map(|r| r.role.as_str());
            self.config
                .authenticated_role
                .as_deref()
                .into_iter()
                .chain(rules)
                .collect()
        } else {
            self.config
                .unauthenticated_role
                .as_deref()
                .into_iter()
                .collect()
        }
    }
}

#[derive(Debug, Clone)]
enum Known {
    User { pool_id: String, sub: String },
    Guest { pool_id: String },
}

/// The identity pools of the world and the identities seen so far.
pub struct Registry {
    pools: Vec<Pool>,
    known: Mutex<HashMap<String, Known>>,
}

/// Identity pool ids look like AWS's (`us-east-1:` + UUID) and depend only on
/// the pool's name, so they are stable across restarts.
pub fn pool_id(region: &str, name: &str) -> String {
    format!("{region}:{}", ids::stable_uuid(&["identity-pool", name]))
}

fn user_identity_id(region: &str, pool_id: &str, sub: &str) -> String {
    format!("{region}:{}", ids::stable_uuid(&["identity", pool_id, sub]))
}

impl Registry {
    pub fn new(world: &World) -> Self {
        let pools = world
            .identity_pools
            .iter()
            .map(|c| Pool {
                id: pool_id(&world.region, &c.name),
                config: c.clone(),
            })
            .collect();
        Self {
            pools,
            known: Mutex::new(HashMap::new()),
        }
    }

    pub fn pools(&self) -> &[Pool] {
        &self.pools
    }

    pub fn pool(&self, id: &str) -> Option<&Pool> {
        self.pools.iter().find(|p| p.id == id)
    }

    pub fn pool_by_name(&self, name: &str) -> Option<&Pool> {
        self.pools.iter().find(|p| p.config.name == name)
    }

    fn remember(&self, id: &str, known: Known) {
        self.known
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_string(), known);
    }

    fn lookup(&self, id: &str) -> Option<Known> {
        self.known
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
    }
}

/// An error as Cognito Identity sends it: HTTP 400 (500 for internal errors)
/// with `{"__type": ..., "message": ...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub kind: &'static str,
    pub message: String,
}

impl ApiError {
    fn new(kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
    fn not_authorized(m: impl Into<String>) -> Self {
        Self::new("NotAuthorizedException", m)
    }
    fn not_found(m: impl Into<String>) -> Self {
        Self::new("ResourceNotFoundException", m)
    }
    fn invalid_parameter(m: impl Into<String>) -> Self {
        Self::new("InvalidParameterException", m)
    }
    fn invalid_configuration() -> Self {
        Self::new(
            "InvalidIdentityPoolConfigurationException",
            "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
        )
    }
    // Protocol-level errors come from AWS's front end, whose types carry a
    // namespace prefix (clients must strip everything up to '#').
    fn serialization(m: impl Into<String>) -> Self {
        Self::new("com.amazon.coral.service#SerializationException", m)
    }
    fn unknown_operation() -> Self {
        Self::new("com.amazon.coral.service#UnknownOperationException", "")
    }
    fn internal(m: impl Into<String>) -> Self {
        Self::new("InternalErrorException", m)
    }

    fn status(&self) -> StatusCode {
        if self.kind == "InternalErrorException" {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        }
    }
}

const JSON_11: &str = "application/x-amz-json-1.1";

/// Handles one request to the identity endpoint.
pub fn handle(app: &App, req: &Req) -> Resp {
    let mut resp = match dispatch(app, req) {
        Ok(v) => response(StatusCode::OK, JSON_11, v.to_string()),
        Err(e) => {
            let body = if e.message.is_empty() {
                json!({ "__type": e.kind })
            } else {
                json!({ "__type": e.kind, "message": e.message })
            };
            let mut r = response(e.status(), JSON_11, body.to_string());
            set_header(
                r.headers_mut(),
                "x-amzn-errortype",
                e.kind.rsplit('#').next().unwrap_or(e.kind),
            );
            r
        }
    };
    set_header(resp.headers_mut(), "x-amzn-requestid", &ids::request_id());
    resp
}

fn dispatch(app: &App, req: &Req) -> Result<Value, ApiError> {
    let op = header(req, "x-amz-target")
        .and_then(|t| t.strip_prefix(TARGET_PREFIX))
        .filter(|_| req.method() == http::Method::POST)
        .ok_or_else(ApiError::unknown_operation)?;
    let body: Value = if req.body().iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(req.body()).map_err(|e| ApiError::serialization(e.to_string()))?
    };
    if !body.is_object() {
        return Err(ApiError::serialization(
            "Start of structure or map found where not expected.",
        ));
    }
    match op {
        "GetId" => get_id(app, input(body)?),
        "GetCredentialsForIdentity" => get_credentials(app, input(body)?),
        "GetOpenIdToken" => get_open_id_token(app, input(body)?),
        _ => Err(ApiError::unknown_operation()),
    }
}

fn input<T: DeserializeOwned>(body: Value) -> Result<T, ApiError> {
    serde_json::from_value(body).map_err(|e| ApiError::serialization(e.to_string()))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetIdInput {
    identity_pool_id: Option<String>,
    #[allow(dead_code)] // accepted, like AWS, but only one account exists here
    account_id: Option<String>,
    logins: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetCredentialsInput {
    identity_id: Option<String>,
    logins: Option<BTreeMap<String, String>>,
    custom_role_arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetOpenIdTokenInput {
    identity_id: Option<String>,
    logins: Option<BTreeMap<String, String>>,
}

/// AWS's wording for a failed member constraint.
fn validation(member: &str, value: Option<&str>, constraint: &str) -> ApiError {
    let shown = value.map_or("null".to_string(), |v| format!("'{v}'"));
    ApiError::invalid_parameter(format!(
        "1 validation error detected: Value {shown} at '{member}' failed to satisfy constraint: {constraint}"
    ))
}

/// Identity pool ids and IdentityIds share AWS's pattern `[\w-]+:[0-9a-f-]+`.
fn require_id(member: &str, value: Option<String>) -> Result<String, ApiError> {
    let v = value.ok_or_else(|| validation(member, None, "Member must not be null"))?;
    let ok = v.len() <= 55
        && v.split_once(':').is_some_and(|(region, id)| {
            !region.is_empty()
                && region
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                && !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c) || c == '-')
        });
    if !ok {
        return Err(validation(
            member,
            Some(&v),
            "Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
        ));
    }
    Ok(v)
}

/// A verified login: the user-pool IdToken's claims.
struct Login {
    claims: Claims,
}

impl Login {
    fn sub(&self) -> &str {
        self.claims.sub().unwrap_or_default()
    }
}

fn login_error(e: &TokenError) -> ApiError {
    let why = match e {
        TokenError::Expired { now, exp } => format!("Token expired: {now} >= {exp}"),
        TokenError::WrongIssuer => "Issuer doesn't match providerName".into(),
        TokenError::WrongAudience => "Incorrect token audience.".into(),
        TokenError::UnknownKey | TokenError::BadSignature => "Couldn't verify signed token.".into(),
        TokenError::MissingClaim(c) => format!("Token is missing the {c} claim."),
        TokenError::Malformed
        | TokenError::UnsupportedAlgorithm
        | TokenError::WrongTokenUse { .. } => "Not a valid OpenId Connect identity token.".into(),
    };
    ApiError::not_authorized(format!("Invalid login token. {why}"))
}

/// Checks every entry of `Logins`; `None` when there is none (a guest).
fn verify_logins(
    app: &App,
    logins: Option<BTreeMap<String, String>>,
) -> Result<Option<Login>, ApiError> {
    let mut verified = None;
    for (provider, token) in logins.unwrap_or_default() {
        if !app.accepts_provider(&provider) {
            return Err(ApiError::not_authorized(
                "Token is not from a supported provider of this identity pool.",
            ));
        }
        // The pool's provider is configured with the SPA's app client.
        let claims = app
            .user_pool
            .id_token(&token, app.now(), &[app.seed.client_id.as_str()])
            .map_err(|e| login_error(&e))?;
        verified = Some(Login { claims });
    }
    Ok(verified)
}

fn get_id(app: &App, input: GetIdInput) -> Result<Value, ApiError> {
    let pool_id = require_id("identityPoolId", input.identity_pool_id)?;
    let pool = app
        .identities
        .pool(&pool_id)
        .ok_or_else(|| ApiError::not_found(format!("IdentityPool '{pool_id}' not found.")))?;
    let identity_id = match verify_logins(app, input.logins)? {
        Some(login) => {
            let id = user_identity_id(&app.world.region, &pool.id, login.sub());
            app.identities.remember(
                &id,
                Known::User {
                    pool_id: pool.id.clone(),
                    sub: login.sub().to_string(),
                },
            );
            id
        }
        None => {
            if !pool.config.allow_unauthenticated {
                return Err(ApiError::not_authorized(UNAUTH_NOT_SUPPORTED));
            }
            let id = format!("{}:{}", app.world.region, ids::random_uuid());
            app.identities.remember(
                &id,
                Known::Guest {
                    pool_id: pool.id.clone(),
                },
            );
            id
        }
    };
    Ok(json!({ "IdentityId": identity_id }))
}

/// Who is calling, once their IdentityId and Logins have been checked.
struct Caller<'a> {
    pool: &'a Pool,
    identity_id: String,
    login: Option<Login>,
}

fn resolve<'a>(
    app: &'a App,
    identity_id: Option<String>,
    logins: Option<BTreeMap<String, String>>,
) -> Result<Caller<'a>, ApiError> {
    let identity_id = require_id("identityId", identity_id)?;
    let login = verify_logins(app, logins)?;
    // An identity derived from a valid login exists even if this process has
    // not seen it yet (AWS would have stored it at the first GetId).
    let known = app.identities.lookup(&identity_id).or_else(|| {
        let login = login.as_ref()?;
        app.identities.pools().iter().find_map(|p| {
            (user_identity_id(&app.world.region, &p.id, login.sub()) == identity_id).then(|| {
                Known::User {
                    pool_id: p.id.clone(),
                    sub: login.sub().to_string(),
                }
            })
        })
    });
    let known =
        known.ok_or_else(|| ApiError::not_found(format!("Identity '{identity_id}' not found.")))?;
    let pool_id = match &known {
        Known::User { pool_id, sub } => {
            let login = login.as_ref().ok_or_else(|| {
                ApiError::not_authorized(format!(
                    "Access to Identity '{identity_id}' is forbidden."
                ))
            })?;
            if login.sub() != sub {
                return Err(ApiError::not_authorized(LOGINS_DONT_MATCH));
            }
            pool_id
        }
        Known::Guest { pool_id } => {
            // Linking a guest identity to a login is not modelled: every user
            // already has their own (derived) identity.
            if login.is_some() {
                return Err(ApiError::not_authorized(LOGINS_DONT_MATCH));
            }
            pool_id
        }
    };
    let pool = app
        .identities
        .pool(pool_id)
        .ok_or_else(|| ApiError::internal("identity of an unknown pool"))?;
    if login.is_none() && !pool.config.allow_unauthenticated {
        return Err(ApiError::not_authorized(UNAUTH_NOT_SUPPORTED));
    }
    app.identities.remember(&identity_id, known);
    Ok(Caller {
        pool,
        identity_id,
        login,
    })
}

/// A claim's values as strings: each element of an array, or the scalar.
fn claim_values(claims: &Claims, name: &str) -> Vec<String> {
    match claims.0.get(name) {
        Some(Value::Array(items)) => items.iter().map(scalar_text).collect(),
        Some(v) => vec![scalar_text(v)],
        None => Vec::new(),
    }
}

fn scalar_text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// A mapping rule against a claim; for a list claim (`cognito:groups`) it
/// holds if it holds for some element (NotEqual: for every element).
fn rule_matches(rule: &Rule, claims: &Claims) -> bool {
    let values = claim_values(claims, &rule.claim);
    let v = rule.value.as_str();
    match rule.match_type {
        MatchType::Equals => values.iter().any(|x| x == v),
        MatchType::Contains => values.iter().any(|x| x.contains(v)),
        MatchType::StartsWith => values.iter().any(|x| x.starts_with(v)),
        MatchType::NotEqual => !values.is_empty() && values.iter().all(|x| x != v),
    }
}

/// The role of an authenticated identity: `CustomRoleArn` if it is among the
/// token's roles, else the first matching rule, else the default role.
fn authenticated_role(
    app: &App,
    pool: &Pool,
    claims: &Claims,
    custom: Option<&str>,
) -> Result<String, ApiError> {
    if let Some(arn) = custom {
        // moto's IdTokens lack cognito:roles: derive it from the groups as
        // Cognito does from each group's RoleArn.
        let token_roles = claims.roles().unwrap_or_else(|| {
            app.world
                .roles_of_groups(claims.groups().iter().map(String::as_str))
        });
        if !token_roles.iter().any(|r| r == arn) {
            return Err(ApiError::invalid_parameter(format!(
                "CustomRoleArn '{arn}' is not one of the roles in the token's cognito:roles claim."
            )));
        }
        return app
            .world
            .role_for_arn(arn)
            .map(str::to_string)
            .ok_or_else(ApiError::invalid_configuration);
    }
    if let Some(rule) = pool.config.rules.iter().find(|r| rule_matches(r, claims)) {
        return Ok(rule.role.clone());
    }
    pool.config
        .authenticated_role
        .clone()
        .ok_or_else(ApiError::invalid_configuration)
}

fn get_credentials(app: &App, input: GetCredentialsInput) -> Result<Value, ApiError> {
    let caller = resolve(app, input.identity_id, input.logins)?;
    let custom = input.custom_role_arn.as_deref();
    let role = match &caller.login {
        Some(login) => authenticated_role(app, caller.pool, &login.claims, custom)?,
        None => {
            if let Some(arn) = custom {
                return Err(ApiError::invalid_parameter(format!(
                    "CustomRoleArn '{arn}' cannot be used by an unauthenticated identity."
                )));
            }
            caller
                .pool
                .config
                .unauthenticated_role
                .clone()
                .ok_or_else(ApiError::invalid_configuration)?
        }
    };
    let issued = app.credentials.issue(
        Grant {
            role: &role,
            role_arn: app.world.role_arn(&role),
            identity_id: &caller.identity_id,
            identity_pool_id: &caller.pool.id,
            session_name: ENHANCED_SESSION_NAME,
            lifetime: app.credential_lifetime,
        },
        app.now(),
    );
    Ok(json!({
        "IdentityId": caller.identity_id,
        "Credentials": {
            "AccessKeyId": issued.access_key_id,
            "SecretKey": issued.secret_access_key,
            "SessionToken": issued.session_token,
            "Expiration": issued.expiration,
        },
    }))
}

fn get_open_id_token(app: &App, input: GetOpenIdTokenInput) -> Result<Value, ApiError> {
    let caller = resolve(app, input.identity_id, input.logins)?;
    if !caller.pool.config.allow_classic_flow {
        return Err(ApiError::invalid_parameter(
            "Basic (classic) flow is not enabled, please use enhanced flow.",
        ));
    }
    let amr = match &caller.login {
        Some(login) => {
            let provider = app.seed.logins_key();
            vec![
                "authenticated".to_string(),
                provider.clone(),
                format!("{provider}:CognitoSignIn:{}", login.sub()),
            ]
        }
        None => vec!["unauthenticated".to_string()],
    };
    let now = app.now();
    let claims = json!({
        "iss": OPENID_ISSUER,
        "sub": caller.identity_id,
        "aud": caller.pool.id,
        "amr": amr,
        "iat": now,
        "exp": now + OPENID_TOKEN_LIFETIME,
    });
    let token = app.key.sign(&claims).map_err(ApiError::internal)?;
    Ok(json!({ "IdentityId": caller.identity_id, "Token": token }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{self, call_identity};

    fn main_pool(app: &App) -> String {
        app.identities.pool_by_name("main").unwrap().id.clone()
    }

    #[test]
    fn pool_ids_are_stable_and_aws_shaped() {
        let a = pool_id("us-east-1", "main");
        assert_eq!(a, pool_id("us-east-1", "main"));
        assert_ne!(a, pool_id("us-east-1", "misconfigured"));
        assert!(require_id("identityPoolId", Some(a)).is_ok());
        assert!(require_id("identityPoolId", Some("nope".into())).is_err());
        assert!(require_id("identityPoolId", None)
            .unwrap_err()
            .message
            .contains("null"));
    }

    #[test]
    fn enhanced_flow_maps_groups_to_roles() {
        let (app, m) = testkit::app();
        let pool = main_pool(&app);
        for (groups, role) in [
            (&["admin"][..], "admin"),
            (&["user"][..], "user"),
            (&[][..], "reader"),
        ] {
            let token = m.id_token(&format!("sub-{role}"), groups, 3600);
            let (id, creds) = testkit::enhanced(&app, &pool, &token, None).expect("credentials");
            let issued = app
                .credentials
                .get(creds["AccessKeyId"].as_str().unwrap())
                .unwrap();
            assert_eq!(issued.role, role);
            assert_eq!(issued.identity_id, id);
            assert!(creds["Expiration"].as_u64().unwrap() > app.now());
            assert_eq!(creds["SecretKey"], issued.secret_access_key.as_str());
        }
    }

    #[test]
    fn identity_ids_are_stable_per_user_and_pool() {
        let (app, m) = testkit::app();
        let pool = main_pool(&app);
        let a1 = testkit::get_id(&app, &pool, &m.id_token("alice", &[], 3600)).unwrap();
        let a2 = testkit::get_id(&app, &pool, &m.id_token("alice", &["admin"], 3600)).unwrap();
        let b = testkit::get_id(&app, &pool, &m.id_token("bob", &[], 3600)).unwrap();
        assert_eq!(a1, a2);
        assert_ne!(a1, b);
        assert!(a1.starts_with("us-east-1:"));
        // A fresh process (new registry) accepts the same IdentityId with the same login.
        let (app2, _) = testkit::app_with_minter(m.clone());
        let logins = json!({ app2.seed.logins_key(): m.id_token("alice", &[], 3600) });
        let (status, body) = call_identity(
            &app2,
            "GetCredentialsForIdentity",
            json!({"IdentityId": a1, "Logins": logins}),
        );
        assert_eq!(status, 200, "{body}");
    }

    #[test]
    fn custom_role_arn_must_be_one_of_the_tokens_roles() {
        let (app, m) = testkit::app();
        let pool = main_pool(&app);
        let both = m.id_token("both", &["admin", "user"], 3600);
        let user_arn = app.world.role_arn("user");
        let (_, creds) = testkit::enhanced(&app, &pool, &both, Some(&user_arn)).unwrap();
        assert_eq!(
            app.credentials
                .get(creds["AccessKeyId"].as_str().unwrap())
                .unwrap()
                .role,
            "user"
        );
        // Rules alone give the first match: admin.
        let (_, creds) = testkit::enhanced(&app, &pool, &both, None).unwrap();
        assert_eq!(
            app.credentials
                .get(creds["AccessKeyId"].as_str().unwrap())
                .unwrap()
                .role,
            "admin"
        );

        let only_user = m.id_token("u", &["user"], 3600);
        let err = testkit::enhanced(&app, &pool, &only_user, Some(&app.world.role_arn("admin")))
            .unwrap_err();
        assert_eq!(err.0, "InvalidParameterException");

        // cognito:roles, when present, is authoritative.
        let now = testkit::now();
        let with_roles = m.sign(
            json!({"sub":"r","iss":m.issuer,"aud":m.client_id,"token_use":"id","exp":now+60,
            "cognito:groups":["user"],"cognito:roles":[app.world.role_arn("reader")]}),
        );
        assert!(testkit::enhanced(
            &app,
            &pool,
            &with_roles,
            Some(&app.world.role_arn("reader"))
        )
        .is_ok());
        assert!(testkit::enhanced(&app, &pool, &with_roles, Some(&user_arn)).is_err());
    }

    #[test]
    fn token_problems_are_not_authorized() {
        let (app, m) = testkit::app();
        let pool = main_pool(&app);
        let expired = m.id_token("x", &[], -5);
        let (status, body) = call_identity(
            &app,
            "GetId",
            json!({"IdentityPoolId": pool, "Logins": {app.seed.logins_key(): expired}}),
        );
        assert_eq!(status, 400);
        assert_eq!(body["__type"], "NotAuthorizedException");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .starts_with("Invalid login token. Token expired: "),
            "{body}"
        );

        let stranger = testkit::Minter::new(m.issuer.clone(), m.client_id.clone());
        let forged = stranger.id_token("x", &["admin"], 3600);
        let (_, body) = call_identity(
            &app,
            "GetId",
            json!({"IdentityPoolId": pool, "Logins": {app.seed.logins_key(): forged}}),
        );
        assert_eq!(body["__type"], "NotAuthorizedException");
        assert!(body["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid login token."));

        let other_client = testkit::Minter {
            client_id: "someone-else".into(),
            ..m.clone()
        }
        .id_token("x", &[], 60);
        let (_, body) = call_identity(
            &app,
            "GetId",
            json!({"IdentityPoolId": pool, "Logins": {app.seed.logins_key(): other_client}}),
        );
        assert_eq!(
            body["message"],
            "Invalid login token. Incorrect token audience."
        );

        let (_, body) = call_identity(
            &app,
            "GetId",
            json!({"IdentityPoolId": pool, "Logins": {"accounts.google.com": "x"}}),
        );
        assert_eq!(body["__type"], "NotAuthorizedException");
    }

    #[test]
    fn logins_must_match_the_identity() {
        let (app, m) = testkit::app();
        let pool = main_pool(&app);
        let alice = testkit::get_id(&app, &pool, &m.id_token("alice", &[], 3600)).unwrap();
        let logins = json!({ app.seed.logins_key(): m.id_token("bob", &[], 3600) });
        let (status, body) = call_identity(
            &app,
            "GetCredentialsForIdentity",
            json!({"IdentityId": alice, "Logins": logins}),
        );
        assert_eq!(status, 400);
        assert_eq!(body["__type"], "NotAuthorizedException");
        assert_eq!(body["message"], LOGINS_DONT_MATCH);
        let (_, body) = call_identity(
            &app,
            "GetCredentialsForIdentity",
            json!({"IdentityId": alice}),
        );
        assert_eq!(body["__type"], "NotAuthorizedException");
    }

    #[test]
    fn unknown_pools_and_identities_are_not_found() {
        let (app, _) = testkit::app();
        let (status, body) = call_identity(
            &app,
            "GetId",
            json!({"IdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000000"}),
        );
        assert_eq!(status, 400);
        assert_eq!(body["__type"], "ResourceNotFoundException");
        let id = "us-east-1:11111111-1111-1111-1111-111111111111";
        let (_, body) = call_identity(&app, "GetCredentialsForIdentity", json!({"IdentityId": id}));
        assert_eq!(body["__type"], "ResourceNotFoundException");
        assert_eq!(body["message"], format!("Identity '{id}' not found."));
    }

    #[test]
    fn guests_get_the_unauthenticated_role_where_allowed() {
        let (app, _) = testkit::app();
        let pool = main_pool(&app);
        let (_, body) = call_identity(&app, "GetId", json!({"IdentityPoolId": pool}));
        let g1 = body["IdentityId"].as_str().unwrap().to_string();
        let (_, body) = call_identity(&app, "GetId", json!({"IdentityPoolId": pool, "Logins": {}}));
        assert_ne!(g1, body["IdentityId"].as_str().unwrap());
        let (status, body) =
            call_identity(&app, "GetCredentialsForIdentity", json!({"IdentityId": g1}));
        assert_eq!(status, 200, "{body}");
        let issued = app
            .credentials
            .get(body["Credentials"]["AccessKeyId"].as_str().unwrap())
            .unwrap();
        assert_eq!(issued.role, "guest");

        let misconfigured = app
            .identities
            .pool_by_name("misconfigured")
            .unwrap()
            .id
            .clone();
        let (_, body) = call_identity(&app, "GetId", json!({"IdentityPoolId": misconfigured}));
        assert_eq!(body["__type"], "NotAuthorizedException");
        assert_eq!(body["message"], UNAUTH_NOT_SUPPORTED);
    }

    #[test]
    fn a_pool_without_roles_is_misconfigured() {
        let (app, m) = testkit::app();
        let pool = app
            .identities
            .pool_by_name("misconfigured")
            .unwrap()
            .id
            .clone();
        let token = m.id_token("x", &["admin"], 3600);
        let err = testkit::enhanced(&app, &pool, &token, None).unwrap_err();
        assert_eq!(err.0, "InvalidIdentityPoolConfigurationException");
        assert_eq!(
            err.1,
            "Invalid identity pool configuration. Check assigned IAM roles for this pool."
        );
    }

    #[test]
    fn protocol_errors() {
        let (app, _) = testkit::app();
        let req = |target: Option<&str>, body: &str| {
            let mut b = http::Request::post("/");
            if let Some(t) = target {
                b = b.header("x-amz-target", t);
            }
            handle(&app, &b.body(bytes::Bytes::from(body.to_string())).unwrap())
        };
        let parse = |r: Resp| -> (u16, Value) {
            (
                r.status().as_u16(),
                serde_json::from_slice(r.body()).unwrap(),
            )
        };
        let (s, b) = parse(req(None, "{}"));
        assert_eq!(
            (s, b["__type"].as_str().unwrap()),
            (400, "com.amazon.coral.service#UnknownOperationException")
        );
        let (_, b) = parse(req(
            Some("AWSCognitoIdentityService.DeleteIdentityPool"),
            "{}",
        ));
        assert!(b["__type"]
            .as_str()
            .unwrap()
            .ends_with("#UnknownOperationException"));
        let (_, b) = parse(req(Some("AWSCognitoIdentityService.GetId"), "{not json"));
        assert!(b["__type"]
            .as_str()
            .unwrap()
            .ends_with("#SerializationException"));
        let (_, b) = parse(req(
            Some("AWSCognitoIdentityService.GetId"),
            r#"{"Logins": "x"}"#,
        ));
        assert!(b["__type"]
            .as_str()
            .unwrap()
            .ends_with("#SerializationException"));
        let (_, b) = parse(req(Some("AWSCognitoIdentityService.GetId"), "{}"));
        assert_eq!(b["__type"], "InvalidParameterException");
        let r = req(Some("AWSCognitoIdentityService.GetId"), "{}");
        assert!(r.headers().contains_key("x-amzn-requestid"));
        assert_eq!(r.headers()["content-type"], JSON_11);
    }

    #[test]
    fn open_id_token_for_the_classic_flow() {
        let (app, m) = testkit::app();
        let pool = main_pool(&app);
        let token = m.id_token("carol", &["user"], 3600);
        let id = testkit::get_id(&app, &pool, &token).unwrap();
        let logins = json!({ app.seed.logins_key(): token });
        let (status, body) = call_identity(
            &app,
            "GetOpenIdToken",
            json!({"IdentityId": id, "Logins": logins}),
        );
        assert_eq!(status, 200, "{body}");
        let claims = app
            .identity_keys
            .verify(body["Token"].as_str().unwrap())
            .unwrap();
        assert_eq!(claims.str("iss"), Some(OPENID_ISSUER));
        assert_eq!(claims.str("aud"), Some(pool.as_str()));
        assert_eq!(claims.sub(), Some(id.as_str()));
        assert_eq!(claims.strings("amr")[0], "authenticated");
        assert_eq!(
            claims.exp().unwrap() - testkit::now(),
            OPENID_TOKEN_LIFETIME
        );
    }
}
