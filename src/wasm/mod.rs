//! The thin shell: the only code that knows it runs under JavaScript.
//!
//! The module is loaded, and its imports served, by wasm-bindgen's glue; its
//! exports are still plain ones over one exchange buffer (`IO`), moving to
//! `#[wasm_bindgen]` one by one (the signer entry, `signer_entry.rs`, is the
//! first). Over the buffer, every call goes so: JS writes a call's
//! input there (text fields joined by `\n`, which index.js has refused inside
//! any field, after the body's bytes when there is a body), calls an export,
//! and reads the output back from the same buffer. Exports return the output's
//! length, a handle, or `!len` (negative) when the output is an error,
//! `name\nstatus\nmessage`. `src/wasm/js/wasm.js` is the JS half.

use crate::error::{Error, ErrorCode};
use crate::sigv4::{check_expires, Credentials, Payload, Request, Signer};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::UnsafeCell;

pub mod provider;
pub mod s3;
pub mod signed_fetch;
pub mod user_pool;

/// The exchange buffer. Wasm here is single-threaded and no export runs while
/// another does, so one buffer without locking is sound.
struct Exchange(UnsafeCell<Vec<u8>>);
// SAFETY: wasm32 without threads: there is only ever one thread.
unsafe impl Sync for Exchange {}
static IO: Exchange = Exchange(UnsafeCell::new(Vec::new()));

fn io() -> &'static mut Vec<u8> {
    // SAFETY: single-threaded, and every caller is done with the reference
    // before the export returns; none is held across another call to `io`.
    unsafe { &mut *IO.0.get() }
}

/// Sizes the buffer to `len` bytes for JS to fill, and returns its address.
#[no_mangle]
pub extern "C" fn io_reserve(len: usize) -> *mut u8 {
    let buf = io();
    buf.clear();
    buf.resize(len, 0);
    buf.as_mut_ptr()
}

/// Drops what JS did not fill (it reserves for the worst case of UTF-8).
#[no_mangle]
pub extern "C" fn io_truncate(len: usize) {
    io().truncate(len);
}

/// Where JS reads an output from (the buffer may have moved since `io_reserve`).
#[no_mangle]
pub extern "C" fn io_ptr() -> *const u8 {
    io().as_ptr()
}

/// Takes the call's input: the first `body_len` bytes, then the text fields.
pub(crate) fn input(body_len: usize) -> (Vec<u8>, String) {
    let mut bytes = core::mem::take(io());
    let text = bytes.split_off(body_len.min(bytes.len()));
    // JS writes with TextEncoder, which only produces valid UTF-8; anything
    // else yields no fields, which every export refuses with a typed error.
    (bytes, String::from_utf8(text).unwrap_or_default())
}

/// Text fields, `""` past the end.
pub(crate) struct Fields<'a>(Option<&'a str>);

impl<'a> Fields<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Fields(Some(text))
    }
    pub(crate) fn next(&mut self) -> &'a str {
        let rest = self.0.unwrap_or("");
        let (field, after) = match rest.split_once('\n') {
            Some((field, after)) => (field, Some(after)),
            None => (rest, None),
        };
        self.0 = after;
        field
    }
    /// Everything after the fields taken so far, line breaks included.
    pub(crate) fn rest(self) -> &'a str {
        self.0.unwrap_or("")
    }
    /// The remaining fields as `(name, value)` pairs.
    pub(crate) fn pairs(mut self) -> Vec<(&'a str, &'a str)> {
        let mut pairs = Vec::new();
        while self.0.is_some() {
            pairs.push((self.next(), self.next()));
        }
        pairs
    }
}

/// A body's bytes as text (JS sends what `Response.text()` gave, valid UTF-8).
pub(crate) fn body_text(body: Vec<u8>) -> String {
    String::from_utf8(body).unwrap_or_default()
}

/// Puts an output in the buffer and returns its length.
pub(crate) fn output(out: String) -> i32 {
    let len = out.len() as i32;
    *io() = out.into_bytes();
    len
}

/// Puts `name\nstatus\nmessage` in the buffer (status empty when no service
/// answered) and returns `!len`.
pub(crate) fn fail(e: Error) -> i32 {
    let status = e
        .status
        .map(|s| crate::error::num(u64::from(s)))
        .unwrap_or_default();
    !output(crate::error::cat(&[
        e.name(),
        "\n",
        &status,
        "\n",
        &e.message,
    ]))
}

pub(crate) fn result(r: crate::Result<String>) -> i32 {
    r.map_or_else(fail, output)
}

/// A boxed value as a handle (wasm32 heap addresses fit in an i32 and are > 0).
pub(crate) fn handle<T>(value: T) -> i32 {
    Box::into_raw(Box::new(value)) as i32
}

/// The value behind a handle JS got from `handle::<T>`.
///
/// # Safety
/// `h` must come from `handle::<T>` and not have been freed; wasm.js only
/// calls with the handle of a live object of the right class.
pub(crate) unsafe fn deref<'a, T>(h: i32) -> &'a mut T {
    &mut *(h as *mut T)
}

