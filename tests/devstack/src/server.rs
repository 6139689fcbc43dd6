//! Listeners and routing. Each emulated service gets its own 127.0.0.1 port,
//! like AWS's separate hosts, so a page exercises real cross-origin requests:
//! Cognito Identity, STS, the IAM-authorized API, the JWT-authorized API, the
//! user pool's OAuth2 domain and S3.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::{service_fn, Service};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::app::App;
use crate::web::{set_header, Req, Resp};
use crate::{apigw, clock, cors, identity, ids, jwt_api, oauth, s3, sts};

/// Largest request body the non-S3 services read.
const MAX_BODY: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Identity,
    Sts,
    IamApi,
    JwtApi,
    OAuth,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Identity => "identity",
            Kind::Sts => "sts",
            Kind::IamApi => "api",
            Kind::JwtApi => "jwt-api",
            Kind::OAuth => "oauth2",
        }
    }

    fn handle(self, app: &App, req: &Req) -> Resp {
        match self {
            Kind::Identity => identity::handle(app, req),
            Kind::Sts => sts::handle(app, req),
            Kind::IamApi => apigw::handle(app, req),
            Kind::JwtApi => jwt_api::handle(app, req),
            Kind::OAuth => oauth::handle(app, req),
        }
    }
}

/// The `DEVSTACK_READY` document (README contract; extra keys are additions).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ready {
    pub region: String,
    pub identity_endpoint: String,
    pub sts_endpoint: String,
    pub api_url: String,
    pub jwt_api_url: String,
    pub token_endpoint: String,
    pub s3_endpoint: String,
    pub identity_pool_id: String,
    pub misconfigured_identity_pool_id: Option<String>,
    /// Every identity pool by name.
    pub identity_pools: BTreeMap<String, String>,
    pub bucket: String,
    pub s3_prefix: String,
    /// Every role of devstack.toml by name (admin, user, reader, guest).
    pub roles: BTreeMap<String, String>,
}

pub struct Server {
    pub ready: Ready,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Server {
    /// Stops accepting connections and waits for the accept loops to end.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

async fn bind() -> Result<(TcpListener, SocketAddr), String> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    Ok((listener, addr))
}

/// Binds every listener and starts serving; returns once all accept.
pub async fn start(app: Arc<App>, data_dir: &Path) -> Result<Server, String> {
    let (stop, stopped) = watch::channel(false);
    let mut tasks = Vec::new();
    let mut urls = BTreeMap::new();
    for kind in [
        Kind::Identity,
        Kind::Sts,
        Kind::IamApi,
        Kind::JwtApi,
        Kind::OAuth,
    ] {
        let (listener, addr) = bind().await?;
        urls.insert(kind.name(), format!("http://{addr}"));
        let app = app.clone();
        let svc = move || {
            let app = app.clone();
            service_fn(move |req| serve_ours(app.clone(), kind, req))
        };
        tasks.push(tokio::spawn(accept_loop(listener, svc, stopped.clone())));
    }
    let s3_service = s3::service(app.clone(), data_dir)?;
    let (listener, s3_addr) = bind().await?;
    let s3_app = app.clone();
    let svc = move || {
        let (app, s3) = (s3_app.clone(), s3_service.clone());
        service_fn(move |req| serve_s3(app.clone(), s3.clone(), req))
    };
    tasks.push(tokio::spawn(accept_loop(listener, svc, stopped.clone())));

    let world = &app.world;
    let pools = app.identities.pools();
    let ready = Ready {
        region: world.region.clone(),
        identity_endpoint: urls[Kind::Identity.name()].clone(),
        sts_endpoint: urls[Kind::Sts.name()].clone(),
        api_url: format!("{}/{}", urls[Kind::IamApi.name()], apigw::STAGE),
        jwt_api_url: urls[Kind::JwtApi.name()].clone(),
        token_endpoint: format!("{}{}", urls[Kind::OAuth.name()], oauth::TOKEN_PATH),
        s3_endpoint: format!("http://{s3_addr}"),
        identity_pool_id: pools.first().map(|p| p.id.clone()).unwrap_or_default(),
        misconfigured_identity_pool_id: app
            .identities
            .pool_by_name("misconfigured")
            .map(|p| p.id.clone()),
        identity_pools: pools
            .iter()
            .map(|p| (p.config.name.clone(), p.id.clone()))
            .collect(),
        bucket: world.s3.bucket.clone(),
        s3_prefix: world.s3.prefix.clone(),
        roles: world
            .roles
            .keys()
            .map(|r| (r.clone(), world.role_arn(r)))
            .collect(),
    };
    Ok(Server { ready, stop, tasks })
}

async fn accept_loop<M, S, B>(
    listener: TcpListener,
    make_service: M,
    mut stopped: watch::Receiver<bool>,
) where
    M: Fn() -> S,
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible> + Send + 'static,
    S::Future: Send + 'static,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors, say: back off instead of spinning.
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                };
                let service = make_service();
                tokio::spawn(async move {
                    // A client that hangs up mid-request is not our error.
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
            _ = stopped.changed() => break,
        }
    }
}

