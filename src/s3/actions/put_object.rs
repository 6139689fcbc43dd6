//! `PutObject`: one PUT of a whole body.

use super::S3Request;
use crate::error::Result;
use crate::s3::{url, Bucket};

/// Above this, bodies go as UNSIGNED-PAYLOAD (TLS protects them in transit)
/// instead of being hashed first; below, WebCrypto hashes them in milliseconds.
pub const HASH_LIMIT: usize = 16 * 1024 * 1024;

pub struct PutObject<'a> {
    pub key: &'a str,
    pub content_type: Option<&'a str>,
    /// The body's size in bytes.
    pub size: u64,
}

impl PutObject<'_> {
    pub fn request(&self, bucket: &Bucket<'_>) -> Result<S3Request> {
        let mut r = S3Request::new("PutObject", "PUT", url(bucket, Some(self.key), "")?);
        if let Some(t) = self.content_type {
            r.headers.push(("content-type", t.into()));
        }
        r.unsigned_payload = self.size > HASH_LIMIT as u64;
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_bodies_go_unsigned() {
        let b = Bucket {
            region: "us-east-1",
            bucket: "b-1",
            ..Bucket::default()
        };
        let put = |size| {
            PutObject {
                key: "k",
                content_type: Some("text/plain"),
                size,
            }
            .request(&b)
            .unwrap()
        };
        assert!(!put(HASH_LIMIT as u64).unsigned_payload);
        assert!(put(HASH_LIMIT as u64 + 1).unsigned_payload);
        assert!(put(4 << 30).unsigned_payload);
        assert_eq!(put(1).headers, [("content-type", "text/plain".into())]);
    }
}
