//! `AwsClient`: a signed drop-in for `fetch`. Credentials come from a
//! `CognitoIdentityCredentials` (or anything with `get()`) or are plain keys;
//! service and region are read from AWS host names when not given. This reads
//! fetch()'s arguments and the body (hashed from its own memory); signing,
//! retries and clock correction are the core's machine (`op::Fetch`), run by
//! the one driver (driver.rs).

use super::boundary::{config_error, js_error, promise, stringify, Options};
use super::driver::{drive, Sending};
use crate::error::{Error, ErrorCode};
use crate::op::{Call, Fetch, Machine, Need, Signing};
use crate::sigv4::{self, Credentials, Signer};
use js_sys::{Function, Promise, Reflect, Uint8Array};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The Request options fetch() honours besides method, headers and body: a
/// signed copy of a Request keeps them all, so it behaves like the original.
const CARRIED: [&str; 10] = [
    "signal",
    "credentials",
    "redirect",
    "mode",
    "cache",
    "referrer",
    "referrerPolicy",
    "integrity",
    "keepalive",
    "priority",
];

/// An attempt's signals: the one to send with, `AbortSignal.timeout(ms)`
/// joined with the caller's by `AbortSignal.any` (where the platform lacks
/// it, the caller's alone), and the timeout's own, to tell a timeout from an
/// abort. Where there is no `AbortSignal.timeout` (Safari before 16), an
/// `AbortController` aborted by a timer. Looked up by name, so that a
/// platform without them gets no trap.
pub(crate) fn attempt_signal(
    ms: u32,
    caller: Option<&web_sys::AbortSignal>,
) -> Option<(JsValue, JsValue)> {
    let class = Reflect::get(&js_sys::global(), &"AbortSignal".into()).ok()?;
    let call = |name: &str, arg: &JsValue| {
        Reflect::get(&class, &name.into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .and_then(|f| f.call1(&class, arg).ok())
    };
    let timeout = match call("timeout", &f64::from(ms).into()) {
        Some(timeout) => timeout,
        None => {
            let controller = web_sys::AbortController::new().ok()?;
            let signal = controller.signal();
            let abort = Closure::once_into_js(move || controller.abort());
            super::fetch::set_timeout(&abort, f64::from(ms));
            signal.into()
        }
    };
    let joined = match caller {
        None => timeout.clone(),
        Some(caller) => {
            call("any", &js_sys::Array::of2(caller, &timeout)).unwrap_or_else(|| caller.into())
        }
    };
    Some((joined, timeout))
}

thread_local! {
    /// Timeout signals not yet fired, with the Request each was given to.
    /// Node's fetch follows a Request's signal weakly: once the Request and
    /// the timeout are collected, the timer aborts nothing and a stalled body
    /// is read forever (found by bench/soak.mjs under GC).
    static ARMED: js_sys::Map = js_sys::Map::new();
}

/// Holds `signal` and `request` until the timeout fires (it always does).
pub(crate) fn keep_until_fired(signal: &JsValue, request: &JsValue) {
    ARMED.with(|armed| armed.set(signal, request));
    let fired = signal.clone();
    let release = Closure::once_into_js(move || ARMED.with(|armed| armed.delete(&fired)));
    let listen = Reflect::get(signal, &"addEventListener".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok());
    if let Some(listen) = listen {
        let _ = listen.call2(signal, &"abort".into(), &release);
    }
}

pub(crate) fn aborted(signal: &JsValue) -> bool {
    Reflect::get(signal, &"aborted".into()).is_ok_and(|a| a.is_truthy())
}

thread_local! {
    /// Each answer's attempt timeout signal, for reading its body: a body cut
    /// off when it fired is a Timeout, however the platform words the failure
    /// (Node may report the closed socket first).
    pub(crate) static TIMERS: js_sys::WeakMap = js_sys::WeakMap::new();
}

/// Whether `response`'s attempt timed out (its body read then failed for it).
pub(crate) fn timed_out(response: &web_sys::Response) -> bool {
    TIMERS.with(|t| aborted(&t.get(response)))
}

/// From this size, bodies are hashed by WebCrypto (native SHA-256, several
/// times the speed of wasm) since fetch is async anyway; smaller ones stay in
/// wasm, where a call costs less than WebCrypto's round trip.
const WEBCRYPTO_MIN_BYTES: usize = 64 * 1024;

/// A request read once from fetch()'s arguments: a body is buffered so that
/// a retry can send it again.
pub(crate) struct Prepared {
    pub url: String,
    pub host: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    /// What fetch sends (the caller's body, or its bytes when it was read).
    pub body: JsValue,
    /// What is hashed: the bytes, a precomputed hash, or neither (unsigned / empty).
    pub hashed: crate::op::Body,
    /// fetch options carried over (`CARRIED`), set on every attempt's init.
    pub options: Vec<(&'static str, JsValue)>,
    /// A stream body: sent once (no retries), unsigned.
    pub stream: bool,
}

/// What a client shares with its requests in flight: the credentials, and
/// the core's [`Signing`] (region, service, retries, timeout, clock offset,
/// signers), borrowed only while a machine is polled.
pub(crate) struct Client {
    credentials: JsValue,
    pub(crate) signing: RefCell<Signing>,
}

fn url_error(shown: &str) -> Error {
    let mut shown: String = shown.chars().take(80).collect();
    if shown.len() < 80 {
        shown.shrink_to_fit();
    } else {
        shown.push('…');
    }
    Error::new(
        ErrorCode::InvalidUrl,
        ["`", &shown, "` is not an absolute URL: give the full address, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/prod/items"].concat(),
    )
}

/// A URL argument as text: a string, or an object's `String()` (a URL's href).
fn url_text(value: &JsValue) -> Result<String, JsValue> {
    match value.as_string() {
        Some(s) => Ok(s),
        None if value.is_object() => stringify(value),
        None => Err(js_error(url_error(""))),
    }
}

/// `(href, host)` of an absolute URL, by the platform's URL parser (the form
/// fetch will send: percent-encoding, dot segments, default ports, IDNA).
pub(crate) fn parse_url(url: &str) -> crate::Result<(String, String)> {
    web_sys::Url::new(url)
        .map(|u| (u.href(), u.host()))
        .map_err(|_| url_error(url))
}

/// `name: value` pairs of anything `new Headers()` takes.
pub(crate) fn header_pairs(init: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    // `new Headers(init)`: the binding's name says sequence, the constructor takes any init.
    let headers = web_sys::Headers::new_with_str_sequence_sequence(init).map_err(|_| {
        js_error(Error::new(
            ErrorCode::InvalidHeader,
            "headers must be an object, a Headers instance or an array of [name, value] pairs, without line breaks",
        ))
    })?;
    Ok(pairs(&headers))
}

/// The `name: value` pairs of a `Headers`, as it iterates them (lower case).
pub(crate) fn pairs(headers: &web_sys::Headers) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Ok(Some(entries)) = js_sys::try_iter(headers) {
        for entry in entries.flatten() {
            let get = |i: u32| {
                Reflect::get_u32(&entry, i)
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default()
            };
            out.push((get(0), get(1)));
        }
    }
    out
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = TextEncoder)]
    type Encoder;
    #[wasm_bindgen(constructor, js_class = TextEncoder, catch)]
    fn new_encoder() -> Result<Encoder, JsValue>;
    /// `encode(text)` of a JS string, into JS memory (never through wasm's).
    #[wasm_bindgen(method, js_class = TextEncoder, js_name = encode)]
    fn encode(this: &Encoder, text: &JsValue) -> Uint8Array;
    /// A Uint8Array seen with offsets as numbers: js-sys's `length()` and
    /// `subarray()` take u32, which a view of 4 GiB or more would wrap.
    #[wasm_bindgen(js_name = Uint8Array)]
    type View;
    #[wasm_bindgen(method, getter, js_name = byteLength)]
    fn byte_length(this: &View) -> f64;
    #[wasm_bindgen(method, js_name = subarray)]
    fn subarray(this: &View, begin: f64, end: f64) -> Uint8Array;
    #[wasm_bindgen(method, js_name = set)]
    fn set(this: &View, source: &Uint8Array, offset: f64);
}

