//! SigV4 verification for the API Gateway, with AWS's own `aws-sigv4` crate
//! (never this project's signer): the request is signed again with the secret
//! of the presented access key, over exactly the headers it lists in
//! SignedHeaders and at its `x-amz-date`, and the signatures are compared.
//! Both forms are accepted: the `Authorization` header and presigned queries.

use std::time::Duration;

use aws_sigv4::http_request::{
    sign, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest, SignatureLocation,
    SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::clock;
use crate::credentials::constant_time_eq;
use crate::web::{header, Req};

const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// Query parameters that carry a presigned URL's signature (re-added by the signer).
const AUTH_PARAMS: &[&str] = &[
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    "X-Amz-Security-Token",
];
/// API Gateway refuses requests signed more than 5 minutes away from its clock.
pub const MAX_SKEW_SECS: u64 = 300;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Header,
    Query { expires: u64 },
}

/// The signature a request presents, parsed but not yet checked.
#[derive(Debug, Clone)]
pub struct Presented {
    pub access_key: String,
    pub scope_date: String,
    pub region: String,
    pub service: String,
    pub terminator: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
    /// The `x-amz-date` (or `X-Amz-Date`) value and its epoch seconds.
    pub amz_date: String,
    pub time: u64,
    pub session_token: Option<String>,
    pub location: Location,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No signature at all.
    Missing,
    /// A signature API Gateway cannot even parse (its words).
    Incomplete(String),
    /// Outside the allowed clock skew or past a presigned URL's expiry (its words).
    Expired(String),
    /// A signature whose shape AWS refuses before computing it, such as
    /// SignedHeaders without `host` (InvalidSignatureException, its words).
    Invalid(String),
}

/// AWS's words when SignedHeaders lacks `host`.
pub const HOST_NOT_SIGNED: &str =
    "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";

fn query_pairs(req: &Req) -> Vec<(String, String)> {
    crate::web::form_pairs(req.uri().query().unwrap_or("").as_bytes())
}

/// Reads the signature from the `Authorization` header or the query string.
pub fn parse(req: &Req) -> Result<Presented, Problem> {
    let query = query_pairs(req);
    let q = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    if let Some(auth) = header(req, "authorization") {
        return parse_header(req, auth);
    }
    if q("X-Amz-Algorithm").is_some() {
        return parse_query(&q);
    }
    Err(Problem::Missing)
}

fn parse_header(req: &Req, auth: &str) -> Result<Presented, Problem> {
    let Some(rest) = auth.strip_prefix(ALGORITHM).filter(|r| r.starts_with(' ')) else {
        if !auth.contains('=') {
            // What API Gateway says to a bearer token sent to an IAM route.
            let hash =
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(auth.as_bytes()));
            return Err(Problem::Incomplete(format!(
                "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): '{hash}'."
            )));
        }
        return Err(Problem::Incomplete(format!(
            "Authorization header requires '{ALGORITHM}' as its algorithm."
        )));
    };
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let Some((k, v)) = part.trim().split_once('=') else {
            return Err(Problem::Incomplete(
                "Invalid key=value pair (missing equal-sign) in Authorization header.".into(),
            ));
        };
        match k.trim() {
            "Credential" => credential = Some(v.trim().to_string()),
            "SignedHeaders" => signed_headers = Some(v.trim().to_string()),
            "Signature" => signature = Some(v.trim().to_string()),
            _ => {}
        }
    }
    let amz_date = header(req, "x-amz-date").map(str::to_string);
    let mut missing = String::new();
    for (present, name) in [
        (credential.is_some(), "Credential"),
        (signature.is_some(), "Signature"),
        (signed_headers.is_some(), "SignedHeaders"),
    ] {
        if !present {
            missing.push_str(&format!(
                "Authorization header requires '{name}' parameter. "
            ));
        }
    }
    if amz_date.is_none() {
        missing.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    match (credential, signed_headers, signature, amz_date) {
        (Some(c), Some(h), Some(s), Some(d)) if missing.is_empty() => build(
            &c,
            &h,
            s,
            d,
            header(req, "x-amz-security-token").map(str::to_string),
            Location::Header,
        ),
        _ => Err(Problem::Incomplete(missing.trim_end().to_string())),
    }
}

