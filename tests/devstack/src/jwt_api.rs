//! API Gateway (HTTP API) with a JWT authorizer on the user pool: `GET /me`
//! takes an IdToken (aud = the SPA client) or an access token (`client_id` one
//! of the pool's clients); `GET /m2m` wants an access token carrying the m2m
//! scope. The token comes in `Authorization`, raw or as `Bearer <token>`.

use http::StatusCode;
use serde_json::{json, Value};

use crate::app::App;
use crate::ids;
use crate::tokens::{Claims, TokenError};
use crate::web::{header, json, set_header, Req, Resp};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Refusal {
    /// No token, or one that does not verify: 401 (with why, in
    /// `www-authenticate`, as HTTP APIs do).
    Unauthorized(&'static str),
    /// A valid token without the route's scope: 403, as HTTP APIs answer.
    Forbidden,
    NotFound,
}

fn why(e: &TokenError) -> &'static str {
    match e {
        TokenError::Expired { .. } => "the token has expired",
        TokenError::WrongAudience => "the token does not have a valid audience",
        TokenError::WrongIssuer => "the token does not have a valid issuer",
        TokenError::UnknownKey | TokenError::BadSignature => "the token signature is invalid",
        TokenError::WrongTokenUse { .. } => "the token is not an id or access token",
        TokenError::MissingClaim(_) => "the token lacks a required claim",
        TokenError::Malformed | TokenError::UnsupportedAlgorithm => {
            "the token is not a valid RS256 JWT"
        }
    }
}

pub fn handle(app: &App, req: &Req) -> Resp {
    let mut resp = match authorize(app, req) {
        Ok(body) => json(StatusCode::OK, &body),
        Err(Refusal::Unauthorized(why)) => {
            let mut r = json(
                StatusCode::UNAUTHORIZED,
                &json!({"message": "Unauthorized"}),
            );
            let challenge =
                format!("Bearer scope=\"\" error=\"invalid_token\" error_description=\"{why}\"");
            set_header(r.headers_mut(), "www-authenticate", &challenge);
            r
        }
        Err(Refusal::Forbidden) => {
            let mut r = json(StatusCode::FORBIDDEN, &json!({"message": "Forbidden"}));
            let scope = &app.seed.m2m_scope;
            let challenge = format!(
                "Bearer scope=\"{scope}\" error=\"insufficient_scope\" \
                 error_description=\"expected scopes: [{scope}]\""
            );
            set_header(r.headers_mut(), "www-authenticate", &challenge);
            r
        }
        Err(Refusal::NotFound) => json(StatusCode::NOT_FOUND, &json!({"message": "Not Found"})),
    };
    let id = ids::request_id();
    set_header(resp.headers_mut(), "apigw-requestid", &id);
    set_header(resp.headers_mut(), "x-amzn-requestid", &id);
    resp
}

fn bearer(req: &Req) -> Option<&str> {
    let value = header(req, "authorization")?.trim();
    let token = match value.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ => value,
    };
    (!token.is_empty()).then_some(token)
}

/// The user pool's verdict on a token: IdTokens for the SPA client, access
/// tokens for any of the pool's clients.
fn verify(app: &App, token: &str) -> Result<Claims, TokenError> {
    let now = app.now();
    match app.user_pool.id_token(token, now, &[&app.seed.client_id]) {
        Err(TokenError::WrongTokenUse { .. }) => {
            app.user_pool
                .access_token(token, now, &[&app.seed.client_id, &app.seed.m2m_client_id])
        }
        other => other,
    }
}