/// `view.byteLength`, unwrapped.
pub(crate) fn byte_len(view: &Uint8Array) -> f64 {
    view.unchecked_ref::<View>().byte_length()
}

/// `view.subarray(begin, end)`, with offsets past 4 GiB.
pub(crate) fn sub(view: &Uint8Array, begin: f64, end: f64) -> Uint8Array {
    view.unchecked_ref::<View>().subarray(begin, end)
}

/// `target.set(source, offset)`, with an offset past 4 GiB.
pub(crate) fn set_at(target: &Uint8Array, source: &Uint8Array, offset: f64) {
    target.unchecked_ref::<View>().set(source, offset)
}

/// A body of one of the kinds signed from its bytes, as a view of them in JS
/// memory, or as text (a string, URLSearchParams' query).
pub(crate) enum ByteBody {
    Text(JsValue),
    View(Uint8Array),
}

impl ByteBody {
    /// `None` for bodies that are not bytes (Blob, stream, FormData, …); a
    /// view of a detached buffer is an `InvalidBody` error.
    pub(crate) fn of(body: &JsValue) -> Result<Option<ByteBody>, JsValue> {
        if body.is_string() {
            return Ok(Some(ByteBody::Text(body.clone())));
        }
        if body.has_type::<web_sys::UrlSearchParams>() {
            return Ok(Some(ByteBody::Text(stringify(body)?.into())));
        }
        if body.has_type::<js_sys::ArrayBuffer>() || js_sys::ArrayBuffer::is_view(body) {
            return bytes_view(body)
                .map(|v| Some(ByteBody::View(v)))
                .ok_or_else(detached);
        }
        Ok(None)
    }

