//! `HeadObject`: an object's size, ETag, type and metadata, without its body.
//! The answer is all headers (the shell reads them); errors have no body, so
//! they are named by their status.

use super::S3Request;
use crate::error::Result;
use crate::s3::{url, Bucket};

pub struct HeadObject<'a> {
    pub key: &'a str,
}

impl HeadObject<'_> {
    pub fn request(&self, bucket: &Bucket<'_>) -> Result<S3Request> {
        Ok(S3Request::new(
            "HeadObject",
            "HEAD",
            url(bucket, Some(self.key), "")?,
        ))
    }
}
