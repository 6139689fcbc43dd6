//! `CognitoIdentityCredentials`: the sans-IO [`Provider`] on the one driver.
//!
//! The rules (cache, refresh margin, retries, stale IdentityId, per-user
//! storage, generations) are the core's (src/credentials/); this runs its
//! steps and keeps one exchange in flight for all callers: the first caller
//! starts it as a promise, the others await that promise and then ask again.

use super::boundary::{config_error, js_error, promise, Options};
use super::driver::{drive, Sending};
use super::tabs;
use crate::credentials::{Config, Flow, Heard, Issued, MemoryStorage, Provider, Step, Storage};
use crate::error::{Error, ErrorCode};
use crate::jwt;
use crate::op::exchange::Exchange;
use crate::op::Output;
use js_sys::{Function, Promise, Reflect};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Where the IdentityId is kept: a Web Storage (or any object with
/// getItem/setItem/removeItem), or memory. Failures of a Web Storage (quota,
/// privacy modes) are ignored: the IdentityId is only a cache.
enum IdStorage {
    Js(JsValue),
    Memory(MemoryStorage),
}

impl IdStorage {
    fn pick(kind: &JsValue) -> crate::Result<Self> {
        let has =
            |o: &JsValue, name: &str| Reflect::get(o, &name.into()).is_ok_and(|f| f.is_function());
        if kind.is_object() && has(kind, "getItem") {
            return Ok(IdStorage::Js(kind.clone()));
        }
        let web = match kind.as_string().as_deref() {
            None if kind.is_undefined() => "localStorage",
            Some("local") => "localStorage",
            Some("session") => "sessionStorage",
            Some("memory") => return Ok(IdStorage::Memory(MemoryStorage::default())),
            _ => {
                return Err(config_error(
                    "storage must be \"local\", \"session\", \"memory\" or an object with getItem/setItem/removeItem",
                ))
            }
        };
        // Reading a Web Storage can throw (sandboxed iframes, privacy modes);
        // where there is none (Node, Workers), memory.
        Ok(match Reflect::get(&js_sys::global(), &web.into()) {
            Ok(s) if s.is_object() && has(&s, "getItem") => IdStorage::Js(s),
            _ => IdStorage::Memory(MemoryStorage::default()),
        })
    }

    fn call(storage: &JsValue, method: &str, args: &[&str]) -> Option<JsValue> {
        let f: Function = Reflect::get(storage, &method.into())
            .ok()?
            .dyn_into()
            .ok()?;
        match args {
            [key] => f.call1(storage, &(*key).into()).ok(),
            [key, value] => f.call2(storage, &(*key).into(), &(*value).into()).ok(),
            _ => None,
        }
    }
}

impl Storage for IdStorage {
    fn get(&self, key: &str) -> Option<String> {
        match self {
            // IdentityIds are `region:uuid`, about 50 bytes; longer values are not ours.
            IdStorage::Js(s) => IdStorage::call(s, "getItem", &[key])?
                .as_string()
                .filter(|v| v.len() <= 128),
            IdStorage::Memory(m) => m.get(key),
        }
    }
    fn set(&mut self, key: &str, value: &str) {
        match self {
            IdStorage::Js(s) => {
                IdStorage::call(s, "setItem", &[key, value]);
            }
            IdStorage::Memory(m) => m.set(key, value),
        }
    }
    fn remove(&mut self, key: &str) {
        match self {
            IdStorage::Js(s) => {
                IdStorage::call(s, "removeItem", &[key]);
            }
            IdStorage::Memory(m) => m.remove(key),
        }
    }
}

/// What a provider and its exchanges share.
struct Shared {
    provider: RefCell<Provider>,
    storage: RefCell<IdStorage>,
    /// The IdToken: a string, or a function returning one (sync or async).
    id_token: JsValue,
    /// The last IdToken and its Logins key: every get() hands the token over
    /// again, and the same token need not be decoded again for its `iss`.
    id_token_key: RefCell<Option<(String, String)>>,
    /// Other logins: `{ providerName: token or function }`.
    logins: JsValue,
    /// Per request, whole answer (ms); the largest answer (bytes).
    limits: (u32, usize),
    /// The exchange in flight, shared by every caller of get().
    flight: RefCell<Option<Promise>>,
    /// Sharing across tabs (the provider's `share`): the channel of the
    /// user signed in, and the resolver that ends an ask early.
    channel: RefCell<Option<tabs::Channel>>,
    wake: RefCell<Option<Function>>,
    /// `onTabEvent`: told when another tab signs this user in, refreshes or signs out.
    on_tab_event: JsValue,
}

/// What get() resolves to.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct CredentialsOut<'a> {
    access_key_id: &'a str,
    secret_access_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_token: Option<&'a str>,
    identity_id: &'a str,
}

