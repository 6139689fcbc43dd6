//! `S3Client.upload`: bodies of any size as S3 multipart uploads. The body is
//! read one part at a time (a Blob sliced, bytes viewed, a stream read in
//! order), at most `concurrency` parts travel at once, each signed with its
//! own hash and retried by the client; progress is reported per part, a
//! failure or an abort aborts the upload on S3 (unless told to leave the
//! parts for a resume), and `uploadId` resumes an upload from ListParts.
//! Part sizing and the requests and answers are the core's (src/s3/actions/multipart.rs).

use super::boundary::{config_error, js_error, promise, Options};
use super::client::{byte_len, set_at, sub, ByteBody};
use super::s3::{headers_of, no_output, signal_of, Op, S3Client};
use crate::op::s3::Kind;
use crate::op::Output;
use crate::s3::{
    part_count, part_range, part_size, AbortMultipartUpload, CompleteMultipartUpload,
    CreateMultipartUpload, ListParts, Part, PutObject, UploadPart, MAX_PARTS,
};
use js_sys::{Function, Promise, Reflect, Uint8Array};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// Parts in flight at once unless told otherwise (as the AWS SDK's lib-storage).
const DEFAULT_CONCURRENCY: f64 = 4.0;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
export interface UploadProgress {
  /** Bytes S3 has taken so far (parts already there when resuming included). */
  loaded: number;
  /** The body's size; undefined for a stream. */
  total?: number;
  /** The multipart upload's id (keep it to resume after a reload); undefined for a single PUT. */
  uploadId?: string;
}

export interface UploadOptions {
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

export interface UploadResult {
  etag: string | null;
  /** undefined when the body fitted in one PUT. */
  uploadId?: string;
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

/// What the parts in flight share.
struct Shared {
    op: Op,
    key: String,
    upload_id: String,
    /// The parts S3 has, by number (inserted in order, not sorted after:
    /// BTreeMap and slice sorting cost 7 KB of wasm before gzip).
    parts: RefCell<Vec<Part>>,
    loaded: Cell<f64>,
    total: Option<u64>,
    failure: RefCell<Option<JsValue>>,
    on_progress: Option<Function>,
    fetch_options: Vec<(&'static str, JsValue)>,
    /// Bytes sent so far of each part in flight (XMLHttpRequest's progress).
    sending: RefCell<Vec<(u32, f64)>>,
}

impl Shared {
    fn keep(&self, part: Part) {
        let mut parts = self.parts.borrow_mut();
        let at = parts.partition_point(|p| p.number < part.number);
        parts.insert(at, part);
    }

    /// Tells the caller how far the upload is; what its callback throws is its own.
    fn progress(&self, upload_id: Option<&str>) {
        let Some(f) = &self.on_progress else { return };
        let event = js_sys::Object::new();
        let sending: f64 = self.sending.borrow().iter().map(|(_, sent)| sent).sum();
        let loaded = self.loaded.get() + sending;
        let _ = Reflect::set(&event, &"loaded".into(), &loaded.into());
        if let Some(total) = self.total {
            let _ = Reflect::set(&event, &"total".into(), &(total as f64).into());
        }
        if let Some(id) = upload_id {
            let _ = Reflect::set(&event, &"uploadId".into(), &id.into());
        }
        let _ = f.call1(&JsValue::NULL, &event);
    }

    /// How far part `number` is (bytes sent): progress within parts.
    fn part_progress(&self, number: u32, sent: f64) {
        {
            let mut sending = self.sending.borrow_mut();
            sending.retain(|(n, _)| *n != number);
            if sent > 0.0 {
                sending.push((number, sent));
            }
        }
        self.progress(Some(&self.upload_id));
    }

