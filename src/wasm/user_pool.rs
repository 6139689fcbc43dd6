//! `UserPool` (sign-in and refresh), `decodeJwt` and `clientCredentials`:
//! the core's operations (`cognito::InitiateAuth`, `cognito::ClientCredentials`, `jwt`), each
//! request on the one driver.

use super::boundary::{config_error, js_error, promise, rejected, required_string, to_js, Options};
use super::driver::{drive, Sending};
use super::srp_bigint::JsBigInt;
use crate::cognito::srp::{PasswordVerifier, SrpClient};
use crate::cognito::{
    answer_field, initiate_auth, Answer, AuthFlow, Challenge, ClientCredentials, InitiateAuth,
    RespondToAuthChallenge, RevokeToken,
};
use crate::error::{Error, ErrorCode};
use crate::http::{HttpRequest, HttpResponse};
use crate::op::exchange::Plain;
use crate::op::{Failure, Output};
use js_sys::{Promise, Reflect};
use serde::Serialize;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// Sends `request` (on the one driver, as the core's [`Plain`] call; user
/// pool and token endpoint answers are a few KB of tokens: 10 s, 1 MiB at
/// most); a failure to get a whole answer is a typed error.
async fn answer(request: &HttpRequest, who: &str) -> Result<HttpResponse, Error> {
    let mut call = Plain::new(request.clone(), 10_000, 1 << 20);
    let answer = match drive(None, &mut call, &Sending::none()).await {
        Ok((Output::Answer(answer), _)) => answer,
        _ => Err(Failure::Network),
    };
    answer.map_err(|f| match f {
        Failure::TooLarge => Error::new(
            ErrorCode::Malformed,
            [
                "the answer is larger than 1048576 bytes, which no ",
                who,
                " answer is: check the endpoint",
            ]
            .concat(),
        ),
        Failure::Timeout => Error::new(
            ErrorCode::Timeout,
            ["the ", who, " did not answer in time: check the network"].concat(),
        ),
        Failure::Network => Error::new(
            ErrorCode::Network,
            [
                "could not reach the ",
                who,
                ": check the network, the endpoint, and CORS/CSP connect-src",
            ]
            .concat(),
        ),
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
export interface UserPoolOptions {
  region: string;
  userPoolId: string;
  /** The app client's id (a client without a secret). */
  clientId: string;
  endpoint?: string;
}

export interface UserPoolTokens {
  idToken: string;
  accessToken: string;
  /** Absent from refresh() answers: the refresh token stays the same. */
  refreshToken?: string;
  expiresIn: number;
}

/** A step of sign-in the user must answer: pass it to `UserPool.respond(challenge, answer)`. */
export interface AuthChallenge {
  /** NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, … */
  challengeName: string;
  /** The sign-in's session (valid 3 minutes); do not log it. */
  session: string;
  username: string;
  /** The challenge's parameters, e.g. CODE_DELIVERY_DESTINATION. */
  parameters: Record<string, string>;
}

export interface SignInOptions {
  /** "srp" (USER_SRP_AUTH, the default: the password never leaves the page) or "password" (USER_PASSWORD_AUTH). */
  flow?: "srp" | "password";
}

export interface ClientCredentialsOptions {
  /** https://<domain>/oauth2/token */
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
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

    #[wasm_bindgen(getter)]
    pub fn region(&self) -> String {
        self.region.clone()
    }

    #[wasm_bindgen(getter, js_name = userPoolId)]
    pub fn user_pool_id(&self) -> String {
        self.user_pool_id.clone()
    }

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
        let (endpoint, client_id) = (self.endpoint.clone(), self.client_id.clone());
        match fields.and_then(|f| flow.map(|srp| (f, srp))) {
            Ok(((username, password), false)) => promise(async move {
                let request = InitiateAuth {
                    endpoint: &endpoint,
                    client_id: &client_id,
                    flow: AuthFlow::Password {
                        username: &username,
                        password: &password,
                    },
                }
                .request();
                let response = answer(&request, "user pool").await.map_err(js_error)?;
                let a = InitiateAuth::parse_answer(&response, &[&password]).map_err(js_error)?;
                answer_out(a, &username)
            }),
            Ok(((username, password), true)) => {
                let pool_id = self.user_pool_id.clone();
                promise(async move {
                    srp_sign_in(&endpoint, &client_id, &pool_id, &username, &password).await
                })
            }
            Err(e) => rejected(e),
        }
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
        let (endpoint, client_id) = (self.endpoint.clone(), self.client_id.clone());
        promise(async move {
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
                endpoint: &endpoint,
                client_id: &client_id,
                challenge_name: &name,
                session: &session,
                responses: &pairs,
            }
            .request();
            // Every answer but the username, wherever the caller's object put it.
            let secrets: Vec<&str> = responses
                .iter()
                .filter(|(k, _)| k != "USERNAME")
                .map(|(_, v)| v.as_str())
                .collect();
            let response = answer(&request, "user pool").await.map_err(js_error)?;
            let a = RespondToAuthChallenge::parse(&response, &secrets).map_err(js_error)?;
            answer_out(a, &username)
        })
    }

    /// Sign-out on the pool: RevokeToken ends the refresh token and the
    /// tokens it gave (the app client must allow token revocation, as new ones do).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn revoke(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] refresh_token: JsValue,
    ) -> Promise {
        let (endpoint, client_id) = (self.endpoint.clone(), self.client_id.clone());
        match required_string(&refresh_token, "refreshToken", ErrorCode::InvalidConfig) {
            Ok(token) => promise(async move {
                let request = RevokeToken {
                    endpoint: &endpoint,
                    client_id: &client_id,
                    refresh_token: &token,
                }
                .request();
                let response = answer(&request, "user pool").await.map_err(js_error)?;
                RevokeToken::parse(&response, &[&token]).map_err(js_error)?;
                Ok(JsValue::UNDEFINED)
            }),
            Err(e) => rejected(e),
        }
    }

    /// REFRESH_TOKEN_AUTH: new id and access tokens (the refresh token stays).
    #[wasm_bindgen(unchecked_return_type = "Promise<UserPoolTokens>")]
    pub fn refresh(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] refresh_token: JsValue,
    ) -> Promise {
        match required_string(&refresh_token, "refreshToken", ErrorCode::InvalidConfig) {
            Ok(token) => {
                let request = InitiateAuth {
                    endpoint: &self.endpoint,
                    client_id: &self.client_id,
                    flow: AuthFlow::Refresh {
                        refresh_token: &token,
                    },
                }
                .request();
                tokens(request, token)
            }
            Err(e) => rejected(e),
        }
    }
}

