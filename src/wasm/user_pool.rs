//! `UserPool` (sign-in and refresh) and `clientCredentials`: the core's
//! operations (`cognito::InitiateAuth`, `cognito::ClientCredentials`), each
//! request on the one driver.

use super::boundary::{
    config_error, js_error, promise, rejected, required_string, started, to_js, Options,
};
use super::driver::{drive, Sending};
use super::srp_bigint::JsBigInt;
use crate::cognito::srp::SrpClient;
use crate::cognito::{
    answer_field, initiate_auth, Answer, AuthFlow, Challenge, ClientCredentials,
    GetTokensFromRefreshToken, InitiateAuth, RespondToAuthChallenge, RevokeToken, Tokens,
};
use crate::error::{Error, ErrorCode};
use crate::http::HttpRequest;
use crate::op::session_tabs::{Heard, SessionShare};
use crate::op::user_pool::{GrantCache, PoolCall, Read};
use crate::op::Output;
use js_sys::{Promise, Reflect};
use serde::Serialize;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// Runs a user pool call on the one driver (the core's [`PoolCall`]): the
/// tokens, the challenge to answer, or nothing (revoke).
fn run(mut call: PoolCall<JsBigInt>) -> Promise {
    promise(async move {
        match drive(None, &mut call, &Sending::none()).await?.0 {
            Output::Auth { answer, username } => answer_out(answer, &username),
            _ => Ok(JsValue::UNDEFINED),
        }
    })
}

/// What `signIn` and `refresh` resolve to.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokensOut {
    id_token: String,
    access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    expires_in: u32,
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Options of UserPool. */
export interface UserPoolOptions {
  /** The user pool's region. */
  region: string;
  /** e.g. "us-east-1_AbCdEfGhI". */
  userPoolId: string;
  /** The app client's id (a client without a secret). */
  clientId: string;
  /** The user pool's endpoint (a local stack, a proxy); AWS's for `region` by default. */
  endpoint?: string;
}

/** A signed-in user's tokens. */
export interface UserPoolTokens {
  /** The IdToken: who the user is (CognitoIdentityCredentials' `idToken`). */
  idToken: string;
  /** The AccessToken: for the user pool's own APIs, and JWT authorizers. */
  accessToken: string;
  /** From refresh(): present only where the app client rotates refresh tokens (the one given is then spent); absent, it stays the same. */
  refreshToken?: string;
  /** Seconds the id and access tokens live. */
  expiresIn: number;
}

/** A step of sign-in the user must answer: pass it to `UserPool.respond(challenge, answer)`. */
export interface AuthChallenge {
  /** NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, … */
  challengeName: string;
  /** The sign-in's session (valid 3 minutes); do not log it. */
  session: string;
  /** Who is signing in, as the pool knows them. */
  username: string;
  /** The challenge's parameters, e.g. CODE_DELIVERY_DESTINATION. */
  parameters: Record<string, string>;
}

/** Options of UserPool.signIn(). */
export interface SignInOptions {
  /** "srp" (USER_SRP_AUTH, the default: the password never leaves the page) or "password" (USER_PASSWORD_AUTH). */
  flow?: "srp" | "password";
}

/** What clientCredentials() resolves to. */
export interface ClientCredentialsToken {
  /** The access token, for an API's JWT authorizer (Authorization: Bearer …). */
  accessToken: string;
  /** When it expires. */
  expiresAt: Date;
}

/** Options of clientCredentials() (servers and edge runtimes only). */
export interface ClientCredentialsOptions {
  /** https://<domain>/oauth2/token */
  tokenEndpoint: string;
  /** The machine-to-machine app client's id. */
  clientId: string;
  /** Its secret: never ship it to a browser (clientCredentials refuses to run in one). */
  clientSecret: string;
  /** The scopes to ask for, e.g. "https://api.example.com/read". */
  scope?: string | string[];
}
"#;

/// Cognito User Pools sign-in (`USER_PASSWORD_AUTH`) and refresh, unsigned.
#[wasm_bindgen]
pub struct UserPool {
    region: String,
    user_pool_id: String,
    client_id: String,
    endpoint: String,
}

