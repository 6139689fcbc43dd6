//! devstack: this project's local stand-in for the AWS side of the product
//! (Cognito Identity, STS, API Gateway with IAM and JWT authorizers, the user
//! pool's OAuth2 token endpoint, S3), with AWS's semantics and wire formats.
//! moto plays the Cognito User Pool. Dev and tests only; see README.md.

pub mod apigw;
pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod cors;
pub mod credentials;
pub mod identity;
pub mod ids;
pub mod jwt_api;
pub mod keys;
pub mod oauth;
pub mod policy;
pub mod s3;
pub mod s3_store;
pub mod server;
pub mod sigv4;
pub mod sts;
pub mod tokens;
pub mod web;

#[cfg(test)]
mod smoke;
#[cfg(test)]
pub(crate) mod testkit;

use std::io::Write;
use std::sync::Arc;

use app::App;
use cli::Args;
use config::{Seed, World};

/// Prefix of the one line printed on stdout once every listener accepts.
pub const READY_PREFIX: &str = "DEVSTACK_READY ";

/// Runs the stack until SIGINT or SIGTERM.
pub async fn run(args: Args) -> Result<(), String> {
    let world = World::load(&args.config)?;
    let seed = Seed::load(&args.seed)?;
    let app = Arc::new(App::new(world, seed, args.credential_lifetime)?);
    // Listen for signals before announcing readiness: a launcher may stop us
    // right after reading the ready line.
    let stop = shutdown_signal()?;
    std::fs::create_dir_all(&args.data_dir)
        .map_err(|e| format!("cannot create {}: {e}", args.data_dir.display()))?;
    let server = server::start(app, &args.data_dir).await?;
    let line = serde_json::to_string(&server.ready).map_err(|e| e.to_string())?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{READY_PREFIX}{line}")
            .and_then(|()| out.flush())
            .map_err(|e| format!("stdout: {e}"))?;
    }
    stop.await;
    server.stop().await;
    Ok(())
}

/// Resolves on SIGINT or SIGTERM; the handlers are installed on call.
#[cfg(unix)]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).map_err(|e| format!("SIGTERM handler: {e}"))?;
    let mut int = signal(SignalKind::interrupt()).map_err(|e| format!("SIGINT handler: {e}"))?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
