//! AWS Signature Version 4: canonical request, string to sign, signing-key
//! cache, header signing and query presigning.
//!
//! One canonicalization ([`canonical_request`]) serves both ways of signing; they
//! differ only in which `X-Amz-*` values travel in headers or in the query.
//! Reference: AWS General Reference, "Create a signed AWS API request".
//!
//! Its own crate, sans-IO and no_std (no wasm-bindgen), so that Cargo can build
//! this hot path at opt-level 3 while the rest of the SDK stays at "z" (see the
//! workspace's Cargo.toml). The SDK re-exports it as `cognito_sigv4::sigv4`, with
//! the crate's one error type as `cognito_sigv4::error`.

#![cfg_attr(not(test), no_std)]

extern crate alloc;

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
pub mod encode;
pub mod error;
pub mod headers;
pub mod sha256;
pub mod time;
pub mod url;

use crate::error::{num, Error, ErrorCode, Result};
use sha256::{hex, hmac, push_hex, sha256, HmacKey};

pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// SHA-256 of the empty string: the payload hash of a request without a body.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// Presigned URLs live at most seven days (AWS's limit for SigV4).
pub const MAX_EXPIRES: u32 = 604_800;

/// AWS credentials: long-term keys, or temporary ones (with a session token
/// and an expiry) from Cognito or STS. The crate's one credentials type.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
    /// When temporary credentials expire, epoch milliseconds.
    pub expiration_ms: Option<i64>,
}

// Hand-written so that `{:?}` can never print a secret.
impl core::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expiration_ms", &self.expiration_ms)
            .finish()
    }
}

impl Credentials {
    pub fn new(
        access_key_id: &str,
        secret_access_key: &str,
        session_token: Option<&str>,
    ) -> Result<Self> {
        if access_key_id.is_empty() || secret_access_key.is_empty() {
            return Err(Error::new(
                ErrorCode::MissingCredentials,
                "accessKeyId and secretAccessKey are both required: pass the temporary credentials from CognitoIdentityCredentials.get() or your own keys",
            ));
        }
        if !access_key_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Error::new(
                ErrorCode::MissingCredentials,
                "accessKeyId must be letters and digits only (like ASIA…): check that the fields are not swapped",
            ));
        }
        let session_token = session_token.filter(|t| !t.is_empty());
        if let Some(token) = session_token {
            if token.bytes().any(|b| !(0x21..0x7f).contains(&b)) {
                return Err(Error::new(
                    ErrorCode::MissingCredentials,
                    "sessionToken must be printable ASCII without spaces: pass it exactly as AWS returned it",
                ));
            }
        }
        Ok(Credentials {
            access_key_id: access_key_id.to_string(),
            secret_access_key: secret_access_key.to_string(),
            session_token: session_token.map(str::to_string),
            expiration_ms: None,
        })
    }
}

/// What the payload hash of a request is made of.
#[derive(Clone, Copy, Debug)]
pub enum Payload<'a> {
    /// The request has no body.
    Empty,
    /// Hash these bytes.
    Bytes(&'a [u8]),
    /// Sign `UNSIGNED-PAYLOAD` (S3, and large uploads).
    Unsigned,
    /// A hash the caller computed (lower-case hex SHA-256, or an S3 streaming marker).
    Precomputed(&'a str),
}

#[derive(Clone, Debug)]
pub struct Request<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [(&'a str, &'a str)],
    pub payload: Payload<'a>,
    /// Send and sign `x-amz-content-sha256` even for a service that is not S3.
    pub content_sha256: bool,
}

impl<'a> Request<'a> {
    pub fn new(method: &'a str, url: &'a str) -> Self {
        Request {
            method,
            url,
            headers: &[],
            payload: Payload::Empty,
            content_sha256: false,
        }
    }
}

/// A request signed in its headers.
#[derive(Clone, Debug)]
pub struct Signed {
    pub method: String,
    pub url: String,
    /// Every header to send, names in lower case, sorted: the caller's (joined
    /// with `,` where repeated) plus `host`, `x-amz-date`, `x-amz-security-token`,
    /// `x-amz-content-sha256` where due, and `authorization`.
    pub headers: Vec<(String, String)>,
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signature: String,
}

