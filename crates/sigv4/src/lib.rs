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
use alloc::vec::Vec;
mod canonical;
pub mod encode;
pub mod error;
pub mod headers;
pub mod sha256;
pub mod time;
pub mod url;

use crate::error::{Error, ErrorCode, Result};
use sha256::{hex, hmac, push_digest_hex, sha256, HmacKey};

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
                let mut parts = scope.as_bytes().split(|&b| b == b'/');
                let date = parts.next().unwrap_or_default();
                let mut key = hmac(crate::error::cat(&["AWS4", secret]).as_bytes(), date);
                for part in parts {
                    key = hmac(&key, part);
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
            crate::error::cat(&[
                what,
                " `",
                &url::shorten(value),
                "` is not valid: use the lower-case AWS name, e.g. ",
                if what == "region" {
                    "us-east-1"
                } else {
                    "execute-api or s3"
                },
            ]),
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
fn normalize_method(method: &str) -> Result<&str> {
    if method.is_empty() || !method.bytes().all(headers::is_tchar) {
        return Err(Error::new(
            ErrorCode::InvalidConfig,
            crate::error::cat(&["`", &url::shorten(method), "` is not an HTTP method"]),
        ));
    }
    for known in ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"] {
        if method.eq_ignore_ascii_case(known) {
            return Ok(known);
        }
    }
    for refused in ["CONNECT", "TRACE", "TRACK"] {
        if method.eq_ignore_ascii_case(refused) {
            return Err(Error::new(
                ErrorCode::InvalidConfig,
                crate::error::cat(&["fetch refuses the ", refused, " method"]),
            ));
        }
    }
    Ok(method)
}

/// The payload hash as signed: `hex` holds a hash computed here.
fn payload_hash<'p>(payload: Payload<'p>, hex: &'p mut [u8; 64]) -> Result<&'p str> {
    Ok(match payload {
        Payload::Empty => EMPTY_SHA256,
        Payload::Bytes(b) => {
            sha256::hex_into(&sha256(b), hex);
            core::str::from_utf8(hex).unwrap_or_default()
        }
        Payload::Unsigned => UNSIGNED_PAYLOAD,
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
            h
        }
    })
}

/// What both ways of signing check first: the method as fetch sends it, the
/// URL's parts, the headers.
fn prepare<'a>(req: &Request<'a>) -> Result<(&'a str, url::Url<'a>)> {
    let method = normalize_method(req.method)?;
    let url = url::parse(req.url)?;
    for (name, value) in req.headers {
        headers::validate(name, value)?;
    }
    Ok((method, url))
}

