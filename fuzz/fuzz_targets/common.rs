//! The body of the `sign_request` fuzz target, shared with `tests/fuzz_smoke.rs`
//! (which includes this file with `#[path]`), so the smoke test and libFuzzer
//! check exactly the same things.
//!
//! Input format: lines separated by `\n` (readable seeds; `\r`, `\t`, `\0` and
//! invalid UTF-8 still reach every field). Missing lines are empty.
//!
//! ```text
//! 0  method
//! 1  url
//! 2  region          (a third signer uses region + service from the input)
//! 3  service
//! 4  flags           (letters, see `Flags`)
//! 5  expiry          (f64 text for check_expires; presign gets it cast to u32)
//! 6  time            (i64 epoch ms; unparsable -> 2015-08-30T12:36:00Z)
//! 7… headers         `name:value`, one per line, up to an empty line
//! …  body            everything after the empty line
//! ```
//!
//! Invalid UTF-8 in a text field is replaced (U+FFFD), as JS strings would be.
//!
//! Nothing here may panic except the invariant assertions: every `Err` is fine.
#![allow(dead_code)]

use cognito_sigv4::sigv4::{self, headers, url, Credentials, Payload, Request, Signer};
use cognito_sigv4::Error;

pub const ACCESS_KEY: &str = "AKIDEXAMPLE";
/// Distinctive secrets: they must never show up in an error message, and the
/// secret key never in any output either.
pub const SECRET: &str = "SECRETsecretSECRET1234567890abcdEXAMPLE";
pub const TOKEN: &str = "TOKENtokenTOKEN0987654321//+=SESSIONsecretEXAMPLE";
/// A header value: error messages must not quote header values back.
pub const HEADER_SECRET: &str = "HDRVALUEsecretHDRVALUE5555EXAMPLE";

const DEFAULT_TIME_MS: i64 = 1_440_938_160_000;
const MAX_HEADERS: usize = 24;

/// Single-letter switches on line 4.
#[derive(Default, Debug)]
struct Flags {
    /// `t`: session token TOKEN; `e`: empty token (treated as none);
    /// `x`: token with a space in it (must be refused, never quoted).
    token: Option<&'static str>,
    bad_token: bool,
    /// `k`: empty access key; `K`: access key with a `/` in it.
    empty_key: bool,
    bad_key: bool,
    /// `s`: empty secret key.
    empty_secret: bool,
    /// `c`: content_sha256.
    content_sha256: bool,
    /// `u`: Payload::Unsigned; `p`: Precomputed(body); `n`: Empty even with a body.
    /// Otherwise Bytes(body), or Empty when there is no body.
    unsigned: bool,
    precomputed: bool,
    force_empty: bool,
    /// `h`: add `x-amz-meta-secret: HEADER_SECRET`; `H`: the same value on a bad name.
    secret_header: bool,
    secret_header_bad_name: bool,
}

fn parse_flags(s: &str) -> Flags {
    let mut f = Flags::default();
    for c in s.chars() {
        match c {
            't' => f.token = Some(TOKEN),
            'e' => f.token = Some(""),
            'x' => f.bad_token = true,
            'k' => f.empty_key = true,
            'K' => f.bad_key = true,
            's' => f.empty_secret = true,
            'c' => f.content_sha256 = true,
            'u' => f.unsigned = true,
            'p' => f.precomputed = true,
            'n' => f.force_empty = true,
            'h' => f.secret_header = true,
            'H' => f.secret_header_bad_name = true,
            _ => {}
        }
    }
    f
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// A parsed fuzz input.
pub struct Input {
    pub method: String,
    pub url: String,
    pub region: String,
    pub service: String,
    flags: Flags,
    pub expiry: f64,
    pub time_ms: i64,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

fn next_line<'a>(rest: &mut &'a [u8]) -> &'a [u8] {
    match rest.iter().position(|&b| b == b'\n') {
        Some(i) => {
            let l = &rest[..i];
            *rest = &rest[i + 1..];
            l
        }
        None => core::mem::take(rest),
    }
}