fn parse_query(q: &dyn Fn(&str) -> Option<String>) -> Result<Presented, Problem> {
    let algorithm = q("X-Amz-Algorithm").unwrap_or_default();
    if algorithm != ALGORITHM {
        return Err(Problem::Incomplete(format!(
            "X-Amz-Algorithm only supports \"{ALGORITHM}\""
        )));
    }
    let mut missing = Vec::new();
    let mut get = |name: &'static str| {
        let v = q(name);
        if v.is_none() {
            missing.push(name);
        }
        v.unwrap_or_default()
    };
    let (c, h, s, d, e) = (
        get("X-Amz-Credential"),
        get("X-Amz-SignedHeaders"),
        get("X-Amz-Signature"),
        get("X-Amz-Date"),
        get("X-Amz-Expires"),
    );
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|m| format!("'{m}'")).collect();
        return Err(Problem::Incomplete(format!(
            "Query-string authentication requires the {} parameters.",
            list.join(", ")
        )));
    }
    let expires = e
        .parse::<u64>()
        .ok()
        .filter(|x| (1..=604_800).contains(x))
        .ok_or_else(|| {
            Problem::Incomplete(format!(
                "X-Amz-Expires must be between 1 and 604800 seconds, not '{e}'."
            ))
        })?;
    build(
        &c,
        &h,
        s,
        d,
        q("X-Amz-Security-Token"),
        Location::Query { expires },
    )
}

fn build(
    credential: &str,
    signed_headers: &str,
    signature: String,
    amz_date: String,
    session_token: Option<String>,
    location: Location,
) -> Result<Presented, Problem> {
    let time = clock::parse_amz_date(&amz_date).ok_or_else(|| {
        Problem::Incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See http://en.wikipedia.org/wiki/ISO_8601"
        ))
    })?;
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key, scope_date, region, service, terminator] = parts[..] else {
        return Err(Problem::Incomplete(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'.",
            parts.last().copied().unwrap_or_default()
        )));
    };
    let signed_headers: Vec<String> = signed_headers
        .split(';')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    // AWS's words; aws-sigv4 would also `expect` a host header when re-signing.
    if !signed_headers.iter().any(|h| h == "host") {
        return Err(Problem::Invalid(HOST_NOT_SIGNED.to_string()));
    }
    Ok(Presented {
        access_key: access_key.to_string(),
        scope_date: scope_date.to_string(),
        region: region.to_string(),
        service: service.to_string(),
        terminator: terminator.to_string(),
        signed_headers,
        signature,
        amz_date,
        time,
        session_token,
        location,
    })
}