    /// Sends part `number` (by XMLHttpRequest where there is one and the
    /// caller follows progress, else by fetch: the driver's choice). Never
    /// rejects: a failure is kept for the loop of parts.
    async fn send_part(self: Rc<Self>, number: u32, bytes: Uint8Array) -> JsValue {
        let size = byte_len(&bytes) as u64;
        let request = UploadPart {
            key: &self.key,
            upload_id: &self.upload_id,
            part_number: number,
        }
        .request(&self.op.at().bucket());
        // Progress within the part where the caller follows it (the driver
        // sends it by XMLHttpRequest where the platform has one).
        let progress = self.on_progress.as_ref().map(|_| {
            let shared = self.clone();
            Rc::new(move |sent| shared.part_progress(number, sent)) as Rc<dyn Fn(f64)>
        });
        let sent = match self
            .op
            .run_with(
                request,
                Vec::new(),
                bytes.into(),
                self.fetch_options.clone(),
                Kind::Etag,
                progress,
            )
            .await
        {
            Ok((Output::Etag(etag), _)) => UploadPart::etag(etag).map_err(js_error),
            Ok(_) => UploadPart::etag(None).map_err(js_error),
            Err(e) => Err(e),
        };
        self.sending.borrow_mut().retain(|(n, _)| *n != number);
        match sent {
            Ok(etag) => {
                self.keep(Part { number, etag, size });
                self.loaded.set(self.loaded.get() + size as f64);
                self.progress(Some(&self.upload_id));
            }
            Err(e) => {
                self.failure.borrow_mut().get_or_insert(e);
            }
        }
        number.into()
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

/// Every part S3 has of `upload_id` so far.
async fn uploaded_parts(
    op: &Op,
    key: &str,
    upload_id: &str,
    s: &Settings,
) -> Result<Vec<Part>, JsValue> {
    let mut parts = Vec::new();
    let mut after = 0;
    loop {
        let request = ListParts {
            key,
            upload_id,
            after,
        }
        .request(&op.at().bucket());
        let output = op
            .run(
                request,
                Vec::new(),
                JsValue::UNDEFINED,
                s.fetch_options.clone(),
                Kind::Parts,
            )
            .await?;
        let Output::Parts(page) = output.0 else {
            return Err(no_output("ListParts"));
        };
        parts.extend(page.parts);
        match page.next {
            // A marker that does not move on would list forever.
            Some(next) if next > after && u64::from(next) < MAX_PARTS => after = next,
            _ => return Ok(parts),
        }
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

/// A body that fits in one part goes as one PutObject.
async fn put_whole(
    op: &Op,
    key: &str,
    bytes: Uint8Array,
    s: &Settings,
) -> Result<JsValue, JsValue> {
    let size = byte_len(&bytes) as u64;
    let request = PutObject {
        key,
        content_type: s.content_type.as_deref(),
        size,
    }
    .request(&op.at().bucket());
    let (output, _) = op
        .run(
            request,
            s.headers.clone(),
            bytes.into(),
            s.fetch_options.clone(),
            Kind::Etag,
        )
        .await?;
    let Output::Etag(etag) = output else {
        return Err(no_output("PutObject"));
    };
    if let Some(f) = &s.on_progress {
        let event = js_sys::Object::new();
        let _ = Reflect::set(&event, &"loaded".into(), &(size as f64).into());
        let _ = Reflect::set(&event, &"total".into(), &(size as f64).into());
        let _ = f.call1(&JsValue::NULL, &event);
    }
    result(etag, None, 1)
}

/// The whole upload. A body of known size up to `one_put_up_to` bytes (or
/// one part, if more) goes as one PutObject.
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
    let size = part_size(total, s.part_size).map_err(js_error)?;
    if let Some(reason) = aborted(&s) {
        return Err(reason);
    }
    // The first part is read before anything is sent: if it is the whole
    // body, one PUT does (unless an upload is to be resumed).
    if let Some(t) = total.filter(|t| *t <= one_put_up_to && *t > size) {
        if s.upload_id.is_none() {
            let whole = source.read(0, t).await?.unwrap_or_default();
            return put_whole(&op, &key, whole, &s).await;
        }
    }
    let first = source
        .read(0, size)
        .await?
        .unwrap_or_else(|| Uint8Array::new_with_length(0));
    let whole = match total {
        Some(t) => t <= size,
        None => source.ended(),
    };
    if whole && s.upload_id.is_none() {
        return put_whole(&op, &key, first, &s).await;
    }
    let bucket = op.at().bucket();
    let (upload_id, already) = match &s.upload_id {
        Some(id) => (id.clone(), uploaded_parts(&op, &key, id, &s).await?),
        None => {
            let request = CreateMultipartUpload {
                key: &key,
                content_type: s.content_type.as_deref(),
            }
            .request(&bucket);
            let output = op
                .run(
                    request,
                    s.headers.clone(),
                    JsValue::UNDEFINED,
                    s.fetch_options.clone(),
                    Kind::Create,
                )
                .await?;
            let Output::UploadId(id) = output.0 else {
                return Err(no_output("CreateMultipartUpload"));
            };
            (id, Vec::new())
        }
    };
    let shared = Rc::new(Shared {
        op: op.clone(),
        key: key.clone(),
        upload_id: upload_id.clone(),
        parts: RefCell::new(Vec::new()),
        loaded: Cell::new(0.0),
        total,
        failure: RefCell::new(None),
        on_progress: s.on_progress.clone(),
        fetch_options: s.fetch_options.clone(),
        sending: RefCell::new(Vec::new()),
    });
    let outcome = send_parts(&shared, &mut source, first, size, already, &s).await;
    let failure = outcome.err().or_else(|| shared.failure.borrow_mut().take());
    let parts = shared.parts.take();
    let outcome = match failure {
        Some(failure) => Err(failure),
        None => complete(&op, &key, &upload_id, &parts, &s).await,
    };
    match outcome {
        Ok(etag) => result(Some(etag), Some(&upload_id), parts.len() as u32),
        Err(failure) => Err(give_up(&op, &key, &upload_id, failure, &s).await),
    }
}

/// A multipart upload that failed (a part, the caller's abort, or
/// CompleteMultipartUpload itself) is aborted on S3, so that no part stays
/// there billed and unreachable, unless the caller keeps the parts to resume
/// (`leavePartsOnError`). Where the parts stay (kept, or the abort failed
/// too) the error carries `uploadId`, so that nothing is lost.
async fn give_up(op: &Op, key: &str, upload_id: &str, failure: JsValue, s: &Settings) -> JsValue {
    let mut left = s.leave_parts;
    if !left {
        // Best effort, without the caller's signal (it may be why we stop):
        // the caller hears of the failure, not of the cleanup.
        let request = AbortMultipartUpload { key, upload_id }.request(&op.at().bucket());
        left = op
            .run(
                request,
                Vec::new(),
                JsValue::UNDEFINED,
                Vec::new(),
                Kind::Nothing,
            )
            .await
            .is_err();
    }
    if left && failure.is_object() {
        let _ = Reflect::set(&failure, &"uploadId".into(), &upload_id.into());
    }
    failure
}

/// CompleteMultipartUpload: the object's ETag (a transient error inside a
/// 200 is sent again by the machine, op::s3::Kind::Complete).
async fn complete(
    op: &Op,
    key: &str,
    upload_id: &str,
    parts: &[Part],
    s: &Settings,
) -> Result<String, JsValue> {
    let complete = CompleteMultipartUpload {
        key,
        upload_id,
        parts,
    };
    let output = op
        .run(
            complete.request(&op.at().bucket()),
            Vec::new(),
            complete.body().into(),
            s.fetch_options.clone(),
            Kind::Complete,
        )
        .await?;
    match output.0 {
        Output::Etag(Some(etag)) => Ok(etag),
        _ => Err(no_output("CompleteMultipartUpload")),
    }
}

/// Reads and sends every part, at most `s.concurrency` at once; returns once
/// none is in flight. A part S3 already has (`already`, same size) is kept.
async fn send_parts(
    shared: &Rc<Shared>,
    source: &mut Source,
    first: Uint8Array,
    size: u64,
    already: Vec<Part>,
    s: &Settings,
) -> Result<(), JsValue> {
    let total = source.total();
    let count = total.map(|t| part_count(t, size));
    let mut already = already;
    let mut in_flight: Vec<(u32, Promise)> = Vec::new();
    let mut next = Some(first);
    let mut number: u32 = 1;
    let mut stop: Option<JsValue> = None;
    shared.progress(Some(&shared.upload_id));
    loop {
        if let Some(reason) = aborted(s) {
            stop = Some(reason);
            break;
        }
        if shared.failure.borrow().is_some() {
            break;
        }
        let (start, end) = match total {
            Some(t) => part_range(number, size, t),
            None => ((u64::from(number) - 1) * size, u64::from(number) * size),
        };
        let bytes = match next.take() {
            Some(bytes) => bytes,
            None => match source.read(start, end).await {
                Ok(Some(bytes)) => bytes,
                Ok(None) => break,
                Err(e) => {
                    stop = Some(e);
                    break;
                }
            },
        };
        let len = byte_len(&bytes) as u64;
        let last = match count {
            Some(c) => u64::from(number) >= c,
            None => len < size || source.ended(),
        };
        let had = already.iter().position(|p| p.number == number);
        match had.map(|i| already.swap_remove(i)) {
            Some(part) if part.size == len => {
                shared.loaded.set(shared.loaded.get() + len as f64);
                shared.keep(part);
            }
            _ => {
                while in_flight.len() >= s.concurrency {
                    let promises: js_sys::Array =
                        in_flight.iter().map(|(_, p)| p.clone()).collect();
                    let done = JsFuture::from(Promise::race(&promises)).await?;
                    let done = done.as_f64().unwrap_or(0.0) as u32;
                    in_flight.retain(|(n, _)| *n != done);
                }
                let part = shared.clone().send_part(number, bytes);
                in_flight.push((number, promise(async move { Ok(part.await) })));
            }
        }
        if last || u64::from(number) >= MAX_PARTS {
            break;
        }
        number += 1;
    }
    let promises: js_sys::Array = in_flight.iter().map(|(_, p)| p.clone()).collect();
    JsFuture::from(Promise::all(&promises)).await?;
    if let Some(reason) = stop {
        return Err(reason);
    }
    if shared.failure.borrow().is_none() {
        shared.progress(Some(&shared.upload_id));
    }
    Ok(())
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