/// Sends an InitiateAuth `request`; `secret` (the password or refresh token
/// sent) is cut out of any message.
fn tokens(request: HttpRequest, secret: String) -> Promise {
    promise(async move {
        let response = answer(&request, "user pool").await.map_err(js_error)?;
        let t = InitiateAuth::parse(&response, &[&secret]).map_err(js_error)?;
        answer_out(Answer::Tokens(t), "")
    })
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

/// USER_SRP_AUTH: InitiateAuth with SRP's A, then the PASSWORD_VERIFIER
/// challenge answered with the password claim; resolves to tokens or the
/// next challenge (a new password, MFA).
async fn srp_sign_in(
    endpoint: &str,
    client_id: &str,
    pool_id: &str,
    username: &str,
    password: &str,
) -> Result<JsValue, JsValue> {
    let client = SrpClient::new(JsBigInt, &random_bytes(128)?).map_err(js_error)?;
    let srp_a = client.public_a_hex();
    let request = InitiateAuth {
        endpoint,
        client_id,
        flow: AuthFlow::Srp {
            username,
            srp_a: &srp_a,
        },
    }
    .request();
    let response = answer(&request, "user pool").await.map_err(js_error)?;
    let challenge = match InitiateAuth::parse_answer(&response, &[password]).map_err(js_error)? {
        Answer::Challenge(c) if c.name == "PASSWORD_VERIFIER" => c,
        other => return answer_out(other, username),
    };
    let p = |name: &str| challenge.parameter(name).unwrap_or_default();
    let claim = client
        .answer(
            pool_id,
            password,
            &PasswordVerifier {
                salt_hex: p("SALT"),
                srp_b_hex: p("SRP_B"),
                secret_block: p("SECRET_BLOCK"),
                user_id_for_srp: p("USER_ID_FOR_SRP"),
            },
            js_sys::Date::now() as i64,
        )
        .map_err(js_error)?;
    // The pool's own name for the user where it gives one (moto accepts no
    // other), else the SRP id; the claim itself is over USER_ID_FOR_SRP.
    let user = challenge.parameter("USERNAME").unwrap_or(&claim.username);
    let responses = [
        ("USERNAME", user),
        ("PASSWORD_CLAIM_SECRET_BLOCK", claim.secret_block.as_str()),
        ("TIMESTAMP", claim.timestamp.as_str()),
        ("PASSWORD_CLAIM_SIGNATURE", claim.signature.as_str()),
    ];
    let request = RespondToAuthChallenge {
        endpoint,
        client_id,
        challenge_name: "PASSWORD_VERIFIER",
        session: &challenge.session,
        responses: &responses,
    }
    .request();
    let response = answer(&request, "user pool").await.map_err(js_error)?;
    let next = RespondToAuthChallenge::parse(&response, &[password]).map_err(js_error)?;
    answer_out(next, user)
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

/// `{ header, payload }` of a JWT. No signature check: AWS verifies tokens.
#[wasm_bindgen(
    js_name = decodeJwt,
    unchecked_return_type = "{ header: Record<string, unknown>; payload: Record<string, unknown> }"
)]
pub fn decode_jwt(
    #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
) -> Result<JsValue, JsValue> {
    let Some(token) = token.as_string() else {
        return Err(js_error(Error::new(
            ErrorCode::Malformed,
            "the token is not a JWT (it must be a string): pass the IdToken string from sign-in, not the whole response",
        )));
    };
    let (header, payload) = crate::jwt::segments(&token).map_err(js_error)?;
    // The platform's JSON.parse makes the objects (segments() checked the JSON).
    let out = js_sys::Object::new();
    for (name, json) in [("header", header), ("payload", payload)] {
        let value = js_sys::JSON::parse(&json)?;
        Reflect::set(&out, &name.into(), &value)?;
    }
    Ok(out.into())
}

