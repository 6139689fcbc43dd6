//! The credential provider for JS: credentials.js drives the sans-IO
//! [`Provider`] with fetch. Steps cross as `\n`-joined text:
//! `ready\naccessKeyId\nsecretAccessKey\nsessionToken\nexpirationMs\nidentityId`,
//! `send\nmethod\nurl\nheaderCount\nname\nvalue…\nbody` (the body last: it is
//! the one field that may hold line breaks), `wait`, `sleep\nuntilMs`, `logins`.

use super::{body_text, deref, fail, free, handle, input, output, Fields};
use crate::credentials::{Config, Flow, Provider, Step, Storage};
use crate::error::num;
use crate::http::{HttpRequest, HttpResponse};
use crate::jwt;
use alloc::string::String;
use alloc::vec::Vec;

// The IdentityId's storage (localStorage, sessionStorage or memory), which
// wasm.js supplies per call under a well-known symbol. Failures (quota,
// privacy modes) are ignored there: the IdentityId is only a cache.
#[wasm_bindgen::prelude::wasm_bindgen(inline_js = "
const current = () => globalThis[Symbol.for('cognito-sigv4.storage')];
export function storage_get(key) {
  try { const v = current().getItem(key); return typeof v === 'string' ? v : undefined; } catch { return undefined; }
}
export function storage_set(key, value) { try { current().setItem(key, value); } catch {} }
export function storage_remove(key) { try { current().removeItem(key); } catch {} }
")]
extern "C" {
    fn storage_get(key: &str) -> Option<String>;
    fn storage_set(key: &str, value: &str);
    fn storage_remove(key: &str);
}

struct JsStorage;

impl Storage for JsStorage {
    fn get(&self, key: &str) -> Option<String> {
        // IdentityIds are `region:uuid`, about 50 bytes; longer values are not ours.
        storage_get(key).filter(|v| v.len() <= 128)
    }
    fn set(&mut self, key: &str, value: &str) {
        storage_set(key, value)
    }
    fn remove(&mut self, key: &str) {
        storage_remove(key)
    }
}

fn push_lines(out: &mut String, fields: &[&str]) {
    for field in fields {
        out.push('\n');
        out.push_str(field);
    }
}

/// `\nmethod\nurl\nheaderCount\nname\nvalue…\nbody` appended to `out`.
pub(crate) fn push_request(out: &mut String, r: &HttpRequest) {
    push_lines(out, &[r.method, &r.url, &num(r.headers.len() as u64)]);
    for (name, value) in &r.headers {
        push_lines(out, &[name, value]);
    }
    push_lines(out, &[&r.body]);
}

fn step(step: Step) -> i32 {
    let mut out = String::with_capacity(256);
    match step {
        Step::Ready(c) => {
            out.push_str("ready");
            let creds = &c.credentials;
            let expiration = num(creds.expiration_ms.unwrap_or(0).max(0) as u64);
            push_lines(
                &mut out,
                &[
                    &creds.access_key_id,
                    &creds.secret_access_key,
                    creds.session_token.as_deref().unwrap_or(""),
                    &expiration,
                    &c.identity_id,
                ],
            );
        }
        Step::Send(r) => {
            out.push_str("send");
            push_request(&mut out, &r);
        }
        Step::Wait => out.push_str("wait"),
        Step::SleepUntil(t) => {
            out.push_str("sleep");
            push_lines(&mut out, &[&num(t.max(0) as u64)]);
        }
        Step::NeedLogins => out.push_str("logins"),
        Step::Failed(e) => return fail(e),
    }
    output(out)
}

/// Input: `name=value` lines (credentials.js builds them). A handle.
#[no_mangle]
pub extern "C" fn provider_new() -> i32 {
    let (_, config) = input(0);
    let get = |name: &str| {
        config
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix('='))
            .filter(|v| !v.is_empty())
    };
    let mut c = match Config::new(
        get("region").unwrap_or(""),
        get("identityPoolId").unwrap_or(""),
    ) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    c.account_id = get("accountId").map(String::from);
    c.custom_role_arn = get("customRoleArn").map(String::from);
    if let Some(role_arn) = get("roleArn") {
        c.flow = Flow::Basic {
            role_arn: String::from(role_arn),
        };
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
    handle(Provider::new(c))
}

