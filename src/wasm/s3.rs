//! `S3Client`: object reads, writes, listings and presigned links, signed in
//! the page. URLs, ListObjectsV2 answers and S3 error documents are the
//! core's (src/s3/); signing, retries and clock skew are `AwsClient`'s.

use super::boundary::{
    config_error, js_error, promise, read_array, started, to_js, Options, Settled,
};
use super::client::{header_pairs, Client, Prepared};
use super::driver::drive;
use crate::op::s3::{Kind, S3Op};
use crate::op::Output;
use crate::s3::{
    self, Bucket, DeleteObject, GetObject, ListObjectsV2, PutObject, Range, S3Request, HASH_LIMIT,
};
use js_sys::{Promise, Reflect};
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub(super) struct Where {
    region: String,
    bucket: String,
    endpoint: String,
    force_path_style: bool,
    prefix: String,
}

impl Where {
    pub(super) fn bucket(&self) -> Bucket<'_> {
        Bucket {
            region: &self.region,
            bucket: &self.bucket,
            endpoint: &self.endpoint,
            force_path_style: self.force_path_style,
        }
    }
}

/// One object of a listing.
#[derive(Serialize)]
struct ObjectOut<'a> {
    key: &'a str,
    size: f64,
    etag: &'a str,
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Options of S3Client. */
export interface S3ClientOptions {
  /** A CognitoIdentityCredentials (or anything with get()), or plain keys. */
  credentials: AwsClientOptions["credentials"];
  /** The bucket's region. */
  region: string;
  /** The bucket every call of this client goes to. */
  bucket: string;
  /** https://host[:port][/base] of an S3-compatible service; AWS when left out. */
  endpoint?: string;
  /** Address the bucket in the path (https://host/bucket/key) rather than the host name; automatic for IP addresses, localhost, endpoints with a path and dotted bucket names. */
  forcePathStyle?: boolean;
  /** The prefix myPrefix() puts before the IdentityId. */
  prefix?: string;
  /** As AwsClient's: retries of throttling, 5xx and network failures (default 3). */
  retries?: number;
  /** As AwsClient's: per attempt, the whole answer; none by default. */
  timeoutMs?: number;
}

/** One object of a listing. */
export interface S3Object {
  /** Its key, decoded. */
  key: string;
  /** Its size in bytes. */
  size: number;
  /** Its ETag, quotes included. */
  etag: string;
  /** When it was last written. */
  lastModified: Date;
}

/** One page of a listing (ListObjectsV2). */
export interface S3Listing {
  /** The objects of this page. */
  objects: S3Object[];
  /** The common prefixes ("folders") under `delimiter`. */
  prefixes: string[];
  /** Pass it as `continuationToken` for the next page; undefined on the last. */
  nextContinuationToken?: string;
}

/** Options of listObjects() and listAll(). */
export interface ListObjectsOptions {
  /** Only keys that start with this (e.g. `await s3.myPrefix()`). */
  prefix?: string;
  /** Group keys by this (usually "/") into `prefixes`. */
  delimiter?: string;
  /** From a previous page's `nextContinuationToken`. */
  continuationToken?: string;
  /** Only keys after this one. */
  startAfter?: string;
  /** 1 to 1000. */
  maxKeys?: number;
  /** Cancels the request. */
  signal?: AbortSignal;
}
"#;

/// S3 from the page, under the credentials' identity.
#[wasm_bindgen]
pub struct S3Client {
    client: Rc<Client>,
    at: Rc<Where>,
}

/// The S3 client's shared parts, for the async methods.
#[derive(Clone)]
pub(super) struct Op {
    client: Rc<Client>,
    at: Rc<Where>,
}

impl Op {
    pub(super) fn at(&self) -> &Where {
        &self.at
    }

    pub(super) fn client(&self) -> &Client {
        &self.client
    }

    /// The key argument of a call.
    pub(super) fn key(key: &JsValue) -> crate::Result<String> {
        key.as_string()
            .ok_or_else(|| config_error("the object key must be a string"))
    }

