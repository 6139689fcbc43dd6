//! `DeleteObject` (S3 answers 204 whether or not the key existed).

use super::S3Request;
use crate::error::Result;
use crate::s3::{url, Bucket};

pub struct DeleteObject<'a> {
    pub key: &'a str,
}

impl DeleteObject<'_> {
    pub fn request(&self, bucket: &Bucket<'_>) -> Result<S3Request> {
        Ok(S3Request::new(
            "DeleteObject",
            "DELETE",
            url(bucket, Some(self.key), "")?,
        ))
    }
}
