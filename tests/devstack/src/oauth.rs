//! The user pool's OAuth2 token endpoint, client-credentials grant only (what
//! servers use for machine-to-machine calls). Clients authenticate with HTTP
//! Basic (or `client_id`/`client_secret` in the body); the answer is an RS256
//! access token valid one hour, signed with the devstack's key, whose `iss` is
//! the user pool's so that the JWT authorizer accepts it.

use base64::Engine;
use http::StatusCode;
use serde_json::json;

use crate::app::App;
use crate::credentials::constant_time_eq;
use crate::ids;
use crate::web::{header, json, param, params, Req, Resp};

pub const TOKEN_PATH: &str = "/oauth2/token";
const TOKEN_LIFETIME: u64 = 3600;

struct Failure {
    status: StatusCode,
    error: &'static str,
}

fn fail(status: StatusCode, error: &'static str) -> Failure {
    Failure { status, error }
}

pub fn handle(app: &App, req: &Req) -> Resp {
    let mut resp = match token(app, req) {
        Ok(body) => json(StatusCode::OK, &body),
        Err(f) => json(f.status, &json!({ "error": f.error })),
    };
    resp.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    resp
}

/// `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
fn basic_credentials(req: &Req) -> Option<(String, String)> {
    let value = header(req, "authorization")?.trim();
    let (scheme, b64) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let unescape = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

fn token(app: &App, req: &Req) -> Result<serde_json::Value, Failure> {
    if req.uri().path() != TOKEN_PATH {
        return Err(fail(StatusCode::NOT_FOUND, "not_found"));
    }
    if req.method() != http::Method::POST {
        return Err(fail(StatusCode::METHOD_NOT_ALLOWED, "invalid_request"));
    }
    let p = params(req);
    let grant =
        param(&p, "grant_type").ok_or_else(|| fail(StatusCode::BAD_REQUEST, "invalid_request"))?;
    if grant != "client_credentials" {
        return Err(fail(StatusCode::BAD_REQUEST, "unsupported_grant_type"));
    }
    let (client_id, secret) = basic_credentials(req)
        .or_else(|| {
            Some((
                param(&p, "client_id")?.to_string(),
                param(&p, "client_secret")?.to_string(),
            ))
        })
        .ok_or_else(|| fail(StatusCode::UNAUTHORIZED, "invalid_client"))?;
    let seed = &app.seed;
    if client_id == seed.client_id {
        // The SPA's client has no secret and no client-credentials flow.
        return Err(fail(StatusCode::BAD_REQUEST, "unauthorized_client"));
    }
    if client_id != seed.m2m_client_id
        || !constant_time_eq(secret.as_bytes(), seed.m2m_client_secret.as_bytes())
    {
        return Err(fail(StatusCode::UNAUTHORIZED, "invalid_client"));
    }
    let allowed = [seed.m2m_scope.as_str()];
    let scope = match param(&p, "scope").map(str::trim).filter(|s| !s.is_empty()) {
        None => allowed.join(" "),
        Some(asked) => {
            if !asked.split_whitespace().all(|s| allowed.contains(&s)) {
                return Err(fail(StatusCode::BAD_REQUEST, "invalid_scope"));
            }
            asked.split_whitespace().collect::<Vec<_>>().join(" ")
        }
    };
    let now = app.now();
    let claims = json!({
        "sub": client_id,
        "token_use": "access",
        "scope": scope,
        "auth_time": now,
        "iss": seed.issuer,
        "exp": now + TOKEN_LIFETIME,
        "iat": now,
        "version": 2,
        "jti": ids::random_uuid(),
        "client_id": client_id,
    });
    let token = app
        .key
        .sign(&claims)
        .map_err(|_| fail(StatusCode::INTERNAL_SERVER_ERROR, "server_error"))?;
    Ok(json!({ "access_token": token, "expires_in": TOKEN_LIFETIME, "token_type": "Bearer" }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit;
    use bytes::Bytes;
    use serde_json::Value;

    fn post(app: &App, basic: Option<(&str, &str)>, form: &str) -> (u16, Value) {
        let mut b = http::Request::post(TOKEN_PATH)
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some((id, secret)) = basic {
            let enc = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
            b = b.header("authorization", format!("Basic {enc}"));
        }
        let resp = handle(app, &b.body(Bytes::from(form.to_string())).unwrap());
        (
            resp.status().as_u16(),
            serde_json::from_slice(resp.body()).unwrap(),
        )
    }

    #[test]
    fn client_credentials_grant_issues_a_token_the_pool_accepts() {
        let (app, _) = testkit::app();
        let s = app.seed.clone();
        let (status, body) = post(
            &app,
            Some((&s.m2m_client_id, &s.m2m_client_secret)),
            "grant_type=client_credentials",
        );
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 3600);
        let token = body["access_token"].as_str().unwrap();
        assert_eq!(
            jsonwebtoken::decode_header(token).unwrap().kid.as_deref(),
            Some(app.key.kid())
        );
        let claims = app
            .user_pool
            .access_token(token, app.now(), &[&s.m2m_client_id])
            .unwrap();
        assert_eq!(claims.str("scope"), Some(s.m2m_scope.as_str()));
        assert_eq!(claims.sub(), Some(s.m2m_client_id.as_str()));
        assert_eq!(claims.str("iss"), Some(s.issuer.as_str()));

        // Credentials in the body, explicit scope.
        let form = form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("grant_type", "client_credentials"),
                ("client_id", &s.m2m_client_id),
                ("client_secret", &s.m2m_client_secret),
                ("scope", &s.m2m_scope),
            ])
            .finish();
        assert_eq!(post(&app, None, &form).0, 200);
    }

    #[test]
    fn oauth_errors() {
        let (app, _) = testkit::app();
        let s = app.seed.clone();
        let good = Some((s.m2m_client_id.as_str(), s.m2m_client_secret.as_str()));
        assert_eq!(
            post(
                &app,
                Some((&s.m2m_client_id, "wrong")),
                "grant_type=client_credentials"
            ),
            (401, json!({"error": "invalid_client"}))
        );
        assert_eq!(
            post(&app, None, "grant_type=client_credentials"),
            (401, json!({"error": "invalid_client"}))
        );
        assert_eq!(
            post(&app, good, "grant_type=password"),
            (400, json!({"error": "unsupported_grant_type"}))
        );
        assert_eq!(
            post(&app, good, "grant_type=client_credentials&scope=admin"),
            (400, json!({"error": "invalid_scope"}))
        );
        assert_eq!(
            post(&app, good, ""),
            (400, json!({"error": "invalid_request"}))
        );
        assert_eq!(
            post(
                &app,
                Some((&s.client_id, "")),
                "grant_type=client_credentials"
            )
            .1["error"],
            "unauthorized_client"
        );
    }
}
