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
        // Keys come back URL-encoded: XML 1.0 cannot carry every character a
        // key may hold (a control character made its whole page unreadable).
        let mut q = String::from("encoding-type=url&list-type=2");
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

    /// Reads a ListObjectsV2 answer (`ListBucketResult`). Keys and prefixes
    /// are decoded when the answer says it URL-encoded them (`EncodingType`);
    /// a continuation token counts only on a truncated page.
    pub fn parse(body: &str) -> Result<Listing> {
        const OP: &str = "ListObjectsV2";
        if !xml::clean(body) {
            return Err(malformed(OP));
        }
        let root = xml::all(body, "ListBucketResult");
        let doc = *root.first().ok_or_else(|| malformed(OP))?;
        let encoded = xml::text(doc, "EncodingType").is_some_and(|e| e == "url");
        let name = |item: &str, tag: &str| {
            let text = xml::text(item, tag).ok_or_else(|| malformed(OP))?;
            match encoded {
                false => Ok(text),
                true => String::from_utf8(encode::decode(&text, true)).map_err(|_| malformed(OP)),
            }
        };
        let mut listing = Listing::default();
        for item in xml::all(doc, "Contents") {
            let key = name(item, "Key")?;
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
            listing.prefixes.push(name(item, "Prefix")?);
        }
        let truncated = xml::text(doc, "IsTruncated").is_some_and(|t| t == "true");
        listing.next_continuation_token =
            xml::text(doc, "NextContinuationToken").filter(|t| truncated && !t.is_empty());
        Ok(listing)
    }
}
