//! API Gateway (REST API, stage `v1`) with IAM authorization: `GET /v1/admin`
//! and `GET /v1/user` echo the caller's identity. Signatures are verified with
//! aws-sigv4 (see `sigv4`), the session token and the credentials' expiry are
//! checked, then the caller's role policy is evaluated for `execute-api:Invoke`.
//! Every refusal is a 403 worded as API Gateway words it.

use http::StatusCode;
use serde_json::{json, Value};

use crate::app::App;
use crate::credentials::Refusal;
use crate::ids;
use crate::policy::{self, Context, Decision};
use crate::sigv4::{self, Problem};
use crate::web::{json, set_header, Req, Resp};

pub const STAGE: &str = "v1";
const SERVICE: &str = "execute-api";
/// The API's resources (all GET), below the stage.
const RESOURCES: &[&str] = &["/admin", "/user"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    MissingToken,
    Incomplete(String),
    InvalidToken,
    ExpiredToken,
    /// Expired, not yet current, or refused for its shape (InvalidSignatureException).
    InvalidSignature(String),
    BadSignature,
    AccessDenied(String),
}

impl Denial {
    /// (x-amzn-ErrorType, body)
    fn render(&self) -> (&'static str, Value) {
        match self {
            Denial::MissingToken => (
                "MissingAuthenticationTokenException",
                json!({"message": "Missing Authentication Token"}),
            ),
            Denial::Incomplete(m) => ("IncompleteSignatureException", json!({ "message": m })),
            Denial::InvalidToken => (
                "UnrecognizedClientException",
                json!({"message": "The security token included in the request is invalid."}),
            ),
            Denial::ExpiredToken => (
                "ExpiredTokenException",
                json!({"message": "The security token included in the request is expired"}),
            ),
            Denial::InvalidSignature(m) => ("InvalidSignatureException", json!({ "message": m })),
            Denial::BadSignature => (
                "InvalidSignatureException",
                json!({"message": "The request signature we calculated does not match the signature you provided. \
Check your AWS Secret Access Key and signing method. Consult the service documentation for details."}),
            ),
            // Policy denials are the one body API Gateway spells with a capital M.
            Denial::AccessDenied(m) => ("AccessDeniedException", json!({ "Message": m })),
        }
    }
}

pub fn handle(app: &App, req: &Req) -> Resp {
    let mut resp = match invoke(app, req) {
        Ok(body) => json(StatusCode::OK, &body),
        Err(denial) => {
            let (error_type, body) = denial.render();
            let mut r = json(StatusCode::FORBIDDEN, &body);
            set_header(r.headers_mut(), "x-amzn-errortype", error_type);
            r
        }
    };
    set_header(resp.headers_mut(), "x-amzn-requestid", &ids::request_id());
    resp
}

