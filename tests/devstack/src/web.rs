//! Small HTTP helpers shared by the services. Handlers take a fully-read
//! request (`Req`) and return a response with an in-memory body (`Resp`), which
//! keeps them synchronous and easy to call from tests.

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::{HeaderMap, StatusCode};
use serde_json::Value;

pub type Req = http::Request<Bytes>;
pub type Resp = http::Response<Bytes>;

pub fn response(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Resp {
    let mut resp = http::Response::new(body.into());
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

pub fn json(status: StatusCode, value: &Value) -> Resp {
    response(status, "application/json", value.to_string())
}

/// Sets a header whose value we produced ourselves (ids, fixed words); a value
/// that is not a valid header is dropped rather than panicking.
pub fn set_header(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(name, v);
    }
}

pub fn header<'a>(req: &'a Req, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// Decoded `application/x-www-form-urlencoded` pairs (query strings and form bodies).
pub fn form_pairs(raw: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(raw).into_owned().collect()
}

/// Query parameters followed by, for a form POST, the body's.
pub fn params(req: &Req) -> Vec<(String, String)> {
    let mut out = form_pairs(req.uri().query().unwrap_or("").as_bytes());
    if req.method() == http::Method::POST {
        out.extend(form_pairs(req.body()));
    }
    out
}

/// The first value of `name`.
pub fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_merge_query_and_form_body() {
        let req = http::Request::post("/?Action=A&x=1")
            .body(Bytes::from("y=2+3&z=%26"))
            .unwrap();
        let p = params(&req);
        assert_eq!(param(&p, "Action"), Some("A"));
        assert_eq!(param(&p, "y"), Some("2 3"));
        assert_eq!(param(&p, "z"), Some("&"));
        assert_eq!(param(&p, "w"), None);
        let get = http::Request::get("/?a=1")
            .body(Bytes::from("b=2"))
            .unwrap();
        assert_eq!(param(&params(&get), "b"), None);
    }
}
