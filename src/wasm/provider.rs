//! The credential provider for JS: `RawProvider` wraps the sans-IO
//! [`Provider`]; index.js drives it with fetch. Steps cross as small objects.

use crate::cognito::HttpResponse;
use crate::credentials::{Config, Flow, Provider, Step, Storage};
use alloc::string::String;
use alloc::vec::Vec;
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::{js_error, set, set_request};

/// A JS object with `getItem`/`setItem`/`removeItem` (localStorage,
/// sessionStorage, or index.js's in-memory stand-in). Storage failures (quota,
/// privacy modes) are ignored: the IdentityId is only a cache.
struct JsStorage(JsValue);

impl JsStorage {
    fn call(&self, method: &str, args: &[&JsValue]) -> Option<JsValue> {
        let f: Function = Reflect::get(&self.0, &JsValue::from_str(method)).ok()?.dyn_into().ok()?;
        let args: Array = args.iter().map(|a| (*a).clone()).collect();
        f.apply(&self.0, &args).ok()
    }
}

impl Storage for JsStorage {
    fn get(&self, key: &str) -> Option<String> {
        self.call("getItem", &[&JsValue::from_str(key)])?.as_string()
    }
    fn set(&mut self, key: &str, value: &str) {
        self.call("setItem", &[&JsValue::from_str(key), &JsValue::from_str(value)]);
    }
    fn remove(&mut self, key: &str) {
        self.call("removeItem", &[&JsValue::from_str(key)]);
    }
}

/// `{kind: "ready", accessKeyId, …}`, `{kind: "send", method, url, headers, body}`,
/// `{kind: "wait"}`, `{kind: "sleep", until}`, `{kind: "logins"}`, or throws the error.
fn step_to_js(step: Step) -> Result<JsValue, JsValue> {
    let obj = Object::new();
    let kind = match step {
        Step::Ready(c) => {
            set(&obj, "accessKeyId", c.credentials.access_key_id.into());
            set(&obj, "secretAccessKey", c.credentials.secret_access_key.into());
            set(&obj, "sessionToken", c.credentials.session_token.into());
            set(&obj, "expiration", JsValue::from_f64(c.credentials.expiration_ms as f64));
            set(&obj, "identityId", c.identity_id.into());
            "ready"
        }
        Step::Send(r) => {
            set_request(&obj, r);
            "send"
        }
        Step::Wait => "wait",
        Step::SleepUntil(t) => {
            set(&obj, "until", JsValue::from_f64(t as f64));
            "sleep"
        }
        Step::NeedLogins => "logins",
        Step::Failed(e) => return Err(js_error(e)),
    };
    set(&obj, "kind", JsValue::from_str(kind));
    Ok(obj.into())
}

#[wasm_bindgen]
pub struct RawProvider {
    inner: Provider,
    storage: JsStorage,
}

#[wasm_bindgen]
impl RawProvider {
    /// `config` is `name=value` lines (index.js builds it; values cannot hold
    /// line breaks): one string crosses instead of nine optional ones.
    #[wasm_bindgen(constructor)]
    pub fn new(config: &str, storage: JsValue) -> Result<RawProvider, JsValue> {
        let get = |name: &str| {
            config.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix('=')).filter(|v| !v.is_empty())
        };
        let mut c = Config::new(get("region").unwrap_or(""), get("identityPoolId").unwrap_or("")).map_err(js_error)?;
        c.account_id = get("accountId").map(String::from);
        c.custom_role_arn = get("customRoleArn").map(String::from);
        if let Some(role_arn) = get("roleArn") {
            c.flow = Flow::Basic { role_arn: String::from(role_arn) };
        }
        if let Some(e) = get("endpoint") {
            c.identity_endpoint = String::from(e);
        }
        if let Some(e) = get("stsEndpoint") {
            c.sts_endpoint = String::from(e);
        }
        if let Some(ms) = get("refreshMarginMs").and_then(|v| v.parse::<u32>().ok()) {
            c.refresh_margin_ms = i64::from(ms);
        }
        Ok(RawProvider { inner: Provider::new(c), storage: JsStorage(storage) })
    }

    pub fn poll(&mut self, now_ms: f64) -> Result<JsValue, JsValue> {
        step_to_js(self.inner.poll(now_ms as i64))
    }

    /// The `Logins` map as `key\ntoken\n…` (provider names and JWTs hold no
    /// line breaks; index.js checks).
    #[wasm_bindgen(js_name = setLogins)]
    pub fn set_logins(&mut self, logins: &str) {
        let mut parts = logins.split('\n');
        let mut pairs = Vec::new();
        while let (Some(key), Some(token)) = (parts.next(), parts.next()) {
            pairs.push((String::from(key), String::from(token)));
        }
        self.inner.set_logins(pairs, &self.storage);
    }

    #[wasm_bindgen(js_name = onResponse)]
    pub fn on_response(&mut self, status: u16, date: Option<String>, body: String, now_ms: f64) -> Result<JsValue, JsValue> {
        let response = HttpResponse { status, date, body };
        step_to_js(self.inner.on_response(response, now_ms as i64, &mut self.storage))
    }

    #[wasm_bindgen(js_name = onNetworkError)]
    pub fn on_network_error(&mut self, timed_out: bool, now_ms: f64) -> Result<JsValue, JsValue> {
        step_to_js(self.inner.on_network_error(timed_out, now_ms as i64))
    }

    pub fn clear(&mut self) {
        self.inner.clear(&mut self.storage);
    }

    #[wasm_bindgen(js_name = identityId)]
    pub fn identity_id(&self) -> Option<String> {
        self.inner.identity_id().map(String::from)
    }

    #[wasm_bindgen(getter, js_name = clockOffset)]
    pub fn clock_offset(&self) -> f64 {
        self.inner.clock_offset_ms() as f64
    }

    #[wasm_bindgen(setter, js_name = clockOffset)]
    pub fn set_clock_offset(&mut self, offset_ms: f64) {
        if offset_ms.is_finite() {
            self.inner.set_clock_offset_ms(offset_ms as i64);
        }
    }
}