/// Headers the caller may pass but the signer sets (or drops) itself.
const SIGNER_SETS: [&str; 5] = [
    "authorization",
    "host",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
];

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
    scratch: canonical::Scratch,
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
            scratch: canonical::Scratch::default(),
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

    /// The canonical request and the string to sign of the last signature.
    pub fn explain(&self) -> (&str, &str) {
        let text = &self.scratch.text;
        let cut = self.scratch.sts_at.min(text.len());
        (text.get(..cut).unwrap_or(""), text.get(cut..).unwrap_or(""))
    }

    /// Signs `req` in its headers at `epoch_ms` (milliseconds since 1970,
    /// UTC), and appends the request to send to `out` as lines: the method,
    /// the URL, then each header's name and value (names in lower case,
    /// sorted; see [`Signed::headers`]), except that `x-amz-security-token`'s
    /// value is left empty: the caller has the session token already (it is
    /// most of the output, ~1 KB, and copying it back on every signature was
    /// measurable). What the JS boundary passes; [`Signer::sign`] fills it in.
    pub fn sign_into(&mut self, req: &Request<'_>, epoch_ms: i64, out: &mut String) -> Result<()> {
        let (method, url) = prepare(req)?;
        let s3 = is_s3(&self.service);
        let Signer {
            credentials,
            keys,
            scratch,
            region,
            service,
            ..
        } = self;
        let date = start(scratch, epoch_ms, region, service)?;

        // A caller-supplied x-amz-content-sha256 is the payload hash they want signed.
        let mut given = None;
        for (name, value) in req.headers {
            if name.eq_ignore_ascii_case("x-amz-content-sha256") {
                // Twice is one value `a,b` that no hash matches.
                given = Some(if given.is_some() {
                    ","
                } else {
                    headers::trim(value)
                });
            }
        }
        let mut hex = [0u8; 64];
        let payload = match (req.payload, given) {
            (Payload::Empty | Payload::Bytes(_), Some(h)) => {
                payload_hash(Payload::Precomputed(h), &mut hex)?
            }
            (p, _) => payload_hash(p, &mut hex)?,
        };
        // A precomputed hash is only a shortcut: outside S3 it signs exactly what
        // hashing the body would, with no extra header (one an API's CORS
        // AllowHeaders may not list). `UNSIGNED-PAYLOAD` must be announced.
        let unsigned = matches!(req.payload, Payload::Unsigned);
        let content = s3 || req.content_sha256 || unsigned || given.is_some();
        let token = credentials.session_token.as_deref();
        let set = canonical::HeaderSet {
            caller: req.headers,
            ours: [
                ("host", &url.host),
                ("x-amz-date", &date),
                (
                    if token.is_some() {
                        "x-amz-security-token"
                    } else {
                        ""
                    },
                    token.unwrap_or(""),
                ),
                (if content { "x-amz-content-sha256" } else { "" }, payload),
            ],
        };
        sort_headers(scratch, &set, &SIGNER_SETS);
        let secret = &credentials.secret_access_key;
        sign_text(
            scratch, keys, secret, &date, s3, method, &url, &set, false, payload,
        );

        out.push_str(method);
        out.push('\n');
        out.push_str(url.without_fragment);
        let mut authorization = Some(&credentials.access_key_id);
        for (name, _, group) in set.groups(&scratch.order) {
            if canonical::cmp_caseless(name, "authorization").is_gt() {
                if let Some(id) = authorization.take() {
                    push_authorization(out, id, scratch);
                }
            }
            out.push('\n');
            canonical::push_lower(out, name);
            out.push('\n');
            // Ours, entry 2 of `set.ours` (the caller's was dropped).
            if group != [req.headers.len() + 2] {
                set.push_values(group, out);
            }
        }
        if let Some(id) = authorization {
            push_authorization(out, id, scratch);
        }
        scratch.date = date;
        Ok(())
    }

    /// Signs `req` in its headers at `epoch_ms` (milliseconds since 1970, UTC).
    pub fn sign(&mut self, req: &Request<'_>, epoch_ms: i64) -> Result<Signed> {
        let mut flat = String::new();
        self.sign_into(req, epoch_ms, &mut flat)?;
        let mut lines = flat.split('\n').map(str::to_string);
        let method = lines.next().unwrap_or_default();
        let url = lines.next().unwrap_or_default();
        let mut headers = Vec::new();
        let token = self.credentials.session_token.as_deref();
        while let Some(name) = lines.next() {
            let value = lines.next().unwrap_or_default();
            let value = match (name.as_str(), token) {
                ("x-amz-security-token", Some(token)) => token.to_string(),
                _ => value,
            };
            headers.push((name, value));
        }
        let (creq, sts) = self.explain();
        Ok(Signed {
            method,
            url,
            headers,
            canonical_request: creq.to_string(),
            string_to_sign: sts.to_string(),
            signature: self.scratch.signature.clone(),
        })
    }

    fn scope(&self, amz_date: &str) -> String {
        let date = amz_date.get(..8).unwrap_or(amz_date);
        crate::error::cat(&[date, "/", &self.region, "/", &self.service, "/aws4_request"])
    }

    fn signature(&mut self, scope: &str, sts: &str) -> String {
        let key = self.keys.get(&self.credentials.secret_access_key, scope);
        hex(&key.mac(&[sts.as_bytes()]))
    }

    /// For a POST policy (S3's browser-form uploads): the `x-amz-date` of
    /// `epoch_ms` and the `x-amz-credential` the policy must name before it is
    /// signed with [`Signer::sign_policy`].
    pub fn post_scope(&self, epoch_ms: i64) -> Result<(String, String)> {
        let amz_date = time::amz_date(epoch_ms)?;
        let credential = crate::error::cat(&[
            self.credentials.access_key_id.as_str(),
            "/",
            &self.scope(&amz_date),
        ]);
        Ok((amz_date, credential))
    }

    /// The signature of a base64 POST policy dated `amz_date` (from [`Signer::post_scope`]).
    pub fn sign_policy(&mut self, amz_date: &str, policy: &str) -> String {
        let scope = self.scope(amz_date);
        self.signature(&scope, policy)
    }

    /// Presigns `req` for `expires_in` seconds (1..=604800), appending the URL
    /// to `out`: the credentials, date, expiry and signature travel in the
    /// query. The body is never signed: S3 signs `UNSIGNED-PAYLOAD`, other
    /// services the empty payload, unless a payload is given explicitly.
    pub fn presign_into(
        &mut self,
        req: &Request<'_>,
        expires_in: u32,
        epoch_ms: i64,
        out: &mut String,
    ) -> Result<()> {
        let expires_in = check_expires(f64::from(expires_in))?;
        let (method, url) = prepare(req)?;
        let s3 = is_s3(&self.service);
        let presigned = url.query.is_some_and(|q| {
            q.as_bytes().split(|&b| b == b'&').any(|p| {
                p.get(..15)
                    .is_some_and(|k| k.eq_ignore_ascii_case(b"X-Amz-Signature"))
            })
        });
        if presigned {
            return Err(Error::new(
                ErrorCode::InvalidUrl,
                "the URL is already presigned (it has X-Amz-Signature): presign the plain URL",
            ));
        }
        let mut hex = [0u8; 64];
        let payload = match req.payload {
            Payload::Empty if s3 => UNSIGNED_PAYLOAD,
            p => payload_hash(p, &mut hex)?,
        };
        let Signer {
            credentials,
            keys,
            scratch,
            region,
            service,
            encoded_token,
        } = self;
        let date = start(scratch, epoch_ms, region, service)?;
        // The date and token travel in the query instead.
        let set = canonical::HeaderSet {
            caller: req.headers,
            ours: [("host", &url.host), ("", ""), ("", ""), ("", "")],
        };
        sort_headers(scratch, &set, &SIGNER_SETS[..4]);

        // Encoded once, for the canonical query and the URL alike.
        let p = &mut scratch.params;
        p.clear();
        p.push_str("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=");
        encode::encode_into(p, credentials.access_key_id.as_bytes(), false);
        p.push_str("%2F");
        encode::encode_into(p, scratch.scope.as_bytes(), false);
        p.push_str("&X-Amz-Date=");
        p.push_str(&date);
        p.push_str("&X-Amz-Expires=");
        error::push_num(p, u64::from(expires_in), 0);
        p.push_str("&X-Amz-SignedHeaders=");
        encode::encode_into(p, scratch.list.as_bytes(), false);
        if let Some(token) = encoded_token {
            p.push_str("&X-Amz-Security-Token=");
            p.push_str(token);
        }
        let secret = &credentials.secret_access_key;
        sign_text(
            scratch, keys, secret, &date, s3, method, &url, &set, true, payload,
        );

        out.push_str(url.without_fragment);
        match url.query {
            None => out.push('?'),
            Some("") => {}
            Some(_) => out.push('&'),
        }
        out.push_str(&scratch.params);
        out.push_str("&X-Amz-Signature=");
        out.push_str(&scratch.signature);
        scratch.date = date;
        Ok(())
    }

    /// [`Signer::presign_into`], with the canonical request and string to sign.
    pub fn presign(
        &mut self,
        req: &Request<'_>,
        expires_in: u32,
        epoch_ms: i64,
    ) -> Result<Presigned> {
        let mut url = String::new();
        self.presign_into(req, expires_in, epoch_ms, &mut url)?;
        let (creq, sts) = self.explain();
        Ok(Presigned {
            url,
            canonical_request: creq.to_string(),
            string_to_sign: sts.to_string(),
            signature: self.scratch.signature.clone(),
        })
    }
}

