//! cognito-sigv4: Cognito IdToken → AWS credentials and SigV4 signing, as a
//! sans-IO Rust core with a thin WebAssembly shell (`src/wasm/`).

#![cfg_attr(all(target_arch = "wasm32", feature = "tiny"), no_std)]

extern crate alloc;

pub mod cognito;
pub mod credentials;
pub mod error;
pub mod json;
pub mod jwt;
pub mod s3;
pub mod sigv4;
pub mod xml;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, ErrorCode, Result};