fn to_js(issued: &Issued) -> Result<JsValue, JsValue> {
    let c = &issued.credentials;
    let out = super::boundary::to_js(
        &CredentialsOut {
            access_key_id: &c.access_key_id,
            secret_access_key: &c.secret_access_key,
            session_token: c.session_token.as_deref(),
            identity_id: &issued.identity_id,
        },
        "the credentials",
    )?;
    // A Date is no serde type: set it on the object.
    let expiration = c.expiration_ms.unwrap_or(0).max(0) as f64;
    Reflect::set(
        &out,
        &"expiration".into(),
        &js_sys::Date::new(&expiration.into()),
    )?;
    Ok(out)
}

/// The provider is in the middle of a step (a storage callback called back
/// into it): refused, instead of a double borrow, which would trap.
fn reentered() -> JsValue {
    js_error(crate::op::exchange::reentered())
}

fn now() -> i64 {
    js_sys::Date::now() as i64
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** A token, or a function returning one (sync or async); called on every get(). */
export type TokenSource = string | (() => string | Promise<string>);

/** Options of CognitoIdentityCredentials. */
export interface CognitoIdentityCredentialsOptions {
  /** The identity pool's region, e.g. "us-east-1". */
  region: string;
  /** us-east-1:01234567-89ab-cdef-0123-456789abcdef */
  identityPoolId: string;
  /** A user-pool IdToken; the Logins key is derived from its `iss`. */
  idToken?: TokenSource;
  /** Other logins: `{ "accounts.google.com": token, … }`. */
  logins?: Record<string, TokenSource>;
  /** With several roles in the token: the one to assume (enhanced flow). */
  customRoleArn?: string;
  /** The AWS account of the identity pool (GetId's AccountId; rarely needed). */
  accountId?: string;
  /** "enhanced" (default): GetCredentialsForIdentity; "basic": STS AssumeRoleWithWebIdentity with `roleArn`. */
  flow?: "enhanced" | "basic";
  /** The role AssumeRoleWithWebIdentity assumes (`flow: "basic"` only). */
  roleArn?: string;
  /** Cognito Identity's endpoint (a local stack, a proxy); AWS's for `region` by default. */
  endpoint?: string;
  /** STS's endpoint for `flow: "basic"`; AWS's for `region` by default. */
  stsEndpoint?: string;
  /** Where the IdentityId is kept (never credentials or tokens). Default "local". */
  storage?: "local" | "session" | "memory" | Pick<Storage, "getItem" | "setItem" | "removeItem">;
  /** Refresh this long before expiry (default 5 minutes). */
  refreshMarginMs?: number;
  /** Per request, whole answer included (default 10 s). */
  timeoutMs?: number;
  /** Larger answers are refused (default 1 MiB). */
  maxAnswerBytes?: number;
  /**
   * Share one exchange with the other tabs (and workers) of this origin
   * signed in as the same user, and sign out in all of them together
   * (BroadcastChannel + Web Locks). Default true in browsers; in Node (no
   * Web Locks), in Deno unless true, and with false, each instance
   * exchanges alone.
   */
  shareAcrossTabs?: boolean;
  /**
   * Told when another tab changes this user's state here: "signedIn" (its
   * credentials are this instance's now), "refreshed", "signedOut" (this
   * instance forgot the user: show the sign-in).
   */
  onTabEvent?: (event: { type: "signedIn" | "refreshed" | "signedOut" }) => void;
}

/** What decodeJwt() returns: the token's two JSON parts (its signature is not checked). */
export interface DecodedJwt {
  /** e.g. `{ alg: "RS256", kid }`. */
  header: Record<string, unknown>;
  /** The claims: `sub`, `iss`, `exp`, `cognito:groups`, … */
  payload: Record<string, unknown>;
}

/** What CognitoIdentityCredentials.get() resolves to: temporary credentials and whose they are. */
export interface AwsCredentials {
  /** The temporary access key id (ASIA…). */
  accessKeyId: string;
  /** The secret key: keep it in memory only. */
  secretAccessKey: string;
  /** The session token, sent as x-amz-security-token. */
  sessionToken: string;
  /** When they stop working (get() refreshes them before). */
  expiration: Date;
  /** The user's IdentityId in the identity pool ("us-east-1:…"): their S3 prefix. */
  identityId: string;
}
"#;

/// Temporary AWS credentials for the signed-in user, from a Cognito Identity Pool.
#[wasm_bindgen]
pub struct CognitoIdentityCredentials {
    shared: Rc<Shared>,
}

#[wasm_bindgen]
impl CognitoIdentityCredentials {
    /// `{ region, identityPoolId, idToken?, logins?, customRoleArn?, accountId?,
    /// flow?: "enhanced" | "basic", roleArn?, endpoint?, stsEndpoint?,
    /// storage?: "local" | "session" | "memory" | Storage, refreshMarginMs?,
    /// timeoutMs?, maxAnswerBytes?, shareAcrossTabs?, onTabEvent? }`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "CognitoIdentityCredentialsOptions")]
        options: JsValue,
    ) -> Result<CognitoIdentityCredentials, JsValue> {
        Self::from_options(&options).map_err(js_error)
    }

    fn from_options(options: &JsValue) -> crate::Result<Self> {
        let o = Options::new(options)?;
        let region = o.required("region", "region")?;
        let pool = o.required("identityPoolId", "identityPoolId")?;
        let mut c = Config::new(&region, &pool)?;
        let flow = o.string("flow")?;
        match flow.as_deref() {
            None | Some("enhanced") => {}
            Some("basic") => {
                let role_arn = o.required(
                    "roleArn",
                    "roleArn (the IAM role to assume; required by flow: \"basic\")",
                )?;
                c.flow = Flow::Basic { role_arn };
            }
            Some(_) => return Err(config_error("flow must be \"enhanced\" or \"basic\"")),
        }
        c.account_id = o.string("accountId")?.filter(|s| !s.is_empty());
        c.custom_role_arn = o.string("customRoleArn")?.filter(|s| !s.is_empty());
        if let Some(e) = o.string("endpoint")?.filter(|s| !s.is_empty()) {
            c.identity_endpoint = e;
        }
        if let Some(e) = o.string("stsEndpoint")?.filter(|s| !s.is_empty()) {
            c.sts_endpoint = e;
        }
        if let Some(ms) = o.number("refreshMarginMs")? {
            if !(ms >= 0.0 && ms.fract() == 0.0 && ms <= 1e12) {
                return Err(config_error(
                    "refreshMarginMs must be a whole number of milliseconds, 0 or more",
                ));
            }
            c.refresh_margin_ms = ms as i64;
        }
        let timeout_ms = o.number("timeoutMs")?.unwrap_or(10_000.0);
        let max_bytes = o.number("maxAnswerBytes")?.unwrap_or((1u32 << 20).into());
        if !(timeout_ms > 0.0 && max_bytes >= 0.0) {
            return Err(config_error(
                "timeoutMs must be a positive number of milliseconds, maxAnswerBytes 0 or more",
            ));
        }
        // On where the platform has BroadcastChannel and Web Locks (browsers),
        // unless turned off; elsewhere (Node, Deno) as within one page.
        let share = o.get("shareAcrossTabs");
        c.share = match share.as_bool() {
            None if share.is_undefined() => tabs::on_by_default(),
            Some(on) => on && tabs::available(),
            None => return Err(config_error("shareAcrossTabs must be true or false")),
        };
        let on_tab_event = o.get("onTabEvent");
        if !(on_tab_event.is_undefined() || on_tab_event.is_function()) {
            return Err(config_error("onTabEvent must be a function"));
        }
        let logins = o.get("logins");
        if !(logins.is_undefined() || logins.is_null() || logins.is_object()) {
            return Err(config_error(
                "logins must be an object mapping provider names to tokens",
            ));
        }
        Ok(CognitoIdentityCredentials {
            shared: Rc::new(Shared {
                provider: RefCell::new(Provider::new(c)),
                storage: RefCell::new(IdStorage::pick(&o.get("storage"))?),
                id_token: o.get("idToken"),
                id_token_key: RefCell::new(None),
                logins,
                limits: (timeout_ms.ceil() as u32, max_bytes as usize),
                flight: RefCell::new(None),
                channel: RefCell::new(None),
                wake: RefCell::new(None),
                on_tab_event,
            }),
        })
    }

    /// Credentials valid for at least the refresh margin: `{accessKeyId,
    /// secretAccessKey, sessionToken, expiration, identityId}`. The token
    /// functions are called on every call, so that credentials only ever go
    /// to the user whose tokens they are: keep them cheap.
    #[wasm_bindgen(unchecked_return_type = "Promise<AwsCredentials>")]
    pub fn get(&self) -> Promise {
        promise(get(self.shared.clone()))
    }

    /// The IdentityId of the user signed in now (exchanging first if it is not known yet).
    #[wasm_bindgen(js_name = identityId, unchecked_return_type = "Promise<string>")]
    pub fn identity_id(&self) -> Promise {
        let shared = self.shared.clone();
        promise(async move {
            let credentials = get(shared).await?;
            Reflect::get(&credentials, &"identityId".into())
        })
    }

    /// Sign-out: forget the credentials, the logins and this user's stored
    /// IdentityId. An exchange in flight is dropped (its callers get
    /// `Cancelled`) and stores nothing.
    pub fn clear(&self) -> Result<(), JsValue> {
        let (Ok(mut storage), Ok(mut provider)) = (
            self.shared.storage.try_borrow_mut(),
            self.shared.provider.try_borrow_mut(),
        ) else {
            return Err(reentered());
        };
        self.shared.flight.borrow_mut().take();
        // Every tab of this user signs out too (before clear() forgets who).
        if let (Some(text), Some(channel)) = (provider.signed_out(), &*self.shared.channel.borrow())
        {
            channel.post(&text);
        }
        provider.clear(&mut *storage);
        Ok(())
    }

    /// Server time minus local time, as learned from AWS answers (ms).
    #[wasm_bindgen(getter, js_name = clockOffset)]
    pub fn clock_offset(&self) -> Result<f64, JsValue> {
        let provider = self.shared.provider.try_borrow().map_err(|_| reentered())?;
        Ok(provider.clock_offset_ms() as f64)
    }

    /// Throws `ClockSkew` for more than a day either way: the device's clock is wrong.
    #[wasm_bindgen(setter, js_name = clockOffset)]
    pub fn set_clock_offset(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] ms: JsValue,
    ) -> Result<(), JsValue> {
        // Not a finite number: refused as a skew beyond any bound.
        let offset = super::boundary::number(&ms)
            .filter(|m| m.is_finite())
            .map_or(i64::MAX, |m| m as i64);
        self.shared
            .provider
            .try_borrow_mut()
            .map_err(|_| reentered())?
            .set_clock_offset_ms(offset)
            .map_err(js_error)
    }
}

