//! `S3Client.upload`: bodies of any size, one PUT or an S3 multipart upload.
//! Every rule (single PUT or parts, part sizes, how many in flight, resume
//! from ListParts, abort or leave on failure) is the core's machine
//! (src/op/upload.rs); this shell reads the body's slices (a Blob sliced,
//! bytes viewed, a stream read in order), runs the requests the machine asks
//! for on the one driver, and tells the caller's `onProgress`.

use super::boundary::{config_error, js_error, promise, Options};
use super::client::{byte_len, set_at, sub, ByteBody};
use super::s3::{headers_of, signal_of, Op, S3Client};
use crate::op::upload::{Payload, Plan, Step, Upload};
use crate::op::Output;
use js_sys::{Function, Promise, Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Parts in flight at once unless told otherwise (as the AWS SDK's lib-storage).
const DEFAULT_CONCURRENCY: f64 = 4.0;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** What onProgress is told. */
export interface UploadProgress {
  /** Bytes S3 has taken so far (parts already there when resuming included). */
  loaded: number;
  /** The body's size; undefined for a stream. */
  total?: number;
  /** The multipart upload's id (keep it to resume after a reload); undefined for a single PUT. */
  uploadId?: string;
}

/** Options of S3Client.upload(). */
export interface UploadOptions {
  /** The object's Content-Type. */
  contentType?: string;
  /** Sent with CreateMultipartUpload (or the single PUT): x-amz-meta-*, cache-control, … */
  headers?: HeadersInput;
  /** Bytes per part, 5 MiB to 5 GiB; default the smallest that fits 10,000 parts, at least 5 MiB. */
  partSize?: number;
  /** Parts in flight at once, 1 to 16 (default 4). */
  concurrency?: number;
  /** Called once the upload has an id, then as the bytes go (pages: within parts, by XMLHttpRequest) or after each part. */
  onProgress?: (progress: UploadProgress) => void;
  /** Cancels the upload; the parts sent are aborted on S3 too. */
  signal?: AbortSignal;
  /** Continue this multipart upload: parts S3 has already (ListParts) are not sent again. */
  uploadId?: string;
  /** On failure or abort, keep the parts on S3 (to resume with uploadId) instead of aborting the upload. */
  leavePartsOnError?: boolean;
}

/** What upload() resolves to. */
export interface UploadResult {
  /** The object's ETag ("…-N" for a multipart upload of N parts). */
  etag: string | null;
  /** undefined when the body fitted in one PUT. */
  uploadId?: string;
  /** How many parts it took (1 for a single PUT). */
  parts: number;
}
"#;

/// Where the bytes come from.
enum Source {
    Bytes(Uint8Array),
    Blob(web_sys::Blob),
    /// A stream, read in order; `left` is what the last chunk had beyond a part.
    Stream {
        reader: web_sys::ReadableStreamDefaultReader,
        left: Option<Uint8Array>,
        done: bool,
    },
}

fn invalid_body() -> JsValue {
    js_error(crate::Error::new(
        crate::ErrorCode::InvalidBody,
        "upload() takes a Blob or File, a Uint8Array, an ArrayBuffer, a string or a ReadableStream of Uint8Array",
    ))
}

/// The body could not be read (a Blob whose file changed, a stream that
/// failed, a part too large for the platform to hold): `cause` is why.
fn unreadable(what: &str, cause: JsValue) -> JsValue {
    let err = js_error(crate::Error::new(
        crate::ErrorCode::InvalidBody,
        ["upload(): ", what].concat(),
    ));
    let _ = Reflect::set(&err, &"cause".into(), &cause);
    err
}

/// `new Uint8Array(len)`, caught: a length the platform cannot hold is a
/// typed error, never a wrapped or truncated one.
fn new_bytes(len: f64) -> Result<Uint8Array, JsValue> {
    let class = Reflect::get(&js_sys::global(), &"Uint8Array".into())?;
    let class: Function = class.dyn_into()?;
    Reflect::construct(&class, &js_sys::Array::of1(&len.into()))
        .and_then(|v| v.dyn_into().map_err(|v: JsValue| v))
        .map_err(|cause| {
            unreadable(
                "a part of this size cannot be held in memory here: use a smaller partSize",
                cause,
            )
        })
}

impl Source {
    fn new(body: &JsValue) -> Result<Source, JsValue> {
        if let Some(blob) = body.dyn_ref::<web_sys::Blob>() {
            return Ok(Source::Blob(blob.clone()));
        }
        if let Some(stream) = body.dyn_ref::<web_sys::ReadableStream>() {
            let reader = stream.get_reader().dyn_into().map_err(|_| invalid_body())?;
            return Ok(Source::Stream {
                reader,
                left: None,
                done: false,
            });
        }
        // Strings are encoded by the platform, views taken as they are: the
        // body stays in JS memory, never copied into wasm's.
        match ByteBody::of(body)? {
            Some(b) if !body.has_type::<web_sys::UrlSearchParams>() => Ok(Source::Bytes(b.view()?)),
            _ => Err(invalid_body()),
        }
    }

    fn total(&self) -> Option<u64> {
        match self {
            Source::Bytes(b) => Some(byte_len(b) as u64),
            Source::Blob(b) => Some(b.size() as u64),
            Source::Stream { .. } => None,
        }
    }

    /// The bytes of `[start, end)`; for a stream, the next `end - start`
    /// bytes or what is left, `None` once it has ended. Offsets and lengths
    /// stay u64/f64 throughout: a part of 4 GiB or more is never wrapped.
    async fn read(&mut self, start: u64, end: u64) -> Result<Option<Uint8Array>, JsValue> {
        match self {
            Source::Bytes(b) => Ok(Some(sub(b, start as f64, end as f64))),
            Source::Blob(b) => {
                let part = b.slice_with_f64_and_f64(start as f64, end as f64)?;
                let buffer = JsFuture::from(part.array_buffer()).await.map_err(|cause| {
                    unreadable("the Blob could not be read (its file changed?)", cause)
                })?;
                Ok(Some(Uint8Array::new(&buffer)))
            }
            Source::Stream { reader, left, done } => {
                let want = end - start;
                // The chunks of this part, joined once at the end.
                let mut chunks: Vec<Uint8Array> = Vec::new();
                let mut filled = 0u64;
                while filled < want {
                    let chunk = match left.take() {
                        Some(chunk) => chunk,
                        None if *done => break,
                        None => {
                            let next = JsFuture::from(reader.read())
                                .await
                                .map_err(|cause| unreadable("the stream failed", cause))?;
                            if Reflect::get(&next, &"done".into())?.is_truthy() {
                                *done = true;
                                break;
                            }
                            Reflect::get(&next, &"value".into())?
                                .dyn_into::<Uint8Array>()
                                .map_err(|_| invalid_body())?
                        }
                    };
                    let len = byte_len(&chunk) as u64;
                    let take = len.min(want - filled);
                    chunks.push(sub(&chunk, 0.0, take as f64));
                    filled += take;
                    if take < len {
                        *left = Some(sub(&chunk, take as f64, len as f64));
                    }
                }
                if filled == 0 && start > 0 {
                    return Ok(None);
                }
                if chunks.len() == 1 {
                    return Ok(chunks.pop());
                }
                let out = new_bytes(filled as f64)?;
                let mut at = 0.0;
                for chunk in &chunks {
                    set_at(&out, chunk, at);
                    at += byte_len(chunk);
                }
                Ok(Some(out))
            }
        }
    }

    /// Whether a stream has nothing more (after a short read).
    fn ended(&self) -> bool {
        match self {
            Source::Stream { left, done, .. } => *done && left.is_none(),
            _ => false,
        }
    }
}

/// The caller's `onProgress`, told what the machine reports plus the bytes
/// of the parts on their way (XMLHttpRequest's progress within parts).
struct Reporter {
    f: Function,
    total: Cell<Option<u64>>,
    loaded: Cell<f64>,
    upload_id: RefCell<Option<String>>,
    /// Bytes sent so far of each part in flight.
    sending: RefCell<Vec<(u32, f64)>>,
}

impl Reporter {
    /// Tells the caller how far the upload is; what its callback throws is its own.
    fn report(&self) {
        let event = js_sys::Object::new();
        let sending: f64 = self.sending.borrow().iter().map(|(_, sent)| sent).sum();
        let loaded = self.loaded.get() + sending;
        let _ = Reflect::set(&event, &"loaded".into(), &loaded.into());
        if let Some(total) = self.total.get() {
            let _ = Reflect::set(&event, &"total".into(), &(total as f64).into());
        }
        if let Some(id) = self.upload_id.borrow().as_deref() {
            let _ = Reflect::set(&event, &"uploadId".into(), &id.into());
        }
        let _ = self.f.call1(&JsValue::NULL, &event);
    }

    /// How far part `number` is (bytes sent; 0 again when it is retried).
    fn part(&self, number: u32, sent: f64) {
        self.answered(number);
        if sent > 0.0 {
            self.sending.borrow_mut().push((number, sent));
        }
        self.report();
    }

    /// Part `number` answered: its bytes count once the machine says so.
    fn answered(&self, number: u32) {
        self.sending.borrow_mut().retain(|(n, _)| *n != number);
    }
}

/// The caller's options, read once.
struct Settings {
    content_type: Option<String>,
    headers: Vec<(String, String)>,
    part_size: Option<f64>,
    concurrency: usize,
    on_progress: Option<Function>,
    fetch_options: Vec<(&'static str, JsValue)>,
    signal: Option<web_sys::AbortSignal>,
    upload_id: Option<String>,
    leave_parts: bool,
}

impl Settings {
    fn read(options: &JsValue) -> Result<Settings, JsValue> {
        let o = Options::new(options).map_err(js_error)?;
        let concurrency = o
            .number("concurrency")
            .map_err(js_error)?
            .unwrap_or(DEFAULT_CONCURRENCY);
        if concurrency.fract() != 0.0 || !(1.0..=16.0).contains(&concurrency) {
            return Err(js_error(config_error(
                "concurrency must be a whole number from 1 to 16",
            )));
        }
        let on_progress = match o.get("onProgress") {
            f if f.is_undefined() || f.is_null() => None,
            f => Some(
                f.dyn_into::<Function>()
                    .map_err(|_| js_error(config_error("onProgress must be a function")))?,
            ),
        };
        let fetch_options = signal_of(&o)?;
        let signal = fetch_options
            .first()
            .and_then(|(_, s)| s.dyn_ref::<web_sys::AbortSignal>().cloned());
        Ok(Settings {
            content_type: o.string("contentType").map_err(js_error)?,
            headers: headers_of(&o)?,
            part_size: o.number("partSize").map_err(js_error)?,
            concurrency: concurrency as usize,
            on_progress,
            fetch_options,
            signal,
            upload_id: o.string("uploadId").map_err(js_error)?,
            leave_parts: o.get("leavePartsOnError").is_truthy(),
        })
    }
}

fn aborted(s: &Settings) -> Option<JsValue> {
    s.signal
        .as_ref()
        .filter(|s| s.aborted())
        .map(|s| s.reason())
}

/// The result object.
fn result(etag: Option<String>, upload_id: Option<&str>, parts: u32) -> Result<JsValue, JsValue> {
    let out = js_sys::Object::new();
    Reflect::set(
        &out,
        &"etag".into(),
        &etag.map_or(JsValue::NULL, Into::into),
    )?;
    if let Some(id) = upload_id {
        Reflect::set(&out, &"uploadId".into(), &id.into())?;
    }
    Reflect::set(&out, &"parts".into(), &parts.into())?;
    Ok(out.into())
}

/// The answers of the requests in flight, by slot, as they come.
type Answers = Rc<RefCell<Vec<(u32, Result<Output, JsValue>)>>>;

/// The whole upload, on the core's machine (src/op/upload.rs): this shell
/// reads the body's slices, runs each request the machine asks for on the one
/// driver (several at once), waits for any of them, and reports progress.
/// A body of known size up to `one_put_up_to` bytes goes as one PutObject.
pub(super) async fn upload(
    op: Op,
    key: String,
    body: JsValue,
    options: JsValue,
    one_put_up_to: u64,
) -> Result<JsValue, JsValue> {
    let mut s = Settings::read(&options)?;
    let mut source = Source::new(&body)?;
    if let (None, Some(blob)) = (&s.content_type, body.dyn_ref::<web_sys::Blob>()) {
        s.content_type = Some(blob.type_()).filter(|t| !t.is_empty());
    }
    let total = source.total();
    let plan = Plan {
        total,
        part_size: s.part_size,
        concurrency: s.concurrency,
        one_put_up_to,
        content_type: s.content_type.take(),
        resume: s.upload_id.take(),
        leave_parts: s.leave_parts,
    };
    let mut machine = Upload::new(key, plan).map_err(js_error)?;
    if let Some(reason) = aborted(&s) {
        return Err(reason);
    }
    let reporter = s.on_progress.take().map(|f| {
        Rc::new(Reporter {
            f,
            total: Cell::new(total),
            loaded: Cell::new(0.0),
            upload_id: RefCell::new(None),
            sending: RefCell::new(Vec::new()),
        })
    });
    let answers: Answers = Rc::default();
    let mut in_flight: Vec<(u32, Promise)> = Vec::new();
    // The bytes of the last read, until the request that sends them.
    let mut read: Option<Uint8Array> = None;
    // The first error met: the outcome unless the machine names its own.
    let mut failure: Option<JsValue> = None;
    let mut cancelled = false;
    loop {
        if !cancelled {
            if let Some(reason) = aborted(&s) {
                cancelled = true;
                failure.get_or_insert(reason);
                machine.cancel();
            }
        }
        match machine.poll(&op.at().bucket()) {
            Step::Read { start, end } => match source.read(start, end).await {
                Ok(bytes) => {
                    let len = bytes.as_ref().map(|b| byte_len(b) as u64);
                    machine.on_read(len, source.ended());
                    read = bytes;
                }
                Err(e) => {
                    failure.get_or_insert(e);
                    machine.on_read_failed();
                }
            },
            Step::Send(send) => {
                let body = match send.payload {
                    Payload::Read => read.take().map_or(JsValue::UNDEFINED, |b| b.into()),
                    Payload::Text(text) => text.into(),
                    Payload::None => JsValue::UNDEFINED,
                };
                let headers = match send.caller_headers {
                    true => s.headers.clone(),
                    false => Vec::new(),
                };
                let options = match send.signal {
                    true => s.fetch_options.clone(),
                    false => Vec::new(),
                };
                let slot = send.slot;
                // Progress within a part where the caller follows it (the
                // driver sends it by XMLHttpRequest where there is one).
                let progress = reporter
                    .clone()
                    .filter(|_| slot > 0)
                    .map(|r| Rc::new(move |sent| r.part(slot, sent)) as Rc<dyn Fn(f64)>);
                let (op, answers) = (op.clone(), answers.clone());
                let sent = promise(async move {
                    let output = op
                        .run_with(send.request, headers, body, options, send.kind, progress)
                        .await;
                    answers
                        .borrow_mut()
                        .push((slot, output.map(|(output, _)| output)));
                    Ok(JsValue::UNDEFINED)
                });
                in_flight.push((slot, sent));
            }
            Step::Wait => {
                if in_flight.is_empty() {
                    return Err(js_error(config_error("upload(): nothing to wait for")));
                }
                if answers.borrow().is_empty() {
                    let racing: js_sys::Array = in_flight.iter().map(|(_, p)| p.clone()).collect();
                    JsFuture::from(Promise::race(&racing)).await?;
                }
                for (slot, output) in answers.take() {
                    in_flight.retain(|(n, _)| *n != slot);
                    if let Some(r) = &reporter {
                        r.answered(slot);
                    }
                    match output {
                        Ok(output) => machine.on_answer(slot, Some(output)),
                        Err(e) => {
                            failure.get_or_insert(e);
                            machine.on_answer(slot, None);
                        }
                    }
                }
            }
            Step::Progress {
                loaded,
                total,
                upload_id,
            } => {
                if let Some(r) = &reporter {
                    r.loaded.set(loaded as f64);
                    r.total.set(total);
                    *r.upload_id.borrow_mut() = upload_id;
                    r.report();
                }
            }
            Step::Done {
                etag,
                upload_id,
                parts,
            } => return result(etag, upload_id.as_deref(), parts),
            Step::Fail { error, upload_id } => {
                let err = match (error, failure) {
                    (Some(e), _) => js_error(e),
                    (None, Some(e)) => e,
                    (None, None) => js_error(config_error("upload(): failed without a cause")),
                };
                if let (Some(id), true) = (upload_id, err.is_object()) {
                    let _ = Reflect::set(&err, &"uploadId".into(), &id.into());
                }
                return Err(err);
            }
        }
    }
}

#[wasm_bindgen]
impl S3Client {
    /// Uploads a body of any size: one PUT when it fits in one part, else a
    /// multipart upload (parts of `partSize`, `concurrency` at once, each
    /// retried), with `onProgress`, `signal` and resume by `uploadId`.
    #[wasm_bindgen(unchecked_return_type = "Promise<UploadResult>")]
    pub fn upload(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(
            unchecked_param_type = "Blob | Uint8Array | ArrayBuffer | string | ReadableStream<Uint8Array>"
        )]
        body: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UploadOptions")] options: JsValue,
    ) -> Promise {
        let op = self.op();
        promise(async move {
            let key = Op::key(&key).map_err(js_error)?;
            upload(op, key, body, options, 0).await
        })
    }
}