/// A presigned URL and how it came about.
#[derive(Clone, Debug)]
pub struct Presigned {
    pub url: String,
    pub canonical_request: String,
    pub string_to_sign: String,
    pub signature: String,
}

/// S3 (and its variants) sign the path once-encoded and never normalize it.
pub fn is_s3(service: &str) -> bool {
    matches!(
        service,
        "s3" | "s3-object-lambda" | "s3-outposts" | "s3express"
    )
}

/// Caches the derived signing key, keyed by secret, date, region and service,
/// so that steady-state signing does one HMAC under the key instead of five.
#[derive(Default, Clone)]
pub struct SigningKeyCache {
    entry: Option<(String, String, HmacKey)>,
}

impl SigningKeyCache {
    /// `scope` is the credential scope `date/region/service/aws4_request`.
    fn get(&mut self, secret: &str, scope: &str) -> &HmacKey {
        if !matches!(&self.entry, Some((s, sc, _)) if s == secret && sc == scope) {
            self.entry = None;
        }
        &self
            .entry
            .get_or_insert_with(|| {
                let mut parts = scope.split('/');
                let date = parts.next().unwrap_or_default();
                let mut key = hmac(["AWS4", secret].concat().as_bytes(), date.as_bytes());
                for part in parts {
                    key = hmac(&key, part.as_bytes());
                }
                (secret.to_string(), scope.to_string(), HmacKey::new(&key))
            })
            .2
    }
}

/// A region or service name as it appears in a credential scope.
pub fn check_scope_part(what: &str, value: &str) -> Result<()> {
    if value.is_empty()
        || !value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(Error::new(
            ErrorCode::InvalidConfig,
            [
                what,
                " `",
                &url::shorten(value),
                "` is not valid: use the lower-case AWS name, e.g. ",
                if what == "region" {
                    "us-east-1"
                } else {
                    "execute-api or s3"
                },
            ]
            .concat(),
        ));
    }
    Ok(())
}

/// Validates a presign expiry given in seconds (a JS number).
pub fn check_expires(seconds: f64) -> Result<u32> {
    // `as` saturates and NaN becomes 0, so the round trip also refuses NaN and fractions.
    if f64::from(seconds as u32) != seconds || !(1.0..=f64::from(MAX_EXPIRES)).contains(&seconds) {
        return Err(Error::new(
            ErrorCode::InvalidExpires,
            "expiresIn must be a whole number of seconds from 1 to 604800 (7 days)",
        ));
    }
    Ok(seconds as u32)
}

/// How long a presigned link (or POST policy) of `expires` seconds, signed at
/// `now_ms`, can work: no longer than the credentials that sign it, which
/// expire at `credentials_expire_ms` (temporary credentials do; the link then
/// fails with ExpiredToken, whatever it says). At least one second is left,
/// else the credentials are too close to their end to sign anything.
pub fn link_lifetime(expires: u32, now_ms: i64, credentials_expire_ms: Option<i64>) -> Result<u32> {
    let Some(end) = credentials_expire_ms else {
        return Ok(expires);
    };
    let left = end.saturating_sub(now_ms) / 1000;
    if left < 1 {
        return Err(Error::new(
            ErrorCode::InvalidExpires,
            "the credentials expire before the link could be used: get fresh credentials first",
        ));
    }
    Ok(expires.min(u32::try_from(left).unwrap_or(u32::MAX)))
}

/// fetch upper-cases these six methods whatever their case, and sends any other as given.
fn normalize_method(method: &str) -> Result<String> {
    if method.is_empty() || !method.bytes().all(headers::is_tchar) {
        return Err(Error::new(
            ErrorCode::InvalidConfig,
            ["`", &url::shorten(method), "` is not an HTTP method"].concat(),
        ));
    }
    let upper = method.to_ascii_uppercase();
    if matches!(upper.as_str(), "CONNECT" | "TRACE" | "TRACK") {
        return Err(Error::new(
            ErrorCode::InvalidConfig,
            ["fetch refuses the ", &upper, " method"].concat(),
        ));
    }
    Ok(match upper.as_str() {
        "DELETE" | "GET" | "HEAD" | "OPTIONS" | "POST" | "PUT" => upper,
        _ => method.to_string(),
    })
}

