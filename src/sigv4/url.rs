//! Splits an absolute http(s) URL into what signing needs.
//!
//! Deliberately small: the JS shell first runs the URL through the browser's own
//! `URL` parser (so what we sign is exactly what `fetch` sends), and this only has
//! to cut a serialized URL into parts and refuse what fetch would refuse.

use alloc::string::{String, ToString};
use alloc::format;
use crate::error::{Error, ErrorCode, Result};

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
    let url = url.trim_matches(|c: char| c == ' ' || c.is_ascii_control());
    let without_fragment = url.split('#').next().unwrap_or("");
    let (scheme, rest) = match without_fragment.find("://") {
        Some(i) => (&without_fragment[..i], &without_fragment[i + 3..]),
        None => {
            return Err(invalid(format!(
                "`{}` is not an absolute URL: give the full address, e.g. https://abc123.execute-api.us-east-1.amazonaws.com/prod/items",
                shorten(url)
            )))
        }
    };
    let https = if scheme.eq_ignore_ascii_case("https") {
        true
    } else if scheme.eq_ignore_ascii_case("http") {
        false
    } else {
        return Err(invalid(format!(
            "scheme `{}` cannot be signed: only http and https URLs can",
            shorten(scheme)
        )));
    };
    if url.bytes().any(|b| b.is_ascii_control()) {
        return Err(invalid("the URL contains control characters (tab, newline, …): remove them".into()));
    }
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let after = &rest[authority_end..];
    if authority.contains('@') {
        return Err(invalid(
            "the URL carries a user name or password (user:pass@host), which fetch refuses: remove it".into(),
        ));
    }
    let (hostname, port) = split_port(authority)?;
    if hostname.is_empty() {
        return Err(invalid(format!("`{}` has no host name", shorten(url))));
    }
    let valid_host = if hostname.starts_with('[') {
        hostname.ends_with(']')
            && hostname.len() > 2
            && hostname[1..hostname.len() - 1].bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    } else {
        hostname.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    };
    if !valid_host {
        return Err(invalid(format!(
            "host `{}` is not a valid host name (letters, digits, `-`, `.`, or an [IPv6] address)",
            shorten(hostname)
        )));
    }
    let default_port = if https { 443 } else { 80 };
    let mut host = hostname.to_ascii_lowercase();
    if let Some(port) = port.filter(|&p| p != default_port) {
        host.push(':');
        host.push_str(&port.to_string());
    }
    let (path, query) = match after.find('?') {
        Some(i) => (&after[..i], Some(&after[i + 1..])),
        None => (after, None),
    };
    Ok(Url { https, host, path, query, without_fragment })
}

fn split_port(authority: &str) -> Result<(&str, Option<u16>)> {
    // An IPv6 literal has colons of its own: the port is after the `]`.
    let colon = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => i,
        _ => return Ok((authority, None)),
    };
    let (host, port) = (&authority[..colon], &authority[colon + 1..]);
    if port.is_empty() {
        return Ok((host, None));
    }
    match port.parse::<u16>() {
        Ok(p) if port.bytes().all(|b| b.is_ascii_digit()) => Ok((host, Some(p))),
        _ => Err(invalid(format!("port `{}` is not a number from 0 to 65535", shorten(port)))),
    }
}

/// URLs can carry presigned credentials: quote at most a prefix in messages.
pub(crate) fn shorten(s: &str) -> String {
    const MAX: usize = 80;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_parts() {
        let u = parse("https://Example.com:443/a/b?x=1#frag").unwrap();
        assert_eq!((u.https, u.host.as_str(), u.path, u.query), (true, "example.com", "/a/b", Some("x=1")));
        assert_eq!(u.without_fragment, "https://Example.com:443/a/b?x=1");
        let u = parse("http://localhost:9000").unwrap();
        assert_eq!((u.host.as_str(), u.path, u.query), ("localhost:9000", "", None));
        let u = parse("http://[::1]:8080/?").unwrap();
        assert_eq!((u.host.as_str(), u.path, u.query), ("[::1]:8080", "/", Some("")));
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
