//! Splits an absolute http(s) URL into what signing needs.
//!
//! Deliberately small: the JS shell first runs the URL through the browser's own
//! `URL` parser (so what we sign is exactly what `fetch` sends), and this only has
//! to cut a serialized URL into parts and refuse what fetch would refuse.

use crate::error::{push_num, Error, ErrorCode, Result};
use alloc::string::{String, ToString};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url<'a> {
    pub https: bool,
    /// Lower-cased host with the port when it is not the scheme's default: the
    /// value of the signed `host` header.
    pub host: String,
    /// Path as it will be sent, `""` when absent.
    pub path: &'a str,
    /// Query without `?`, `None` when absent.
    pub query: Option<&'a str>,
    /// Everything before the `#`, i.e. the URL to send.
    pub without_fragment: &'a str,
}

fn invalid(msg: String) -> Error {
    Error::new(ErrorCode::InvalidUrl, msg)
}

pub fn parse(url: &str) -> Result<Url<'_>> {
    // Byte-wise, and slicing only by `get`: no `str::find`/`split` (their
    // searchers link panic paths, and with them core::fmt, into the signer
    // module). Every cut is at an ASCII byte, so on a char boundary.
    let edge = |b: &u8| *b <= b' ';
    let bytes = url.as_bytes();
    let start = bytes.iter().position(|b| !edge(b)).unwrap_or(url.len());
    let end = bytes
        .iter()
        .rposition(|b| !edge(b))
        .map_or(start, |i| i + 1);
    let url = url.get(start..end).unwrap_or("");
    let bytes = url.as_bytes();
    let without_fragment = cut(url, bytes.iter().position(|&b| b == b'#')).0;
    let separator = without_fragment
        .as_bytes()
        .windows(3)
        .position(|w| w == b"://");
    let (scheme, rest) = match separator
        .and_then(|i| Some((without_fragment.get(..i)?, without_fragment.get(i + 3..)?)))
    {
        Some(parts) => parts,
        None => {
            return Err(invalid(crate::error::cat(&[
                "`",
                &shorten(url),
                "` is not an absolute URL: give the full address, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/prod/items",
            ])))
        }
    };
    let https = if scheme.eq_ignore_ascii_case("https") {
        true
    } else if scheme.eq_ignore_ascii_case("http") {
        false
    } else {
        return Err(invalid(crate::error::cat(&[
            "scheme `",
            &shorten(scheme),
            "` cannot be signed: only http and https URLs can",
        ])));
    };
    if bytes.iter().any(|b| b.is_ascii_control()) {
        return Err(invalid(
            "the URL contains control characters (tab, newline, …): remove them".into(),
        ));
    }
    let (authority, after) = cut(rest, rest.bytes().position(|b| b == b'/' || b == b'?'));
    if authority.bytes().any(|b| b == b'@') {
        return Err(invalid(
            "the URL carries a user name or password (user:pass@host), which fetch refuses: remove it".into(),
        ));
    }
    let (hostname, port) = split_port(authority)?;
    if hostname.is_empty() {
        return Err(invalid(crate::error::cat(&[
            "`",
            &shorten(url),
            "` has no host name",
        ])));
    }
    let valid_host = if let Some(inner) = hostname.strip_prefix('[') {
        inner.strip_suffix(']').is_some_and(|ip| {
            !ip.is_empty()
                && ip
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        })
    } else {
        hostname
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    };
    if !valid_host {
        return Err(invalid(crate::error::cat(&[
            "host `",
            &shorten(hostname),
            "` is not a valid host name (letters, digits, `-`, `.`, or an [IPv6] address)",
        ])));
    }
    let default_port = if https { 443 } else { 80 };
    let mut host = hostname.to_ascii_lowercase();
    if let Some(port) = port.filter(|&p| p != default_port) {
        host.push(':');
        push_num(&mut host, u64::from(port), 0);
    }
    let (path, query) = cut(after, after.bytes().position(|b| b == b'?'));
    Ok(Url {
        https,
        host,
        path,
        query: query.get(1..),
        without_fragment,
    })
}

/// `s` cut before byte `at` (the rest starts with that byte), or whole.
fn cut(s: &str, at: Option<usize>) -> (&str, &str) {
    at.and_then(|i| s.split_at_checked(i)).unwrap_or((s, ""))
}

fn split_port(authority: &str) -> Result<(&str, Option<u16>)> {
    // An IPv6 literal has colons of its own: the port is after the `]`.
    let colon = authority.bytes().rposition(|b| b == b':');
    let (host, port) = match cut(authority, colon) {
        (host, port) if !port.is_empty() && !port.bytes().any(|b| b == b']') => {
            (host, port.get(1..).unwrap_or(""))
        }
        _ => return Ok((authority, None)),
    };
    if port.is_empty() {
        return Ok((host, None));
    }
    let value = port.bytes().try_fold(0u32, |n, b| {
        (b.is_ascii_digit() && n <= 65_535).then(|| n * 10 + u32::from(b - b'0'))
    });
    match value.and_then(|n| u16::try_from(n).ok()) {
        Some(p) => Ok((host, Some(p))),
        None => Err(invalid(crate::error::cat(&[
            "port `",
            &shorten(port),
            "` is not a number from 0 to 65535",
        ]))),
    }
}

/// URLs can carry presigned credentials: quote at most a prefix in messages.
pub fn shorten(s: &str) -> String {
    const MAX: usize = 80;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    crate::error::cat(&[s.get(..end).unwrap_or(""), "…"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_parts() {
        let u = parse("https://Example.com:443/a/b?x=1#frag").unwrap();
        assert_eq!(
            (u.https, u.host.as_str(), u.path, u.query),
            (true, "example.com", "/a/b", Some("x=1"))
        );
        assert_eq!(u.without_fragment, "https://Example.com:443/a/b?x=1");
        let u = parse("http://localhost:9000").unwrap();
        assert_eq!(
            (u.host.as_str(), u.path, u.query),
            ("localhost:9000", "", None)
        );
        let u = parse("http://[::1]:8080/?").unwrap();
        assert_eq!(
            (u.host.as_str(), u.path, u.query),
            ("[::1]:8080", "/", Some(""))
        );
        assert_eq!(parse("http://[::1]/").unwrap().host, "[::1]");
    }

    #[test]
    fn refuses_what_fetch_refuses() {
        for bad in [
            "",
            "example.com/path",
            "ftp://example.com/",
            "https:///path",
            "https://user:pw@example.com/",
            "https://example.com:99999/",
            "https://exa mple.com/",
            "https://example.com:8a/",
            "https://[::1/",
            "https://example.com/a\nb",
        ] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidUrl, "{bad:?}");
        }
    }
}
