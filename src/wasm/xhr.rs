//! A signed request sent by XMLHttpRequest, for the one thing fetch cannot
//! do: report how much of a request body has gone (`xhr.upload.onprogress`).
//! `S3Client.upload` sends its parts this way where the platform has
//! XMLHttpRequest (pages and their workers) and the caller wants progress;
//! elsewhere (Node, Deno, service workers) parts go by fetch, with progress
//! per part.

use js_sys::{Promise, Uint8Array};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Whether this platform has XMLHttpRequest.
pub(crate) fn available() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &"XMLHttpRequest".into()).is_ok_and(|c| c.is_function())
}

/// The request's event handlers, kept alive until it ends.
type Handlers = Rc<RefCell<Vec<Closure<dyn FnMut()>>>>;

/// What came back.
pub(crate) struct Answer {
    pub status: u16,
    pub etag: Option<String>,
    pub date: Option<String>,
    pub retry_after: Option<String>,
    pub text: String,
}

/// How a send failed.
pub(crate) enum Failed {
    /// No answer (network, CORS): the caller may retry.
    Network,
    /// The caller's signal aborted it: its reason.
    Aborted(JsValue),
}

/// Sends `request` (signed, as fetch would send it) with `body`, calling
/// `on_progress(bytes sent)` as the body goes; `signal` aborts it.
pub(crate) async fn send(
    request: &web_sys::Request,
    body: &Uint8Array,
    on_progress: Rc<dyn Fn(f64)>,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<Answer, Failed> {
    let xhr = web_sys::XmlHttpRequest::new().map_err(|_| Failed::Network)?;
    xhr.open(&request.method(), &request.url())
        .map_err(|_| Failed::Network)?;
    if let Ok(Some(entries)) = js_sys::try_iter(&request.headers()) {
        for entry in entries.flatten() {
            let pair = js_sys::Array::from(&entry);
            let (name, value) = (pair.get(0).as_string(), pair.get(1).as_string());
            if let (Some(name), Some(value)) = (name, value) {
                xhr.set_request_header(&name, &value)
                    .map_err(|_| Failed::Network)?;
            }
        }
    }
    let progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            on_progress(e.loaded())
        });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    // Settles once the request ends, either way; the closures live until then.
    let settled: Handlers = Rc::default();
    let keep = settled.clone();
    let done = Promise::new(&mut |resolve, reject| {
        let ok = Closure::<dyn FnMut()>::new(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let fail = Closure::<dyn FnMut()>::new(move || {
            let _ = reject.call0(&JsValue::NULL);
        });
        xhr.set_onload(Some(ok.as_ref().unchecked_ref()));
        xhr.set_onerror(Some(fail.as_ref().unchecked_ref()));
        xhr.set_onabort(Some(fail.as_ref().unchecked_ref()));
        xhr.set_ontimeout(Some(fail.as_ref().unchecked_ref()));
        keep.borrow_mut().extend([ok, fail]);
    });
    let abort = signal.map(|s| {
        let target = xhr.clone();
        let on_abort = Closure::<dyn FnMut()>::new(move || {
            let _ = target.abort();
        });
        let _ = s.add_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
        (s.clone(), on_abort)
    });
    if let Some(s) = signal.filter(|s| s.aborted()) {
        return Err(Failed::Aborted(s.reason()));
    }
    // Sent as a Blob: XMLHttpRequest copies a view's bytes on the main thread
    // at send() (60-400 ms for 5 MiB in Chromium), a Blob's it reads off it.
    let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(body))
        .map_err(|_| Failed::Network)?;
    xhr.send_with_opt_blob(Some(&blob))
        .map_err(|_| Failed::Network)?;
    let outcome = JsFuture::from(done).await;
    if let Some((s, on_abort)) = &abort {
        let _ = s.remove_event_listener_with_callback("abort", on_abort.as_ref().unchecked_ref());
    }
    drop(settled);
    drop(progress);
    if let Some(s) = signal.filter(|s| s.aborted()) {
        return Err(Failed::Aborted(s.reason()));
    }
    outcome.map_err(|_| Failed::Network)?;
    // Only the headers the answer's CORS exposes: getResponseHeader() of any
    // other logs "Refused to get unsafe header" in the page's console.
    let exposed = xhr.get_all_response_headers().unwrap_or_default();
    let header = |name: &str| response_header(&exposed, name);
    Ok(Answer {
        status: xhr.status().unwrap_or(0),
        etag: header("etag"),
        date: header("date"),
        retry_after: header("retry-after"),
        text: xhr.response_text().ok().flatten().unwrap_or_default(),
    })
}

/// The value of header `name` (lower case) in `getAllResponseHeaders()`'s
/// text (`name: value` lines, names in lower case, CRLF after each); several
/// of one name are joined with ", ", as getResponseHeader() does. Prefix
/// matching, not `str::find` or `trim()`, which cost kilobytes of wasm.
fn response_header(all: &str, name: &str) -> Option<String> {
    let mut found: Option<String> = None;
    for line in all.split('\n') {
        let Some(value) = line.strip_prefix(name).and_then(|v| v.strip_prefix(':')) else {
            continue;
        };
        let value = value.trim_matches(|c| c == ' ' || c == '\t' || c == '\r');
        match &mut found {
            Some(v) => {
                v.push_str(", ");
                v.push_str(value);
            }
            None => found = Some(value.into()),
        }
    }
    found
}