#[wasm_bindgen]
impl UserPool {
    /// `{ region, userPoolId, clientId, endpoint? }`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "UserPoolOptions")] options: JsValue,
    ) -> Result<UserPool, JsValue> {
        Self::from_options(&options).map_err(js_error)
    }

    fn from_options(options: &JsValue) -> crate::Result<UserPool> {
        let o = Options::new(options)?;
        let region = o.required("region", "region")?;
        let user_pool_id = o.required("userPoolId", "userPoolId")?;
        let client_id = o.required("clientId", "clientId (the app client id, without a secret)")?;
        let endpoint = o
            .string("endpoint")?
            .unwrap_or_else(|| initiate_auth::default_endpoint(&region));
        Ok(UserPool {
            region,
            user_pool_id,
            client_id,
            endpoint,
        })
    }

    /// The user pool's region.
    #[wasm_bindgen(getter)]
    pub fn region(&self) -> String {
        self.region.clone()
    }

    /// The user pool's id.
    #[wasm_bindgen(getter, js_name = userPoolId)]
    pub fn user_pool_id(&self) -> String {
        self.user_pool_id.clone()
    }

    /// The app client's id.
    #[wasm_bindgen(getter, js_name = clientId)]
    pub fn client_id(&self) -> String {
        self.client_id.clone()
    }

    /// Signs in: `{ idToken, accessToken, refreshToken, expiresIn }`, or the
    /// challenge the pool asks for (`{ challengeName, session, username,
    /// parameters }`, answered with `respond()`). `{ flow: "srp" | "password" }`.
    #[wasm_bindgen(js_name = signIn, unchecked_return_type = "Promise<UserPoolTokens | AuthChallenge>")]
    pub fn sign_in(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] username: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] password: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "SignInOptions")] options: JsValue,
    ) -> Promise {
        let fields =
            required_string(&username, "username", ErrorCode::InvalidConfig).and_then(|u| {
                required_string(&password, "password", ErrorCode::InvalidConfig).map(|p| (u, p))
            });
        let flow = Options::new(&options)
            .and_then(|o| o.string("flow"))
            .and_then(|f| match f.as_deref() {
                Some("password") => Ok(false),
                None | Some("srp") => Ok(true),
                Some(_) => Err(config_error("flow must be \"srp\" or \"password\"")),
            });
        started(|| {
            let ((username, password), srp) = fields
                .and_then(|f| flow.map(|srp| (f, srp)))
                .map_err(js_error)?;
            // USER_SRP_AUTH: SRP's A first; the core answers the
            // PASSWORD_VERIFIER challenge with the password's claim.
            let client = match srp {
                true => Some(SrpClient::new(JsBigInt, &random_bytes(128)?).map_err(js_error)?),
                false => None,
            };
            let srp_a = client.as_ref().map(SrpClient::public_a_hex);
            let flow = match &srp_a {
                Some(srp_a) => AuthFlow::Srp {
                    username: &username,
                    srp_a,
                },
                None => AuthFlow::Password {
                    username: &username,
                    password: &password,
                },
            };
            let request = InitiateAuth {
                endpoint: &self.endpoint,
                client_id: &self.client_id,
                flow,
            }
            .request();
            let read = match client {
                Some(client) => Read::Srp {
                    client,
                    pool_id: self.user_pool_id.clone(),
                    endpoint: self.endpoint.clone(),
                    client_id: self.client_id.clone(),
                },
                None => Read::SignIn,
            };
            Ok(run(PoolCall::new(request, read, vec![password], username)))
        })
    }

    /// Answers a challenge of `signIn` (or of a previous `respond`): `answer`
    /// is the code or the new password, or an object of ChallengeResponses
    /// fields. Resolves like `signIn`: tokens, or the next challenge.
    #[wasm_bindgen(unchecked_return_type = "Promise<UserPoolTokens | AuthChallenge>")]
    pub fn respond(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AuthChallenge")] challenge: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Record<string, string>")]
        answer_value: JsValue,
    ) -> Promise {
        started(|| {
            let c = Options::new(&challenge).map_err(js_error)?;
            let name = c
                .required("challengeName", "the challenge (from signIn)")
                .map_err(js_error)?;
            let session = c.string("session").map_err(js_error)?.unwrap_or_default();
            let username = c.string("username").map_err(js_error)?.unwrap_or_default();
            let mut responses: Vec<(String, String)> = vec![("USERNAME".into(), username.clone())];
            if let Some(text) = answer_value.as_string() {
                let field = answer_field(&name).map_err(js_error)?;
                responses.push((field.into(), text));
            } else if answer_value.is_object() {
                let entries = super::boundary::entries(&answer_value)?;
                for entry in entries.iter() {
                    let pair = js_sys::Array::from(&entry);
                    let (k, v) = (pair.get(0).as_string(), pair.get(1).as_string());
                    let (Some(k), Some(v)) = (k, v) else {
                        return Err(js_error(config_error(
                            "the answer's fields must be strings",
                        )));
                    };
                    responses.retain(|(n, _)| *n != k);
                    responses.push((k, v));
                }
            } else {
                return Err(js_error(config_error(
                    "answer the challenge with a string (the code or the new password) or an object of ChallengeResponses fields",
                )));
            }
            let pairs: Vec<(&str, &str)> = responses
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let request = RespondToAuthChallenge {
                endpoint: &self.endpoint,
                client_id: &self.client_id,
                challenge_name: &name,
                session: &session,
                responses: &pairs,
            }
            .request();
            // Every answer but the username, wherever the caller's object put it.
            let secrets = responses
                .into_iter()
                .filter(|(k, _)| k != "USERNAME")
                .map(|(_, v)| v)
                .collect();
            Ok(run(PoolCall::new(
                request,
                Read::Respond,
                secrets,
                username,
            )))
        })
    }

    /// Sign-out on the pool: RevokeToken ends the refresh token and the
    /// tokens it gave (the app client must allow token revocation, as new ones do).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn revoke(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] refresh_token: JsValue,
    ) -> Promise {
        match required_string(&refresh_token, "refreshToken", ErrorCode::InvalidConfig) {
            Ok(token) => {
                let request = RevokeToken {
                    endpoint: &self.endpoint,
                    client_id: &self.client_id,
                    refresh_token: &token,
                }
                .request();
                run(PoolCall::new(
                    request,
                    Read::Revoke,
                    vec![token],
                    String::new(),
                ))
            }
            Err(e) => rejected(e),
        }
    }

    /// GetTokensFromRefreshToken: new id and access tokens, and a new
    /// refresh token where the app client rotates them (the one given is
    /// then spent).
    #[wasm_bindgen(unchecked_return_type = "Promise<UserPoolTokens>")]
    pub fn refresh(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] refresh_token: JsValue,
    ) -> Promise {
        match required_string(&refresh_token, "refreshToken", ErrorCode::InvalidConfig) {
            Ok(token) => {
                let request = GetTokensFromRefreshToken {
                    endpoint: &self.endpoint,
                    client_id: &self.client_id,
                    refresh_token: &token,
                }
                .request();
                run(PoolCall::new(
                    request,
                    Read::Refresh,
                    vec![token],
                    String::new(),
                ))
            }
            Err(e) => rejected(e),
        }
    }
}

