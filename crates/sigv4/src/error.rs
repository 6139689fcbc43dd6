//! The one error type of the crate.
//!
//! Every failure carries a stable [`ErrorCode`] (what JS sees as `err.name` and
//! `err.code`) and a message that says what to fix. Messages never contain a
//! secret key, session token or IdToken: callers only ever pass names and public
//! values into them.

use alloc::string::String;
use core::fmt;

/// Stable, machine-readable error codes. The string form is part of the JS contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The URL cannot be parsed, is not http(s), or carries user info.
    InvalidUrl,
    /// A header name or value that a browser would reject.
    InvalidHeader,
    /// Presign expiry outside 1..=604800 seconds.
    InvalidExpires,
    /// A date that is not a finite epoch time between 1970 and 9999.
    InvalidDate,
    /// Access key id or secret access key missing or empty.
    MissingCredentials,
    /// A body that cannot be hashed synchronously (stream, FormData, Blob).
    InvalidBody,
    /// Region, service, method or payload hash that cannot be used.
    InvalidConfig,
    /// A token or a service answer that cannot be parsed.
    Malformed,
    /// An AWS error answer; [`Error::service_type`] holds AWS's type
    /// (`NotAuthorizedException`, …), which JS sees as the name.
    Service,
    /// The request did not reach the service or no answer came back.
    Network,
    /// No answer within the time allowed.
    Timeout,
    /// The local clock is too far from AWS's, even after correcting for it.
    ClockSkew,
    /// A client secret used inside a browser page.
    SecretInBrowser,
    /// `clear()` (sign-out) ran while this exchange was in flight: its answer was dropped.
    Cancelled,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidUrl => "InvalidUrl",
            ErrorCode::InvalidHeader => "InvalidHeader",
            ErrorCode::InvalidExpires => "InvalidExpires",
            ErrorCode::InvalidDate => "InvalidDate",
            ErrorCode::MissingCredentials => "MissingCredentials",
            ErrorCode::InvalidBody => "InvalidBody",
            ErrorCode::InvalidConfig => "InvalidConfig",
            ErrorCode::Malformed => "Malformed",
            ErrorCode::Service => "ServiceError",
            ErrorCode::Network => "Network",
            ErrorCode::Timeout => "Timeout",
            ErrorCode::ClockSkew => "ClockSkew",
            ErrorCode::SecretInBrowser => "SecretInBrowser",
            ErrorCode::Cancelled => "Cancelled",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    /// For [`ErrorCode::Service`]: AWS's error type, any `prefix#` removed.
    pub service_type: Option<String>,
    /// For answers from a service: the HTTP status.
    pub status: Option<u16>,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            service_type: None,
            status: None,
        }
    }

    /// An error answer of a service, named by the service's error type. A type
    /// that is not `[A-Za-z0-9_.]+` (a hostile or broken endpoint could put
    /// line breaks or fake fields in it) is replaced by the status's name.
    pub fn service(service_type: &str, status: u16, message: String) -> Self {
        let valid = !service_type.is_empty()
            && service_type.len() <= 128
            && service_type
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
        let name = if valid {
            service_type
        } else {
            status_name(status)
        };
        Error {
            code: ErrorCode::Service,
            message,
            service_type: Some(String::from(name)),
            status: Some(status),
        }
    }

    /// What JS sees as `err.name` and `err.code`: AWS's error type where there
    /// is one, else the crate's code.
    pub fn name(&self) -> &str {
        self.service_type.as_deref().unwrap_or(self.code.as_str())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.message)
    }
}

impl core::error::Error for Error {}

pub type Result<T> = core::result::Result<T, Error>;

/// The name of an HTTP error status, for answers whose own error name is missing or unusable.
pub fn status_name(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        409 => "Conflict",
        413 => "PayloadTooLarge",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "HttpError",
    }
}

/// Appends `n` in decimal, zero-padded to `width` digits: SigV4's dates and
/// ports, in the no_std signer module too, without core::fmt's integer
/// formatting.
pub fn push_num(out: &mut String, n: u64, width: usize) {
    // Iterators and `%`/`/` by a constant only: no index that could panic (a
    // panic path links core::fmt's integer formatting into the signer module).
    let mut digits = [b'0'; 20];
    let mut len = 0;
    let mut rest = n;
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (rest % 10) as u8;
        rest /= 10;
        len += 1;
        if rest == 0 {
            break;
        }
    }
    for _ in len..width {
        out.push('0');
    }
    for &d in digits.iter().skip(digits.len() - len) {
        out.push(char::from(d));
    }
}

/// The parts joined: what `[..].concat()` does, without the generic join
/// behind it (1.2 KB of the signer module, with a panic path that links
/// core::fmt).
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// Byte offset of `needle` in `haystack`. A plain scan instead of `str::find`
/// with a string pattern: its two-way searcher, with `str::replace` for
/// [`replace_all`], cost 4.7 KB gz of the whole SDK's wasm (measured: 95,870 ->
/// 100,541 B); the texts searched here are a few KB of AWS answers at most.
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
}

/// `text` with every occurrence of `needle` replaced (see [`find`] for why not `str::replace`).
pub fn replace_all(text: &str, needle: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = find(rest, needle).filter(|_| !needle.is_empty()) {
        let (before, after) = rest.split_at_checked(i).unwrap_or((rest, ""));
        out.push_str(before);
        out.push_str(with);
        rest = after.get(needle.len()..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

pub fn num(n: u64) -> String {
    let mut s = String::new();
    push_num(&mut s, n, 0);
    s
}