fn payload_hash(payload: Payload<'_>) -> Result<String> {
    Ok(match payload {
        Payload::Empty => EMPTY_SHA256.to_string(),
        Payload::Bytes(b) => hex(&sha256(b)),
        Payload::Unsigned => UNSIGNED_PAYLOAD.to_string(),
        Payload::Precomputed(h) => {
            let is_hex = h.len() == 64
                && h.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            // UNSIGNED-PAYLOAD or an S3 streaming marker (STREAMING-AWS4-HMAC-SHA256-PAYLOAD, …):
            // upper-case letters, digits and dashes only, so nothing can break a header line.
            let is_marker = h == UNSIGNED_PAYLOAD
                || (h.starts_with("STREAMING-")
                    && h.bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-'));
            if !is_hex && !is_marker {
                return Err(Error::new(
                    ErrorCode::InvalidConfig,
                    "payloadHash must be the body's SHA-256 as 64 lower-case hex digits, or UNSIGNED-PAYLOAD",
                ));
            }
            h.to_string()
        }
    })
}

/// The canonical URI: for S3 the path as sent, each segment decoded and encoded
/// again so that it is encoded exactly once; for every other service the path
/// with `.`/`..`/empty segments removed and encoded a second time.
fn canonical_uri(path: &str, s3: bool, out: &mut String) {
    if path.is_empty() {
        out.push('/');
        return;
    }
    if !path.starts_with('/') {
        out.push('/');
    }
    if s3 {
        // Segment by segment, so that an encoded slash (`%2F`) stays encoded.
        for (i, segment) in path.split('/').enumerate() {
            if i > 0 {
                out.push('/');
            }
            if segment.bytes().all(|b| !needs_encoding(b)) {
                out.push_str(segment);
            } else {
                encode::encode_into(out, &encode::decode(segment, false), false);
            }
        }
        return;
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let trailing = ["/", "/.", "/..", "/./", "/../"]
        .iter()
        .any(|t| path.ends_with(t))
        || path == "."
        || path == "..";
    for s in &segments {
        out.push('/');
        encode::encode_into(out, s.as_bytes(), false);
    }
    if segments.is_empty() || trailing {
        out.push('/');
    }
}

fn needs_encoding(b: u8) -> bool {
    !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// The canonical query: pairs decoded as a form (`+` is a space, bad UTF-8
/// replaced, as URLSearchParams and AWS do), encoded again, sorted by key then value.
/// The canonical query string of the URL's `query` and the presigning
/// parameters `extra`, whose names and values come already encoded.
fn canonical_query(query: Option<&str>, extra: &[(&str, String)], out: &mut String) {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for piece in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
        pairs.push((reencode(k), reencode(v)));
    }
    for (k, v) in extra {
        pairs.push((k.to_string(), v.clone()));
    }
    sort_pairs(&mut pairs);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
}

/// Sorts by name, then value. Insertion sort: lists are short, and one small
/// function is far less wasm than the standard library's sort machinery.
fn sort_pairs(pairs: &mut [(String, String)]) {
    for i in 1..pairs.len() {
        let mut j = i;
        while j > 0 && pairs[j - 1] > pairs[j] {
            pairs.swap(j - 1, j);
            j -= 1;
        }
    }
}

fn reencode(s: &str) -> String {
    if encode::is_plain(s, true) {
        return encode::encode(s);
    }
    let decoded = encode::decode(s, true);
    // Bad UTF-8 becomes U+FFFD, as `String::from_utf8_lossy` does, with the
    // `from_utf8` already linked in instead of its own 1 KB of wasm.
    let mut out = String::with_capacity(decoded.len() * 3);
    let mut rest = decoded.as_slice();
    loop {
        match core::str::from_utf8(rest) {
            Ok(valid) => {
                encode::encode_into(&mut out, valid.as_bytes(), false);
                return out;
            }
            Err(e) => {
                let (valid, bad) = rest
                    .split_at_checked(e.valid_up_to())
                    .unwrap_or((rest, &[]));
                encode::encode_into(&mut out, valid, false);
                out.push_str("%EF%BF%BD");
                rest = bad
                    .get(e.error_len().unwrap_or(bad.len()).max(1)..)
                    .unwrap_or(&[]);
            }
        }
    }
}

/// The caller's headers, validated, names lowered, repeats joined with `,` in
/// the order given, sorted by name.
fn group_headers(headers: &[(&str, &str)]) -> Result<Vec<(String, String)>> {
    let mut grouped: Vec<(String, String)> = Vec::with_capacity(headers.len() + 5);
    for (name, value) in headers {
        let name = headers::check(name, value)?;
        match grouped.iter_mut().find(|(n, _)| *n == name) {
            Some((_, joined)) => {
                joined.push(',');
                headers::canonical_value(value, joined);
            }
            None => {
                let mut v = String::with_capacity(value.len());
                headers::canonical_value(value, &mut v);
                grouped.push((name, v));
            }
        }
    }
    Ok(grouped)
}

fn set_header(headers: &mut Vec<(String, String)>, name: &str, value: String) {
    match headers.iter_mut().find(|(n, _)| n == name) {
        Some((_, v)) => *v = value,
        None => headers.push((name.to_string(), value)),
    }
}

/// Builds the canonical request from parts common to both ways of signing.
/// `headers` must be grouped and sorted; only signable ones are used.
fn canonical_request(
    method: &str,
    url: &url::Url<'_>,
    s3: bool,
    extra_query: &[(&str, String)],
    headers: &[(String, String)],
    signed_headers: &str,
    payload_hash: &str,
) -> String {
    let mut creq = String::with_capacity(256 + url.path.len() + url.query.map_or(0, str::len));
    creq.push_str(method);
    creq.push('\n');
    canonical_uri(url.path, s3, &mut creq);
    creq.push('\n');
    canonical_query(url.query, extra_query, &mut creq);
    creq.push('\n');
    for (name, value) in headers
        .iter()
        .filter(|(n, _)| headers::is_signable(n) || n == "host")
    {
        creq.push_str(name);
        creq.push(':');
        creq.push_str(value);
        creq.push('\n');
    }
    creq.push('\n');
    creq.push_str(signed_headers);
    creq.push('\n');
    creq.push_str(payload_hash);
    creq
}

fn signed_header_list(headers: &[(String, String)]) -> String {
    let mut list = String::new();
    for (name, _) in headers
        .iter()
        .filter(|(n, _)| headers::is_signable(n) || n == "host")
    {
        if !list.is_empty() {
            list.push(';');
        }
        list.push_str(name);
    }
    list
}

/// `(method, url, amz_date, headers)`, see [`prepare`].
type Prepared<'a> = (String, url::Url<'a>, String, Vec<(String, String)>);

/// What both ways of signing start with: the method as fetch sends it, the
/// URL's parts, the date, and the caller's headers grouped, without any
/// `authorization`, and with `host` from the URL.
#[inline(never)]
fn prepare<'a>(req: &Request<'a>, epoch_ms: i64) -> Result<Prepared<'a>> {
    let method = normalize_method(req.method)?;
    let url = url::parse(req.url)?;
    let amz_date = time::amz_date(epoch_ms)?;
    let mut headers = group_headers(req.headers)?;
    headers.retain(|(n, _)| n != "authorization");
    set_header(&mut headers, "host", url.host.clone());
    Ok((method, url, amz_date, headers))
}