/// `n` bytes from the platform's CSPRNG (`crypto.getRandomValues`).
fn random_bytes(n: u32) -> Result<Vec<u8>, JsValue> {
    // Absent (Node 18 without its entry's webcrypto) is the typed error, not Reflect's TypeError.
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into())?;
    let get: js_sys::Function = Reflect::get(&crypto, &"getRandomValues".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| {
            js_error(Error::new(
                ErrorCode::InvalidConfig,
                "SRP sign-in needs crypto.getRandomValues (Web Crypto): use { flow: \"password\" } where there is none",
            ))
        })?;
    let bytes = js_sys::Uint8Array::new_with_length(n);
    get.call1(&crypto, &bytes)?;
    Ok(bytes.to_vec())
}

/// A sign-in step's answer as JS: the tokens, or the challenge to answer.
fn answer_out(a: Answer, username: &str) -> Result<JsValue, JsValue> {
    match a {
        Answer::Tokens(t) => to_js(
            &TokensOut {
                id_token: t.id_token,
                access_token: t.access_token,
                refresh_token: t.refresh_token,
                expires_in: t.expires_in,
            },
            "the tokens",
        ),
        Answer::Challenge(c) => challenge_out(&c, username),
    }
}

fn challenge_out(c: &Challenge, username: &str) -> Result<JsValue, JsValue> {
    let out = js_sys::Object::new();
    Reflect::set(&out, &"challengeName".into(), &c.name.as_str().into())?;
    Reflect::set(&out, &"session".into(), &c.session.as_str().into())?;
    // The name the pool knows the user by answers for them.
    let user = c
        .parameter("USERNAME")
        .or_else(|| c.parameter("USER_ID_FOR_SRP"))
        .unwrap_or(username);
    Reflect::set(&out, &"username".into(), &user.into())?;
    let parameters = js_sys::Object::new();
    for (k, v) in &c.parameters {
        Reflect::set(&parameters, &k.as_str().into(), &v.as_str().into())?;
    }
    Reflect::set(&out, &"parameters".into(), &parameters)?;
    Ok(out.into())
}

