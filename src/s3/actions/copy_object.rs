//! `CopyObject`: a copy made by S3 from another key of the same bucket (up to
//! 5 GB), with the source's metadata.

use super::S3Request;
use crate::error::Result;
use crate::s3::{malformed, parse_error, push_key, url, Bucket};
use crate::xml;
use alloc::string::String;

pub struct CopyObject<'a> {
    /// The key copied from, in the same bucket.
    pub source: &'a str,
    pub key: &'a str,
}

impl CopyObject<'_> {
    pub fn request(&self, bucket: &Bucket<'_>) -> Result<S3Request> {
        let mut r = S3Request::new("CopyObject", "PUT", url(bucket, Some(self.key), "")?);
        // `/bucket/key`, the key URL-encoded as in a path.
        let mut source = String::with_capacity(2 + bucket.bucket.len() + self.source.len());
        source.push('/');
        source.push_str(bucket.bucket);
        source.push('/');
        push_key(&mut source, self.source)?;
        r.headers.push(("x-amz-copy-source", source));
        Ok(r)
    }

    /// The copy's ETag. Like CompleteMultipartUpload, a 200 may carry an error.
    pub fn parse(answer: &str) -> Result<String> {
        if !xml::all(answer, "Error").is_empty() {
            return Err(parse_error(200, answer, "CopyObject"));
        }
        match xml::all(answer, "CopyObjectResult").len() {
            1 if xml::clean(answer) => Ok(xml::text(answer, "ETag").unwrap_or_default()),
            _ => Err(malformed("CopyObject")),
        }
    }
}