/// get(): cached credentials, or the outcome of the exchange in flight (then
/// ask again), or a new exchange.
async fn get(shared: Rc<Shared>) -> Result<JsValue, JsValue> {
    loop {
        let step = shared.provider.borrow_mut().poll(now());
        if let Step::Ready(issued) = &step {
            return to_js(issued);
        }
        let in_flight = shared.flight.borrow().clone();
        if let Some(flight) = in_flight {
            // Another caller's exchange: share its outcome, then ask again.
            JsFuture::from(flight).await?;
            continue;
        }
        let generation = shared.provider.borrow().generation();
        let flight = promise(exchange(shared.clone(), step, generation));
        *shared.flight.borrow_mut() = Some(flight.clone());
        let outcome = JsFuture::from(flight.clone()).await;
        // clear() may have replaced the flight meanwhile: only forget our own.
        let ours = shared
            .flight
            .borrow()
            .as_ref()
            .is_some_and(|f| **f == *flight);
        if ours {
            shared.flight.borrow_mut().take();
        }
        return outcome;
    }
}

/// One exchange of `generation` from `step` to credentials (or an error):
/// the logins resolved if the provider asks for them (the caller's token
/// functions), then the core's [`Exchange`] on the one driver.
async fn exchange(shared: Rc<Shared>, mut step: Step, generation: u32) -> Result<JsValue, JsValue> {
    if let Step::NeedLogins = step {
        let logins = fresh_logins(&shared).await?;
        let (Ok(storage), Ok(mut provider)) = (
            shared.storage.try_borrow(),
            shared.provider.try_borrow_mut(),
        ) else {
            return Err(reentered());
        };
        provider
            .set_logins(generation, logins, &*storage)
            .map_err(js_error)?;
        step = provider.poll(now());
    }
    open_channel(&shared);
    // Sharing: ask the other tabs, then exchange under the lock (the
    // provider says which); the lock is released when this ends.
    let mut held = None;
    let step = loop {
        step = match step {
            Step::Ask { until } => {
                post(&shared, |p| p.want());
                tabs::wait((until - now()) as f64, &shared.wake).await;
                shared.provider.borrow_mut().resume(generation, now())
            }
            Step::Lock => {
                let name = shared.provider.borrow().channel().unwrap_or_default();
                // A lock the platform refuses (a document being unloaded)
                // leaves this tab to exchange on its own, as without sharing.
                let waited = match tabs::lock(&name).await {
                    Ok((lock, waited)) => {
                        held = Some(lock);
                        waited
                    }
                    Err(_) => false,
                };
                let mut provider = shared.provider.try_borrow_mut().map_err(|_| reentered())?;
                provider.on_locked(generation, waited).map_err(js_error)?;
                provider.poll(now())
            }
            step => break step,
        };
    };
    let outcome = run_exchange(&shared, step, generation).await;
    // Announced before the lock is released: the tabs queued for it have
    // the credentials by the time they hold it.
    post(&shared, Provider::take_announcement);
    drop(held);
    outcome
}

