//! `ListObjectsV2`: a page of keys under a prefix (and, with a delimiter,
//! the "folders" below it).

use super::S3Request;
use crate::error::Result;
use crate::s3::{malformed, url, Bucket};
use crate::sigv4::encode;
use crate::xml;
use alloc::string::String;
use alloc::vec::Vec;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    pub key: String,
    pub size: u64,
    pub etag: String,
    /// ISO 8601, as S3 sends it.
    pub last_modified: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listing {
    pub objects: Vec<Object>,
    /// With a delimiter: the "folders" (CommonPrefixes).
    pub prefixes: Vec<String>,
    /// Present when there is more: pass it back as `continuation_token`.
    pub next_continuation_token: Option<String>,
}

/// What to list: ListObjectsV2's parameters (empty strings are left out).
#[derive(Clone, Debug, Default)]
pub struct ListObjectsV2<'a> {
    pub prefix: &'a str,
    pub delimiter: &'a str,
    pub continuation_token: &'a str,
    pub start_after: &'a str,
    pub max_keys: Option<u32>,
}

impl ListObjectsV2<'_> {
    pub fn request(&self, bucket: &Bucket<'_>) -> Result<S3Request> {
        Ok(S3Request::new(
            "ListObjectsV2",
            "GET",
            url(bucket, None, &self.query())?,
        ))
    }

    /// The ListObjectsV2 query string.
    pub fn query(&self) -> String {
        let p = self;
        let mut q = String::from("list-type=2");
        let max_keys: String = p
            .max_keys
            .map(|n| crate::error::num(u64::from(n)))
            .unwrap_or_default();
        for (name, value) in [
            ("continuation-token", p.continuation_token),
            ("delimiter", p.delimiter),
            ("max-keys", &max_keys),
            ("prefix", p.prefix),
            ("start-after", p.start_after),
        ] {
            if !value.is_empty() {
                q.push('&');
                q.push_str(name);
                q.push('=');
                encode::encode_into(&mut q, value.as_bytes(), false);
            }
        }
        q
    }

    /// Reads a ListObjectsV2 answer (`ListBucketResult`).
    pub fn parse(body: &str) -> Result<Listing> {
        const OP: &str = "ListObjectsV2";
        if !xml::clean(body) {
            return Err(malformed(OP));
        }
        let root = xml::all(body, "ListBucketResult");
        let doc = *root.first().ok_or_else(|| malformed(OP))?;
        let mut listing = Listing::default();
        for item in xml::all(doc, "Contents") {
            let key = xml::text(item, "Key").ok_or_else(|| malformed(OP))?;
            let size = xml::text(item, "Size")
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or_else(|| malformed(OP))?;
            let etag = xml::text(item, "ETag").unwrap_or_default();
            let last_modified = xml::text(item, "LastModified").unwrap_or_default();
            listing.objects.push(Object {
                key,
                size,
                etag,
                last_modified,
            });
        }
        for item in xml::all(doc, "CommonPrefixes") {
            listing
                .prefixes
                .push(xml::text(item, "Prefix").ok_or_else(|| malformed(OP))?);
        }
        listing.next_continuation_token =
            xml::text(doc, "NextContinuationToken").filter(|t| !t.is_empty());
        Ok(listing)
    }
}
