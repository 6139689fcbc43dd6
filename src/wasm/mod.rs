//! The thin shell: the only code that knows about wasm-bindgen and JS.
//!
//! It exposes a deliberately flat, string-framed API (`RawSigner`) that the
//! hand-written JS in `src/wasm/js/index.js` wraps into the contract's classes.
//! One string in and one string out per signature costs two boundary copies;
//! building JS objects field by field from Rust would cost dozens of calls.

use alloc::string::String;
use alloc::vec::Vec;
use crate::error::{Error, ErrorCode};
use crate::sigv4::{check_expires, Credentials, Payload, Request, Signer};
use wasm_bindgen::prelude::*;

mod provider;
mod user_pool;

/// Sets a property on a fresh plain object (which cannot fail).
pub(crate) fn set(obj: &js_sys::Object, key: &str, value: JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), &value);
}

/// Writes an HTTP request's `method`, `url`, `headers` and `body` onto `obj`, for fetch.
pub(crate) fn set_request(obj: &js_sys::Object, r: crate::cognito::HttpRequest) {
    set(obj, "method", JsValue::from_str(r.method));
    set(obj, "url", r.url.into());
    let headers = js_sys::Object::new();
    for (name, value) in r.headers {
        set(&headers, name, value.into());
    }
    set(obj, "headers", headers.into());
    set(obj, "body", r.body.into());
}

/// A JS `Error` whose `name` and `code` are the stable error code.
pub(crate) fn js_error(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name(e.name());
    // Setting a property on a fresh Error cannot fail; the result is ignored on purpose.
    let _ = js_sys::Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(e.name()));
    err.into()
}

fn epoch_ms(date_ms: f64) -> Result<i64, JsValue> {
    if !date_ms.is_finite() {
        return Err(js_error(Error::new(
            ErrorCode::InvalidDate,
            "date must be a valid Date or epoch milliseconds",
        )));
    }
    // Truncation towards zero; dates before 1970 are refused by the core anyway.
    Ok(date_ms as i64)
}

/// Payload modes, mirrored in index.js.
const PAYLOAD_EMPTY: u32 = 0;
const PAYLOAD_BYTES: u32 = 1;
const PAYLOAD_TEXT: u32 = 2;
const PAYLOAD_UNSIGNED: u32 = 3;
const PAYLOAD_HASH: u32 = 4;

#[wasm_bindgen]
pub struct RawSigner {
    inner: Signer,
    canonical_request: String,
    string_to_sign: String,
}

#[wasm_bindgen]
impl RawSigner {
    #[wasm_bindgen(constructor)]
    pub fn new(
        access_key_id: &str,
        secret_access_key: &str,
        session_token: Option<String>,
        region: &str,
        service: &str,
    ) -> Result<RawSigner, JsValue> {
        let creds = Credentials::new(access_key_id, secret_access_key, session_token.as_deref()).map_err(js_error)?;
        let inner = Signer::new(creds, region, service).map_err(js_error)?;
        Ok(RawSigner { inner, canonical_request: String::new(), string_to_sign: String::new() })
    }

    /// `headers` is `name\nvalue\n…` (index.js has refused line breaks in
    /// either). Returns `method\nurl\nname\nvalue\n…`.
    #[allow(clippy::too_many_arguments)]
    pub fn sign(
        &mut self,
        method: &str,
        url: &str,
        headers: &str,
        payload_mode: u32,
        body: &[u8],
        text: &str,
        content_sha256: bool,
        date_ms: f64,
    ) -> Result<String, JsValue> {
        let pairs = split_headers(headers);
        let mut req = Request::new(method, url);
        req.headers = &pairs;
        req.payload = payload(payload_mode, body, text);
        req.content_sha256 = content_sha256;
        let signed = self.inner.sign(&req, epoch_ms(date_ms)?).map_err(js_error)?;
        let mut out = String::with_capacity(512);
        out.push_str(&signed.method);
        out.push('\n');
        out.push_str(&signed.url);
        for (name, value) in &signed.headers {
            out.push('\n');
            out.push_str(name);
            out.push('\n');
            out.push_str(value);
        }
        self.canonical_request = signed.canonical_request;
        self.string_to_sign = signed.string_to_sign;
        Ok(out)
    }

    pub fn presign(
        &mut self,
        method: &str,
        url: &str,
        headers: &str,
        expires_in: f64,
        date_ms: f64,
    ) -> Result<String, JsValue> {
        let pairs = split_headers(headers);
        let mut req = Request::new(method, url);
        req.headers = &pairs;
        let expires = check_expires(expires_in).map_err(js_error)?;
        let presigned = self.inner.presign(&req, expires, epoch_ms(date_ms)?).map_err(js_error)?;
        self.canonical_request = presigned.canonical_request;
        self.string_to_sign = presigned.string_to_sign;
        Ok(presigned.url)
    }

    /// The canonical request of the last `sign`/`presign`, for debugging and the playground.
    #[wasm_bindgen(getter, js_name = canonicalRequest)]
    pub fn canonical_request(&self) -> String {
        self.canonical_request.clone()
    }

    #[wasm_bindgen(getter, js_name = stringToSign)]
    pub fn string_to_sign(&self) -> String {
        self.string_to_sign.clone()
    }
}

fn payload<'a>(mode: u32, body: &'a [u8], text: &'a str) -> Payload<'a> {
    match mode {
        PAYLOAD_BYTES => Payload::Bytes(body),
        PAYLOAD_TEXT => Payload::Bytes(text.as_bytes()),
        PAYLOAD_UNSIGNED => Payload::Unsigned,
        PAYLOAD_HASH => Payload::Precomputed(text),
        PAYLOAD_EMPTY | _ => Payload::Empty,
    }
}

fn split_headers(headers: &str) -> Vec<(&str, &str)> {
    let mut parts = headers.split('\n');
    let mut pairs = Vec::new();
    while let (Some(name), Some(value)) = (parts.next(), parts.next()) {
        pairs.push((name, value));
    }
    pairs
}

/// SHA-256 of bytes as lower-case hex, exported for payload hashes computed
/// ahead of signing (and for the benchmark against WebCrypto).
#[wasm_bindgen(js_name = sha256Hex)]
pub fn sha256_hex(data: &[u8]) -> String {
    crate::sigv4::sha256::hex(&crate::sigv4::sha256::sha256(data))
}

#[cfg(feature = "tiny")]
mod allocator;

#[cfg(feature = "tiny")]
#[global_allocator]
static ALLOCATOR: allocator::SizeClasses = allocator::SizeClasses::new();

/// In the shipped module a panic (which the code is written never to reach)
/// traps at once instead of formatting a message nobody can read.
#[cfg(feature = "tiny")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
