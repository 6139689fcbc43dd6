//! The devstack's object store: s3s-fs, with multipart uploads as AWS runs
//! them. s3s-fs binds an upload to the access key that created it (a page
//! that reloads gets new temporary keys for the same identity and could not
//! resume), answers AccessDenied for an unknown upload, lists parts without
//! ETags, ignores the ETags a completion names, and has no
//! ListMultipartUploads. Here uploads are kept by id with their bucket, key
//! and parts; IAM (RolePolicies) decides who may touch them, as on AWS.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;

use s3s::dto::*;
use s3s::{s3_error, S3Error, S3Request, S3Response, S3Result, S3};

/// An upload in progress.
struct Upload {
    bucket: String,
    key: String,
    initiated: SystemTime,
    /// Part number -> (ETag without quotes, size).
    parts: BTreeMap<i32, (String, u64)>,
}

/// Keys of a DeleteObjects the caller's role may not delete, with the
/// message (set by the IAM check in s3.rs): answered per key, as AWS does.
#[derive(Clone, Debug, Default)]
pub struct DeniedKeys(pub Vec<(String, String)>);

pub struct Store {
    fs: s3s_fs::FileSystem,
    root: PathBuf,
    uploads: Mutex<HashMap<String, Upload>>,
}

/// A key as S3's `encoding-type=url` writes it: unreserved characters and
/// `/` as they are, a space as `+`, every other byte as `%XX`.
fn url_encode(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn no_such_upload() -> S3Error {
    s3_error!(
        NoSuchUpload,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."
    )
}

fn unquoted(etag: &str) -> &str {
    etag.trim_matches('"')
}

fn etag_text(etag: &ETag) -> String {
    match etag {
        ETag::Strong(v) | ETag::Weak(v) => unquoted(v).to_string(),
    }
}

impl Store {
    pub fn new(root: PathBuf) -> Result<Store, String> {
        let fs = s3s_fs::FileSystem::new(&root)
            .map_err(|e| format!("s3s-fs over {}: {e:?}", root.display()))?;
        let root = root
            .canonicalize()
            .map_err(|e| format!("{}: {e}", root.display()))?;
        Ok(Store {
            fs,
            root,
            uploads: Mutex::new(HashMap::new()),
        })
    }

    fn uploads(&self) -> std::sync::MutexGuard<'_, HashMap<String, Upload>> {
        self.uploads.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The upload `id`, if it is one of `bucket`/`key`'s.
    fn check(&self, id: &str, bucket: &str, key: &str) -> S3Result<()> {
        match self.uploads().get(id) {
            Some(u) if u.bucket == bucket && u.key == key => Ok(()),
            _ => Err(no_such_upload()),
        }
    }
}

/// The request without its caller: s3s-fs then binds nothing to an access key.
fn anonymous<T>(mut req: S3Request<T>) -> S3Request<T> {
    req.credentials = None;
    req
}

#[async_trait::async_trait]
impl S3 for Store {
    // What s3s-fs does as AWS does: passed on as it is. (Written out:
    // async_trait does not see into a macro's methods.)
    async fn create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        self.fs.create_bucket(req).await
    }

    async fn copy_object(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        self.fs.copy_object(req).await
    }

    async fn delete_bucket(
        &self,
        req: S3Request<DeleteBucketInput>,
    ) -> S3Result<S3Response<DeleteBucketOutput>> {
        self.fs.delete_bucket(req).await
    }

    async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        self.fs.delete_object(req).await
    }

    async fn delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        let denied = req
            .extensions
            .get::<DeniedKeys>()
            .cloned()
            .unwrap_or_default();
        let mut out = match req.input.delete.objects.is_empty() {
            true => S3Response::new(DeleteObjectsOutput::default()),
            false => self.fs.delete_objects(req).await?,
        };
        let errors = out.output.errors.get_or_insert_with(Vec::new);
        for (key, message) in denied.0 {
            errors.push(Error {
                key: Some(key),
                code: Some("AccessDenied".into()),
                message: Some(message),
                ..Default::default()
            });
        }
        Ok(out)
    }

    async fn get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        self.fs.get_bucket_location(req).await
    }

    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        self.fs.get_object(req).await
    }

    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        self.fs.head_bucket(req).await
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        self.fs.head_object(req).await
    }

    async fn list_buckets(
        &self,
        req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        self.fs.list_buckets(req).await
    }

    async fn list_objects(
        &self,
        req: S3Request<ListObjectsInput>,
    ) -> S3Result<S3Response<ListObjectsOutput>> {
        self.fs.list_objects(req).await
    }

    /// s3s-fs echoes `encoding-type=url` without encoding anything: here
    /// keys and prefixes are URL-encoded as S3 encodes them (a space as `+`,
    /// `/` kept), so that keys XML 1.0 cannot carry (control characters) list.
    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let encode = req
            .input
            .encoding_type
            .as_ref()
            .is_some_and(|e| e.as_str() == EncodingType::URL);
        let mut answer = self.fs.list_objects_v2(req).await?;
        if encode {
            let out = &mut answer.output;
            for object in out.contents.iter_mut().flatten() {
                object.key = object.key.as_deref().map(url_encode);
            }
            for prefix in out.common_prefixes.iter_mut().flatten() {
                prefix.prefix = prefix.prefix.as_deref().map(url_encode);
            }
            for field in [&mut out.prefix, &mut out.start_after, &mut out.delimiter] {
                *field = field.as_deref().map(url_encode);
            }
        }
        Ok(answer)
    }

    async fn put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        self.fs.put_object(req).await
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        let (bucket, key) = (req.input.bucket.clone(), req.input.key.clone());
        let out = self.fs.create_multipart_upload(anonymous(req)).await?;
        if let Some(id) = &out.output.upload_id {
            self.uploads().insert(
                id.clone(),
                Upload {
                    bucket,
                    key,
                    initiated: SystemTime::now(),
                    parts: BTreeMap::new(),
                },
            );
        }
        Ok(out)
    }

    async fn upload_part(
        &self,
        req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        let id = req.input.upload_id.clone();
        let number = req.input.part_number;
        self.check(&id, &req.input.bucket, &req.input.key)?;
        let out = self.fs.upload_part(anonymous(req)).await?;
        let size = std::fs::metadata(self.root.join(format!(".upload_id-{id}.part-{number}")))
            .map(|m| m.len())
            .unwrap_or(0);
        let etag = out.output.e_tag.as_ref().map(etag_text).unwrap_or_default();
        if let Some(upload) = self.uploads().get_mut(&id) {
            upload.parts.insert(number, (etag, size));
        }
        Ok(out)
    }

    async fn list_parts(
        &self,
        req: S3Request<ListPartsInput>,
    ) -> S3Result<S3Response<ListPartsOutput>> {
        let input = req.input;
        self.check(&input.upload_id, &input.bucket, &input.key)?;
        let after = input.part_number_marker.unwrap_or(0).max(0);
        let max = input.max_parts.unwrap_or(1000).clamp(1, 1000) as usize;
        let uploads = self.uploads();
        let upload = uploads.get(&input.upload_id).ok_or_else(no_such_upload)?;
        let all: Vec<(&i32, &(String, u64))> = upload.parts.range(after + 1..).collect();
        let page = &all[..all.len().min(max)];
        let truncated = all.len() > max;
        let parts = page
            .iter()
            .map(|(n, (etag, size))| Part {
                part_number: Some(**n),
                e_tag: Some(ETag::Strong(etag.clone())),
                size: Some(*size as i64),
                ..Default::default()
            })
            .collect();
        Ok(S3Response::new(ListPartsOutput {
            bucket: Some(input.bucket),
            key: Some(input.key),
            upload_id: Some(input.upload_id),
            parts: Some(parts),
            is_truncated: Some(truncated),
            max_parts: Some(max as i32),
            next_part_number_marker: page.last().filter(|_| truncated).map(|(n, _)| **n),
            ..Default::default()
        }))
    }

    async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let id = req.input.upload_id.clone();
        self.check(&id, &req.input.bucket, &req.input.key)?;
        {
            let uploads = self.uploads();
            let upload = uploads.get(&id).ok_or_else(no_such_upload)?;
            let named = req
                .input
                .multipart_upload
                .as_ref()
                .and_then(|m| m.parts.as_ref())
                .map(Vec::as_slice)
                .unwrap_or_default();
            let mut last = 0;
            for part in named {
                let number = part.part_number.unwrap_or(0);
                if number <= last {
                    return Err(s3_error!(
                        InvalidPartOrder,
                        "The list of parts was not in ascending order. Parts must be ordered by part number."
                    ));
                }
                last = number;
                let given = part.e_tag.as_ref().map(etag_text).unwrap_or_default();
                if upload.parts.get(&number).map(|(e, _)| e.as_str()) != Some(given.as_str()) {
                    return Err(s3_error!(
                        InvalidPart,
                        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."
                    ));
                }
            }
        }
        let out = self.fs.complete_multipart_upload(anonymous(req)).await?;
        self.uploads().remove(&id);
        Ok(out)
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        let id = req.input.upload_id.clone();
        self.check(&id, &req.input.bucket, &req.input.key)?;
        let out = self.fs.abort_multipart_upload(anonymous(req)).await?;
        self.uploads().remove(&id);
        Ok(out)
    }

    async fn list_multipart_uploads(
        &self,
        req: S3Request<ListMultipartUploadsInput>,
    ) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
        let input = req.input;
        let prefix = input.prefix.clone().unwrap_or_default();
        let mut found: Vec<MultipartUpload> = self
            .uploads()
            .iter()
            .filter(|(_, u)| u.bucket == input.bucket && u.key.starts_with(&prefix))
            .map(|(id, u)| MultipartUpload {
                key: Some(u.key.clone()),
                upload_id: Some(id.clone()),
                initiated: Some(Timestamp::from(u.initiated)),
                ..Default::default()
            })
            .collect();
        found.sort_by(|a, b| (&a.key, &a.upload_id).cmp(&(&b.key, &b.upload_id)));
        Ok(S3Response::new(ListMultipartUploadsOutput {
            bucket: Some(input.bucket),
            prefix: input.prefix,
            uploads: Some(found),
            is_truncated: Some(false),
            ..Default::default()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_compare_without_quotes() {
        assert_eq!(etag_text(&ETag::Strong("\"abc\"".into())), "abc");
        assert_eq!(etag_text(&ETag::Strong("abc".into())), "abc");
    }
}
