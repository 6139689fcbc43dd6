//! CORS for every listener, so that a page served from another localhost port
//! can call the stack: preflights are answered here, and every response says
//! which origin may read it and which headers it may see.

use http::header::{
    HeaderValue, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ORIGIN, VARY,
};
use http::{HeaderMap, Method, Response, StatusCode};

const ALLOW_METHODS: &str = "GET, PUT, POST, DELETE, HEAD, OPTIONS";
/// Headers a page may read: what the SDK and its tests look at (dates for
/// clock-skew correction, ETags, request ids) and the `x-amz-*` we emit.
pub const EXPOSE_HEADERS: &str = "Date, ETag, x-amz-request-id, x-amz-id-2, x-amz-version-id, x-amzn-RequestId, \
x-amz-date, Content-Length, Content-Type, x-amzn-ErrorType, apigw-requestid, WWW-Authenticate, x-amz-delete-marker, \
x-amz-expiration, x-amz-server-side-encryption, x-amz-checksum-crc32, x-amz-checksum-crc32c, \
x-amz-checksum-sha1, x-amz-checksum-sha256, x-amz-bucket-region, Last-Modified, Content-Range, Accept-Ranges";
const MAX_AGE: &str = "600";

/// Every OPTIONS is treated as a preflight: none of the emulated APIs has an
/// OPTIONS operation of its own.
pub fn is_preflight(method: &Method) -> bool {
    method == Method::OPTIONS
}

/// How a listener answers the headers a preflight asks for
/// (`Access-Control-Request-Headers`), from devstack.toml's `[cors]`.
#[derive(Debug, Clone, Copy)]
pub enum AllowHeaders<'a> {
    /// API Gateway's way (and the way of the other AWS endpoints): the
    /// configured list, whatever was asked. A header outside it is not an
    /// error here; the browser refuses the preflight.
    Configured(&'a [String]),
    /// An S3 bucket CORS rule's `AllowedHeaders` (patterns, `*` a wildcard,
    /// case-insensitive): every requested header must match one, and then the
    /// requested headers are echoed; otherwise S3 refuses the preflight (403).
    S3Rule(&'a [String]),
}

/// S3's answer to a preflight its CORS configuration does not allow.
const S3_CORS_REFUSED: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessForbidden</Code>\
<Message>CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, \
request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the \
resource's CORS spec.</Message><Method>OPTIONS</Method><ResourceType>OBJECT</ResourceType></Error>";

/// The answer to a preflight: 204 with the headers `allow` gives, or, for an
/// S3 rule that does not cover a requested header, S3's 403 (no CORS headers).
pub fn preflight<B: Default + From<String>>(
    request_headers: &HeaderMap,
    allow: AllowHeaders<'_>,
) -> Response<B> {
    let requested = request_headers
        .get(ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let allowed = match allow {
        AllowHeaders::Configured(list) => Some(
            HeaderValue::from_str(&list.join(",")).unwrap_or_else(|_| HeaderValue::from_static("")),
        ),
        AllowHeaders::S3Rule(patterns) => {
            let names = requested
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty());
            let mut echoed = Vec::new();
            for name in names {
                if !patterns.iter().any(|p| header_matches(p, name)) {
                    let mut resp = Response::new(B::from(S3_CORS_REFUSED.to_string()));
                    *resp.status_mut() = StatusCode::FORBIDDEN;
                    resp.headers_mut().insert(
                        http::header::CONTENT_TYPE,
                        HeaderValue::from_static("application/xml"),
                    );
                    return resp;
                }
                echoed.push(name);
            }
            // S3 names no headers when none were asked for.
            (!echoed.is_empty())
                .then(|| HeaderValue::from_str(&echoed.join(",")).ok())
                .flatten()
        }
    };
    let mut resp = Response::new(B::default());
    *resp.status_mut() = StatusCode::NO_CONTENT;
    let h = resp.headers_mut();
    h.insert(
        ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOW_METHODS),
    );
    if let Some(allowed) = allowed {
        h.insert(ACCESS_CONTROL_ALLOW_HEADERS, allowed);
    }
    h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(MAX_AGE));
    // Chrome's Private Network Access asks before a page talks to loopback.
    if request_headers
        .get("access-control-request-private-network")
        .is_some_and(|v| v == "true")
    {
        h.insert(
            "access-control-allow-private-network",
            HeaderValue::from_static("true"),
        );
    }
    decorate(request_headers.get(ORIGIN), resp.headers_mut());
    resp
}

/// Whether header `name` matches an S3 `AllowedHeaders` pattern: ASCII
/// case-insensitive, each `*` standing for any run of characters.
pub fn header_matches(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.to_ascii_lowercase(), name.to_ascii_lowercase());
    let mut parts = p.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = n.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty(); // no `*`: the whole name
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

