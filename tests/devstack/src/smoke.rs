//! Starts the whole server on ephemeral ports with a fake seed and drives it
//! over real HTTP, as the SDK and the Python tests will.

use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

use crate::credentials::Issued;
use crate::server::{self, Ready};
use crate::testkit::{self, Minter};
use crate::web::Req;

/// Sends `req` (origin-form, with a Host header) to `base` and reads the answer.
async fn send(base: &str, req: Req) -> Response<Bytes> {
    let addr = base
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    let stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connects");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let mut req = req.map(Full::new);
    if !req.headers().contains_key("host") {
        req.headers_mut().insert("host", addr.parse().unwrap());
    }
    let resp = sender.send_request(req).await.expect("response");
    let (parts, body) = resp.into_parts();
    Response::from_parts(parts, body.collect().await.expect("body").to_bytes())
}

fn post(path: &str, headers: &[(&str, &str)], body: impl Into<Bytes>) -> Req {
    let mut b = Request::post(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(body.into()).unwrap()
}

fn json_of(resp: &Response<Bytes>) -> Value {
    serde_json::from_slice(resp.body())
        .unwrap_or_else(|_| json!(String::from_utf8_lossy(resp.body())))
}

struct Stack {
    ready: Ready,
    app: Arc<crate::app::App>,
    minter: Minter,
    _dir: tempfile::TempDir,
}

async fn start() -> (Stack, server::Server) {
    let (app, minter) = testkit::app();
    let dir = tempfile::tempdir().unwrap();
    let srv = server::start(app.clone(), dir.path())
        .await
        .expect("starts");
    (
        Stack {
            ready: srv.ready.clone(),
            app,
            minter,
            _dir: dir,
        },
        srv,
    )
}

impl Stack {
    async fn identity(&self, op: &str, body: Value) -> (StatusCode, Value) {
        let req = post(
            "/",
            &[
                ("x-amz-target", &format!("AWSCognitoIdentityService.{op}")),
                ("content-type", "application/x-amz-json-1.1"),
            ],
            body.to_string(),
        );
        let resp = send(&self.ready.identity_endpoint, req).await;
        (resp.status(), json_of(&resp))
    }

    /// Signs in a user of `groups` through the enhanced flow, over HTTP.
    async fn credentials(&self, sub: &str, groups: &[&str]) -> Arc<Issued> {
        let token = self.minter.id_token(sub, groups, 3600);
        let logins = json!({ self.app.seed.logins_key(): token });
        let (s, body) = self
            .identity(
                "GetId",
                json!({"IdentityPoolId": self.ready.identity_pool_id, "Logins": logins}),
            )
            .await;
        assert_eq!(s, 200, "{body}");
        let id = body["IdentityId"].clone();
        let (s, body) = self
            .identity(
                "GetCredentialsForIdentity",
                json!({"IdentityId": id, "Logins": logins}),
            )
            .await;
        assert_eq!(s, 200, "{body}");
        assert!(body["Credentials"]["Expiration"].is_number());
        self.app
            .credentials
            .get(body["Credentials"]["AccessKeyId"].as_str().unwrap())
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stack_answers_over_http() {
    let (stack, srv) = start().await;
    let ready = &stack.ready;
    let roles = &ready.roles;
    assert!(["admin", "user", "reader", "guest"]
        .iter()
        .all(|r| roles.contains_key(*r)));
    assert!(ready.api_url.ends_with("/v1"));
    assert!(ready.misconfigured_identity_pool_id.is_some());
    let now = testkit::now();

    // Identity pool + IAM-authorized API.
    let admin = stack.credentials("ada", &["admin"]).await;
    let url = |path: &str| format!("{}/{path}", ready.api_url);
    let req = testkit::sign_request(&admin, "execute-api", "GET", &url("admin"), &[], b"", now);
    let resp = send(&ready.api_url, req).await;
    assert_eq!(resp.status(), 200, "{:?}", resp.body());
    assert_eq!(json_of(&resp)["role"], "admin");
    assert!(resp.headers().contains_key("x-amzn-requestid"));
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    let req = testkit::sign_request(&admin, "execute-api", "GET", &url("user"), &[], b"", now);
    let resp = send(&ready.api_url, req).await;
    assert_eq!(resp.status(), 403);
    assert!(json_of(&resp)["Message"]
        .as_str()
        .unwrap()
        .contains("is not authorized to perform: execute-api:Invoke"));

    // CORS preflight.
    let preflight = Request::options("/v1/admin")
        .header("origin", "http://localhost:5173")
        .header("access-control-request-method", "GET")
        .header(
            "access-control-request-headers",
            "authorization,x-amz-date,x-amz-security-token",
        )
        .body(Bytes::new())
        .unwrap();
    let resp = send(&ready.api_url, preflight).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(
        resp.headers()["access-control-allow-origin"],
        "http://localhost:5173"
    );
    // API Gateway answers with its configured AllowHeaders, not an echo.
    assert_eq!(
        resp.headers()["access-control-allow-headers"],
        "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"
    );

    // OAuth2 client credentials, then the JWT-authorized API.
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        testkit::M2M_CLIENT_ID,
        testkit::M2M_SECRET
    ));
    let token_path = ready
        .token_endpoint
        .splitn(4, '/')
        .nth(3)
        .map(|p| format!("/{p}"))
        .unwrap();
    let req = post(
        &token_path,
        &[
            ("authorization", &format!("Basic {basic}")),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        "grant_type=client_credentials",
    );
    let resp = send(&ready.token_endpoint, req).await;
    assert_eq!(resp.status(), 200, "{:?}", resp.body());
    let access = json_of(&resp)["access_token"].as_str().unwrap().to_string();
    let me = |tok: String| {
        Request::get("/m2m")
            .header("authorization", format!("Bearer {tok}"))
            .body(Bytes::new())
            .unwrap()
    };
    assert_eq!(send(&ready.jwt_api_url, me(access)).await.status(), 200);
    assert_eq!(
        send(&ready.jwt_api_url, me("nope".into())).await.status(),
        401
    );

    // Classic flow: GetOpenIdToken, then STS.
    let token = stack.minter.id_token("bea", &["user"], 3600);
    let logins = json!({ stack.app.seed.logins_key(): token });
    let (_, body) = stack
        .identity(
            "GetId",
            json!({"IdentityPoolId": ready.identity_pool_id, "Logins": logins}),
        )
        .await;
    let (s, body) = stack
        .identity(
            "GetOpenIdToken",
            json!({"IdentityId": body["IdentityId"], "Logins": logins}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    let form = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("Action", "AssumeRoleWithWebIdentity"),
            ("Version", "2011-06-15"),
            ("RoleArn", roles["user"].as_str()),
            ("RoleSessionName", "smoke"),
            ("WebIdentityToken", body["Token"].as_str().unwrap()),
        ])
        .finish();
    let resp = send(
        &ready.sts_endpoint,
        post(
            "/",
            &[("content-type", "application/x-www-form-urlencoded")],
            form,
        ),
    )
    .await;
    assert_eq!(resp.status(), 200, "{:?}", resp.body());
    assert!(String::from_utf8_lossy(resp.body()).contains("<AssumedRoleUser>"));

    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_enforces_signatures_tokens_and_prefixes() {
    let (stack, srv) = start().await;
    let ready = &stack.ready;
    let now = testkit::now();
    let me = stack.credentials("cy", &["user"]).await;
    let other = stack.credentials("dan", &["user"]).await;
    let s3 = |path: &str| format!("{}/{}/{path}", ready.s3_endpoint, ready.bucket);
    let mine = format!("{}/{}/note.txt", ready.s3_prefix, me.identity_id);

    let put = testkit::sign_request(
        &me,
        "s3",
        "PUT",
        &s3(&mine),
        &[("content-type", "text/plain")],
        b"hello",
        now,
    );
    let resp = send(&ready.s3_endpoint, put).await;
    assert_eq!(resp.status(), 200, "{:?}", resp.body());
    assert!(resp.headers().contains_key("etag"));
    assert!(resp.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .contains("ETag"));

    let get = testkit::sign_request(&me, "s3", "GET", &s3(&mine), &[], b"", now);
    let resp = send(&ready.s3_endpoint, get).await;
    assert_eq!(
        (resp.status(), resp.body().as_ref()),
        (StatusCode::OK, &b"hello"[..])
    );
    assert!(resp.headers().contains_key("x-amz-request-id"));

    // Presigned GET.
    let resp = send(
        &ready.s3_endpoint,
        testkit::presign_request(&me, "s3", &s3(&mine), now, 300),
    )
    .await;
    assert_eq!(resp.status(), 200, "{:?}", resp.body());

    // Someone else's prefix.
    let theirs = testkit::sign_request(&other, "s3", "GET", &s3(&mine), &[], b"", now);
    let resp = send(&ready.s3_endpoint, theirs).await;
    assert_eq!(resp.status(), 403);
    assert!(String::from_utf8_lossy(resp.body()).contains("<Code>AccessDenied</Code>"));

    // ListObjectsV2: own prefix only, and a prefix is required.
    let list = |prefix: Option<&str>| {
        let q = prefix.map_or("list-type=2".to_string(), |p| {
            format!(
                "list-type=2&prefix={}",
                p.replace('/', "%2F").replace(':', "%3A")
            )
        });
        testkit::sign_request(
            &me,
            "s3",
            "GET",
            &format!("{}/{}?{q}", ready.s3_endpoint, ready.bucket),
            &[],
            b"",
            now,
        )
    };
    let own = format!("{}/{}/", ready.s3_prefix, me.identity_id);
    let resp = send(&ready.s3_endpoint, list(Some(&own))).await;
    assert_eq!(resp.status(), 200, "{:?}", resp.body());
    assert!(String::from_utf8_lossy(resp.body()).contains("note.txt"));
    assert_eq!(send(&ready.s3_endpoint, list(None)).await.status(), 403);
    let others = format!("{}/{}/", ready.s3_prefix, other.identity_id);
    assert_eq!(
        send(&ready.s3_endpoint, list(Some(&others))).await.status(),
        403
    );

    // A wrong session token, and an unsigned request.
    let forged = Issued {
        session_token: "forged".into(),
        ..(*me).clone()
    };
    let resp = send(
        &ready.s3_endpoint,
        testkit::sign_request(&forged, "s3", "GET", &s3(&mine), &[], b"", now),
    )
    .await;
    assert_eq!(resp.status(), 400);
    assert!(String::from_utf8_lossy(resp.body()).contains("<Code>InvalidToken</Code>"));
    let anonymous = Request::get(format!("/{}/{mine}", ready.bucket))
        .body(Bytes::new())
        .unwrap();
    assert_eq!(send(&ready.s3_endpoint, anonymous).await.status(), 403);

    // Tampered body: s3s refuses the signature.
    let mut tampered = testkit::sign_request(&me, "s3", "PUT", &s3(&mine), &[], b"hello", now);
    *tampered.body_mut() = Bytes::from_static(b"jello");
    let resp = send(&ready.s3_endpoint, tampered).await;
    assert_eq!(resp.status(), 400, "{:?}", resp.body());

    // Expired credentials.
    let grant = crate::credentials::Grant {
        role: &me.role,
        role_arn: me.role_arn.clone(),
        identity_id: &me.identity_id,
        identity_pool_id: &me.identity_pool_id,
        session_name: &me.session_name,
        lifetime: 0,
    };
    let expired = stack.app.credentials.issue(grant, now);
    let resp = send(
        &ready.s3_endpoint,
        testkit::sign_request(&expired, "s3", "GET", &s3(&mine), &[], b"", now),
    )
    .await;
    assert_eq!(resp.status(), 400);
    assert!(String::from_utf8_lossy(resp.body()).contains("<Code>ExpiredToken</Code>"));

    let del = testkit::sign_request(&me, "s3", "DELETE", &s3(&mine), &[], b"", now);
    assert_eq!(send(&ready.s3_endpoint, del).await.status(), 204);

    srv.stop().await;
}
