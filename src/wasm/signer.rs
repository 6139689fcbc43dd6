//! `Signer` for JS: the sans-IO signer behind a wasm-bindgen class, the same
//! in the whole SDK and in the signer-only module (`cognito-sigv4/signer`).
//! Strings and bytes cross with wasm-bindgen's own passing, once per call;
//! the JS wrappers (src/wasm/js/signer.js, signer-entry.js) turn the API's
//! option objects into them with the platform's URL parser.

use crate::sigv4::{check_expires, Credentials, Payload, Request, Signer};
use alloc::string::String;
use alloc::vec::Vec;
use wasm_bindgen::prelude::*;

/// The crate's error as `name\nmessage`, thrown as a string: the JS wrapper
/// (signer-entry.js) makes it an `Error` with `name` and `code`. Creating the
/// Error here took js-sys; with `Vec<String>` passing (below) that cost 1.8 KB
/// gz of wasm and 0.3 KB of JS (measured: 22,653 -> 20,858 B) for the same result.
fn js_error(e: crate::Error) -> JsValue {
    JsValue::from_str(&crate::error::cat(&[e.name(), "\n", &e.message]))
}

fn epoch_ms(date_ms: f64) -> crate::Result<i64> {
    if date_ms.is_finite() {
        Ok(date_ms as i64)
    } else {
        Err(crate::Error::new(
            crate::ErrorCode::InvalidDate,
            "date must be a valid Date or epoch milliseconds",
        ))
    }
}

/// `name\nvalue\n…` as pairs (the wrapper has refused line breaks inside
/// names and values; an odd last name gets "").
fn pairs(flat: &str) -> Vec<(&str, &str)> {
    // Byte-wise: `str::split` links a searcher with panic paths (and
    // core::fmt) into the signer module. Cut at `\n`, so always UTF-8.
    fn text(b: &[u8]) -> &str {
        core::str::from_utf8(b).unwrap_or_default()
    }
    let mut fields = flat
        .as_bytes()
        .split(|&b| b == b'\n')
        .filter(|_| !flat.is_empty());
    let mut out = Vec::new();
    while let Some(name) = fields.next() {
        out.push((text(name), fields.next().map_or("", text)));
    }
    out
}

/// Payload modes, as src/wasm/js/util.js numbers them.
const PAYLOAD_BYTES: u32 = 1;
const PAYLOAD_UNSIGNED: u32 = 2;
const PAYLOAD_HASH: u32 = 3;

#[wasm_bindgen]
pub struct RawSigner {
    inner: Signer,
}

#[wasm_bindgen]
impl RawSigner {
    #[wasm_bindgen(constructor)]
    pub fn new(
        access_key_id: &str,
        secret_access_key: &str,
        session_token: &str,
        region: &str,
        service: &str,
    ) -> Result<RawSigner, JsValue> {
        let token = Some(session_token).filter(|t| !t.is_empty());
        Credentials::new(access_key_id, secret_access_key, token)
            .and_then(|creds| Signer::new(creds, region, service))
            .map(|inner| RawSigner { inner })
            .map_err(js_error)
    }

    /// `method\nurl\nname\nvalue…` of the signed request (`headers` in the
    /// same form). One string each way: wasm-bindgen's `Vec<String>` passing
    /// cost more bytes and a JS string per field.
    #[allow(clippy::too_many_arguments)]
    pub fn sign(
        &mut self,
        method: &str,
        url: &str,
        headers: &str,
        payload_mode: u32,
        body: &[u8],
        payload_hash: &str,
        content_sha256: bool,
        date_ms: f64,
    ) -> Result<String, JsValue> {
        let headers = pairs(headers);
        let mut req = Request::new(method, url);
        req.headers = &headers;
        req.payload = match payload_mode {
            PAYLOAD_BYTES => Payload::Bytes(body),
            PAYLOAD_UNSIGNED => Payload::Unsigned,
            PAYLOAD_HASH => Payload::Precomputed(payload_hash),
            _ => Payload::Empty,
        };
        req.content_sha256 = content_sha256;
        // The headers and the authorization; not the session token, which
        // the output leaves for the JS wrapper to fill in (it has it).
        let mut out = String::with_capacity(512 + url.len() + 64 * headers.len());
        epoch_ms(date_ms)
            .and_then(|now| self.inner.sign_into(&req, now, &mut out))
            .map_err(js_error)?;
        Ok(out)
    }

    /// The presigned URL.
    pub fn presign(
        &mut self,
        method: &str,
        url: &str,
        headers: &str,
        expires_in: f64,
        date_ms: f64,
    ) -> Result<String, JsValue> {
        let headers = pairs(headers);
        let mut req = Request::new(method, url);
        req.headers = &headers;
        // The token travels encoded in the URL (up to 3 bytes a byte).
        let token = self.inner.credentials().session_token.as_deref();
        let mut out = String::with_capacity(512 + url.len() + 3 * token.map_or(0, str::len));
        check_expires(expires_in)
            .and_then(|expires| Ok((expires, epoch_ms(date_ms)?)))
            .and_then(|(expires, now)| self.inner.presign_into(&req, expires, now, &mut out))
            .map_err(js_error)?;
        Ok(out)
    }
}

#[cfg(not(feature = "signer-entry"))]
#[wasm_bindgen]
impl RawSigner {
    /// The canonical request and string to sign of the last signature,
    /// separated by a NUL (which neither can contain).
    pub fn explain(&self) -> String {
        let (creq, sts) = self.inner.explain();
        crate::error::cat(&[creq, "\0", sts])
    }
}

/// Lower-case hex SHA-256 (to pass as `payloadHash`).
#[wasm_bindgen]
pub fn sha256_hex(data: &[u8]) -> String {
    crate::sigv4::sha256::hex(&crate::sigv4::sha256::sha256(data))
}
