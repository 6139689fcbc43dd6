//! Which headers are signed, and what a header must look like to be sent at all.

use crate::error::{Error, ErrorCode, Result};
use alloc::string::String;

/// Headers never signed, in one place. Browsers set or drop these themselves
/// (fetch's forbidden request headers), proxies and CDNs rewrite them (hop-by-hop
/// headers, tracing ids), or the signer writes them (`authorization`, `host`).
/// Signing any of them would make the signature fail where the value changes.
/// They still pass through to the request unsigned.
const NEVER_SIGNED: &[&str] = &[
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "authorization",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "user-agent",
    "via",
    "x-amzn-trace-id",
];

/// Prefixes the browser reserves: `proxy-*` and `sec-*` are forbidden request headers.
const NEVER_SIGNED_PREFIXES: &[&str] = &["proxy-", "sec-"];

/// Whether a header of this name is signed (`host` aside, which the signer
/// signs itself). Names in any case.
pub fn is_signable(name: &str) -> bool {
    !NEVER_SIGNED.iter().any(|n| n.eq_ignore_ascii_case(name))
        && !NEVER_SIGNED_PREFIXES.iter().any(|p| {
            name.get(..p.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(p))
        })
}

/// The list, for documentation and tests.
pub fn never_signed() -> &'static [&'static str] {
    NEVER_SIGNED
}

/// RFC 9110 token characters: what `Headers.append` accepts as a name (and fetch as a method).
pub fn is_tchar(b: u8) -> bool {
    // `matches!`, not `b"…".contains`: that is a memchr call.
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// Validates a header and returns its lower-case name.
pub fn check(name: &str, value: &str) -> Result<String> {
    validate(name, value)?;
    Ok(name.to_ascii_lowercase())
}

/// What [`check`] refuses: a name that is not a token, a value with line
/// breaks, NUL, other controls or non-ASCII bytes.
pub fn validate(name: &str, value: &str) -> Result<()> {
    if name.is_empty() || !name.bytes().all(is_tchar) {
        return Err(Error::new(
            ErrorCode::InvalidHeader,
            crate::error::cat(&[
                "`",
                &crate::url::shorten(name),
                "` is not a valid header name: use letters, digits and `-` (no spaces, colons or other symbols)",
            ]),
        ));
    }
    // Values are not quoted back: they may be secrets.
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(Error::new(
            ErrorCode::InvalidHeader,
            crate::error::cat(&[
                "the value of header `",
                name,
                "` contains a line break or NUL, which fetch refuses: remove it",
            ]),
        ));
    }
    if value.bytes().any(|b| b >= 0x7f || (b < 0x20 && b != b'\t')) {
        return Err(Error::new(
            ErrorCode::InvalidHeader,
            crate::error::cat(&[
                "the value of header `",
                name,
                "` has non-ASCII or control characters, which browsers send differently from how they would be signed: percent-encode or base64 it",
            ]),
        ));
    }
    Ok(())
}

/// `value` without the spaces and tabs at its ends.
pub fn trim(value: &str) -> &str {
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    let bytes = value.as_bytes();
    let start = bytes.iter().position(|b| !blank(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |i| i + 1);
    value.get(start..end).unwrap_or("")
}

/// The canonical form of a value: trimmed like the browser trims (spaces and tabs
/// at both ends) and every run of whitespace inside (spaces and tabs: the only
/// whitespace `check` lets through) folded to one space, as botocore and
/// `@smithy/signature-v4` do, the signers of real AWS traffic. The aws-sigv4
/// crate folds only spaces; tests/differential.rs says how it is compared.
pub fn canonical_value(value: &str, out: &mut String) {
    let value = trim(value);
    // Most values (a session token, a date, a content type) have nothing to
    // fold: copied whole.
    let mut prev_space = false;
    let plain = value.bytes().all(|b| {
        let fold = b == b'\t' || (b == b' ' && prev_space);
        prev_space = b == b' ';
        !fold
    });
    if plain {
        out.push_str(value);
        return;
    }
    let mut prev_space = false;
    for c in value.chars() {
        if c == ' ' || c == '\t' {
            if !prev_space {
                out.push(' ');
            }
            prev_space = true;
        } else {
            out.push(c);
            prev_space = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        for h in [
            "user-agent",
            "content-length",
            "expect",
            "connection",
            "x-amzn-trace-id",
            "sec-fetch-mode",
            "proxy-authorization",
            "host",
        ] {
            assert!(!is_signable(h), "{h}");
        }
        for h in ["content-type", "x-amz-meta-a", "range", "x-amz-date"] {
            assert!(is_signable(h), "{h}");
        }
    }

    #[test]
    fn validation() {
        assert_eq!(check("My-Header", "v").unwrap(), "my-header");
        for (n, v) in [
            ("", "v"),
            ("a b", "v"),
            ("a:b", "v"),
            ("é", "v"),
            ("a", "x\ny"),
            ("a", "x\0"),
            ("a", "é"),
            ("a", "\x01"),
        ] {
            assert_eq!(
                check(n, v).unwrap_err().code,
                ErrorCode::InvalidHeader,
                "{n:?} {v:?}"
            );
        }
        let mut s = String::new();
        canonical_value(" \t a   b \t c\t\td  ", &mut s);
        assert_eq!(s, "a b c d");
    }
}
