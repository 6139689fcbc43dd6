//! The shell's HTTP: the core's [`HttpRequest`]s sent with the global `fetch`
//! through gloo-net, which works in pages, Workers, Node >= 18 and Deno.
//!
//! The timeout covers the whole answer, body included (a stalled body must
//! not hold up every caller of a shared exchange): an `AbortController`
//! aborted by a timer cancels the fetch and the body's reads alike. The body
//! is read chunk by chunk and refused past a cap, so a hostile endpoint
//! cannot fill the page's memory.

use crate::http::{HttpRequest, HttpResponse};
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    // Globals in every runtime the SDK supports (web_sys::window() is not).
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &JsValue, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
    // The global fetch, which may be missing, throw, or be a polyfill: caught
    // here. gloo-net's own `send()` does not catch, and panics (a trap for
    // the whole module) when fetch answers with anything but a native Response.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(request: &web_sys::Request) -> Result<js_sys::Promise, JsValue>;
}

/// `fetch(request)`: the native Response (read through gloo-net), or what
/// fetch threw or rejected with (also when it answered something else).
pub(crate) async fn call(request: &web_sys::Request) -> Result<gloo_net::http::Response, JsValue> {
    let answer = JsFuture::from(global_fetch(request)?).await?;
    answer
        .dyn_into::<web_sys::Response>()
        .map(gloo_net::http::Response::from)
        .map_err(|_| {
            js_sys::TypeError::new(
                "the global fetch answered with something that is not a Response (a fetch polyfill?): use the platform's fetch",
            )
            .into()
        })
}

/// How long a whole answer may take, and how large it may be.
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    pub timeout_ms: f64,
    pub max_bytes: usize,
}

/// Why no whole answer came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The timeout passed before the whole answer was read.
    Timeout,
    /// fetch failed (no connection, DNS, CORS, CSP, an aborted page).
    Network,
    /// More than `max_bytes`: not an answer of the service asked.
    TooLarge { status: u16 },
}

/// A timer that aborts `controller` after `ms`, cleared when dropped (and
/// its closure freed with it: a `once_into_js` closure is freed only if it runs).
struct Deadline {
    id: JsValue,
    _abort: Closure<dyn FnMut()>,
}

impl Deadline {
    fn start(controller: &web_sys::AbortController, ms: f64) -> Self {
        let controller = controller.clone();
        let abort = Closure::<dyn FnMut()>::new(move || controller.abort());
        Deadline {
            id: set_timeout(abort.as_ref(), ms),
            _abort: abort,
        }
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}

/// Resolves after `ms` (the cores' backoff waits).
pub(crate) async fn sleep(ms: f64) {
    let wait = js_sys::Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms);
    });
    // A timer's promise never rejects.
    let _ = JsFuture::from(wait).await;
}

/// Sends `request` and reads its whole answer within `limits`.
pub(crate) async fn send(request: &HttpRequest, limits: Limits) -> Result<HttpResponse, Failure> {
    let controller = web_sys::AbortController::new().map_err(|_| Failure::Network)?;
    let _deadline = Deadline::start(&controller, limits.timeout_ms);
    let signal = controller.signal();
    let failed = |_| {
        if signal.aborted() {
            Failure::Timeout
        } else {
            Failure::Network
        }
    };
    let request = build(request, &signal).map_err(|_| Failure::Network)?;
    let response = call(&request).await.map_err(|_| failed(()))?;
    let status = response.status();
    let headers = response.headers();
    let declared = headers
        .get("content-length")
        .and_then(|n| n.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limits.max_bytes) {
        return Err(Failure::TooLarge { status });
    }
    let body = read_text(response.body(), limits.max_bytes, status)
        .await
        .map_err(|f| match f {
            Failure::TooLarge { .. } => f,
            _ => failed(()),
        })?;
    Ok(HttpResponse {
        status,
        date: headers.get("date"),
        body,
    })
}

/// A body as text, at most `max` bytes (see [`read_capped`]); none is "".
/// AWS answers are UTF-8; anything else is read as what it holds.
pub(crate) async fn read_text(
    body: Option<web_sys::ReadableStream>,
    max: usize,
    status: u16,
) -> Result<String, Failure> {
    let Some(stream) = body else {
        return Ok(String::new());
    };
    let bytes = read_capped(&stream, max, status).await?;
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Reads to its end (or cancels, past 1 MiB) the body of an answer nobody
/// will read: a PUT's or DELETE's (empty, as a rule), or a failed attempt's
/// before its retry. Left unread, the request stays open until its Response
/// is collected or its attempt's timeout fires, and the page then shows it
/// as failed (net::ERR_ABORTED) after its answer came. Failures are nobody's.
pub(crate) async fn finish(response: &web_sys::Response) {
    if let Some(body) = response.body() {
        let _ = read_capped(&body, 1 << 20, 0).await;
    }
}

/// The request as fetch takes it, built with web-sys: gloo-net's builder
/// re-serializes the URL's query (it appends a `&` to every query string),
/// which would change what was signed.
fn build(
    request: &HttpRequest,
    signal: &web_sys::AbortSignal,
) -> Result<web_sys::Request, JsValue> {
    let init = web_sys::RequestInit::new();
    init.set_method(request.method);
    let headers = web_sys::Headers::new()?;
    for (name, value) in &request.headers {
        headers.append(name, value)?;
    }
    init.set_headers(&headers);
    if !request.body.is_empty() {
        init.set_body(&JsValue::from_str(&request.body));
    }
    init.set_signal(Some(signal));
    web_sys::Request::new_with_str_and_init(&request.url, &init)
}

/// The stream's bytes, at most `max` (beyond: cancelled, `TooLarge`).
async fn read_capped(
    stream: &web_sys::ReadableStream,
    max: usize,
    status: u16,
) -> Result<Vec<u8>, Failure> {
    let reader: web_sys::ReadableStreamDefaultReader = stream
        .get_reader()
        .dyn_into()
        .map_err(|_| Failure::Network)?;
    let mut body = Vec::new();
    loop {
        // Whether a failed read was a timeout is the caller's to tell (its signal).
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|_| Failure::Network)?;
        if Reflect::get(&chunk, &"done".into())
            .map(|d| d.is_truthy())
            .unwrap_or(true)
        {
            return Ok(body);
        }
        let value: Uint8Array = Reflect::get(&chunk, &"value".into())
            .ok()
            .and_then(|v| v.dyn_into().ok())
            .ok_or(Failure::Network)?;
        let at = body.len();
        let len = value.length() as usize;
        if at + len > max {
            // The rest is not wanted; a failed cancel changes nothing.
            let _ = reader.cancel();
            return Err(Failure::TooLarge { status });
        }
        body.resize(at + len, 0);
        value.copy_to(&mut body[at..]);
    }
}
