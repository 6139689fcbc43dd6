//! Test fixtures: the shipped devstack.toml, a fake seed whose JWKS is a key
//! generated here (standing in for moto's), tokens minted like moto mints them,
//! and requests signed with aws-sigv4 as a client would sign them.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use serde_json::{json, Value};

use crate::app::App;
use crate::clock;
use crate::config::{Seed, World};
use crate::credentials::Issued;
use crate::keys::SigningKey;
use crate::tokens::KeySet;
use crate::web::Req;

pub const USER_POOL_ID: &str = "us-east-1_TestPool1";
pub const CLIENT_ID: &str = "spaclientid0000000000000";
pub const M2M_CLIENT_ID: &str = "m2mclientid0000000000000";
pub const M2M_SECRET: &str = "m2m-secret-0123456789";
pub const M2M_SCOPE: &str = "https://api.example.com/read";

pub fn world_text() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("devstack.toml");
    std::fs::read_to_string(&path).expect("tests/devstack/devstack.toml is readable")
}

pub fn world() -> World {
    World::parse(&world_text()).expect("devstack.toml is valid")
}

pub fn now() -> u64 {
    clock::now_secs()
}

pub fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

pub fn unb64(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s).expect("base64url")
}

/// Mints user-pool tokens the way moto does (kid "dummy", RS256).
#[derive(Clone)]
pub struct Minter {
    pub issuer: String,
    pub client_id: String,
    pub key: Arc<SigningKey>,
}

impl Minter {
    pub fn new(issuer: String, client_id: String) -> Self {
        Self {
            issuer,
            client_id,
            key: Arc::new(SigningKey::generate("dummy").expect("RSA key")),
        }
    }

    pub fn kid(&self) -> &str {
        self.key.kid()
    }

    pub fn sign(&self, claims: Value) -> String {
        self.key.sign(&claims).expect("signs")
    }

    pub fn keyset(&self) -> KeySet {
        let mut ks = KeySet::new();
        ks.insert(self.kid(), self.key.decoding_key().clone());
        ks
    }

    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.key.jwk()] })
    }

    /// An IdToken for `sub` in `groups`, expiring `ttl` seconds from now (negative: expired).
    pub fn id_token(&self, sub: &str, groups: &[&str], ttl: i64) -> String {
        let now = now();
        let mut claims = json!({
            "sub": sub, "iss": self.issuer, "aud": self.client_id, "token_use": "id",
            "iat": now, "auth_time": now, "exp": now.saturating_add_signed(ttl),
            "jti": crate::ids::random_uuid(), "cognito:username": format!("{sub}@example.com"),
            "email": format!("{sub}@example.com"),
        });
        // Like moto: no cognito:groups claim for a user in no group.
        if !groups.is_empty() {
            claims["cognito:groups"] = json!(groups);
        }
        self.sign(claims)
    }

    pub fn access_token(&self, sub: &str, client_id: &str, scope: &str, ttl: i64) -> String {
        let now = now();
        self.sign(json!({
            "sub": sub, "iss": self.issuer, "client_id": client_id, "token_use": "access", "scope": scope,
            "iat": now, "exp": now.saturating_add_signed(ttl), "username": sub,
        }))
    }
}

pub fn minter() -> Minter {
    Minter::new(
        format!("https://cognito-idp.us-east-1.amazonaws.com/{USER_POOL_ID}"),
        CLIENT_ID.into(),
    )
}

pub fn seed_for(m: &Minter) -> Value {
    json!({
        "region": "us-east-1",
        "accountId": "123456789012",
        "userPoolId": USER_POOL_ID,
        "userPoolEndpoint": "http://127.0.0.1:1",
        "issuer": m.issuer,
        "clientId": m.client_id,
        "m2mClientId": M2M_CLIENT_ID,
        "m2mClientSecret": M2M_SECRET,
        "m2mScope": M2M_SCOPE,
        "jwks": m.jwks(),
        "users": [{ "username": "admin@example.com", "password": "x", "groups": ["admin"] }],
    })
}

pub fn seed() -> (Seed, Minter) {
    let m = minter();
    (
        serde_json::from_value(seed_for(&m)).expect("seed parses"),
        m,
    )
}

pub fn app_with_minter(m: Minter) -> (Arc<App>, Minter) {
    let seed: Seed = serde_json::from_value(seed_for(&m)).expect("seed parses");
    (Arc::new(App::new(world(), seed, None).expect("app")), m)
}

pub fn app() -> (Arc<App>, Minter) {
    app_with_minter(minter())
}