/// # Safety
/// As for [`deref`]; the handle is dead afterwards.
pub(crate) unsafe fn free<T>(h: i32) {
    drop(Box::from_raw(h as *mut T));
}

fn epoch_ms(date_ms: f64) -> crate::Result<i64> {
    if !date_ms.is_finite() {
        return Err(Error::new(
            ErrorCode::InvalidDate,
            "date must be a valid Date or epoch milliseconds",
        ));
    }
    // Truncation towards zero; dates before 1970 are refused by the core anyway.
    Ok(date_ms as i64)
}

/// Payload modes, mirrored in util.js (0, or anything else: no body).
const PAYLOAD_BYTES: u32 = 1;
const PAYLOAD_UNSIGNED: u32 = 2;
const PAYLOAD_HASH: u32 = 3;

/// A signer plus what `explain` shows of its last signature.
pub struct WasmSigner {
    inner: Signer,
    explained: String,
}

/// Input `accessKeyId\nsecretAccessKey\nsessionToken\nregion\nservice`; a handle.
#[no_mangle]
pub extern "C" fn signer_new() -> i32 {
    let (_, text) = input(0);
    let mut f = Fields::new(&text);
    let (akid, secret, token) = (f.next(), f.next(), f.next());
    let signer = Credentials::new(akid, secret, Some(token).filter(|t| !t.is_empty()))
        .and_then(|creds| Signer::new(creds, f.next(), f.next()));
    match signer {
        Ok(inner) => handle(WasmSigner {
            inner,
            explained: String::new(),
        }),
        Err(e) => fail(e),
    }
}

/// # Safety
/// `h` is a live signer handle (see [`deref`]).
#[no_mangle]
pub unsafe extern "C" fn signer_free(h: i32) {
    free::<WasmSigner>(h);
}

/// Input: `body_len` body bytes, then `method\nurl\npayloadHash\nname\nvalue…`.
/// Output `method\nurl\nname\nvalue…`.
///
/// # Safety
/// `h` is a live signer handle (see [`deref`]).
#[no_mangle]
pub unsafe extern "C" fn signer_sign(
    h: i32,
    body_len: usize,
    payload_mode: u32,
    content_sha256: bool,
    date_ms: f64,
) -> i32 {
    let signer = deref::<WasmSigner>(h);
    let (body, text) = input(body_len);
    let mut f = Fields::new(&text);
    let (method, url, hash) = (f.next(), f.next(), f.next());
    let headers = f.pairs();
    let mut req = Request::new(method, url);
    req.headers = &headers;
    req.payload = match payload_mode {
        PAYLOAD_BYTES => Payload::Bytes(&body),
        PAYLOAD_UNSIGNED => Payload::Unsigned,
        PAYLOAD_HASH => Payload::Precomputed(hash),
        _ => Payload::Empty,
    };
    req.content_sha256 = content_sha256;
    result(
        epoch_ms(date_ms)
            .and_then(|now| signer.inner.sign(&req, now))
            .map(|signed| {
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
                signer.explained =
                    crate::error::cat(&[&signed.canonical_request, "\0", &signed.string_to_sign]);
                out
            }),
    )
}

/// Input `method\nurl\nname\nvalue…`; output the presigned URL.
///
/// # Safety
/// `h` is a live signer handle (see [`deref`]).
#[no_mangle]
pub unsafe extern "C" fn signer_presign(h: i32, expires_in: f64, date_ms: f64) -> i32 {
    let signer = deref::<WasmSigner>(h);
    let (_, text) = input(0);
    let mut f = Fields::new(&text);
    let (method, url) = (f.next(), f.next());
    let headers = f.pairs();
    let mut req = Request::new(method, url);
    req.headers = &headers;
    let presigned = check_expires(expires_in)
        .and_then(|expires| Ok((expires, epoch_ms(date_ms)?)))
        .and_then(|(expires, now)| signer.inner.presign(&req, expires, now));
    result(presigned.map(|p| {
        signer.explained = crate::error::cat(&[&p.canonical_request, "\0", &p.string_to_sign]);
        p.url
    }))
}

/// The canonical request and string to sign of the last signature, separated
/// by a NUL (which neither can contain: the URL and header checks refuse it).
///
/// # Safety
/// `h` is a live signer handle (see [`deref`]).
#[no_mangle]
pub unsafe extern "C" fn signer_explain(h: i32) -> i32 {
    output(deref::<WasmSigner>(h).explained.clone())
}

/// SHA-256 of the buffer's `len` bytes as lower-case hex: payload hashes
/// computed ahead of signing, and the benchmark against WebCrypto.
#[no_mangle]
pub extern "C" fn sha256_hex(len: usize) -> i32 {
    let (bytes, _) = input(len);
    output(crate::sigv4::sha256::hex(&crate::sigv4::sha256::sha256(
        &bytes,
    )))
}