pub fn split(data: &[u8]) -> Input {
    let mut rest = data;
    let mut line = || -> &[u8] { next_line(&mut rest) };
    let method = text(line());
    let url = text(line());
    let region = text(line());
    let service = text(line());
    let flags = parse_flags(&text(line()));
    let expiry_text = text(line());
    let expiry = expiry_text.trim().parse::<f64>().unwrap_or(3600.0);
    let time_ms = text(line())
        .trim()
        .parse::<i64>()
        .unwrap_or(DEFAULT_TIME_MS);
    let mut headers = Vec::new();
    loop {
        // An empty line, or the end of the input, ends the headers.
        let l = line();
        if l.is_empty() {
            break;
        }
        if headers.len() < MAX_HEADERS {
            let l = text(l);
            let (n, v) = l.split_once(':').unwrap_or((&l, ""));
            headers.push((n.to_string(), v.to_string()));
        }
    }
    let body = rest.to_vec();
    Input {
        method,
        url,
        region,
        service,
        flags,
        expiry,
        time_ms,
        headers,
        body,
    }
}

fn is_lower_hex64(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Runs one fuzz input. Panics only when an invariant is broken.
pub fn check(data: &[u8]) {
    let input = split(data);
    // A secret that the input itself contains may legitimately be echoed back.
    let watch_secret = !contains(data, SECRET);
    let watch_token = !contains(data, TOKEN);
    let watch_header = !contains(data, HEADER_SECRET);
    let check_err = |what: &str, e: &Error| {
        assert!(!e.message.is_empty(), "{what}: empty error message");
        let shown = format!("{e} {e:?}");
        if watch_secret {
            assert!(
                !shown.contains(SECRET),
                "{what}: error leaks the secret key: {shown}"
            );
        }
        if watch_token {
            assert!(
                !shown.contains(TOKEN),
                "{what}: error leaks the session token: {shown}"
            );
        }
        if watch_header {
            assert!(
                !shown.contains(HEADER_SECRET),
                "{what}: error quotes a header value: {shown}"
            );
        }
    };

    // check_expires: Ok only for whole seconds in 1..=604800.
    match sigv4::check_expires(input.expiry) {
        Ok(n) => {
            assert!(
                (1..=sigv4::MAX_EXPIRES).contains(&n),
                "check_expires({}) = {n}",
                input.expiry
            );
            assert_eq!(
                f64::from(n),
                input.expiry,
                "check_expires changed the value"
            );
        }
        Err(e) => check_err("check_expires", &e),
    }
    // `as` saturates (NaN -> 0), so presign also sees out-of-range expiries.
    let expires_in = input.expiry as u32;

    // url::parse on its own.
    let trimmed = input
        .url
        .trim_matches(|c: char| c == ' ' || c.is_ascii_control());
    let before_fragment = trimmed.split('#').next().unwrap_or("");
    let parsed = url::parse(&input.url);
    match &parsed {
        Ok(u) => {
            assert_eq!(u.without_fragment, before_fragment, "without_fragment");
            assert!(!u.host.is_empty(), "empty host accepted");
            assert!(
                !u.host.bytes().any(|b| b.is_ascii_uppercase()),
                "host not lower case: {:?}",
                u.host
            );
            assert!(
                u.path.is_empty() || u.path.starts_with('/'),
                "path {:?}",
                u.path
            );
            assert!(
                !u.path.contains('?') && !u.path.contains('#'),
                "path {:?}",
                u.path
            );
            assert!(
                !u.query.is_some_and(|q| q.contains('#')),
                "query {:?}",
                u.query
            );
            assert!(
                !u.without_fragment.bytes().any(|b| b.is_ascii_control()),
                "control characters accepted"
            );
        }
        Err(e) => check_err("url::parse", e),
    }

    // Credentials.
    let f = &input.flags;
    let key = if f.empty_key {
        ""
    } else if f.bad_key {
        "AKID/EXAMPLE"
    } else {
        ACCESS_KEY
    };
    let secret = if f.empty_secret { "" } else { SECRET };
    let bad_token = format!("{TOKEN} {TOKEN}");
    let token = if f.bad_token {
        Some(bad_token.as_str())
    } else {
        f.token
    };
    let credentials = match Credentials::new(key, secret, token) {
        Ok(c) => {
            let debug = format!("{c:?}");
            assert!(
                !debug.contains(SECRET) && !debug.contains(TOKEN),
                "Debug leaks a secret: {debug}"
            );
            c
        }
        Err(e) => {
            check_err("Credentials::new", &e);
            // Keep going with good credentials so that the rest is still exercised.
            Credentials::new(ACCESS_KEY, SECRET, None).expect("fixed credentials")
        }
    };
    let token = credentials.session_token.clone();

    // Headers and payload.
    let mut headers: Vec<(&str, &str)> = input
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    if f.secret_header {
        headers.push(("x-amz-meta-secret", HEADER_SECRET));
    }
    if f.secret_header_bad_name {
        headers.push(("bad name", HEADER_SECRET));
    }
    let body_text = String::from_utf8_lossy(&input.body);
    let payload = if f.unsigned {
        Payload::Unsigned
    } else if f.precomputed {
        Payload::Precomputed(&body_text)
    } else if f.force_empty || input.body.is_empty() {
        Payload::Empty
    } else {
        Payload::Bytes(&input.body)
    };
    let req = Request {
        method: &input.method,
        url: &input.url,
        headers: &headers,
        payload,
        content_sha256: f.content_sha256,
    };

    let mut signers = Vec::with_capacity(3);
    // An S3 signer, a non-S3 one, and one with the input's region and service
    // (unless that is one of the first two).
    let fixed = [("us-east-1", "s3"), ("us-east-1", "execute-api")];
    let own = (input.region.as_str(), input.service.as_str());
    for (i, (region, service)) in fixed
        .into_iter()
        .chain(Some(own).filter(|o| !fixed.contains(o)))
        .enumerate()
    {
        match Signer::new(credentials.clone(), region, service) {
            Ok(s) => signers.push(s),
            Err(e) => {
                assert!(i == 2, "fixed signer {region}/{service} refused: {e}");
                check_err("Signer::new", &e);
            }
        }
    }

    for signer in &mut signers {
        let first = match signer.sign(&req, input.time_ms) {
            Ok(signed) => {
                check_signed(
                    &signed,
                    &parsed,
                    before_fragment,
                    token.as_deref(),
                    watch_secret,
                );
                Some(signed)
            }
            Err(e) => {
                check_err("sign", &e);
                None
            }
        };
        match signer.presign(&req, expires_in, input.time_ms) {
            Ok(p) => {
                assert!(
                    sigv4::check_expires(f64::from(expires_in)).is_ok(),
                    "presign accepted expiry {expires_in}"
                );
                assert!(
                    is_lower_hex64(&p.signature),
                    "presign signature {:?}",
                    p.signature
                );
                assert!(
                    p.url.starts_with(before_fragment),
                    "presigned URL {:?} does not start with {before_fragment:?}",
                    p.url
                );
                assert!(
                    p.url.contains("X-Amz-Signature="),
                    "no X-Amz-Signature in {:?}",
                    p.url
                );
                assert!(
                    p.url.ends_with(&format!("X-Amz-Signature={}", p.signature)),
                    "presigned URL {:?}",
                    p.url
                );
                assert!(
                    !p.url.contains('#'),
                    "presigned URL keeps a fragment: {:?}",
                    p.url
                );
                assert!(
                    p.url.contains("X-Amz-Expires="),
                    "no X-Amz-Expires in {:?}",
                    p.url
                );
                check_canonical_request(&p.canonical_request);
                if watch_secret {
                    for s in [&p.url, &p.canonical_request, &p.string_to_sign] {
                        assert!(
                            !s.contains(SECRET),
                            "presign output contains the secret key: {s:?}"
                        );
                    }
                }
                // The result is a valid URL again, to the same place, and presigning it twice is refused.
                let again = url::parse(&p.url)
                    .unwrap_or_else(|e| panic!("presigned URL {:?} does not parse: {e}", p.url));
                let orig = parsed
                    .as_ref()
                    .expect("presign succeeded on a URL url::parse refuses");
                assert_eq!(
                    (&again.host, again.path),
                    (&orig.host, orig.path),
                    "presigned URL moved"
                );
                match signer.presign(
                    &Request {
                        url: &p.url,
                        ..req.clone()
                    },
                    expires_in,
                    input.time_ms,
                ) {
                    Ok(p2) => panic!("presigned a presigned URL: {:?}", p2.url),
                    Err(e) => check_err("presign twice", &e),
                }
            }
            Err(e) => check_err("presign", &e),
        }
        // The signing-key cache has been used in between: the same request signs the same.
        if let Some(first) = first {
            let second = signer
                .sign(&req, input.time_ms)
                .expect("signing succeeded once, then failed");
            assert_eq!(
                first.signature, second.signature,
                "signing is not deterministic"
            );
            assert_eq!(
                first.headers, second.headers,
                "signing is not deterministic"
            );
        }
    }
}

fn check_signed(
    signed: &sigv4::Signed,
    parsed: &cognito_sigv4::Result<url::Url<'_>>,
    before_fragment: &str,
    token: Option<&str>,
    watch_secret: bool,
) {
    let parsed = parsed
        .as_ref()
        .expect("sign succeeded on a URL url::parse refuses");
    assert!(
        is_lower_hex64(&signed.signature),
        "signature {:?}",
        signed.signature
    );
    assert_eq!(signed.url, before_fragment, "signed URL");
    let get = |name: &str| {
        signed
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let auth = get("authorization").expect("no authorization header");
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential="),
        "authorization {auth:?}"
    );
    assert!(
        auth.ends_with(&format!(", Signature={}", signed.signature)),
        "authorization {auth:?}"
    );
    assert_eq!(get("host"), Some(parsed.host.as_str()), "host header");
    let date = get("x-amz-date").expect("no x-amz-date header");
    assert!(
        date.len() == 16 && date.ends_with('Z') && date.as_bytes()[8] == b'T',
        "x-amz-date {date:?}"
    );
    assert_eq!(get("x-amz-security-token"), token, "x-amz-security-token");
    for w in signed.headers.windows(2) {
        assert!(
            w[0].0 < w[1].0,
            "headers not sorted or repeated: {:?} then {:?}",
            w[0].0,
            w[1].0
        );
    }
    for (n, v) in &signed.headers {
        assert!(
            !n.bytes().any(|b| b.is_ascii_uppercase()),
            "header name not lower case: {n:?}"
        );
        // What the signer sends must pass its own check of caller headers (what fetch accepts).
        if let Err(e) = headers::check(n, v) {
            panic!("sign outputs header {n}: {v:?} that fetch refuses: {e}");
        }
    }
    check_canonical_request(&signed.canonical_request);
    let signed_list = auth
        .split("SignedHeaders=")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .expect("SignedHeaders");
    assert_eq!(
        signed.canonical_request.rsplit('\n').nth(1),
        Some(signed_list),
        "SignedHeaders differ from the canonical request"
    );
    if watch_secret {
        for s in [&signed.canonical_request, &signed.string_to_sign, auth] {
            assert!(
                !s.contains(SECRET),
                "sign output contains the secret key: {s:?}"
            );
        }
        for (n, v) in &signed.headers {
            assert!(!v.contains(SECRET), "header {n} contains the secret key");
        }
    }
}

/// `method \n uri \n query \n (name:value \n)* \n signed;headers \n payload-hash`:
/// one line per signed header, in the order of the list, and nothing else.
fn check_canonical_request(creq: &str) {
    let lines: Vec<&str> = creq.split('\n').collect();
    assert!(lines.len() >= 6, "canonical request too short: {creq:?}");
    let n = lines.len();
    let (payload, signed, blank) = (lines[n - 1], lines[n - 2], lines[n - 3]);
    assert_eq!(blank, "", "canonical request shape: {creq:?}");
    let names: Vec<&str> = signed.split(';').collect();
    assert_eq!(names.len(), n - 6, "one line per signed header: {creq:?}");
    for (line, name) in lines[3..n - 3].iter().zip(&names) {
        assert!(
            line.strip_prefix(name).is_some_and(|r| r.starts_with(':')),
            "header line {line:?} is not {name:?}: {creq:?}"
        );
    }
    assert!(names.contains(&"host"), "host is not signed: {creq:?}");
    assert!(
        is_lower_hex64(payload)
            || payload == sigv4::UNSIGNED_PAYLOAD
            || payload.starts_with("STREAMING-"),
        "payload hash {payload:?}"
    );
    assert!(lines[1].starts_with('/'), "canonical URI {:?}", lines[1]);
}
