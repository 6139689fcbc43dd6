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
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl core::error::Error for Error {}

pub type Result<T> = core::result::Result<T, Error>;

/// Joins message parts. Used instead of `format!`, whose machinery costs
/// several KB in the wasm module.
pub fn cat(parts: &[&str]) -> String {
    parts.concat()
}

/// Appends `n` in decimal, zero-padded to `width` digits.
pub fn push_num(out: &mut String, n: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for _ in (digits.len() - i)..width {
        out.push('0');
    }
    for &d in &digits[i..] {
        out.push(d as char);
    }
}

pub fn num(n: u64) -> String {
    let mut s = String::new();
    push_num(&mut s, n, 0);
    s
}
