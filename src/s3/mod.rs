//! S3 as signed requests: object and bucket URLs (virtual-hosted or path
//! style, AWS or a custom endpoint), the operations (`actions/`, one file each,
//! like rusty-s3's), and S3 error documents as typed errors. Sans-IO like the
//! rest: the shell signs an action's request with the `s3` signer and fetches it.

pub mod actions;
pub use actions::*;

use crate::error::{Error, ErrorCode, Result};
use crate::sigv4::{check_scope_part, encode};
use crate::xml;
use alloc::string::String;

/// Where a bucket lives.
#[derive(Clone, Debug, Default)]
pub struct Bucket<'a> {
    pub region: &'a str,
    pub bucket: &'a str,
    /// `https://host[:port][/base]`; empty for AWS (`https://s3.{region}.amazonaws.com`).
    pub endpoint: &'a str,
    /// Put the bucket in the path (`host/bucket/key`) instead of the host name.
    pub force_path_style: bool,
}

fn invalid(message: String) -> Error {
    Error::new(ErrorCode::InvalidConfig, message)
}

/// S3's bucket naming rules (3–63 of `a-z 0-9 . -`, starting and ending with a
/// letter or digit): anything else cannot be addressed, so say so before sending.
fn check_bucket(bucket: &str) -> Result<()> {
    let b = bucket.as_bytes();
    let edge = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let ok = (3..=63).contains(&b.len())
        && edge(b.first())
        && edge(b.last())
        && b.iter()
            .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'-');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            [
                "bucket `",
                &crate::sigv4::url::shorten(bucket),
                "` is not an S3 bucket name: 3 to 63 lower-case letters, digits, `.` or `-`",
            ]
            .concat(),
        ))
    }
}

/// A key as a URL path: every byte but unreserved ones and `/` percent-encoded,
/// so `:` (in IdentityIds), spaces, `+`, `?`, `#`, `%` and unicode all arrive as
/// themselves. Dot segments are refused: every URL parser, fetch's included,
/// would remove them (even encoded), and the object would be another one.
fn push_key(out: &mut String, key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(invalid(
            "the object key is empty: give the object's name, e.g. `photos/cat.jpg`".into(),
        ));
    }
    if key
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        return Err(invalid(
            [
                "the key `",
                &crate::sigv4::url::shorten(key),
                "` has a `.` or `..` segment, which URLs cannot carry: rename it",
            ]
            .concat(),
        ));
    }
    encode::encode_into(out, key.as_bytes(), true);
    Ok(())
}

/// `https://bucket.s3.region.amazonaws.com/key?query`, or its path-style or
/// custom-endpoint form. `key` empty: the bucket itself (for listing).
pub fn url(b: &Bucket<'_>, key: Option<&str>, query: &str) -> Result<String> {
    check_scope_part("region", b.region)?;
    check_bucket(b.bucket)?;
    let endpoint = b.endpoint.trim_end_matches('/');
    let aws;
    let endpoint = if endpoint.is_empty() {
        aws = ["https://s3.", b.region, ".amazonaws.com"].concat();
        &aws
    } else {
        endpoint
    };
    // `find` and `split_at_checked`, not `split_once("://")`/`split_at`: the
    // two-way searcher and the panicking slices cost kilobytes of wasm.
    let scheme_end = crate::error::find(endpoint, "://").unwrap_or(0);
    let split = endpoint
        .split_at_checked(scheme_end)
        .map(|(s, r)| (s, r.get(3..).unwrap_or("")));
    let Some((scheme, rest)) = split.filter(|(s, _)| *s == "https" || *s == "http") else {
        return Err(invalid(
            [
                "endpoint `",
                &crate::sigv4::url::shorten(endpoint),
                "` must be an http(s) URL, e.g. https://s3.eu-west-1.amazonaws.com",
            ]
            .concat(),
        ));
    };
    let (host, base) = rest
        .split_at_checked(rest.find('/').unwrap_or(rest.len()))
        .unwrap_or((rest, ""));
    let hostname = host.rsplit_once(':').map_or(host, |(h, _)| h);
    // Virtual-hosted style needs a DNS name for the bucket: not for IP
    // addresses or localhost, and not for dotted buckets over https, whose
    // host names AWS's wildcard certificate does not cover.
    let path_style = b.force_path_style
        || host.starts_with('[')
        || hostname == "localhost"
        || hostname.bytes().all(|c| c.is_ascii_digit() || c == b'.')
        || (scheme == "https" && b.bucket.contains('.'))
        || !base.is_empty();
    let mut out = String::with_capacity(endpoint.len() + b.bucket.len() + 64);
    out.push_str(scheme);
    out.push_str("://");
    if !path_style {
        out.push_str(b.bucket);
        out.push('.');
    }
    out.push_str(host);
    out.push_str(base);
    out.push('/');
    if path_style {
        out.push_str(b.bucket);
        if key.is_some() {
            out.push('/');
        }
    }
    if let Some(key) = key {
        push_key(&mut out, key)?;
    }
    if !query.is_empty() {
        out.push('?');
        out.push_str(query);
    }
    Ok(out)
}

pub(crate) fn malformed(operation: &str) -> Error {
    crate::cognito::malformed(operation)
}

fn advice(code: &str) -> &'static str {
    match code {
        "AccessDenied" => "the role's policy does not allow this on this key: with per-user policies, stay under your own prefix (S3Client.myPrefix())",
        "NoSuchKey" | "NotFound" => "no object under this key: check the key and the bucket",
        "NoSuchBucket" => "no such bucket: check the bucket name, region and endpoint",
        "SignatureDoesNotMatch" => "S3 computed another signature: check the secret key and region, and that nothing changes the request after signing (compare Signer.explain())",
        "RequestTimeTooSkewed" => "the local clock is more than 15 minutes off: fix the device's clock",
        "ExpiredToken" | "TokenRefreshRequired" => "the temporary credentials have expired: get fresh ones (credentials.get())",
        "InvalidAccessKeyId" => "S3 does not know this access key: check the credentials and the endpoint",
        "InvalidToken" => "the session token is not valid: pass the sessionToken that came with the keys",
        "AuthorizationHeaderMalformed" | "PermanentRedirect" | "IllegalLocationConstraintException" => {
            "the bucket is in another region: set region to the bucket's region"
        }
        "InvalidRange" => "the range is outside the object: check the Range",
        "PreconditionFailed" => "a condition (If-Match, If-Unmodified-Since…) did not hold",
        "EntityTooLarge" => "the object is larger than a single PUT allows (5 GB): use a multipart upload",
        "SlowDown" | "ServiceUnavailable" | "InternalError" => "S3 is busy or failed: retry later",
        _ => "see the S3 message",
    }
}

/// An S3 error answer as a typed error named by S3's `Code`. Answers without a
/// body (HEAD, some proxies) are named by their status.
pub fn parse_error(status: u16, body: &str, operation: &str) -> Error {
    let code = xml::text(body, "Code")
        .filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_alphanumeric()));
    let code = code.unwrap_or_else(|| {
        String::from(match status {
            301 => "PermanentRedirect",
            304 => "NotModified",
            400 => "BadRequest",
            403 => "AccessDenied",
            404 => "NotFound",
            412 => "PreconditionFailed",
            416 => "InvalidRange",
            503 => "SlowDown",
            s if s >= 500 => "InternalError",
            _ => "UnknownError",
        })
    });
    let s3_message = xml::text(body, "Message").unwrap_or_default();
    crate::cognito::typed_error(&code, status, operation, advice(&code), "S3", &s3_message)
}

#[cfg(test)]
mod tests;
