//! `S3Client`'s object operations beyond get/put/delete/list: headObject,
//! copyObject, deleteObjects (batches of 1,000, per-key errors) and
//! presignPost (a signed policy for a plain HTML form). Requests, answers and
//! the policy are the core's (src/s3/actions/).

use super::boundary::{config_error, js_error, promise, read_array, started, Options, Settled};
use super::driver::{drive, Sending};
use super::s3::{no_output, signal_of, Op, S3Client};
use crate::op::delete_objects::DeleteObjectsOp;
use crate::op::s3::Kind;
use crate::op::Output;
use crate::s3::{CopyObject, HeadObject, PostPolicy};
use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** What copyObject() resolves to. */
export interface CopyResult {
  /** The copy's ETag. */
  etag: string;
}

/** What headObject() tells of an object. */
export interface S3Head {
  /** Its size in bytes. */
  size: number;
  /** Its ETag, quotes included (null where the bucket's CORS does not expose it). */
  etag: string | null;
  /** Its Content-Type. */
  contentType: string | null;
  /** When it was last written. */
  lastModified: Date | null;
  /** x-amz-meta-* headers, without the prefix (pages see only those the bucket's CORS exposes). */
  metadata: Record<string, string>;
}

/** What deleteObjects() did, key by key. */
export interface DeleteObjectsResult {
  /** Keys deleted (or already absent). */
  deleted: string[];
  /** Keys S3 did not delete, with S3's code (AccessDenied, …) and message. */
  errors: {
    /** The object's key. */
    key: string;
    /** S3's code. */
    code: string;
    /** S3's message. */
    message: string;
  }[];
}

/** Options of presignPost(): a browser form that uploads straight to S3. */
export interface PresignPostOptions {
  /** Seconds, default 3600, at most 604800. */
  expiresIn?: number;
  /** `key` is a prefix: the form may upload any key under it; `fields.key` is the prefix then `${filename}`, which S3 replaces with the file's name. */
  keyPrefix?: boolean;
  /** The Content-Type the form must send. */
  contentType?: string;
  /** More conditions as S3 documents them, e.g. ["content-length-range", 0, 10485760]. */
  conditions?: (Record<string, string> | (string | number)[])[];
}

/** A presigned POST form: post `fields`, then the file, to `url`. */
export interface PresignedPost {
  /** The form's action. */
  url: string;
  /** Hidden fields to send before the file (the file field comes last). */
  fields: Record<string, string>;
  /** When the form stops working: `expiresIn` from now, or sooner when the credentials that signed it expire first. */
  expiresAt: Date;
}
"#;

/// HeadObject's output as the caller's `S3Head`.
fn head_out(output: Output, _: Option<web_sys::Response>) -> Settled {
    let Output::Head(head) = output else {
        return Err(no_output("HeadObject"));
    };
    let out = js_sys::Object::new();
    Reflect::set(&out, &"size".into(), &(head.size as f64).into())?;
    let text = |v: Option<String>| v.map_or(JsValue::NULL, Into::into);
    Reflect::set(&out, &"etag".into(), &text(head.etag))?;
    Reflect::set(&out, &"contentType".into(), &text(head.content_type))?;
    let modified = head
        .last_modified
        .map_or(JsValue::NULL, |d| js_sys::Date::new(&d.into()).into());
    Reflect::set(&out, &"lastModified".into(), &modified)?;
    let metadata = js_sys::Object::new();
    for (name, value) in head.metadata {
        Reflect::set(&metadata, &name.into(), &value.into())?;
    }
    Reflect::set(&out, &"metadata".into(), &metadata)?;
    Ok(out.into())
}