/// Logs one line per request: service, method, path (never the query, which
/// may carry a presigned URL's token) and status.
fn log(service: &str, method: &http::Method, path: &str, status: StatusCode) {
    eprintln!("devstack: {service} {method} {path} {}", status.as_u16());
}

async fn serve_ours(
    app: Arc<App>,
    kind: Kind,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let origin = req.headers().get(http::header::ORIGIN).cloned();
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let mut resp = if cors::is_preflight(&method) {
        let cors = &app.world.cors;
        let allowed = match kind {
            Kind::IamApi | Kind::JwtApi => &cors.api_allow_headers,
            Kind::Identity | Kind::Sts | Kind::OAuth => &cors.aws_allow_headers,
        };
        cors::preflight(req.headers(), cors::AllowHeaders::Configured(allowed))
    } else {
        let (parts, body) = req.into_parts();
        match Limited::new(body, MAX_BODY).collect().await {
            Ok(collected) => {
                let req = Request::from_parts(parts, collected.to_bytes());
                kind.handle(&app, &req)
            }
            Err(_) => crate::web::response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "text/plain",
                "request body too large",
            ),
        }
    };
    cors::decorate(origin.as_ref(), resp.headers_mut());
    set_header(
        resp.headers_mut(),
        "date",
        &clock::http_date(clock::now_secs()),
    );
    log(kind.name(), &method, &path, resp.status());
    Ok(resp.map(Full::new))
}

async fn serve_s3(
    app: Arc<App>,
    s3: s3s::service::S3Service,
    req: Request<Incoming>,
) -> Result<Response<s3s::Body>, Infallible> {
    let origin = req.headers().get(http::header::ORIGIN).cloned();
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let preflight = cors::is_preflight(&method);
    let mut resp = if preflight {
        let rule = cors::AllowHeaders::S3Rule(&app.world.cors.s3_allowed_headers);
        cors::preflight(req.headers(), rule)
    } else if let Some(refused) = s3::refuse_signature_shape(&req) {
        refused
    } else {
        match s3::check_declared_payload(req).await {
            Err(refused) => refused,
            Ok(req) => match s3.call(req).await {
                Ok(r) => r,
                Err(_) => {
                    let mut r = Response::new(s3s::Body::from("internal error".to_string()));
                    *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                    r
                }
            },
        }
    };
    let h = resp.headers_mut();
    if !h.contains_key("x-amz-request-id") {
        let id = ids::request_id().replace('-', "").to_ascii_uppercase();
        set_header(h, "x-amz-request-id", &id[..16]);
        set_header(h, "x-amz-id-2", &ids::random_base64(48));
    }
    // A preflight S3's CORS rule refuses gets no CORS headers at all.
    if !(preflight && resp.status() == StatusCode::FORBIDDEN) {
        cors::decorate(origin.as_ref(), resp.headers_mut());
    }
    set_header(
        resp.headers_mut(),
        "date",
        &clock::http_date(clock::now_secs()),
    );
    log("s3", &method, &path, resp.status());
    Ok(resp)
}