    /// The bytes, in JS memory: text is encoded by the platform's TextEncoder.
    pub(crate) fn view(&self) -> Result<Uint8Array, JsValue> {
        match self {
            ByteBody::View(v) => Ok(v.clone()),
            ByteBody::Text(t) => Ok(Encoder::new_encoder()?.encode(t)),
        }
    }
}

fn detached() -> JsValue {
    js_error(Error::new(
        ErrorCode::InvalidBody,
        "the body's ArrayBuffer is detached (transferred or resized away): pass bytes that are still readable",
    ))
}

/// A Uint8Array over an ArrayBuffer or a view's bytes, by `Reflect.construct`,
/// which catches what the constructor throws (a detached buffer).
pub(crate) fn bytes_view(body: &JsValue) -> Option<Uint8Array> {
    let args = if js_sys::ArrayBuffer::is_view(body) {
        let get = |name: &str| Reflect::get(body, &name.into()).unwrap_or(JsValue::UNDEFINED);
        js_sys::Array::of3(&get("buffer"), &get("byteOffset"), &get("byteLength"))
    } else {
        js_sys::Array::of1(body)
    };
    let class: Function = Reflect::get(&js_sys::global(), &"Uint8Array".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let view: Uint8Array = Reflect::construct(&class, &args).ok()?.dyn_into().ok()?;
    // A view of a detached buffer reads as empty.
    let buffer = Reflect::get(&view, &"buffer".into()).ok()?;
    let gone = Reflect::get(&buffer, &"detached".into()).is_ok_and(|d| d.is_truthy());
    (!gone).then_some(view)
}

/// Lower-case hex SHA-256 of `view` by WebCrypto, where the platform has it
/// (and takes the view: Node's refuses some sizes).
async fn webcrypto_sha256(view: &Uint8Array) -> Option<String> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    let subtle: web_sys::SubtleCrypto = Reflect::get(&crypto, &"subtle".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let digest = subtle
        .digest_with_str_and_buffer_source("SHA-256", view)
        .ok()?;
    let digest = JsFuture::from(digest).await.ok()?;
    Some(sigv4::sha256::hex(&Uint8Array::new(&digest).to_vec()))
}

/// Slices hashed in wasm where WebCrypto is missing: the body never crosses whole.
const HASH_SLICE: usize = 1 << 20;

/// SHA-256 of a body in JS memory, without copying it into wasm whole: by
/// WebCrypto, else a slice at a time into one buffer here. Memory stays
/// bounded whatever the size (a 2 GiB body copied whole overflowed wasm32's
/// address space and trapped the module).
pub(crate) async fn sha256_of_view(view: &Uint8Array) -> Result<String, JsValue> {
    if let Some(hash) = webcrypto_sha256(view).await {
        return Ok(hash);
    }
    let len = byte_len(view);
    let mut hasher = sigv4::sha256::Sha256Stream::new();
    let mut buf = vec![0u8; HASH_SLICE.min(len as usize)];
    let mut at = 0.0;
    while at < len {
        let end = (at + HASH_SLICE as f64).min(len);
        let slice = sub(view, at, end);
        let n = (end - at) as usize;
        // A buffer detached meanwhile reads short: copy_to would panic.
        let (Some(dst), true) = (buf.get_mut(..n), byte_len(&slice) as usize == n) else {
            return Err(detached());
        };
        slice.copy_to(dst);
        hasher.update(dst);
        at = end;
    }
    Ok(hasher.hex())
}

fn invalid_body() -> JsValue {
    js_error(Error::new(
        ErrorCode::InvalidBody,
        "this body cannot be hashed: pass a string, Uint8Array, ArrayBuffer, Blob, URLSearchParams or ReadableStream, or set unsignedPayload",
    ))
}

impl Prepared {
    /// What each attempt sends besides its signed head.
    pub(crate) fn sending(&self) -> Sending {
        Sending {
            body: self.body.clone(),
            options: self.options.clone(),
            stream: self.stream,
            progress: None,
        }
    }

    /// Reads fetch()'s `(input, init)` once.
    pub(crate) async fn from_fetch_args(
        input: &JsValue,
        init: &JsValue,
    ) -> Result<Prepared, JsValue> {
        let init = Options::new(init).map_err(js_error)?;
        let request = input.dyn_ref::<web_sys::Request>();
        let url = match request {
            Some(r) => r.url(),
            None => url_text(input)?,
        };
        let method = init
            .string("method")
            .map_err(js_error)?
            .or_else(|| request.map(|r| r.method()))
            .unwrap_or_else(|| "GET".into())
            .to_ascii_uppercase();
        let headers = match init.get("headers") {
            h if !h.is_undefined() && !h.is_null() => h,
            _ => request.map_or(JsValue::UNDEFINED, |r| r.headers().into()),
        };
        let mut body = init.get("body");
        if body.is_undefined() {
            if let Some(r) =
                request.filter(|r| r.body().is_some() && method != "GET" && method != "HEAD")
            {
                body = JsFuture::from(r.array_buffer()?).await?;
            }
        }
        let mut options = Vec::new();
        for key in CARRIED {
            let mut value = init.get(key);
            if value.is_undefined() {
                value = request.map_or(JsValue::UNDEFINED, |r| {
                    Reflect::get(r, &key.into()).unwrap_or(JsValue::UNDEFINED)
                });
            }
            let navigate = key == "mode" && value.as_string().as_deref() == Some("navigate");
            if !(value.is_undefined() || value.is_null() || navigate) {
                options.push((key, value));
            }
        }
        let unsigned = init.get("unsignedPayload").is_truthy();
        Prepared::new(
            &url,
            method,
            header_pairs(&headers)?,
            body,
            unsigned,
            options,
        )
        .await
    }

    /// A request to send: `body` is read here (a Blob into bytes; a stream is
    /// sent unsigned, once), and hashed (by WebCrypto from 64 KiB).
    pub(crate) async fn new(
        url: &str,
        method: String,
        headers: Vec<(String, String)>,
        mut body: JsValue,
        unsigned: bool,
        options: Vec<(&'static str, JsValue)>,
    ) -> Result<Prepared, JsValue> {
        let (url, host) = parse_url(url).map_err(js_error)?;
        if let Some(blob) = body.dyn_ref::<web_sys::Blob>() {
            body = JsFuture::from(blob.array_buffer()).await.map_err(|cause| {
                let err = js_error(Error::new(
                    ErrorCode::InvalidBody,
                    "the Blob could not be read into memory to be hashed (too large, or its file changed): sign with unsignedPayload, or upload it with S3Client.upload()",
                ));
                let _ = Reflect::set(&err, &"cause".into(), &cause);
                err
            })?;
        }
        let stream = body.has_type::<web_sys::ReadableStream>();
        let hashed = if body.is_undefined() || body.is_null() {
            crate::op::Body::Empty
        } else if stream || unsigned {
            crate::op::Body::Unsigned
        } else {
            match ByteBody::of(&body)?.ok_or_else(invalid_body)? {
                // Short text is copied in and hashed here: cheaper than
                // WebCrypto's round trip (UTF-16 units, up to 3 bytes each).
                ByteBody::Text(t) if t.unchecked_ref::<js_sys::JsString>().length() < 16 * 1024 => {
                    crate::op::Body::Bytes(t.as_string().unwrap_or_default().into_bytes())
                }
                ByteBody::View(v) if (byte_len(&v) as usize) < WEBCRYPTO_MIN_BYTES => {
                    crate::op::Body::Bytes(v.to_vec())
                }
                big => {
                    // Sent as the very bytes hashed (text encoded once, in JS).
                    let view = big.view()?;
                    if matches!(big, ByteBody::Text(_))
                        && !body.has_type::<web_sys::UrlSearchParams>()
                    {
                        body = view.clone().into();
                    }
                    crate::op::Body::Hash(sha256_of_view(&view).await?)
                }
            }
        };
        Ok(Prepared {
            url,
            host,
            method,
            headers,
            body,
            hashed,
            options,
            stream,
        })
    }
}

impl Client {
    pub(crate) fn from_options(o: &Options<'_>) -> crate::Result<Client> {
        let credentials = o.get("credentials");
        let has = |name: &str| Reflect::get(&credentials, &name.into()).ok();
        let usable = credentials.is_object()
            && (has("get").is_some_and(|f| f.is_function())
                || has("accessKeyId").is_some_and(|k| k.is_string()));
        if !usable {
            return Err(Error::new(
                ErrorCode::MissingCredentials,
                "credentials must be a CognitoIdentityCredentials (or anything with get()) or { accessKeyId, secretAccessKey, sessionToken? }",
            ));
        }
        let retries = o.number("retries")?.unwrap_or(3.0);
        if !(0.0..=100.0).contains(&retries) {
            return Err(config_error("retries must be a number from 0 to 100"));
        }
        let timeout_ms = o.number("timeoutMs")?;
        if timeout_ms.is_some_and(|ms| !(1.0..=f64::from(u32::MAX)).contains(&ms)) {
            return Err(config_error(
                "timeoutMs must be a positive number of milliseconds",
            ));
        }
        Ok(Client {
            credentials,
            signing: RefCell::new(Signing::new(
                o.string("region")?,
                o.string("service")?,
                retries as u32,
                timeout_ms.map(|ms| ms as u32),
            )),
        })
    }

    /// The same client fixed to a region and service (S3Client's).
    pub(crate) fn for_service(self, region: &str, service: &str) -> Client {
        {
            let mut signing = self.signing.borrow_mut();
            signing.region = Some(region.into());
            signing.service = Some(service.into());
        }
        self
    }

    pub(crate) fn credentials(&self) -> &JsValue {
        &self.credentials
    }

    /// The provider's clock offset, when it has one.
    fn provider_offset(&self) -> Option<f64> {
        Reflect::get(&self.credentials, &"clockOffset".into())
            .ok()?
            .as_f64()
    }

    /// The credentials of now (`get()`'s, or the plain keys) and when they
    /// expire (epoch ms), if they say.
    pub(crate) async fn keys(&self) -> Result<(Credentials, Option<i64>), JsValue> {
        let mut keys = self.credentials.clone();
        if let Some(get) = Reflect::get(&keys, &"get".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
        {
            // Any thenable (another realm's promise, a library's) is awaited.
            keys = JsFuture::from(Promise::resolve(&get.call0(&self.credentials)?)).await?;
        }
        if self.signing.borrow().offset_ms == 0 {
            if let Some(offset) = self.provider_offset() {
                self.signing.borrow_mut().offset_ms = offset as i64;
            }
        }
        let field = |name: &str| {
            Reflect::get(&keys, &name.into())
                .ok()
                .and_then(|v| v.as_string())
        };
        let (id, secret) = (
            field("accessKeyId").unwrap_or_default(),
            field("secretAccessKey").unwrap_or_default(),
        );
        let token = field("sessionToken").filter(|t| !t.is_empty());
        // A Date (CognitoIdentityCredentials') or epoch ms.
        let expiration = Reflect::get(&keys, &"expiration".into())
            .ok()
            .and_then(|e| match e.dyn_ref::<js_sys::Date>() {
                Some(d) => Some(d.get_time()),
                None => e.as_f64(),
            })
            .filter(|ms| ms.is_finite())
            .map(|ms| ms as i64);
        Credentials::new(&id, &secret, token.as_deref())
            .map(|c| (c, expiration))
            .map_err(js_error)
    }

    /// Retries of a request (AwsClient's `retries` getter).
    pub(crate) fn retries(&self) -> u32 {
        self.signing.borrow().retries
    }

    /// Tells the credentials' provider the server's clock offset (it signs
    /// its own requests with it), when it keeps one.
    pub(crate) fn tell_offset(&self, ms: i64) {
        if self.provider_offset().is_some() {
            let _ = Reflect::set(
                &self.credentials,
                &"clockOffset".into(),
                &(ms as f64).into(),
            );
        }
    }

    fn now(&self) -> i64 {
        self.signing.borrow().now(js_sys::Date::now() as i64)
    }

    /// The machine of `p` as fetch() sends it.
    pub(crate) fn call(&self, p: &Prepared) -> Call {
        Call::new(
            &self.signing.borrow(),
            p.method.clone(),
            p.url.clone(),
            p.host.clone(),
            p.headers.clone(),
            p.hashed.clone(),
            p.stream,
            js_sys::Date::now() as i64,
            js_sys::Math::random().to_bits(),
        )
    }

    /// The signed Request of `p`, as fetch will send it.
    pub(crate) async fn sign(&self, p: &Prepared) -> Result<web_sys::Request, JsValue> {
        let mut m = Fetch(self.call(p));
        loop {
            let need = m.poll(&mut self.signing.borrow_mut(), js_sys::Date::now() as i64);
            match need {
                Need::Credentials => m.on_credentials(self.keys().await?.0),
                Need::Send(attempt) => return p.sending().request(&attempt, None),
                Need::Fail(e) => return Err(js_error(e)),
                _ => return Err(js_error(config_error("could not sign the request"))),
            }
        }
    }

    /// Signs and sends `p`, retrying as the core says: the final answer.
    pub(crate) async fn fetch(&self, p: &Prepared) -> Result<web_sys::Response, JsValue> {
        let (_, response) = drive(Some(self), &mut Fetch(self.call(p)), &p.sending()).await?;
        response.ok_or_else(|| js_error(config_error("no answer")))
    }

    /// Runs `f` with the signer of now's credentials for `host`, at now (with
    /// the learned clock offset), and when the credentials expire: for what
    /// signs other than a request (S3's POST policies).
    pub(crate) async fn with_signer<T>(
        &self,
        host: &str,
        f: impl FnOnce(&mut Signer, i64, Option<i64>) -> crate::Result<T>,
    ) -> Result<T, JsValue> {
        let (keys, expiration) = self.keys().await?;
        let now = self.now();
        let mut signing = self.signing.borrow_mut();
        signing
            .signer(keys, host)
            .and_then(|signer| f(signer, now, expiration))
            .map_err(js_error)
    }

    /// A presigned URL for `url`, and when it stops working (epoch ms): its
    /// lifetime, capped by the credentials' own. `normalize`: read it with
    /// the platform's URL parser first (a caller's URL; S3Client's own are
    /// built canonical, and its region and service need no host to be
    /// inferred from).
    pub(crate) async fn presign(
        &self,
        url: &str,
        method: &str,
        headers: Vec<(String, String)>,
        expires_in: f64,
        normalize: bool,
    ) -> Result<(String, i64), JsValue> {
        let (url, host) = match normalize {
            true => parse_url(url).map_err(js_error)?,
            false => (url.to_string(), String::new()),
        };
        let expires = sigv4::check_expires(expires_in).map_err(js_error)?;
        let (keys, expiration) = self.keys().await?;
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let mut req = sigv4::Request::new(method, &url);
        req.headers = &headers;
        let now = self.now();
        let expires = sigv4::link_lifetime(expires, now, expiration).map_err(js_error)?;
        let mut signing = self.signing.borrow_mut();
        signing
            .signer(keys, &host)
            .and_then(|signer| signer.presign(&req, expires, now))
            .map(|p| (p.url, now.saturating_add(i64::from(expires) * 1000)))
            .map_err(js_error)
    }
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Headers as fetch takes them: an object, a Headers, or name/value pairs. */
export type HeadersInput = Record<string, string> | Headers | Array<[string, string]>;

/** Plain AWS credentials. */
export interface AwsKeys {
  /** The access key id. */
  accessKeyId: string;
  /** The secret key. */
  secretAccessKey: string;
  /** The session token of temporary credentials. */
  sessionToken?: string;
}

/** Options of AwsClient. */
export interface AwsClientOptions {
  /** A CognitoIdentityCredentials (or anything with get()), or plain keys. */
  credentials: {
    /** Called before each request: fresh keys (a provider caches them). */
    get(): Promise<AwsKeys>;
  } | AwsKeys;
  /** Read from AWS host names when left out. */
  region?: string;
  /** The service signed for ("execute-api", "s3", …); read from AWS host names when left out. */
  service?: string;
  /** Retries of throttling, 5xx, network failures and timeouts (default 3). A 429 or 5xx's `Retry-After` of up to 20 s is waited out; a longer one returns the answer at once. */
  retries?: number;
  /** Per attempt, the whole answer, its body too (while you read it): a `Timeout` error after the retries. None by default. */
  timeoutMs?: number;
}

/** fetch()'s init, and `unsignedPayload` to sign the body as UNSIGNED-PAYLOAD (S3). */
export type AwsRequestInit = RequestInit & {
  /** Sign the body as UNSIGNED-PAYLOAD instead of hashing it (S3 only). */
  unsignedPayload?: boolean;
};

/** Options of a presigned URL. */
export interface PresignOptions {
  /** Default "GET". */
  method?: string;
  /** Seconds, default 3600, at most 604800. */
  expiresIn?: number;
  /** Headers the link's user must send as signed. */
  headers?: HeadersInput;
}
"#;

/// A signed drop-in for `fetch`.
#[wasm_bindgen]
pub struct AwsClient {
    client: Rc<Client>,
}

#[wasm_bindgen]
impl AwsClient {
    /// `{ credentials, region?, service?, retries?, timeoutMs? }`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "AwsClientOptions")] options: JsValue,
    ) -> Result<AwsClient, JsValue> {
        Options::new(&options)
            .and_then(|o| Client::from_options(&o))
            .map(|client| AwsClient {
                client: Rc::new(client),
            })
            .map_err(js_error)
    }

    /// The region to sign for; read from AWS host names when unset.
    #[wasm_bindgen(getter)]
    pub fn region(&self) -> Option<String> {
        self.client.signing.borrow().region.clone()
    }

    /// Sets the region to sign for; empty or undefined: read from AWS host names.
    #[wasm_bindgen(setter)]
    pub fn set_region(&self, region: Option<String>) {
        self.client.signing.borrow_mut().region = region.filter(|r| !r.is_empty());
    }

    /// The service to sign for; read from AWS host names when unset.
    #[wasm_bindgen(getter)]
    pub fn service(&self) -> Option<String> {
        self.client.signing.borrow().service.clone()
    }

    /// Sets the service to sign for; empty or undefined: read from AWS host names.
    #[wasm_bindgen(setter)]
    pub fn set_service(&self, service: Option<String>) {
        self.client.signing.borrow_mut().service = service.filter(|s| !s.is_empty());
    }

    /// Retries of throttling, 5xx and network failures.
    #[wasm_bindgen(getter)]
    pub fn retries(&self) -> u32 {
        self.client.retries()
    }

    /// Sets the retries (0 to 100).
    #[wasm_bindgen(setter)]
    pub fn set_retries(&self, retries: f64) {
        self.client.signing.borrow_mut().retries = retries.clamp(0.0, 100.0) as u32;
    }

    /// Signs and sends, like `fetch(input, init)`. Retries throttling, 5xx and
    /// network failures (not a streamed body, which cannot be sent twice, nor
    /// an abort); corrects clock skew once, learned from the host signed for only.
    #[wasm_bindgen(unchecked_return_type = "Promise<Response>")]
    pub fn fetch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestInfo | URL")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "AwsRequestInit")] init: JsValue,
    ) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let p = Prepared::from_fetch_args(&input, &init).await?;
            client.fetch(&p).await.map(Into::into)
        })
    }

    /// The signed Request that fetch() would send.
    #[wasm_bindgen(unchecked_return_type = "Promise<Request>")]
    pub fn sign(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestInfo | URL")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "AwsRequestInit")] init: JsValue,
    ) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let p = Prepared::from_fetch_args(&input, &init).await?;
            client.sign(&p).await.map(Into::into)
        })
    }

    /// A presigned URL for `url` (GET by default), valid `expiresIn` seconds
    /// (default 3600): `{ method?, expiresIn?, headers? }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn presign(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | URL")] url: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "PresignOptions")] options: JsValue,
    ) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let o = Options::new(&options).map_err(js_error)?;
            let url = url_text(&url)?;
            let method = o
                .string("method")
                .map_err(js_error)?
                .unwrap_or_else(|| "GET".into());
            let expires = o.number("expiresIn").map_err(js_error)?.unwrap_or(3600.0);
            let headers = header_pairs(&o.get("headers"))?;
            client
                .presign(&url, &method, headers, expires, true)
                .await
                .map(|(url, _)| url.into())
        })
    }
}
