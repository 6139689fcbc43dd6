//! The shell's HTTP for the one driver: the global `fetch` called through a
//! binding that catches (it works in pages, Workers, Node >= 18 and Deno;
//! answers through gloo-net's Response), answers' bodies read chunk by chunk
//! and refused past a cap (a hostile endpoint cannot fill the page's
//! memory), bodies nobody reads finished, and timers.

use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    // Globals in every runtime the SDK supports (web_sys::window() is not).
    #[wasm_bindgen(js_name = setTimeout)]
    pub(crate) fn set_timeout(handler: &JsValue, ms: f64) -> JsValue;
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

/// Why no whole answer body came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The read failed (the connection, or the attempt's timeout: the
    /// caller's signal says which).
    Network,
    /// More than asked for: not an answer of the service asked.
    TooLarge,
}

/// Resolves after `ms` (the cores' backoff waits).
pub(crate) async fn sleep(ms: f64) {
    let wait = js_sys::Promise::new(&mut |resolve, _| {
        set_timeout(&resolve, ms);
    });
    // A timer's promise never rejects.
    let _ = JsFuture::from(wait).await;
}

/// A body as text, at most `max` bytes (see [`read_capped`]); none is "".
/// AWS answers are UTF-8; anything else is read as what it holds.
pub(crate) async fn read_text(
    body: Option<web_sys::ReadableStream>,
    max: usize,
) -> Result<String, Failure> {
    let Some(stream) = body else {
        return Ok(String::new());
    };
    let bytes = read_capped(&stream, max).await?;
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
        let _ = read_capped(&body, 1 << 20).await;
    }
}

/// The stream's bytes, at most `max` (beyond: cancelled, `TooLarge`).
async fn read_capped(stream: &web_sys::ReadableStream, max: usize) -> Result<Vec<u8>, Failure> {
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
            return Err(Failure::TooLarge);
        }
        body.resize(at + len, 0);
        value.copy_to(&mut body[at..]);
    }
}