    /// Runs an action's request as the core's [`S3Op`] of `kind`, with the
    /// caller's `headers` (the action's own win), `body` and fetch `options`
    /// (`signal`), on the one driver: its output, and the answer.
    pub(super) async fn run(
        &self,
        request: crate::Result<S3Request>,
        headers: Vec<(String, String)>,
        body: JsValue,
        options: Vec<(&'static str, JsValue)>,
        kind: Kind,
    ) -> Result<(Output, Option<web_sys::Response>), JsValue> {
        self.run_with(request, headers, body, options, kind, None)
            .await
    }

    /// `run`, telling `progress` the body's bytes sent as they go.
    pub(super) async fn run_with(
        &self,
        request: crate::Result<S3Request>,
        mut headers: Vec<(String, String)>,
        body: JsValue,
        options: Vec<(&'static str, JsValue)>,
        kind: Kind,
        progress: Option<std::rc::Rc<dyn Fn(f64)>>,
    ) -> Result<(Output, Option<web_sys::Response>), JsValue> {
        let r = request.map_err(js_error)?;
        for (name, value) in r.headers {
            set_header(&mut headers, name, value);
        }
        let p = Prepared::new(
            &r.url,
            r.method.into(),
            headers,
            body,
            r.unsigned_payload,
            options,
        )
        .await?;
        let mut machine = S3Op::new(self.client.call(&p), r.operation, kind);
        let mut sending = p.sending();
        sending.progress = progress;
        drive(Some(&self.client), &mut machine, &sending).await
    }

    /// The promise of an action's request run on the driver, its output made
    /// the caller's by `convert`. One future for every S3 method: a method
    /// reads its arguments synchronously and starts it (measured for five
    /// methods: -1,631 B of raw wasm against an async body each).
    pub(super) fn start(
        &self,
        request: crate::Result<S3Request>,
        headers: Vec<(String, String)>,
        options: Vec<(&'static str, JsValue)>,
        kind: Kind,
        convert: fn(Output, Option<web_sys::Response>) -> Settled,
    ) -> Promise {
        let op = self.clone();
        promise(async move {
            let (output, response) = op
                .run(request, headers, JsValue::UNDEFINED, options, kind)
                .await?;
            convert(output, response)
        })
    }
}

/// ListObjectsV2's output as the caller's `S3Listing`.
fn listing_out(output: Output, _: Option<web_sys::Response>) -> Settled {
    let Output::Listing(listing) = output else {
        return Err(no_output("ListObjectsV2"));
    };
    let objects = js_sys::Array::new();
    for item in &listing.objects {
        let object = to_js(
            &ObjectOut {
                key: &item.key,
                size: item.size as f64,
                etag: &item.etag,
            },
            "the listing",
        )?;
        // A Date is no serde type: set it on the object.
        let date = js_sys::Date::new(&item.last_modified.as_str().into());
        Reflect::set(&object, &"lastModified".into(), &date)?;
        objects.push(&object);
    }
    let out = js_sys::Object::new();
    Reflect::set(&out, &"objects".into(), &objects)?;
    let prefixes: js_sys::Array = listing
        .prefixes
        .iter()
        .map(|p| JsValue::from_str(p))
        .collect();
    Reflect::set(&out, &"prefixes".into(), &prefixes)?;
    let next = listing
        .next_continuation_token
        .map_or(JsValue::UNDEFINED, Into::into);
    Reflect::set(&out, &"nextContinuationToken".into(), &next)?;
    Ok(out.into())
}

/// The call's `signal` option as fetch's, if there is one.
pub(super) fn signal_of(o: &Options<'_>) -> Result<Vec<(&'static str, JsValue)>, JsValue> {
    let signal = o.get("signal");
    if signal.is_undefined() || signal.is_null() {
        return Ok(Vec::new());
    }
    if !signal.has_type::<web_sys::AbortSignal>() {
        return Err(js_error(config_error(
            "signal must be an AbortSignal (AbortController's .signal)",
        )));
    }
    Ok(vec![("signal", signal)])
}

/// The call's `headers` option as pairs (anything `new Headers()` takes).
pub(super) fn headers_of(o: &Options<'_>) -> Result<Vec<(String, String)>, JsValue> {
    header_pairs(&o.get("headers"))
}

/// An output of another kind than the operation's (a machine never gives
/// one: it parsed the answer or failed).
pub(super) fn no_output(operation: &str) -> JsValue {
    js_error(crate::op::s3::no_output(operation))
}

fn set_header(headers: &mut Vec<(String, String)>, name: &str, value: String) {
    headers.retain(|(n, _)| n != name);
    headers.push((name.into(), value));
}

#[wasm_bindgen]
impl S3Client {
    /// `{ credentials, region, bucket, endpoint?, forcePathStyle?, prefix?, retries?, timeoutMs? }`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "S3ClientOptions")] options: JsValue,
    ) -> Result<S3Client, JsValue> {
        Self::from_options(&options).map_err(js_error)
    }

    fn from_options(options: &JsValue) -> crate::Result<S3Client> {
        let o = Options::new(options)?;
        let region = o.required("region", "region")?;
        let bucket = o.required("bucket", "bucket")?;
        let client = Client::from_options(&o)?;
        let prefix = o.string("prefix")?.unwrap_or_default();
        Ok(S3Client {
            client: Rc::new(client.for_service(&region, "s3")),
            at: Rc::new(Where {
                region,
                bucket,
                endpoint: o.string("endpoint")?.unwrap_or_default(),
                force_path_style: o.get("forcePathStyle").is_truthy(),
                prefix: String::from(prefix.trim_end_matches('/')),
            }),
        })
    }

    pub(super) fn op(&self) -> Op {
        Op {
            client: self.client.clone(),
            at: self.at.clone(),
        }
    }

    /// The bucket's region.
    #[wasm_bindgen(getter)]
    pub fn region(&self) -> String {
        self.at.region.clone()
    }

    /// The bucket this client reads and writes.
    #[wasm_bindgen(getter)]
    pub fn bucket(&self) -> String {
        self.at.bucket.clone()
    }

    /// The prefix `myPrefix()` puts before the IdentityId ("" for none).
    #[wasm_bindgen(getter)]
    pub fn prefix(&self) -> String {
        self.at.prefix.clone()
    }

    /// The URL of an object (keys are encoded segment by segment; `:` travels as %3A).
    pub fn url(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
    ) -> Result<String, JsValue> {
        Op::key(&key)
            .and_then(|key| s3::url(&self.at.bucket(), Some(&key), ""))
            .map_err(js_error)
    }

    /// This user's own prefix, `PREFIX/{identityId}/` (what per-identity IAM
    /// policies with `${cognito-identity.amazonaws.com:sub}` allow), or a key under it.
    #[wasm_bindgen(js_name = myPrefix, unchecked_return_type = "Promise<string>")]
    pub fn my_prefix(&self, name: Option<String>) -> Promise {
        let op = self.op();
        promise(async move {
            let credentials = op.client.credentials();
            let identity = Reflect::get(credentials, &"identityId".into())
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
                .ok_or_else(|| {
                    js_error(config_error(
                        "myPrefix() needs credentials from CognitoIdentityCredentials (it uses the IdentityId)",
                    ))
                })?;
            let id = JsFuture::from(Promise::resolve(&identity.call0(credentials)?)).await?;
            let id = id.as_string().unwrap_or_default();
            let prefix = &op.at.prefix;
            let slash = if prefix.is_empty() { "" } else { "/" };
            Ok([prefix, slash, &id, "/", name.as_deref().unwrap_or("")]
                .concat()
                .into())
        })
    }

    /// GetObject: the Response (stream it, or read .text(), .blob(), …).
    /// `{ range?: "bytes=0-99" | [start, end], headers? }`.
    #[wasm_bindgen(js_name = getObject, unchecked_return_type = "Promise<Response>")]
    pub fn get_object(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ range?: string | [number, number?]; headers?: HeadersInput; signal?: AbortSignal }"
        )]
        options: JsValue,
    ) -> Promise {
        started(|| {
            let key = Op::key(&key).map_err(js_error)?;
            let o = Options::new(&options).map_err(js_error)?;
            let range_value = o.get("range");
            let header = range_value.as_string();
            let range = if let Some(pair) = read_array(&range_value, "range")? {
                let part = |i: u32| {
                    let v = Reflect::get_u32(&pair, i).unwrap_or(JsValue::UNDEFINED);
                    v.as_f64().map(|n| n.max(0.0) as u64)
                };
                Some(Range::Bytes {
                    start: part(0).unwrap_or(0),
                    end: part(1),
                })
            } else {
                header.as_deref().map(Range::Header)
            };
            let request = GetObject { key: &key, range }.request(&self.at.bucket());
            let (headers, signal) = (headers_of(&o)?, signal_of(&o)?);
            Ok(self
                .op()
                .start(request, headers, signal, Kind::Response, |_, response| {
                    response
                        .map(Into::into)
                        .ok_or_else(|| no_output("GetObject"))
                }))
        })
    }

    /// PutObject from a string, Uint8Array, ArrayBuffer or Blob: `{ etag }`.
    /// `{ contentType?, headers?, signal?, onProgress? }`: `upload()` with one
    /// PUT up to 16 MiB, a multipart upload above (it takes `upload()`'s options).
    #[wasm_bindgen(js_name = putObject, unchecked_return_type = "Promise<UploadResult>")]
    pub fn put_object(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(
            unchecked_param_type = "string | Uint8Array | ArrayBuffer | ArrayBufferView | Blob | ReadableStream<Uint8Array>"
        )]
        body: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "UploadOptions")] options: JsValue,
    ) -> Promise {
        let op = self.op();
        promise(async move {
            let key = Op::key(&key).map_err(js_error)?;
            // One PUT up to the hashing limit, a multipart upload above it.
            super::upload::upload(op, key, body, options, HASH_LIMIT as u64).await
        })
    }

    /// DeleteObject (S3 answers 204 whether or not the key existed).
    #[wasm_bindgen(js_name = deleteObject, unchecked_return_type = "Promise<void>")]
    pub fn delete_object(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ signal?: AbortSignal }")]
        options: JsValue,
    ) -> Promise {
        started(|| {
            let key = Op::key(&key).map_err(js_error)?;
            let request = DeleteObject { key: &key }.request(&self.at.bucket());
            let o = Options::new(&options).map_err(js_error)?;
            let signal = signal_of(&o)?;
            Ok(self
                .op()
                .start(request, Vec::new(), signal, Kind::Nothing, |_, _| {
                    Ok(JsValue::UNDEFINED)
                }))
        })
    }

    /// ListObjectsV2: `{ objects: [{ key, size, etag, lastModified }], prefixes,
    /// nextContinuationToken }`, of `{ prefix?, delimiter?, continuationToken?,
    /// startAfter?, maxKeys? }`.
    #[wasm_bindgen(js_name = listObjects, unchecked_return_type = "Promise<S3Listing>")]
    pub fn list_objects(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListObjectsOptions")] options: JsValue,
    ) -> Promise {
        started(|| {
            let o = Options::new(&options).map_err(js_error)?;
            let text = |name: &str| {
                o.string(name)
                    .map(Option::unwrap_or_default)
                    .map_err(js_error)
            };
            let max_keys = match o.number("maxKeys").map_err(js_error)? {
                None => None,
                Some(n) if n.fract() == 0.0 && (1.0..=1000.0).contains(&n) => Some(n as u32),
                Some(_) => {
                    return Err(js_error(config_error(
                        "maxKeys must be a whole number from 1 to 1000",
                    )))
                }
            };
            let (prefix, delimiter) = (text("prefix")?, text("delimiter")?);
            let (continuation_token, start_after) =
                (text("continuationToken")?, text("startAfter")?);
            let request = ListObjectsV2 {
                prefix: &prefix,
                delimiter: &delimiter,
                continuation_token: &continuation_token,
                start_after: &start_after,
                max_keys,
            }
            .request(&self.at.bucket());
            let signal = signal_of(&o)?;
            Ok(self
                .op()
                .start(request, Vec::new(), signal, Kind::List, listing_out))
        })
    }

    /// A presigned GET link, valid `expiresIn` seconds (default 3600, at most
    /// 7 days), or until the credentials that sign it expire, if sooner: the
    /// link's own X-Amz-Expires says which (a link never claims longer than
    /// it can work).
    #[wasm_bindgen(js_name = presignGet, unchecked_return_type = "Promise<string>")]
    pub fn presign_get(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ expiresIn?: number }")] options: JsValue,
    ) -> Promise {
        self.presign(key, options, false)
    }

    /// A presigned PUT link, valid as presignGet's. With `contentType`, the
    /// upload must send that same Content-Type header (it is signed).
    #[wasm_bindgen(js_name = presignPut, unchecked_return_type = "Promise<string>")]
    pub fn presign_put(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ expiresIn?: number; contentType?: string }"
        )]
        options: JsValue,
    ) -> Promise {
        self.presign(key, options, true)
    }

    /// A presigned link of GetObject (`put` false) or PutObject.
    fn presign(&self, key: JsValue, options: JsValue, put: bool) -> Promise {
        let op = self.op();
        promise(async move {
            let key = Op::key(&key).map_err(js_error)?;
            let o = Options::new(&options).map_err(js_error)?;
            let expires = o.number("expiresIn").map_err(js_error)?.unwrap_or(3600.0);
            let content_type = o.string("contentType").map_err(js_error)?;
            let bucket = op.at.bucket();
            let request = match put {
                true => PutObject {
                    key: &key,
                    content_type: content_type.as_deref(),
                    size: 0,
                }
                .request(&bucket),
                false => GetObject {
                    key: &key,
                    range: None,
                }
                .request(&bucket),
            }
            .map_err(js_error)?;
            let headers = request
                .headers
                .into_iter()
                .map(|(n, v)| (n.into(), v))
                .collect();
            op.client
                .presign(&request.url, request.method, headers, expires, false)
                .await
                .map(|(url, _)| url.into())
        })
    }
}