/// # Safety
/// `h` is a live provider handle (see [`super::deref`]).
#[no_mangle]
pub unsafe extern "C" fn provider_free(h: i32) {
    free::<Provider>(h);
}

/// # Safety
/// `h` is a live provider handle.
#[no_mangle]
pub unsafe extern "C" fn provider_poll(h: i32, now_ms: f64) -> i32 {
    step(deref::<Provider>(h).poll(now_ms as i64))
}

/// The exchange generation (see [`Provider::generation`]).
///
/// # Safety
/// `h` is a live provider handle.
#[no_mangle]
pub unsafe extern "C" fn provider_generation(h: i32) -> u32 {
    deref::<Provider>(h).generation()
}

/// Input: the `Logins` map as `key\ntoken\n…` (credentials.js has refused
/// line breaks in provider names and tokens). An empty key stands for a user
/// pool IdToken: its key comes from the token's `iss`. 0, or the typed error.
///
/// # Safety
/// `h` is a live provider handle.
#[no_mangle]
pub unsafe extern "C" fn provider_set_logins(h: i32, g: u32) -> i32 {
    let (_, text) = input(0);
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (key, token) in Fields::new(&text).pairs() {
        let key = match key {
            "" => match jwt::decode(token).and_then(|claims| claims.logins_key()) {
                Ok(key) => key,
                Err(e) => return fail(e),
            },
            key => String::from(key),
        };
        pairs.push((key, String::from(token)));
    }
    match deref::<Provider>(h).set_logins(g, pairs, &JsStorage) {
        Ok(()) => 0,
        Err(e) => fail(e),
    }
}

/// After a sleep: goes on with the exchange of generation `g`.
///
/// # Safety
/// `h` is a live provider handle.
#[no_mangle]
pub unsafe extern "C" fn provider_resume(h: i32, g: u32, now_ms: f64) -> i32 {
    step(deref::<Provider>(h).resume(g, now_ms as i64))
}

/// Input: the body's `body_len` bytes, then the Date header (empty when absent).
///
/// # Safety
/// `h` is a live provider handle.
#[no_mangle]
pub unsafe extern "C" fn provider_on_response(
    h: i32,
    g: u32,
    status: u32,
    body_len: usize,
    now_ms: f64,
) -> i32 {
    let (body, date) = input(body_len);
    let response = HttpResponse {
        status: u16::try_from(status).unwrap_or(0),
        date: Some(date).filter(|d| !d.is_empty()),
        body: body_text(body),
    };
    step(deref::<Provider>(h).on_response(g, response, now_ms as i64, &mut JsStorage))
}

/// # Safety
/// `h` is a live provider handle.
#[no_mangle]
pub unsafe extern "C" fn provider_on_network_error(
    h: i32,
    g: u32,
    timed_out: bool,
    now_ms: f64,
) -> i32 {
    step(deref::<Provider>(h).on_network_error(g, timed_out, now_ms as i64))
}

/// # Safety
/// `h` is a live provider handle.
#[no_mangle]
pub unsafe extern "C" fn provider_clear(h: i32) {
    deref::<Provider>(h).clear(&mut JsStorage);
}

/// The IdentityId once known, else empty.
///
/// # Safety
/// `h` is a live provider handle.
#[no_mangle]
pub unsafe extern "C" fn provider_identity_id(h: i32) -> i32 {
    output(String::from(
        deref::<Provider>(h).identity_id().unwrap_or(""),
    ))
}

/// # Safety
/// `h` is a live provider handle.
#[no_mangle]
pub unsafe extern "C" fn provider_clock_offset(h: i32) -> f64 {
    deref::<Provider>(h).clock_offset_ms() as f64
}

/// 0, or `ClockSkew` for an offset beyond a day (or not a number).
///
/// # Safety
/// `h` is a live provider handle.
#[no_mangle]
pub unsafe extern "C" fn provider_set_clock_offset(h: i32, offset_ms: f64) -> i32 {
    // `as` saturates: NaN becomes 0, which is refused below as not finite.
    let offset = if offset_ms.is_finite() {
        offset_ms as i64
    } else {
        i64::MAX
    };
    match deref::<Provider>(h).set_clock_offset_ms(offset) {
        Ok(()) => 0,
        Err(e) => fail(e),
    }
}
