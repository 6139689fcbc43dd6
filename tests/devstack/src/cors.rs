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

/// The answer to a preflight: 204, allowing the `allowed` headers (a
/// configured list, as API Gateway answers), or with `None` the requested
/// ones (an S3 CORS rule with `AllowedHeaders: ["*"]`).
pub fn preflight<B: Default>(
    request_headers: &HeaderMap,
    allowed: Option<&[String]>,
) -> Response<B> {
    let mut resp = Response::new(B::default());
    *resp.status_mut() = StatusCode::NO_CONTENT;
    let h = resp.headers_mut();
    h.insert(
        ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(ALLOW_METHODS),
    );
    let allowed = match allowed {
        Some(list) => {
            HeaderValue::from_str(&list.join(",")).unwrap_or_else(|_| HeaderValue::from_static(""))
        }
        None => request_headers
            .get(ACCESS_CONTROL_REQUEST_HEADERS)
            .cloned()
            .unwrap_or_else(|| HeaderValue::from_static("*")),
    };
    h.insert(ACCESS_CONTROL_ALLOW_HEADERS, allowed);
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

    #[test]
    fn answers_preflights_with_the_requested_headers() {
        let mut req = HeaderMap::new();
        req.insert(ORIGIN, HeaderValue::from_static("http://localhost:8080"));
        req.insert(
            ACCESS_CONTROL_REQUEST_HEADERS,
            HeaderValue::from_static("authorization,x-amz-date"),
        );
        req.insert(
            "access-control-request-private-network",
            HeaderValue::from_static("true"),
        );
        let resp: Response<String> = preflight(&req, None);
        assert_eq!(resp.status(), StatusCode::NO_CONTENT);
        let h = resp.headers();
        assert_eq!(h[ACCESS_CONTROL_ALLOW_ORIGIN], "http://localhost:8080");
        assert_eq!(h[ACCESS_CONTROL_ALLOW_HEADERS], "authorization,x-amz-date");
        assert_eq!(h[ACCESS_CONTROL_ALLOW_METHODS], ALLOW_METHODS);
        assert_eq!(h["access-control-allow-private-network"], "true");
        assert!(h[ACCESS_CONTROL_EXPOSE_HEADERS]
            .to_str()
            .unwrap()
            .contains("ETag"));
    }

    #[test]
    fn a_configured_list_is_answered_not_the_requested_headers() {
        let mut req = HeaderMap::new();
        req.insert(
            ACCESS_CONTROL_REQUEST_HEADERS,
            HeaderValue::from_static("authorization,x-amz-content-sha256"),
        );
        let list = ["Content-Type".to_string(), "Authorization".to_string()];
        let resp: Response<String> = preflight(&req, Some(&list));
        assert_eq!(
            resp.headers()[ACCESS_CONTROL_ALLOW_HEADERS],
            "Content-Type,Authorization"
        );
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