fn authorize(app: &App, req: &Req) -> Result<Value, Refusal> {
    let route = req.uri().path();
    if req.method() != http::Method::GET || !matches!(route, "/me" | "/m2m") {
        return Err(Refusal::NotFound);
    }
    let token = bearer(req).ok_or(Refusal::Unauthorized(
        "no token in the Authorization header",
    ))?;
    let claims = verify(app, token).map_err(|e| Refusal::Unauthorized(why(&e)))?;
    if route == "/m2m" && !claims.scopes().contains(&app.seed.m2m_scope.as_str()) {
        return Err(Refusal::Forbidden);
    }
    let client = claims
        .str("client_id")
        .map(str::to_string)
        .or_else(|| claims.strings("aud").into_iter().next());
    Ok(json!({
        "route": route,
        "sub": claims.sub(),
        "token_use": claims.str("token_use"),
        "client_id": client,
        "username": claims.str("cognito:username").or_else(|| claims.str("username")),
        "groups": claims.groups(),
        "scope": claims.str("scope"),
        "claims": Value::Object(claims.0.clone()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit;

    fn send(app: &App, path: &str, auth: Option<&str>) -> Resp {
        let mut b = http::Request::get(path);
        if let Some(a) = auth {
            b = b.header("authorization", a);
        }
        handle(app, &b.body(bytes::Bytes::new()).unwrap())
    }

    fn call(app: &App, path: &str, auth: Option<&str>) -> (u16, Value) {
        let resp = send(app, path, auth);
        (
            resp.status().as_u16(),
            serde_json::from_slice(resp.body()).unwrap(),
        )
    }

    fn challenge(app: &App, path: &str, auth: Option<&str>) -> String {
        let resp = send(app, path, auth);
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn me_takes_id_and_access_tokens_raw_or_bearer() {
        let (app, m) = testkit::app();
        let id = m.id_token("erin", &["user"], 3600);
        let (s, body) = call(&app, "/me", Some(&id));
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["sub"], "erin");
        assert_eq!(body["token_use"], "id");
        assert_eq!(body["groups"], json!(["user"]));
        assert_eq!(call(&app, "/me", Some(&format!("Bearer {id}"))).0, 200);
        let access = m.access_token(
            "erin",
            &app.seed.client_id,
            "aws.cognito.signin.user.admin",
            3600,
        );
        let (s, body) = call(&app, "/me", Some(&access));
        assert_eq!((s, body["token_use"].as_str()), (200, Some("access")));
    }

    #[test]
    fn m2m_wants_the_scope() {
        let (app, m) = testkit::app();
        let m2m = m.access_token(
            &app.seed.m2m_client_id,
            &app.seed.m2m_client_id,
            &app.seed.m2m_scope,
            3600,
        );
        let (s, body) = call(&app, "/m2m", Some(&format!("bearer {m2m}")));
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["scope"], app.seed.m2m_scope.as_str());
        let user = m.access_token("erin", &app.seed.client_id, "openid", 3600);
        assert_eq!(
            call(&app, "/m2m", Some(&user)),
            (403, json!({"message": "Forbidden"}))
        );
        let id = m.id_token("erin", &[], 3600);
        assert_eq!(call(&app, "/m2m", Some(&id)).0, 403);
        assert!(challenge(&app, "/m2m", Some(&id)).contains("error=\"insufficient_scope\""));
    }

    #[test]
    fn everything_else_is_unauthorized() {
        let (app, m) = testkit::app();
        let unauthorized = (401, json!({"message": "Unauthorized"}));
        assert_eq!(call(&app, "/me", None), unauthorized);
        assert_eq!(call(&app, "/me", Some("Bearer ")), unauthorized);
        assert_eq!(call(&app, "/me", Some("garbage")), unauthorized);
        let expired = m.id_token("x", &[], -1);
        assert_eq!(call(&app, "/me", Some(&expired)), unauthorized);
        assert_eq!(
            challenge(&app, "/me", Some(&expired)),
            "Bearer scope=\"\" error=\"invalid_token\" error_description=\"the token has expired\""
        );
        let foreign =
            testkit::Minter::new(m.issuer.clone(), m.client_id.clone()).id_token("x", &[], 60);
        assert_eq!(call(&app, "/me", Some(&foreign)), unauthorized);
        let stranger_client = m.access_token("x", "not-a-client", "openid", 60);
        assert_eq!(call(&app, "/me", Some(&stranger_client)), unauthorized);
        assert_eq!(call(&app, "/nope", Some(&m.id_token("x", &[], 60))).0, 404);
    }
}