/// Calls an identity-pool operation in-process: (status, JSON body).
pub fn call_identity(app: &App, op: &str, body: Value) -> (u16, Value) {
    let req = http::Request::post("/")
        .header("x-amz-target", format!("AWSCognitoIdentityService.{op}"))
        .header("content-type", "application/x-amz-json-1.1")
        .body(Bytes::from(body.to_string()))
        .unwrap();
    let resp = crate::identity::handle(app, &req);
    (
        resp.status().as_u16(),
        serde_json::from_slice(resp.body()).expect("JSON body"),
    )
}

fn error_of(body: &Value) -> (String, String) {
    (
        body["__type"].as_str().unwrap_or("").into(),
        body["message"].as_str().unwrap_or("").into(),
    )
}

pub fn get_id(app: &App, pool: &str, id_token: &str) -> Result<String, (String, String)> {
    let (status, body) = call_identity(
        app,
        "GetId",
        json!({ "IdentityPoolId": pool, "Logins": { app.seed.logins_key(): id_token } }),
    );
    match status {
        200 => Ok(body["IdentityId"].as_str().unwrap_or_default().to_string()),
        _ => Err(error_of(&body)),
    }
}

/// The enhanced flow: GetId then GetCredentialsForIdentity -> (IdentityId, Credentials).
pub fn enhanced(
    app: &App,
    pool: &str,
    id_token: &str,
    custom: Option<&str>,
) -> Result<(String, Value), (String, String)> {
    let id = get_id(app, pool, id_token)?;
    let mut input = json!({ "IdentityId": id, "Logins": { app.seed.logins_key(): id_token } });
    if let Some(arn) = custom {
        input["CustomRoleArn"] = json!(arn);
    }
    let (status, body) = call_identity(app, "GetCredentialsForIdentity", input);
    match status {
        200 => Ok((id, body["Credentials"].clone())),
        _ => Err(error_of(&body)),
    }
}

fn settings_for(service: &str) -> SigningSettings {
    let mut s = SigningSettings::default();
    if service == "s3" {
        s.percent_encoding_mode = PercentEncodingMode::Single;
        s.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        s.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    s
}

/// What a client sends, before signing.
pub(crate) struct Unsigned<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
    pub time: u64,
}

/// Access key id, secret key and session token to sign with.
pub(crate) type Keys<'a> = (&'a str, &'a str, Option<&'a str>);

impl Issued {
    fn keys(&self) -> Keys<'_> {
        (
            &self.access_key_id,
            &self.secret_access_key,
            Some(&self.session_token),
        )
    }
}

/// Signs `r` (whose URL carries scheme and authority) with aws-sigv4, the way
/// a client would, and returns it as the server receives it.
pub(crate) fn signed(
    (akid, secret, token): Keys<'_>,
    service: &str,
    r: &Unsigned<'_>,
    settings: SigningSettings,
    payload: SignableBody<'_>,
) -> Req {
    let identity: Identity = aws_credential_types::Credentials::new(
        akid,
        secret,
        token.map(str::to_string),
        None,
        "test",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(clock::from_secs(r.time))
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let signable =
        SignableRequest::new(r.method, r.url, r.headers.iter().copied(), payload).unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut b = http::Request::builder().method(r.method).uri(r.url);
    for (k, v) in r.headers {
        b = b.header(*k, *v);
    }
    let mut req = b.body(Bytes::copy_from_slice(r.body)).unwrap();
    instructions.apply_to_request_http1x(&mut req);
    // As it arrives at a server: origin-form target plus a Host header.
    let uri = req.uri().clone();
    req.headers_mut()
        .insert("host", uri.authority().unwrap().as_str().parse().unwrap());
    *req.uri_mut() = uri.path_and_query().unwrap().as_str().parse().unwrap();
    req
}

/// A request signed in the Authorization header, as a client would sign it.
pub fn sign_request(
    creds: &Issued,
    service: &str,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    time: u64,
) -> Req {
    let r = Unsigned {
        method,
        url,
        headers,
        body,
        time,
    };
    signed(
        creds.keys(),
        service,
        &r,
        settings_for(service),
        SignableBody::Bytes(body),
    )
}

/// A presigned GET (S3 presigns UNSIGNED-PAYLOAD; other services the empty body).
pub fn presign_request(creds: &Issued, service: &str, url: &str, time: u64, expires: u64) -> Req {
    let mut settings = settings_for(service);
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(Duration::from_secs(expires));
    settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
    let body = if service == "s3" {
        SignableBody::UnsignedPayload
    } else {
        SignableBody::Bytes(&[])
    };
    let r = Unsigned {
        method: "GET",
        url,
        headers: &[],
        body: b"",
        time,
    };
    signed(creds.keys(), service, &r, settings, body)
}