/// The date of a signature (the scratch's buffer, handed back when done)
/// and its scope, into the scratch.
fn start(
    scratch: &mut canonical::Scratch,
    epoch_ms: i64,
    region: &str,
    service: &str,
) -> Result<String> {
    let mut date = core::mem::take(&mut scratch.date);
    date.clear();
    time::push_amz_date(&mut date, epoch_ms)?;
    let scope = &mut scratch.scope;
    scope.clear();
    for part in [
        date.get(..8).unwrap_or(""),
        "/",
        region,
        "/",
        service,
        "/aws4_request",
    ] {
        scope.push_str(part);
    }
    Ok(date)
}

/// Sorts `set` into the scratch's `order`, and writes its signed list.
fn sort_headers(s: &mut canonical::Scratch, set: &canonical::HeaderSet<'_>, replaced: &[&str]) {
    set.sort(replaced, &mut s.order);
    s.list.clear();
    for (name, signed, _) in set.groups(&s.order) {
        if signed {
            if !s.list.is_empty() {
                s.list.push(';');
            }
            canonical::push_lower(&mut s.list, name);
        }
    }
}

/// Writes the canonical request of `set` (sorted by [`sort_headers`]), with
/// the scratch's presigning parameters in its query when `params`, then the
/// string to sign after it, and signs that into the scratch's `signature`.
#[allow(clippy::too_many_arguments)]
fn sign_text(
    s: &mut canonical::Scratch,
    keys: &mut SigningKeyCache,
    secret: &str,
    date: &str,
    s3: bool,
    method: &str,
    url: &url::Url<'_>,
    set: &canonical::HeaderSet<'_>,
    params: bool,
    payload: &str,
) {
    let mut text = core::mem::take(&mut s.text);
    text.clear();
    text.push_str(method);
    text.push('\n');
    canonical::push_uri(&mut text, url.path, s3, &mut s.decoded);
    text.push('\n');
    let params_text = core::mem::take(&mut s.params);
    let own = if params { params_text.as_str() } else { "" };
    canonical::push_query(&mut text, url.query, own, s);
    s.params = params_text;
    text.push('\n');
    for (name, signed, group) in set.groups(&s.order) {
        if signed {
            canonical::push_lower(&mut text, name);
            text.push(':');
            set.push_values(group, &mut text);
            text.push('\n');
        }
    }
    text.push('\n');
    text.push_str(&s.list);
    text.push('\n');
    text.push_str(payload);

    let digest = sha256(text.as_bytes());
    s.sts_at = text.len();
    for part in [ALGORITHM, "\n", date, "\n", &s.scope, "\n"] {
        text.push_str(part);
    }
    push_digest_hex(&mut text, &digest);
    let key = keys.get(secret, &s.scope);
    let mac = key.mac(&[text.get(s.sts_at..).unwrap_or("").as_bytes()]);
    s.signature.clear();
    push_digest_hex(&mut s.signature, &mac);
    s.text = text;
}

fn push_authorization(out: &mut String, access_key_id: &str, s: &canonical::Scratch) {
    for part in [
        "\nauthorization\n",
        ALGORITHM,
        " Credential=",
        access_key_id,
        "/",
        &s.scope,
        ", SignedHeaders=",
        &s.list,
        ", Signature=",
        &s.signature,
    ] {
        out.push_str(part);
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