/// Tokens of the grant, per endpoint, client, secret and scope (in memory only:
/// another secret must not get this token), with their expiry (epoch ms).
struct Cached {
    key: String,
    result: JsValue,
    expires_at: f64,
}

thread_local! {
    static M2M_CACHE: RefCell<Vec<Cached>> = const { RefCell::new(Vec::new()) };
}

/// OAuth 2.0 client-credentials grant against a user pool's /oauth2/token, for
/// servers and edge runtimes: `{ accessToken, expiresAt }`, cached until a
/// minute before it expires. Refuses to run in a browser page or a browser
/// worker: a client secret must never be shipped to one.
#[wasm_bindgen(
    js_name = clientCredentials,
    unchecked_return_type = "Promise<{ accessToken: string; expiresAt: Date }>"
)]
pub fn client_credentials(
    #[wasm_bindgen(unchecked_param_type = "ClientCredentialsOptions")] options: JsValue,
) -> Promise {
    match grant(&options) {
        Ok((key, request)) => promise(async move {
            let now = js_sys::Date::now();
            let hit = M2M_CACHE.with(|c| {
                c.borrow()
                    .iter()
                    .find(|e| e.key == key && e.expires_at - 60_000.0 > now)
                    .map(|e| e.result.clone())
            });
            if let Some(result) = hit {
                return Ok(result);
            }
            let response = answer(&request, "token endpoint").await.map_err(js_error)?;
            let token = ClientCredentials::parse(&response).map_err(js_error)?;
            let expires_at = js_sys::Date::now() + f64::from(token.expires_in) * 1000.0;
            let result = js_sys::Object::new();
            Reflect::set(&result, &"accessToken".into(), &token.access_token.into())?;
            let date = js_sys::Date::new(&expires_at.into());
            Reflect::set(&result, &"expiresAt".into(), &date)?;
            let result: JsValue = result.into();
            M2M_CACHE.with(|c| {
                let mut c = c.borrow_mut();
                c.retain(|e| e.key != key);
                c.push(Cached {
                    key,
                    result: result.clone(),
                    expires_at,
                });
            });
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
    let key = [
        &endpoint,
        "\n",
        &client_id,
        "\n",
        &secret,
        "\n",
        scope.as_deref().unwrap_or(""),
    ]
    .concat();
    let request = ClientCredentials {
        endpoint: &endpoint,
        client_id: &client_id,
        client_secret: &secret,
        scope: scope.as_deref(),
    }
    .request();
    Ok((key, request))
}