/// A signer bound to one set of credentials, region and service.
#[derive(Clone)]
pub struct Signer {
    credentials: Credentials,
    region: String,
    service: String,
    keys: SigningKeyCache,
    /// The session token percent-encoded, as every presigned URL carries it
    /// (twice: in the canonical query and in the URL). Encoding a 1 KB token
    /// for each presignature was a third of its time.
    encoded_token: Option<String>,
}

impl Signer {
    pub fn new(credentials: Credentials, region: &str, service: &str) -> Result<Self> {
        check_scope_part("region", region)?;
        check_scope_part("service", service)?;
        let encoded_token = credentials.session_token.as_deref().map(encode::encode);
        Ok(Signer {
            credentials,
            region: region.to_string(),
            service: service.to_string(),
            keys: SigningKeyCache::default(),
            encoded_token,
        })
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn scope(&self, amz_date: &str) -> String {
        let date = amz_date.get(..8).unwrap_or(amz_date);
        [date, "/", &self.region, "/", &self.service, "/aws4_request"].concat()
    }

    fn string_to_sign(amz_date: &str, scope: &str, creq: &str) -> String {
        let mut sts = String::with_capacity(128 + scope.len());
        sts.push_str(ALGORITHM);
        sts.push('\n');
        sts.push_str(amz_date);
        sts.push('\n');
        sts.push_str(scope);
        sts.push('\n');
        push_hex(&mut sts, &sha256(creq.as_bytes()));
        sts
    }

    fn signature(&mut self, scope: &str, sts: &str) -> String {
        let key = self.keys.get(&self.credentials.secret_access_key, scope);
        hex(&key.mac(&[sts.as_bytes()]))
    }

    /// Signs `req` in its headers at `epoch_ms` (milliseconds since 1970, UTC).
    pub fn sign(&mut self, req: &Request<'_>, epoch_ms: i64) -> Result<Signed> {
        let (method, url, amz_date, mut headers) = prepare(req, epoch_ms)?;
        let s3 = is_s3(&self.service);

        // A caller-supplied x-amz-content-sha256 is the payload hash they want signed.
        let given_hash = headers
            .iter()
            .find(|(n, _)| n == "x-amz-content-sha256")
            .map(|(_, v)| v.clone());
        let payload = match (req.payload, &given_hash) {
            (Payload::Empty | Payload::Bytes(_), Some(h)) => payload_hash(Payload::Precomputed(h))?,
            (p, _) => payload_hash(p)?,
        };
        set_header(&mut headers, "x-amz-date", amz_date.clone());
        match &self.credentials.session_token {
            Some(token) => set_header(&mut headers, "x-amz-security-token", token.clone()),
            None => headers.retain(|(n, _)| n != "x-amz-security-token"),
        }
        // A precomputed hash is only a shortcut: outside S3 it signs exactly what
        // hashing the body would, with no extra header (one an API's CORS
        // AllowHeaders may not list). `UNSIGNED-PAYLOAD` must be announced.
        let unsigned = matches!(req.payload, Payload::Unsigned);
        if s3 || req.content_sha256 || unsigned || given_hash.is_some() {
            set_header(&mut headers, "x-amz-content-sha256", payload.clone());
        }
        sort_pairs(&mut headers);

        let signed_headers = signed_header_list(&headers);
        let creq = canonical_request(&method, &url, s3, &[], &headers, &signed_headers, &payload);
        let scope = self.scope(&amz_date);
        let sts = Self::string_to_sign(&amz_date, &scope, &creq);
        let signature = self.signature(&scope, &sts);
        let authorization = [
            ALGORITHM,
            " Credential=",
            &self.credentials.access_key_id,
            "/",
            &scope,
            ", SignedHeaders=",
            &signed_headers,
            ", Signature=",
            &signature,
        ]
        .concat();
        let at = headers.partition_point(|(n, _)| n.as_str() < "authorization");
        headers.insert(at, ("authorization".to_string(), authorization));
        Ok(Signed {
            method,
            url: url.without_fragment.to_string(),
            headers,
            canonical_request: creq,
            string_to_sign: sts,
            signature,
        })
    }

    /// For a POST policy (S3's browser-form uploads): the `x-amz-date` of
    /// `epoch_ms` and the `x-amz-credential` the policy must name before it is
    /// signed with [`Signer::sign_policy`].
    pub fn post_scope(&self, epoch_ms: i64) -> Result<(String, String)> {
        let amz_date = time::amz_date(epoch_ms)?;
        let credential = [
            self.credentials.access_key_id.as_str(),
            "/",
            &self.scope(&amz_date),
        ]
        .concat();
        Ok((amz_date, credential))
    }

    /// The signature of a base64 POST policy dated `amz_date` (from [`Signer::post_scope`]).
    pub fn sign_policy(&mut self, amz_date: &str, policy: &str) -> String {
        let scope = self.scope(amz_date);
        self.signature(&scope, policy)
    }

    /// Presigns `req` for `expires_in` seconds (1..=604800): the credentials,
    /// date, expiry and signature travel in the query. The body is never signed:
    /// S3 signs `UNSIGNED-PAYLOAD`, other services the empty payload, unless a
    /// payload is given explicitly.
    pub fn presign(
        &mut self,
        req: &Request<'_>,
        expires_in: u32,
        epoch_ms: i64,
    ) -> Result<Presigned> {
        let expires_in = check_expires(f64::from(expires_in))?;
        let (method, url, amz_date, mut headers) = prepare(req, epoch_ms)?;
        let s3 = is_s3(&self.service);
        if let Some(q) = url.query {
            if q.split('&').any(|p| {
                p.get(..15)
                    .is_some_and(|k| k.eq_ignore_ascii_case("X-Amz-Signature"))
            }) {
                return Err(Error::new(
                    ErrorCode::InvalidUrl,
                    "the URL is already presigned (it has X-Amz-Signature): presign the plain URL",
                ));
            }
        }
        // These travel in the query instead.
        headers.retain(|(n, _)| !matches!(n.as_str(), "x-amz-date" | "x-amz-security-token"));
        sort_pairs(&mut headers);
        let payload = match req.payload {
            Payload::Empty if s3 => UNSIGNED_PAYLOAD.to_string(),
            p => payload_hash(p)?,
        };

        let signed_headers = signed_header_list(&headers);
        let scope = self.scope(&amz_date);
        // Encoded once, for the canonical query and the URL alike.
        let mut params: Vec<(&str, String)> = vec![
            ("X-Amz-Algorithm", ALGORITHM.to_string()),
            (
                "X-Amz-Credential",
                encode::encode(&[&self.credentials.access_key_id, "/", &scope].concat()),
            ),
            ("X-Amz-Date", amz_date.clone()),
            ("X-Amz-Expires", num(u64::from(expires_in))),
            ("X-Amz-SignedHeaders", encode::encode(&signed_headers)),
        ];
        if let Some(token) = &self.encoded_token {
            params.push(("X-Amz-Security-Token", token.clone()));
        }
        let creq = canonical_request(
            &method,
            &url,
            s3,
            &params,
            &headers,
            &signed_headers,
            &payload,
        );
        let sts = Self::string_to_sign(&amz_date, &scope, &creq);
        let signature = self.signature(&scope, &sts);

        let mut out = String::with_capacity(url.without_fragment.len() + 512);
        out.push_str(url.without_fragment);
        match url.query {
            None => out.push('?'),
            Some("") => {}
            Some(_) => out.push('&'),
        }
        for (k, v) in &params {
            out.push_str(k);
            out.push('=');
            out.push_str(v);
            out.push('&');
        }
        out.push_str("X-Amz-Signature=");
        out.push_str(&signature);
        Ok(Presigned {
            url: out,
            canonical_request: creq,
            string_to_sign: sts,
            signature,
        })
    }
}

#[cfg(test)]
mod link_tests {
    use super::*;

    #[test]
    fn a_link_lives_no_longer_than_its_credentials() {
        // Plain keys: the link's own lifetime.
        assert_eq!(link_lifetime(604_800, 0, None).unwrap(), 604_800);
        // Credentials that end in ten minutes cap a 7-day link at ten minutes.
        assert_eq!(link_lifetime(604_800, 1_000, Some(601_999)).unwrap(), 600);
        // A shorter link is left as asked.
        assert_eq!(link_lifetime(60, 0, Some(600_000)).unwrap(), 60);
        // Expired (or about to): refused, never a link that is dead at once.
        for end in [0, 999, -5_000, i64::MIN] {
            assert_eq!(
                link_lifetime(60, 0, Some(end)).unwrap_err().code,
                ErrorCode::InvalidExpires
            );
        }
        assert_eq!(link_lifetime(60, i64::MIN, Some(i64::MAX)).unwrap(), 60);
    }
}