/// `UserPoolSession`'s rule (the core's `refresh_due`), for index.js: whether
/// `token` must be refreshed before it is handed out now. Not part of the API.
#[wasm_bindgen(js_name = sessionRefreshDue)]
pub fn session_refresh_due(
    token: &str,
    id_token: &str,
    has_refresh_token: bool,
    before_ms: Option<f64>,
) -> Result<bool, JsValue> {
    crate::op::session::refresh_due(
        token,
        id_token,
        has_refresh_token,
        before_ms,
        js_sys::Date::now(),
    )
    .map_err(js_error)
}

/// `UserPoolSession`'s share across tabs (the core's `SessionShare`: which
/// tokens another tab may take, and what to answer), for user-pool.js, which
/// carries its messages on a BroadcastChannel and holds the Web Lock named
/// `channel`. Not part of the API.
#[wasm_bindgen(js_name = SessionShare)]
pub struct JsSessionShare(SessionShare);

/// `{ idToken, accessToken, refreshToken?, expiresIn? }` from JS.
fn tokens_in(tokens: &JsValue) -> Result<Tokens, JsValue> {
    let field = |name: &str| {
        Reflect::get(tokens, &name.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    let missing = || {
        js_error(config_error(
            "a session's tokens need idToken and accessToken",
        ))
    };
    Ok(Tokens {
        id_token: field("idToken").ok_or_else(missing)?,
        access_token: field("accessToken").ok_or_else(missing)?,
        refresh_token: field("refreshToken"),
        expires_in: Reflect::get(tokens, &"expiresIn".into())
            .ok()
            .and_then(|v| v.as_f64())
            .filter(|n| (0.0..=u32::MAX as f64).contains(n))
            .map_or(3600, |n| n as u32),
    })
}

#[wasm_bindgen(js_class = SessionShare)]
impl JsSessionShare {
    #[wasm_bindgen(constructor)]
    pub fn new(tokens: JsValue) -> Result<JsSessionShare, JsValue> {
        SessionShare::new(&tokens_in(&tokens)?)
            .map(JsSessionShare)
            .map_err(js_error)
    }

    #[wasm_bindgen(getter)]
    pub fn channel(&self) -> String {
        self.0.channel().into()
    }

    #[wasm_bindgen(getter, js_name = askMs)]
    pub fn ask_ms(&self) -> u32 {
        crate::op::session_tabs::ASK_MS
    }

    pub fn want(&self, tokens: JsValue) -> Result<String, JsValue> {
        Ok(self.0.want(&tokens_in(&tokens)?))
    }

    pub fn refreshed(&mut self, tokens: JsValue) -> Result<String, JsValue> {
        Ok(self.0.refreshed(&tokens_in(&tokens)?))
    }

    #[wasm_bindgen(js_name = signedOut)]
    pub fn signed_out(&self) -> String {
        self.0.signed_out()
    }

    /// What `text`, heard on the channel, means for a tab holding `tokens`:
    /// undefined, `{ reply }` to post, `{ tokens }` to take, or `{ signedOut:
    /// "revoke" | "forget" }` (revoke this tab's refresh token on the pool, or not).
    pub fn heard(&mut self, text: &str, tokens: JsValue) -> Result<JsValue, JsValue> {
        let out = js_sys::Object::new();
        let (key, value) = match self.0.on_message(text, &tokens_in(&tokens)?) {
            Heard::Nothing => return Ok(JsValue::UNDEFINED),
            Heard::Reply(text) => ("reply", JsValue::from(text)),
            Heard::Adopt(t) => ("tokens", answer_out(Answer::Tokens(t), "")?),
            Heard::SignedOut { revoke } => (
                "signedOut",
                JsValue::from(if revoke { "revoke" } else { "forget" }),
            ),
        };
        Reflect::set(&out, &key.into(), &value)?;
        Ok(out.into())
    }
}

thread_local! {
    /// The grants so far (the rule is the core's GrantCache).
    static GRANTS: RefCell<GrantCache<JsValue>> = RefCell::new(GrantCache::default());
}

/// OAuth 2.0 client-credentials grant against a user pool's /oauth2/token, for
/// servers and edge runtimes: `{ accessToken, expiresAt }`, cached until a
/// minute before it expires. Refuses to run in a browser page or a browser
/// worker: a client secret must never be shipped to one.
#[wasm_bindgen(
    js_name = clientCredentials,
    unchecked_return_type = "Promise<ClientCredentialsToken>"
)]
pub fn client_credentials(
    #[wasm_bindgen(unchecked_param_type = "ClientCredentialsOptions")] options: JsValue,
) -> Promise {
    match grant(&options) {
        Ok((key, request)) => promise(async move {
            let hit = GRANTS.with(|c| c.borrow().get(&key, js_sys::Date::now()).cloned());
            if let Some(result) = hit {
                return Ok(result);
            }
            let mut call =
                PoolCall::<JsBigInt>::new(request, Read::Grant, Vec::new(), String::new());
            let Output::Grant(token) = drive(None, &mut call, &Sending::none()).await?.0 else {
                return Err(js_error(config_error(
                    "the token endpoint's answer was not read",
                )));
            };
            let result: JsValue = js_sys::Object::new().into();
            Reflect::set(&result, &"accessToken".into(), &token.access_token.into())?;
            let expires_at = GRANTS.with(|c| {
                c.borrow_mut()
                    .put(key, result.clone(), token.expires_in, js_sys::Date::now())
            });
            let date = js_sys::Date::new(&expires_at.into());
            Reflect::set(&result, &"expiresAt".into(), &date)?;
            Ok(result)
        }),
        Err(e) => rejected(e),
    }
}