/// Posts what `message` takes from the provider, if anything, on the channel.
fn post(shared: &Shared, message: impl FnOnce(&mut Provider) -> Option<String>) {
    let text = match shared.provider.try_borrow_mut() {
        Ok(mut p) => message(&mut p),
        Err(_) => None,
    };
    if let (Some(text), Some(channel)) = (text, &*shared.channel.borrow()) {
        channel.post(&text);
    }
}

/// Listens on the channel of the user signed in now (sharing only), replacing
/// another user's.
fn open_channel(shared: &Rc<Shared>) {
    let name = match shared.provider.try_borrow() {
        Ok(p) if p.config().share => p.channel(),
        _ => None,
    };
    let Some(name) = name else {
        return;
    };
    if shared
        .channel
        .borrow()
        .as_ref()
        .is_some_and(|c| c.name() == name)
    {
        return;
    }
    let weak = Rc::downgrade(shared);
    *shared.channel.borrow_mut() = tabs::Channel::open(&name, move |text| heard(&weak, &text));
}

/// A message from another tab: the provider's rules decide; the shell posts
/// a reply, ends an ask, or drops the exchange in flight of a user signed out.
fn heard(shared: &Weak<Shared>, text: &str) {
    let Some(shared) = shared.upgrade() else {
        return;
    };
    let heard = match (
        shared.provider.try_borrow_mut(),
        shared.storage.try_borrow_mut(),
    ) {
        (Ok(mut p), Ok(mut s)) => p.on_message(text, now(), &mut *s),
        // Mid-step (a storage callback): heard by nobody, as a lost message.
        _ => return,
    };
    match &heard {
        Heard::Reply(reply) => {
            if let Some(channel) = &*shared.channel.borrow() {
                channel.post(reply);
            }
        }
        Heard::SignedOut => {
            shared.flight.borrow_mut().take();
        }
        Heard::Adopted { .. } | Heard::Nothing => {}
    }
    // The app's UI follows: { type: "signedIn" | "refreshed" | "signedOut" }.
    let event = match heard {
        Heard::Adopted { signed_in: true } => Some("signedIn"),
        Heard::Adopted { signed_in: false } => Some("refreshed"),
        Heard::SignedOut => Some("signedOut"),
        Heard::Reply(_) | Heard::Nothing => None,
    };
    if let (Some(kind), Some(listener)) = (event, shared.on_tab_event.dyn_ref::<Function>()) {
        let event = js_sys::Object::new();
        let _ = Reflect::set(&event, &"type".into(), &kind.into());
        // What the listener throws is its own: not thrown into the channel's task.
        let _ = listener.call1(&JsValue::UNDEFINED, &event);
    }
    if heard != Heard::Nothing {
        if let Some(wake) = shared.wake.borrow_mut().take() {
            let _ = wake.call0(&JsValue::UNDEFINED);
        }
    }
}