impl Presented {
    /// The credential scope must name this region and service, with the
    /// request's date (API Gateway's words on failure).
    pub fn check_scope(&self, region: &str, service: &str) -> Result<(), Problem> {
        let mut why = String::new();
        if self.terminator != "aws4_request" {
            why.push_str(&format!(
                "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'. ",
                self.terminator
            ));
        }
        if self.region != region {
            why.push_str(&format!(
                "Credential should be scoped to a valid region, not '{}'. ",
                self.region
            ));
        }
        if self.service != service {
            why.push_str(&format!(
                "Credential should be scoped to correct service: '{service}'. "
            ));
        }
        let day = &self.amz_date[..8.min(self.amz_date.len())];
        if self.scope_date != day {
            why.push_str(&format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{day}', from '{}'.",
                self.scope_date, self.amz_date
            ));
        }
        if why.is_empty() {
            Ok(())
        } else {
            Err(Problem::Incomplete(why.trim_end().to_string()))
        }
    }

    /// Refuses signatures too far from `now` (header form) or past their
    /// expiry (presigned form), in API Gateway's words.
    pub fn check_time(&self, now: u64) -> Result<(), Problem> {
        let (earliest, latest) = match self.location {
            Location::Header => (now.saturating_sub(MAX_SKEW_SECS), now + MAX_SKEW_SECS),
            Location::Query { expires } => (now.saturating_sub(expires), now + MAX_SKEW_SECS),
        };
        if self.time < earliest {
            let window = match self.location {
                Location::Header => "5 min.".to_string(),
                Location::Query { expires } => format!("{expires} sec."),
            };
            return Err(Problem::Expired(format!(
                "Signature expired: {} is now earlier than {} ({} - {window})",
                self.amz_date,
                clock::amz_date(earliest),
                clock::amz_date(now)
            )));
        }
        if self.time > latest {
            return Err(Problem::Expired(format!(
                "Signature not yet current: {} is still later than {} ({} + 5 min.)",
                self.amz_date,
                clock::amz_date(latest),
                clock::amz_date(now)
            )));
        }
        Ok(())
    }

    /// Signs the request again with `secret` and compares. `session_token` is
    /// the one issued with the key (already checked against the presented one).
    pub fn verify(&self, req: &Req, secret: &str, session_token: Option<&str>) -> bool {
        let token_signed = match self.location {
            Location::Header => self
                .signed_headers
                .iter()
                .any(|h| h == "x-amz-security-token"),
            Location::Query { .. } => self.session_token.is_some(),
        };
        // The payloads a client may have signed: the body's hash, or what it
        // declared in a signed x-amz-content-sha256 (only if it is the truth or
        // UNSIGNED-PAYLOAD). Presigned URLs commonly sign UNSIGNED-PAYLOAD.
        let declared = self
            .signed_headers
            .iter()
            .any(|h| h == "x-amz-content-sha256")
            .then(|| header(req, "x-amz-content-sha256"))
            .flatten();
        let body_hash = hex(&Sha256::digest(req.body()));
        let bodies: Vec<SignableBody<'_>> = match (declared, &self.location) {
            (Some("UNSIGNED-PAYLOAD"), _) => vec![SignableBody::UnsignedPayload],
            (Some(d), _) if d.eq_ignore_ascii_case(&body_hash) => {
                vec![SignableBody::Bytes(req.body())]
            }
            (Some(_), _) => return false,
            (None, Location::Header) => vec![SignableBody::Bytes(req.body())],
            (None, Location::Query { .. }) => vec![
                SignableBody::Bytes(req.body()),
                SignableBody::UnsignedPayload,
            ],
        };
        bodies.into_iter().any(|body| {
            self.expected_signature(req, secret, session_token, token_signed, body)
                .is_some_and(|sig| constant_time_eq(sig.as_bytes(), self.signature.as_bytes()))
        })
    }

    fn expected_signature(
        &self,
        req: &Req,
        secret: &str,
        session_token: Option<&str>,
        token_signed: bool,
        body: SignableBody<'_>,
    ) -> Option<String> {
        let mut settings = SigningSettings::default();
        // execute-api is a "normal" service: path encoded twice and normalized.
        settings.percent_encoding_mode = PercentEncodingMode::Double;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Enabled;
        // We hand the signer exactly the headers the client signed.
        settings.excluded_headers = Some(Vec::new());
        settings.session_token_mode = if token_signed {
            SessionTokenMode::Include
        } else {
            SessionTokenMode::Exclude
        };
        let uri = match self.location {
            Location::Header => req
                .uri()
                .path_and_query()
                .map_or("/".to_string(), |pq| pq.as_str().to_string()),
            Location::Query { expires } => {
                settings.signature_location = SignatureLocation::QueryParams;
                settings.expires_in = Some(Duration::from_secs(expires));
                strip_auth_params(req)
            }
        };
        // AWS (and botocore, @smithy/signature-v4) fold every run of spaces
        // and tabs inside a value to one space; aws-sigv4 folds only spaces,
        // so it is handed the values folded the way AWS canonicalizes them.
        let mut folded: Vec<(&str, String)> = Vec::new();
        for name in &self.signed_headers {
            for value in req.headers().get_all(name.as_str()) {
                let value = value.to_str().ok()?;
                folded.push((
                    name.as_str(),
                    value.split_ascii_whitespace().collect::<Vec<_>>().join(" "),
                ));
            }
        }
        let headers: Vec<(&str, &str)> = folded.iter().map(|(n, v)| (*n, v.as_str())).collect();
        // A signed `host` the request does not carry (HTTP/1.0): no match,
        // rather than aws-sigv4's `expect` on a missing host.
        if !headers.iter().any(|(name, _)| *name == "host") {
            return None;
        }
        let identity: Identity = aws_credential_types::Credentials::new(
            &self.access_key,
            secret,
            session_token.map(str::to_string),
            None,
            "devstack",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(&self.service)
            .time(clock::from_secs(self.time))
            .settings(settings)
            .build()
            .ok()?
            .into();
        let signable =
            SignableRequest::new(req.method().as_str(), uri, headers.into_iter(), body).ok()?;
        let output = sign(signable, &params).ok()?;
        Some(output.signature().to_string())
    }
}