/// The cache key and the request of a `clientCredentials` call.
fn grant(options: &JsValue) -> crate::Result<(String, HttpRequest)> {
    let global = js_sys::global();
    let has = |name: &str| Reflect::get(&global, &name.into()).is_ok_and(|v| !v.is_undefined());
    // A page (window and document), or any browser worker: dedicated, shared
    // and service workers, classic or module, all have importScripts (the
    // WorkerGlobalScope of the HTML standard). Servers and edge runtimes have
    // none: Node, Bun, Deno (its workers too) and workerd (which names its
    // global ServiceWorkerGlobalScope, so that name cannot tell).
    let worker = Reflect::get(&global, &"importScripts".into()).is_ok_and(|v| v.is_function());
    if (has("window") && has("document")) || worker {
        return Err(Error::new(
            ErrorCode::SecretInBrowser,
            "clientCredentials runs on servers and edge runtimes only: a client secret in a web page or a browser worker is public. Call it from your backend",
        ));
    }
    let o = Options::new(options)?;
    let endpoint = o.required("tokenEndpoint", "tokenEndpoint")?;
    let client_id = o.required("clientId", "clientId")?;
    let secret = o.required("clientSecret", "clientSecret")?;
    let scope_value = o.get("scope");
    let scope = if js_sys::Array::is_array(&scope_value) {
        // Element by element through Reflect, which catches a throwing getter.
        let bad = || config_error("scope must be a string or an array of strings");
        let len = Reflect::get(&scope_value, &"length".into())
            .ok()
            .and_then(|n| n.as_f64())
            .unwrap_or(0.0) as u32;
        let parts: Vec<String> = (0..len.min(1000))
            .map(|i| {
                Reflect::get_u32(&scope_value, i)
                    .ok()
                    .and_then(|s| s.as_string())
                    .ok_or_else(bad)
            })
            .collect::<crate::Result<_>>()?;
        Some(parts.join(" "))
    } else {
        o.string("scope")?
    };
    let key = GrantCache::<JsValue>::key(&endpoint, &client_id, &secret, scope.as_deref());
    let request = ClientCredentials {
        endpoint: &endpoint,
        client_id: &client_id,
        client_secret: &secret,
        scope: scope.as_deref(),
    }
    .request();
    Ok((key, request))
}