/// The core's [`Exchange`] of `generation` from `step`, on the one driver.
async fn run_exchange(
    shared: &Rc<Shared>,
    step: Step,
    generation: u32,
) -> Result<JsValue, JsValue> {
    let storage: &RefCell<dyn Storage> = &shared.storage;
    let (timeout_ms, max_bytes) = shared.limits;
    let mut machine = Exchange::new(
        &shared.provider,
        storage,
        generation,
        step,
        timeout_ms,
        max_bytes,
    );
    match drive(None, &mut machine, &Sending::none()).await?.0 {
        Output::Credentials(issued) => to_js(&issued),
        _ => Err(js_error(config_error(
            "the credential exchange ended without credentials",
        ))),
    }
}

/// The logins of now, `(key, token)`: each value resolved (a function is
/// called and awaited; what it throws reaches the caller of get() as it is);
/// the IdToken's key comes from its `iss`.
async fn fresh_logins(shared: &Shared) -> Result<Vec<(String, String)>, JsValue> {
    let mut out = Vec::new();
    if shared.logins.is_object() {
        // Object.entries runs the object's getters: what they throw is the caller's.
        for entry in super::boundary::entries(&shared.logins)?.iter() {
            let key = Reflect::get(&entry, &0.into())
                .ok()
                .and_then(|k| k.as_string())
                .unwrap_or_default();
            let value = Reflect::get(&entry, &1.into()).unwrap_or(JsValue::UNDEFINED);
            let token = resolve_token(&value, &["logins[\"", &key, "\"]"].concat()).await?;
            out.push((key, token));
        }
    }
    if !shared.id_token.is_undefined() {
        let token = resolve_token(&shared.id_token, "idToken").await?;
        let known = shared
            .id_token_key
            .borrow()
            .as_ref()
            .filter(|(t, _)| *t == token)
            .map(|(_, key)| key.clone());
        let key = match known {
            Some(key) => key,
            None => {
                let key = jwt::decode(&token)
                    .and_then(|claims| claims.logins_key())
                    .map_err(js_error)?;
                *shared.id_token_key.borrow_mut() = Some((token.clone(), key.clone()));
                key
            }
        };
        out.push((key, token));
    }
    Ok(out)
}

/// A token, or the token a function returns (sync or async).
async fn resolve_token(value: &JsValue, what: &str) -> Result<String, JsValue> {
    let mut token = value.clone();
    if let Some(f) = value.dyn_ref::<Function>() {
        // Any thenable (another realm's promise, a library's) is awaited.
        token = JsFuture::from(Promise::resolve(&f.call0(&JsValue::UNDEFINED)?)).await?;
    }
    let token = token.as_string().filter(|t| !t.is_empty()).ok_or_else(|| {
        js_error(Error::new(
            ErrorCode::InvalidConfig,
            [
                what,
                " must be a token string, or a function returning one (sync or async)",
            ]
            .concat(),
        ))
    })?;
    // No token holds one: a line break is a copy-and-paste accident.
    if token.contains(['\r', '\n', '\0']) {
        return Err(js_error(Error::new(
            ErrorCode::InvalidConfig,
            [
                what,
                ": login provider names and tokens must not contain line breaks or NUL",
            ]
            .concat(),
        )));
    }
    Ok(token)
}

/// `{ header, payload }` of a JWT. No signature check: AWS verifies tokens.
#[wasm_bindgen(
    js_name = decodeJwt,
    unchecked_return_type = "DecodedJwt"
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