/// The request target without the presigned URL's own parameters (kept as
/// sent, encoding included).
fn strip_auth_params(req: &Req) -> String {
    let path = req.uri().path();
    let kept: Vec<&str> = req
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|pair| {
            let key = pair.split('=').next().unwrap_or("");
            let key = percent_encoding::percent_decode_str(key).decode_utf8_lossy();
            !pair.is_empty() && !AUTH_PARAMS.contains(&key.as_ref())
        })
        .collect();
    if kept.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testkit;
    use bytes::Bytes;

    pub const AKID: &str = "ASIAEXAMPLEEXAMPLE01";
    pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    pub const TOKEN: &str = "session/token+value==";

    /// Signs with the test keys for `execute-api`, through the crate's one
    /// aws-sigv4 client helper ([`crate::testkit::signed`]).
    pub fn signed(
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        time: u64,
        token: Option<&str>,
        presign: Option<u64>,
    ) -> Req {
        let mut settings = SigningSettings::default();
        if let Some(expires) = presign {
            settings.signature_location = SignatureLocation::QueryParams;
            settings.expires_in = Some(Duration::from_secs(expires));
        }
        let r = testkit::Unsigned {
            method,
            url,
            headers,
            body,
            time,
        };
        testkit::signed(
            (AKID, SECRET, token),
            "execute-api",
            &r,
            settings,
            SignableBody::Bytes(body),
        )
    }

    fn check(req: &Req, now: u64) -> Result<bool, Problem> {
        let p = parse(req)?;
        p.check_scope("us-east-1", "execute-api")?;
        p.check_time(now)?;
        Ok(p.verify(req, SECRET, p.session_token.as_deref()))
    }

    const T: u64 = 1_700_000_000;

    #[test]
    fn accepts_what_aws_sigv4_signs() {
        let url = "http://127.0.0.1:4567/v1/admin?b=2&a=1%202";
        let req = signed(
            "GET",
            url,
            &[("x-custom", "  a   b ")],
            b"",
            T,
            Some(TOKEN),
            None,
        );
        assert_eq!(check(&req, T + 10), Ok(true));
        let req = signed(
            "POST",
            url,
            &[("content-type", "application/json")],
            b"{\"x\":1}",
            T,
            None,
            None,
        );
        assert_eq!(check(&req, T), Ok(true));
        let pre = signed("GET", url, &[], b"", T, Some(TOKEN), Some(60));
        assert!(pre.headers().get("authorization").is_none());
        assert_eq!(check(&pre, T + 30), Ok(true));
    }

    #[test]
    fn refuses_tampering_with_any_byte() {
        let url = "http://127.0.0.1:4567/v1/admin";
        let req = signed(
            "POST",
            url,
            &[("x-custom", "value")],
            b"payload",
            T,
            Some(TOKEN),
            None,
        );
        assert_eq!(check(&req, T), Ok(true));

        let mut body = req.clone();
        *body.body_mut() = Bytes::from_static(b"paylaod");
        assert_eq!(check(&body, T), Ok(false));

        let mut hdr = req.clone();
        hdr.headers_mut()
            .insert("x-custom", "valuE".parse().unwrap());
        assert_eq!(check(&hdr, T), Ok(false));

        let mut path = req.clone();
        *path.uri_mut() = "/v1/user".parse().unwrap();
        assert_eq!(check(&path, T), Ok(false));

        let mut method = req.clone();
        *method.method_mut() = http::Method::PUT;
        assert_eq!(check(&method, T), Ok(false));

        let mut sig = req.clone();
        let auth = sig.headers()["authorization"].to_str().unwrap().to_string();
        let last = auth.chars().last().unwrap();
        let flipped = format!(
            "{}{}",
            &auth[..auth.len() - 1],
            if last == '0' { '1' } else { '0' }
        );
        sig.headers_mut()
            .insert("authorization", flipped.parse().unwrap());
        assert_eq!(check(&sig, T), Ok(false));

        // The wrong secret.
        let p = parse(&req).unwrap();
        assert!(!p.verify(&req, "another-secret", Some(TOKEN)));
    }

    #[test]
    fn refuses_skewed_and_expired_signatures() {
        let url = "http://127.0.0.1:4567/v1/admin";
        let req = signed("GET", url, &[], b"", T, None, None);
        let Err(Problem::Expired(m)) = check(&req, T + 301) else {
            panic!("accepted a stale signature")
        };
        assert!(
            m.starts_with("Signature expired: 20231114T221320Z is now earlier than "),
            "{m}"
        );
        assert!(m.ends_with(" - 5 min.)"));
        let Err(Problem::Expired(m)) = check(&req, T - 301) else {
            panic!("accepted a future signature")
        };
        assert!(
            m.starts_with("Signature not yet current: 20231114T221320Z is still later than "),
            "{m}"
        );
        let pre = signed("GET", url, &[], b"", T, None, Some(60));
        assert!(matches!(check(&pre, T + 61), Err(Problem::Expired(_))));
    }

    /// `req` with `host` taken out of what it says it signed.
    pub fn without_signed_host(req: &Req) -> Req {
        let mut r = req.clone();
        if let Some(auth) = r.headers().get("authorization") {
            let auth = auth.to_str().unwrap();
            assert!(auth.contains("SignedHeaders=host;"), "{auth}");
            let auth = auth.replace("SignedHeaders=host;", "SignedHeaders=");
            r.headers_mut()
                .insert("authorization", auth.parse().unwrap());
        } else {
            let uri = r.uri().to_string();
            assert!(uri.contains("X-Amz-SignedHeaders=host&"), "{uri}");
            let uri = uri.replace(
                "X-Amz-SignedHeaders=host&",
                "X-Amz-SignedHeaders=x-amz-date&",
            );
            *r.uri_mut() = uri.parse().unwrap();
        }
        r
    }

    #[test]
    fn signed_headers_without_host_are_refused_not_a_panic() {
        let url = "http://127.0.0.1:4567/v1/admin";
        for presign in [None, Some(60)] {
            let req = signed("GET", url, &[], b"", T, Some(TOKEN), presign);
            assert_eq!(check(&req, T), Ok(true));
            let bad = without_signed_host(&req);
            assert_eq!(
                parse(&bad).unwrap_err(),
                Problem::Invalid(HOST_NOT_SIGNED.into()),
                "{presign:?}"
            );
        }
        // A signed `host` that the request does not carry (HTTP/1.0): a
        // mismatch, not aws-sigv4's `expect` on a missing host.
        for presign in [None, Some(60)] {
            let req = signed("GET", url, &[], b"", T, Some(TOKEN), presign);
            let p = parse(&req).unwrap();
            let mut hostless = req.clone();
            hostless.headers_mut().remove("host");
            assert!(!p.verify(&hostless, SECRET, Some(TOKEN)), "{presign:?}");
        }
    }

    #[test]
    fn explains_malformed_signatures() {
        let bare = http::Request::get("/v1/admin").body(Bytes::new()).unwrap();
        assert_eq!(parse(&bare).unwrap_err(), Problem::Missing);
        let bearer = http::Request::get("/v1/admin")
            .header("authorization", "eyJhbGciOi.eyJzdWIi.sig")
            .body(Bytes::new())
            .unwrap();
        let Err(Problem::Incomplete(m)) = parse(&bearer) else {
            panic!()
        };
        assert!(
            m.starts_with("Invalid key=value pair (missing equal-sign) in Authorization header")
        );
        let partial = http::Request::get("/v1/admin")
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/execute-api/aws4_request",
            )
            .body(Bytes::new())
            .unwrap();
        let Err(Problem::Incomplete(m)) = parse(&partial) else {
            panic!()
        };
        assert!(
            m.contains("requires 'Signature' parameter") && m.contains("'X-Amz-Date'"),
            "{m}"
        );

        let url = "http://127.0.0.1:1/v1/admin";
        let req = signed("GET", url, &[], b"", T, None, None);
        let p = parse(&req).unwrap();
        let Err(Problem::Incomplete(m)) = p.check_scope("eu-west-1", "execute-api") else {
            panic!()
        };
        assert!(m.contains("valid region, not 'us-east-1'"));
        assert!(p.check_scope("us-east-1", "s3").is_err());
    }
}