/// Adds the CORS response headers for a request from `origin`.
pub fn decorate(origin: Option<&HeaderValue>, headers: &mut HeaderMap) {
    match origin {
        Some(o) => {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, o.clone());
            headers.append(VARY, HeaderValue::from_static("Origin"));
        }
        None => {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        }
    }
    headers.insert(
        ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(EXPOSE_HEADERS),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    fn asking(headers: &str) -> HeaderMap {
        let mut req = HeaderMap::new();
        req.insert(ORIGIN, HeaderValue::from_static("http://localhost:8080"));
        req.insert(
            ACCESS_CONTROL_REQUEST_HEADERS,
            HeaderValue::from_str(headers).unwrap(),
        );
        req
    }

    #[test]
    fn an_s3_star_rule_echoes_the_requested_headers() {
        let mut req = asking("authorization,x-amz-date,x-amz-content-sha256");
        req.insert(
            "access-control-request-private-network",
            HeaderValue::from_static("true"),
        );
        let star = list(&["*"]);
        let resp: Response<String> = preflight(&req, AllowHeaders::S3Rule(&star));
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
        let h = resp.headers();
        assert_eq!(h[ACCESS_CONTROL_ALLOW_ORIGIN], "http://localhost:8080");
        assert_eq!(
            h[ACCESS_CONTROL_ALLOW_HEADERS],
            "authorization,x-amz-date,x-amz-content-sha256"
        );
        assert_eq!(h[ACCESS_CONTROL_ALLOW_METHODS], ALLOW_METHODS);
        assert_eq!(h["access-control-allow-private-network"], "true");
        assert!(h[ACCESS_CONTROL_EXPOSE_HEADERS]
            .to_str()
            .unwrap()
            .contains("ETag"));
        // Nothing asked, nothing named.
        let mut bare = HeaderMap::new();
        bare.insert(ORIGIN, HeaderValue::from_static("http://localhost:8080"));
        let resp: Response<String> = preflight(&bare, AllowHeaders::S3Rule(&star));
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
        assert!(resp.headers().get(ACCESS_CONTROL_ALLOW_HEADERS).is_none());
    }

    #[test]
    fn a_configured_list_is_answered_not_the_requested_headers() {
        let req = asking("authorization,x-amz-content-sha256");
        let configured = list(&["Content-Type", "Authorization"]);
        let resp: Response<String> = preflight(&req, AllowHeaders::Configured(&configured));
        // Still a success: the browser, not the server, refuses the preflight.
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            resp.headers()[ACCESS_CONTROL_ALLOW_HEADERS],
            "Content-Type,Authorization"
        );
        assert_eq!(
            resp.headers()[ACCESS_CONTROL_ALLOW_ORIGIN],
            "http://localhost:8080"
        );
    }

    #[test]
    fn a_narrow_s3_rule_refuses_a_header_it_does_not_cover() {
        let rule = list(&["Authorization", "x-amz-*", "Content-Type"]);
        let ok: Response<String> = preflight(
            &asking("authorization, X-Amz-Date,x-amz-meta-a,content-type"),
            AllowHeaders::S3Rule(&rule),
        );
        assert_eq!(ok.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            ok.headers()[ACCESS_CONTROL_ALLOW_HEADERS],
            "authorization,X-Amz-Date,x-amz-meta-a,content-type"
        );
        let refused: Response<String> =
            preflight(&asking("authorization,range"), AllowHeaders::S3Rule(&rule));
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(refused.body().contains("<Code>AccessForbidden</Code>"));
        assert!(refused
            .headers()
            .get(ACCESS_CONTROL_ALLOW_HEADERS)
            .is_none());
    }

    #[test]
    fn s3_header_patterns() {
        assert!(header_matches("*", "anything"));
        assert!(header_matches("X-Amz-Date", "x-amz-date"));
        assert!(!header_matches("x-amz-date", "x-amz-date2"));
        assert!(header_matches("x-amz-*", "x-amz-"));
        assert!(header_matches("x-amz-*", "X-AMZ-META-A"));
        assert!(!header_matches("x-amz-*", "x-am"));
        assert!(header_matches("*-sha256", "x-amz-content-sha256"));
        assert!(header_matches("x-*-sha256", "x-amz-content-sha256"));
        assert!(!header_matches("x-*-sha256", "x-sha256"));
        assert!(!header_matches("content-type", "authorization"));
    }

    #[test]
    fn decorates_with_star_without_origin() {
        let mut h = HeaderMap::new();
        decorate(None, &mut h);
        assert_eq!(h[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert!(h.get(VARY).is_none());
        for name in [
            "Date",
            "ETag",
            "x-amz-request-id",
            "x-amzn-RequestId",
            "x-amz-version-id",
        ] {
            assert!(EXPOSE_HEADERS.contains(name), "{name}");
        }
    }
}