#[wasm_bindgen]
impl S3Client {
    /// HeadObject: `{ size, etag, contentType, lastModified, metadata }`
    /// (a missing key is `NotFound`: HEAD answers have no body).
    #[wasm_bindgen(js_name = headObject, unchecked_return_type = "Promise<S3Head>")]
    pub fn head_object(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ signal?: AbortSignal }")]
        options: JsValue,
    ) -> Promise {
        started(|| {
            let key = Op::key(&key).map_err(js_error)?;
            let o = Options::new(&options).map_err(js_error)?;
            let request = HeadObject { key: &key }.request(&self.op().at().bucket());
            let signal = signal_of(&o)?;
            Ok(self
                .op()
                .start(request, Vec::new(), signal, Kind::Head, head_out))
        })
    }

    /// CopyObject within the bucket, S3-side (up to 5 GB): `{ etag }`.
    #[wasm_bindgen(js_name = copyObject, unchecked_return_type = "Promise<CopyResult>")]
    pub fn copy_object(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] source: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ signal?: AbortSignal }")]
        options: JsValue,
    ) -> Promise {
        started(|| {
            let source = Op::key(&source).map_err(js_error)?;
            let key = Op::key(&key).map_err(js_error)?;
            let o = Options::new(&options).map_err(js_error)?;
            let request = CopyObject {
                source: &source,
                key: &key,
            }
            .request(&self.op().at().bucket());
            let signal = signal_of(&o)?;
            Ok(self
                .op()
                .start(request, Vec::new(), signal, Kind::Copy, |output, _| {
                    let Output::Etag(Some(etag)) = output else {
                        return Err(no_output("CopyObject"));
                    };
                    let out = js_sys::Object::new();
                    Reflect::set(&out, &"etag".into(), &etag.into())?;
                    Ok(out.into())
                }))
        })
    }

    /// DeleteObjects, 1,000 keys per request: `{ deleted, errors }` with S3's
    /// answer for each key (a key that did not exist counts as deleted).
    #[wasm_bindgen(js_name = deleteObjects, unchecked_return_type = "Promise<DeleteObjectsResult>")]
    pub fn delete_objects(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] keys: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ signal?: AbortSignal }")]
        options: JsValue,
    ) -> Promise {
        let op = self.op();
        promise(async move {
            let o = Options::new(&options).map_err(js_error)?;
            let keys: Vec<String> = read_array(&keys, "the keys")?
                .ok_or_else(|| js_error(config_error("deleteObjects takes an array of keys")))?
                .iter()
                .map(|k| Op::key(&k))
                .collect::<crate::Result<_>>()
                .map_err(js_error)?;
            let mut machine = DeleteObjectsOp::new(
                &op.at().bucket(),
                keys,
                js_sys::Date::now() as i64,
                js_sys::Math::random().to_bits(),
            )
            .map_err(js_error)?;
            let sending = Sending {
                body: JsValue::UNDEFINED,
                options: signal_of(&o)?,
                stream: false,
                progress: None,
            };
            let (output, _) = drive(Some(op.client()), &mut machine, &sending).await?;
            let Output::Deleted(result, failure) = output else {
                return Err(no_output("DeleteObjects"));
            };
            let deleted: Array = result.deleted.into_iter().map(JsValue::from).collect();
            let errors = Array::new();
            for e in result.errors {
                let item = js_sys::Object::new();
                Reflect::set(&item, &"key".into(), &e.key.into())?;
                Reflect::set(&item, &"code".into(), &e.code.into())?;
                Reflect::set(&item, &"message".into(), &e.message.into())?;
                errors.push(&item);
            }
            if let Some(e) = failure {
                // What earlier requests did is not lost with a later failure.
                let err = js_error(e);
                let partial = js_sys::Object::new();
                Reflect::set(&partial, &"deleted".into(), &deleted)?;
                Reflect::set(&partial, &"errors".into(), &errors)?;
                Reflect::set(&err, &"result".into(), &partial)?;
                return Err(err);
            }
            let out = js_sys::Object::new();
            Reflect::set(&out, &"deleted".into(), &deleted)?;
            Reflect::set(&out, &"errors".into(), &errors)?;
            Ok(out.into())
        })
    }

    /// A presigned POST for a plain HTML form upload: `{ url, fields }`.
    /// `{ expiresIn?, keyPrefix?, contentType?, conditions? }`.
    #[wasm_bindgen(js_name = presignPost, unchecked_return_type = "Promise<PresignedPost>")]
    pub fn presign_post(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "PresignPostOptions")] options: JsValue,
    ) -> Promise {
        let op = self.op();
        promise(async move {
            let key = Op::key(&key).map_err(js_error)?;
            let o = Options::new(&options).map_err(js_error)?;
            let expires = o.number("expiresIn").map_err(js_error)?.unwrap_or(3600.0);
            let expires = crate::sigv4::check_expires(expires).map_err(js_error)?;
            let content_type = o.string("contentType").map_err(js_error)?;
            let given = o.get("conditions");
            let mut conditions = Vec::new();
            if !given.is_undefined() && !given.is_null() {
                let Some(given) = read_array(&given, "conditions")? else {
                    return Err(js_error(config_error(
                        "conditions must be an array of S3 POST policy conditions, e.g. [[\"content-length-range\", 0, 10485760]]",
                    )));
                };
                for c in given.iter() {
                    // JSON by the platform; only objects and arrays are conditions.
                    let json = match c.is_object() {
                        true => js_sys::JSON::stringify(&c).ok().and_then(|s| s.as_string()),
                        false => None,
                    };
                    conditions.push(json.ok_or_else(|| {
                        js_error(config_error(
                            "each condition must be an object ({ \"x-amz-meta-tag\": \"v\" }) or an array ([\"starts-with\", \"$key\", \"p/\"])",
                        ))
                    })?);
                }
            }
            let key_prefix = o.get("keyPrefix").is_truthy();
            let bucket = op.at().bucket();
            let (post, expires_at) = op
                .client()
                .with_signer("", |signer, now, expiration| {
                    // No longer than the credentials that sign it.
                    let expires_in = crate::sigv4::link_lifetime(expires, now, expiration)?;
                    let policy = PostPolicy {
                        key: &key,
                        key_prefix,
                        expires_in,
                        content_type: content_type.as_deref(),
                        conditions: &conditions,
                    };
                    let post = policy.sign(&bucket, signer, now)?;
                    Ok((post, now.saturating_add(i64::from(expires_in) * 1000)))
                })
                .await?;
            let fields = js_sys::Object::new();
            for (name, value) in post.fields {
                Reflect::set(&fields, &name.into(), &value.into())?;
            }
            let out = js_sys::Object::new();
            Reflect::set(&out, &"url".into(), &post.url.into())?;
            Reflect::set(&out, &"fields".into(), &fields)?;
            let expires_at = js_sys::Date::new(&(expires_at as f64).into());
            Reflect::set(&out, &"expiresAt".into(), &expires_at)?;
            Ok(out.into())
        })
    }
}
