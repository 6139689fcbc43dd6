//! `S3Client`: object reads, writes, listings and presigned links, signed in
//! the page. URLs, ListObjectsV2 answers and S3 error documents are the
//! core's (src/s3/); signing, retries and clock skew are `AwsClient`'s.

use super::boundary::{config_error, js_error, Options};
use super::client::{header_pairs, Client, Prepared};
use super::fetch::{self, Failure};
use crate::error::{Error, ErrorCode};
use crate::s3::{self, Bucket, ListParams};
use js_sys::{Promise, Reflect};
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

/// Above this, bodies go as UNSIGNED-PAYLOAD (TLS protects them in transit)
/// instead of being hashed first; below, WebCrypto hashes them in milliseconds.
const HASH_LIMIT: usize = 16 * 1024 * 1024;

/// A ListObjectsV2 page of 1,000 keys is about 300 KB; error documents are
/// smaller still. More is not an answer from S3, and is refused unread.
const MAX_ANSWER_BYTES: usize = 16 << 20;

struct Where {
    region: String,
    bucket: String,
    endpoint: String,
    force_path_style: bool,
    prefix: String,
}

impl Where {
    fn bucket(&self) -> Bucket<'_> {
        Bucket {
            region: &self.region,
            bucket: &self.bucket,
            endpoint: &self.endpoint,
            force_path_style: self.force_path_style,
        }
    }
}

