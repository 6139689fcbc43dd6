//! cognito-sigv4: Cognito IdToken → AWS credentials and SigV4 signing, as a
//! sans-IO Rust core with a thin WebAssembly shell (`src/wasm/`).

#![cfg_attr(all(target_arch = "wasm32", feature = "tiny"), no_std)]

extern crate alloc;

pub mod aws_host;
pub mod cognito;
pub mod credentials;
pub mod http;
pub mod json;
pub mod jwt;
pub mod op;
pub mod retry;
pub mod s3;
pub mod signed_fetch;
pub mod xml;

#[cfg(all(target_arch = "wasm32", feature = "sdk", not(feature = "signer-entry")))]
pub mod wasm;

/// The signer-only module (`cognito-sigv4/signer`): the shell's Signer alone.
#[cfg(all(target_arch = "wasm32", feature = "signer-entry"))]
#[path = "wasm/signer.rs"]
pub mod signer_entry;

// The SigV4 core and the one error type live in their own crate (crates/sigv4),
// sans-IO and no_std; the paths `cognito_sigv4::sigv4` and
// `cognito_sigv4::error` stay as they were.
pub use ::sigv4;
pub use error::{Error, ErrorCode, Result};
pub use sigv4::error;

// Both modules allocate with lol_alloc's free-list allocator: in the whole
// SDK it replaces std's dlmalloc for 3.5 KB gz less (95,870 -> 92,309 B) at
// the same signing speed (bench, Node and Chromium); in the signer module it
// is 82 B gz smaller than the size-class allocator written here before.
#[cfg(all(target_arch = "wasm32", any(feature = "sdk", feature = "tiny")))]
#[global_allocator]
// SAFETY: wasm32-unknown-unknown without the atomics feature has one thread.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

// The signer-only module (feature `tiny`) is no_std: a panic (which the code
// is written never to reach) traps at once instead of formatting a message
// nobody can read. The whole SDK is std (gloo-net and serde-wasm-bindgen need it).
#[cfg(all(target_arch = "wasm32", feature = "tiny"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
