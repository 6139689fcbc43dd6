//! Presigned POST: a policy S3 checks a plain HTML form upload against
//! (`<form method="post" enctype="multipart/form-data">`), signed here, and
//! the form fields that carry it. Reference: Amazon S3 API, "Browser-based
//! uploads using POST (AWS Signature Version 4)".

use crate::error::Result;
use crate::json::push_string;
use crate::s3::{push_key, url, Bucket};
use crate::sigv4::{time, Signer, ALGORITHM};
use alloc::string::String;
use alloc::vec::Vec;
use base64::{engine::general_purpose::STANDARD, Engine};

pub struct PostPolicy<'a> {
    /// The key the form uploads to; with `key_prefix`, any key starting with it,
    /// and the form's `key` field is the prefix followed by `${filename}`, which
    /// S3 replaces with the uploaded file's name.
    pub key: &'a str,
    pub key_prefix: bool,
    pub expires_in: u32,
    /// The form's Content-Type, signed as an exact match when given.
    pub content_type: Option<&'a str>,
    /// More conditions, each a JSON object or array as S3 documents them
    /// (e.g. `["content-length-range", 0, 10485760]`).
    pub conditions: &'a [String],
}

/// Where the form posts, and its fields (before the file, which comes last).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresignedPost {
    pub url: String,
    pub fields: Vec<(&'static str, String)>,
}

/// `2026-12-04T01:05:00.000Z` from `20261204T010500Z`.
fn iso8601(amz_date: &str) -> String {
    let part = |a: usize, b: usize| amz_date.get(a..b).unwrap_or("00");
    [
        part(0, 4),
        "-",
        part(4, 6),
        "-",
        part(6, 8),
        "T",
        part(9, 11),
        ":",
        part(11, 13),
        ":",
        part(13, 15),
        ".000Z",
    ]
    .concat()
}

impl PostPolicy<'_> {
    pub fn sign(
        &self,
        bucket: &Bucket<'_>,
        signer: &mut Signer,
        now_ms: i64,
    ) -> Result<PresignedPost> {
        // The key as a URL checks it as every operation does (not empty, no dot segments).
        let mut checked = String::new();
        if !self.key_prefix || !self.key.is_empty() {
            push_key(&mut checked, self.key)?;
        }
        let (amz_date, credential) = signer.post_scope(now_ms)?;
        let expiration = iso8601(&time::amz_date(
            now_ms.saturating_add(i64::from(self.expires_in) * 1000),
        )?);
        let token = signer.credentials().session_token.clone();
        let mut fields: Vec<(&'static str, String)> = Vec::new();
        let key = match self.key_prefix {
            true => [self.key, "${filename}"].concat(),
            false => self.key.into(),
        };
        fields.push(("key", key));
        if let Some(t) = self.content_type {
            fields.push(("Content-Type", t.into()));
        }
        fields.push(("x-amz-algorithm", ALGORITHM.into()));
        fields.push(("x-amz-credential", credential));
        fields.push(("x-amz-date", amz_date.clone()));
        if let Some(token) = token {
            fields.push(("x-amz-security-token", token));
        }
        let mut policy = String::from("{\"expiration\":");
        push_string(&mut policy, &expiration);
        policy.push_str(",\"conditions\":[{\"bucket\":");
        push_string(&mut policy, bucket.bucket);
        policy.push('}');
        for (name, value) in &fields {
            policy.push(',');
            if *name == "key" && self.key_prefix {
                policy.push_str("[\"starts-with\",\"$key\",");
                push_string(&mut policy, self.key);
                policy.push(']');
            } else {
                policy.push('{');
                push_string(&mut policy, name);
                policy.push(':');
                push_string(&mut policy, value);
                policy.push('}');
            }
        }
        for condition in self.conditions {
            policy.push(',');
            policy.push_str(condition);
        }
        policy.push_str("]}");
        let policy = STANDARD.encode(policy.as_bytes());
        let signature = signer.sign_policy(&amz_date, &policy);
        fields.push(("Policy", policy));
        fields.push(("x-amz-signature", signature));
        Ok(PresignedPost {
            url: url(bucket, None, "")?,
            fields,
        })
    }
}