/// The body of an S3 answer that is read (listings, errors), at most MAX_ANSWER_BYTES.
async fn answer_text(response: &web_sys::Response, operation: &str) -> Result<String, JsValue> {
    let Some(stream) = response.body() else {
        return Ok(String::new());
    };
    match fetch::read_capped(&stream, MAX_ANSWER_BYTES, response.status()).await {
        Ok(bytes) => Ok(String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())),
        Err(Failure::TooLarge { .. }) => Err(js_error(Error::new(
            ErrorCode::Malformed,
            [
                "the answer to ",
                operation,
                " is larger than 16777216 bytes, which S3 never sends: check the endpoint",
            ]
            .concat(),
        ))),
        Err(_) => Err(js_error(Error::new(
            ErrorCode::Network,
            [
                "the answer to ",
                operation,
                " was cut off: check the network",
            ]
            .concat(),
        ))),
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
export interface S3ClientOptions {
  credentials: AwsClientOptions["credentials"];
  region: string;
  bucket: string;
  /** https://host[:port][/base] of an S3-compatible service; AWS when left out. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** The prefix myPrefix() puts before the IdentityId. */
  prefix?: string;
  retries?: number;
}

export interface S3Object {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
}

export interface S3Listing {
  objects: S3Object[];
  prefixes: string[];
  nextContinuationToken?: string;
}

export interface ListObjectsOptions {
  prefix?: string;
  delimiter?: string;
  continuationToken?: string;
  startAfter?: string;
  /** 1 to 1000. */
  maxKeys?: number;
}
"#;

/// S3 from the page, under the credentials' identity.
#[wasm_bindgen]
pub struct S3Client {
    client: Rc<Client>,
    at: Rc<Where>,
}

/// The S3 client's shared parts, for the async methods.
struct Op {
    client: Rc<Client>,
    at: Rc<Where>,
}

impl Op {
    fn url(&self, key: &JsValue) -> crate::Result<String> {
        let key = key
            .as_string()
            .ok_or_else(|| config_error("the object key must be a string"))?;
        s3::url(&self.at.bucket(), Some(&key), "")
    }

    /// Sends; an answer that is not 2xx is S3's typed error.
    async fn send(
        &self,
        operation: &str,
        url: &str,
        method: &str,
        headers: Vec<(String, String)>,
        body: JsValue,
        unsigned: bool,
    ) -> Result<web_sys::Response, JsValue> {
        let p = Prepared::new(url, method.into(), headers, body, unsigned, Vec::new()).await?;
        let response = self.client.fetch(&p).await?;
        if response.ok() {
            return Ok(response);
        }
        let text = answer_text(&response, operation).await?;
        Err(js_error(s3::parse_error(
            response.status(),
            &text,
            operation,
        )))
    }
}

/// The call's `headers` option as pairs (anything `new Headers()` takes).
fn headers_of(o: &Options<'_>) -> Result<Vec<(String, String)>, JsValue> {
    header_pairs(&o.get("headers"))
}

fn set_header(headers: &mut Vec<(String, String)>, name: &str, value: String) {
    headers.retain(|(n, _)| n != name);
    headers.push((name.into(), value));
}

#[wasm_bindgen]
impl S3Client {
    /// `{ credentials, region, bucket, endpoint?, forcePathStyle?, prefix?, retries? }`.
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

    fn op(&self) -> Op {
        Op {
            client: self.client.clone(),
            at: self.at.clone(),
        }
    }

    #[wasm_bindgen(getter)]
    pub fn region(&self) -> String {
        self.at.region.clone()
    }

    #[wasm_bindgen(getter)]
    pub fn bucket(&self) -> String {
        self.at.bucket.clone()
    }

    #[wasm_bindgen(getter)]
    pub fn prefix(&self) -> String {
        self.at.prefix.clone()
    }

    /// The URL of an object (keys are encoded segment by segment; `:` travels as %3A).
    pub fn url(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
    ) -> Result<String, JsValue> {
        self.op().url(&key).map_err(js_error)
    }

    /// This user's own prefix, `PREFIX/{identityId}/` (what per-identity IAM
    /// policies with `${cognito-identity.amazonaws.com:sub}` allow), or a key under it.
    #[wasm_bindgen(js_name = myPrefix, unchecked_return_type = "Promise<string>")]
    pub fn my_prefix(&self, name: Option<String>) -> Promise {
        let op = self.op();
        future_to_promise(async move {
            let credentials = op.client.credentials();
            let identity = Reflect::get(credentials, &"identityId".into())
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
                .ok_or_else(|| {
                    js_error(config_error(
                        "myPrefix() needs credentials from CognitoIdentityCredentials (it uses the IdentityId)",
                    ))
                })?;
            let id = JsFuture::from(Promise::from(identity.call0(credentials)?)).await?;
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
            unchecked_optional_param_type = "{ range?: string | [number, number?]; headers?: HeadersInput }"
        )]
        options: JsValue,
    ) -> Promise {
        let op = self.op();
        future_to_promise(async move {
            let url = op.url(&key).map_err(js_error)?;
            let o = Options::new(&options).map_err(js_error)?;
            let mut headers = headers_of(&o)?;
            let range = o.get("range");
            if js_sys::Array::is_array(&range) {
                let part = |i: u32| {
                    let v = Reflect::get_u32(&range, i).unwrap_or(JsValue::UNDEFINED);
                    v.as_f64()
                        .map(|n| crate::error::num(n.max(0.0) as u64))
                        .unwrap_or_default()
                };
                set_header(
                    &mut headers,
                    "range",
                    ["bytes=", &part(0), "-", &part(1)].concat(),
                );
            } else if let Some(r) = range.as_string() {
                set_header(&mut headers, "range", r);
            }
            let response = op
                .send("GetObject", &url, "GET", headers, JsValue::UNDEFINED, false)
                .await?;
            Ok(response.into())
        })
    }

    /// PutObject from a string, Uint8Array, ArrayBuffer or Blob: `{ etag }`.
    /// `{ contentType?, headers? }`.
    #[wasm_bindgen(js_name = putObject, unchecked_return_type = "Promise<{ etag: string | null }>")]
    pub fn put_object(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer | Blob")]
        body: JsValue,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ contentType?: string; headers?: HeadersInput }"
        )]
        options: JsValue,
    ) -> Promise {
        let op = self.op();
        future_to_promise(async move {
            let url = op.url(&key).map_err(js_error)?;
            let o = Options::new(&options).map_err(js_error)?;
            let mut headers = headers_of(&o)?;
            let mut content_type = o.string("contentType").map_err(js_error)?;
            let mut body = body;
            if let Some(blob) = body.dyn_ref::<web_sys::Blob>() {
                if content_type.is_none() && !blob.type_().is_empty() {
                    content_type = Some(blob.type_());
                }
                body = JsFuture::from(blob.array_buffer()).await?;
            }
            if let Some(t) = content_type {
                set_header(&mut headers, "content-type", t);
            }
            let size = match body.as_string() {
                Some(s) => s.len(),
                None => Reflect::get(&body, &"byteLength".into())
                    .ok()
                    .and_then(|n| n.as_f64())
                    .unwrap_or(0.0) as usize,
            };
            let response = op
                .send("PutObject", &url, "PUT", headers, body, size > HASH_LIMIT)
                .await?;
            let etag = response.headers().get("etag").ok().flatten();
            let out = js_sys::Object::new();
            Reflect::set(
                &out,
                &"etag".into(),
                &etag.map_or(JsValue::NULL, Into::into),
            )?;
            Ok(out.into())
        })
    }

    /// DeleteObject (S3 answers 204 whether or not the key existed).
    #[wasm_bindgen(js_name = deleteObject, unchecked_return_type = "Promise<void>")]
    pub fn delete_object(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
    ) -> Promise {
        let op = self.op();
        future_to_promise(async move {
            let url = op.url(&key).map_err(js_error)?;
            op.send(
                "DeleteObject",
                &url,
                "DELETE",
                Vec::new(),
                JsValue::UNDEFINED,
                false,
            )
            .await?;
            Ok(JsValue::UNDEFINED)
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
        let op = self.op();
        future_to_promise(async move {
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
            let params = ListParams {
                prefix: &prefix,
                delimiter: &delimiter,
                continuation_token: &continuation_token,
                start_after: &start_after,
                max_keys,
            };
            let url = s3::url(&op.at.bucket(), None, &s3::list_query(&params)).map_err(js_error)?;
            let response = op
                .send(
                    "ListObjectsV2",
                    &url,
                    "GET",
                    Vec::new(),
                    JsValue::UNDEFINED,
                    false,
                )
                .await?;
            let listing = s3::parse_list(&answer_text(&response, "ListObjectsV2").await?)
                .map_err(js_error)?;
            let objects = js_sys::Array::new();
            for item in &listing.objects {
                let object = serde_wasm_bindgen::to_value(&ObjectOut {
                    key: &item.key,
                    size: item.size as f64,
                    etag: &item.etag,
                })
                .map_err(|_| {
                    js_error(Error::new(
                        ErrorCode::Malformed,
                        "could not build the listing",
                    ))
                })?;
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
        })
    }

    /// A presigned GET link, valid `expiresIn` seconds (default 3600, at most 7 days).
    #[wasm_bindgen(js_name = presignGet, unchecked_return_type = "Promise<string>")]
    pub fn presign_get(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ expiresIn?: number }")] options: JsValue,
    ) -> Promise {
        self.presign(key, options, "GET")
    }

    /// A presigned PUT link. With `contentType`, the upload must send that same
    /// Content-Type header (it is signed).
    #[wasm_bindgen(js_name = presignPut, unchecked_return_type = "Promise<string>")]
    pub fn presign_put(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ expiresIn?: number; contentType?: string }"
        )]
        options: JsValue,
    ) -> Promise {
        self.presign(key, options, "PUT")
    }

    fn presign(&self, key: JsValue, options: JsValue, method: &'static str) -> Promise {
        let op = self.op();
        future_to_promise(async move {
            let url = op.url(&key).map_err(js_error)?;
            let o = Options::new(&options).map_err(js_error)?;
            let expires = o.number("expiresIn").map_err(js_error)?.unwrap_or(3600.0);
            let mut headers = Vec::new();
            if let Some(t) = o
                .string("contentType")
                .map_err(js_error)?
                .filter(|_| method == "PUT")
            {
                headers.push((String::from("content-type"), t));
            }
            op.client
                .presign(&url, method, headers, expires)
                .await
                .map(Into::into)
        })
    }
}