fn invoke(app: &App, req: &Req) -> Result<Value, Denial> {
    // An unknown route or method is "Missing Authentication Token", signed or not.
    let resource = req
        .uri()
        .path()
        .strip_prefix(&format!("/{STAGE}"))
        .filter(|r| RESOURCES.contains(r) && req.method() == http::Method::GET)
        .ok_or(Denial::MissingToken)?;

    let presented = sigv4::parse(req).map_err(|p| match p {
        Problem::Missing => Denial::MissingToken,
        Problem::Incomplete(m) | Problem::Expired(m) => Denial::Incomplete(m),
        Problem::Invalid(m) => Denial::InvalidSignature(m),
    })?;
    presented
        .check_scope(&app.world.region, SERVICE)
        .map_err(|p| match p {
            Problem::Incomplete(m) | Problem::Expired(m) => Denial::Incomplete(m),
            Problem::Invalid(m) => Denial::InvalidSignature(m),
            Problem::Missing => Denial::MissingToken,
        })?;
    let now = app.now();
    let issued = app
        .credentials
        .check(
            &presented.access_key,
            presented.session_token.as_deref(),
            now,
        )
        .map_err(|r| match r {
            Refusal::Invalid => Denial::InvalidToken,
            Refusal::Expired => Denial::ExpiredToken,
        })?;
    presented.check_time(now).map_err(|p| match p {
        Problem::Expired(m) | Problem::Incomplete(m) | Problem::Invalid(m) => {
            Denial::InvalidSignature(m)
        }
        Problem::Missing => Denial::MissingToken,
    })?;
    if !presented.verify(req, &issued.secret_access_key, Some(&issued.session_token)) {
        return Err(Denial::BadSignature);
    }

    let arn = format!(
        "arn:aws:execute-api:{}:{}:{}/{STAGE}/{}{resource}",
        app.world.region,
        app.world.account_id,
        app.world.api_id,
        req.method()
    );
    let context = Context::new()
        .with(
            "cognito-identity.amazonaws.com:sub",
            issued.identity_id.clone(),
        )
        .with(
            "cognito-identity.amazonaws.com:aud",
            issued.identity_pool_id.clone(),
        );
    let decision = policy::evaluate(
        app.world.policy(&issued.role),
        &policy::Request {
            action: "execute-api:Invoke",
            resource: &arn,
            context: &context,
        },
    );
    if !decision.allowed() {
        let user = format!(
            "arn:aws:sts::{}:assumed-role/{}/{}",
            app.world.account_id,
            app.world.iam_role_name(&issued.role),
            issued.session_name
        );
        let explicit = if decision == Decision::ExplicitDeny {
            " with an explicit deny"
        } else {
            ""
        };
        return Err(Denial::AccessDenied(format!(
            "User: {user} is not authorized to perform: execute-api:Invoke on resource: {arn}{explicit}"
        )));
    }
    Ok(json!({
        "route": format!("/{STAGE}{resource}"),
        "identityId": issued.identity_id,
        "role": issued.role,
        "roleArn": issued.role_arn,
        "accessKeyId": issued.access_key_id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::{Grant, Issued};
    use crate::testkit;
    use std::sync::Arc;

    fn issue(app: &App, role: &str, lifetime: u64) -> Arc<Issued> {
        app.credentials.issue(
            Grant {
                role,
                role_arn: app.world.role_arn(role),
                identity_id: "us-east-1:abc",
                identity_pool_id: "us-east-1:pool",
                session_name: crate::identity::ENHANCED_SESSION_NAME,
                lifetime,
            },
            app.now(),
        )
    }

    /// A GET signed with `creds` as a client would sign it.
    fn get(creds: &Issued, path: &str, time: u64) -> Req {
        testkit::sign_request(
            creds,
            "execute-api",
            "GET",
            &format!("http://127.0.0.1:9/{path}"),
            &[],
            b"",
            time,
        )
    }

    fn call(app: &App, req: &Req) -> (u16, Value) {
        let resp = handle(app, req);
        assert!(resp.headers().contains_key("x-amzn-requestid"));
        (
            resp.status().as_u16(),
            serde_json::from_slice(resp.body()).unwrap(),
        )
    }

    #[test]
    fn roles_reach_their_own_route_only() {
        let (app, _) = testkit::app();
        let now = app.now();
        let admin = issue(&app, "admin", 60);
        let (s, body) = call(&app, &get(&admin, "v1/admin", now));
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["route"], "/v1/admin");
        assert_eq!(body["role"], "admin");
        assert_eq!(body["identityId"], "us-east-1:abc");
        assert_eq!(body["accessKeyId"], admin.access_key_id.as_str());
        assert_eq!(body["roleArn"], app.world.role_arn("admin"));

        let (s, body) = call(&app, &get(&admin, "v1/user", now));
        assert_eq!(s, 403);
        assert_eq!(
            body["Message"],
            "User: arn:aws:sts::123456789012:assumed-role/cognito-sigv4-admin/CognitoIdentityCredentials is not \
authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:devapi0001/v1/GET/user"
        );
        let user = issue(&app, "user", 60);
        assert_eq!(call(&app, &get(&user, "v1/user", now)).0, 200);
        assert_eq!(call(&app, &get(&user, "v1/admin", now)).0, 403);
        let reader = issue(&app, "reader", 60);
        assert_eq!(call(&app, &get(&reader, "v1/user", now)).0, 403);
    }

    #[test]
    fn refusals_are_worded_as_api_gateway_words_them() {
        let (app, _) = testkit::app();
        let now = app.now();
        let creds = issue(&app, "admin", 60);

        let bare = http::Request::get("/v1/admin")
            .body(bytes::Bytes::new())
            .unwrap();
        assert_eq!(
            call(&app, &bare),
            (403, json!({"message": "Missing Authentication Token"}))
        );
        let (s, body) = call(&app, &get(&creds, "v1/nothing", now));
        assert_eq!(
            (s, body),
            (403, json!({"message": "Missing Authentication Token"}))
        );

        let unknown = Issued {
            access_key_id: "ASIAUNKNOWNUNKNOWN00".into(),
            ..(*creds).clone()
        };
        let (_, body) = call(&app, &get(&unknown, "v1/admin", now));
        assert_eq!(
            body["message"],
            "The security token included in the request is invalid."
        );

        let wrong_token = Issued {
            session_token: "not-the-token".into(),
            ..(*creds).clone()
        };
        let (_, body) = call(&app, &get(&wrong_token, "v1/admin", now));
        assert_eq!(
            body["message"],
            "The security token included in the request is invalid."
        );

        let expired = issue(&app, "admin", 0);
        let (_, body) = call(&app, &get(&expired, "v1/admin", now));
        assert_eq!(
            body["message"],
            "The security token included in the request is expired"
        );

        let (_, body) = call(&app, &get(&creds, "v1/admin", now - 600));
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .starts_with("Signature expired: "),
            "{body}"
        );

        let wrong_secret = Issued {
            secret_access_key: "x".repeat(40),
            ..(*creds).clone()
        };
        let (_, body) = call(&app, &get(&wrong_secret, "v1/admin", now));
        assert!(body["message"]
            .as_str()
            .unwrap()
            .starts_with("The request signature we calculated does not match"));
    }

    #[test]
    fn signed_headers_without_host_get_a_403_in_api_gateways_words() {
        let (app, _) = testkit::app();
        let creds = issue(&app, "admin", 60);
        let now = app.now();
        let url = "http://127.0.0.1:9/v1/admin";
        let header_signed = get(&creds, "v1/admin", now);
        let presigned = testkit::presign_request(&creds, "execute-api", url, now, 60);
        for req in [header_signed, presigned] {
            assert_eq!(call(&app, &req).0, 200);
            let bad = sigv4::tests::without_signed_host(&req);
            let resp = handle(&app, &bad);
            assert_eq!(resp.status(), 403);
            assert_eq!(
                resp.headers()["x-amzn-errortype"],
                "InvalidSignatureException"
            );
            let body: Value = serde_json::from_slice(resp.body()).unwrap();
            assert_eq!(body, json!({ "message": sigv4::HOST_NOT_SIGNED }));
        }
    }

    #[test]
    fn presigned_urls_work_too() {
        let (app, _) = testkit::app();
        let creds = issue(&app, "user", 60);
        let now = app.now();
        let url = "http://127.0.0.1:9/v1/user";
        let req = testkit::presign_request(&creds, "execute-api", url, now, 60);
        let (s, body) = call(&app, &req);
        assert_eq!(s, 200, "{body}");
    }
}
