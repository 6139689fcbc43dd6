//! How a signature's time divides between its SHA-256 and everything else,
//! natively (the bench measures the same in the wasm, beside the peers):
//!
//!     cargo run --release -p sigv4 --example overhead                     # sha2 as the SDK builds it
//!     cargo run --release -p sigv4 --example overhead --features compact  # as the signer module does
//!
//! The bench's GET case: two headers, a query, a ~1 KB session token.
//! Measured 2026-12-06 (compact rounds): 11.58 µs a signature for 5.69 µs of
//! hashing before the signer's own headers were copied instead of scanned,
//! 8.34 µs for 5.25 after.

use sigv4::{sha256, Credentials, Request, Signer};
use std::hint::black_box;
use std::time::Instant;

fn main() -> Result<(), sigv4::error::Error> {
    let token = [
        "IQoJb3JpZ2luX2VjE",
        &"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".repeat(15),
    ]
    .concat();
    let keys = Credentials::new(
        "ASIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        Some(&token),
    )?;
    let mut signer = Signer::new(keys, "us-east-1", "execute-api")?;
    let headers = [
        ("accept", "application/json"),
        ("x-request-id", "5f0c6f1e-8a43-4b7e-9d2c-1f3e5a7b9c0d"),
    ];
    let mut req = Request::new(
        "GET",
        "https://abc123defg.execute-api.us-east-1.amazonaws.com/prod/items?limit=25&status=active",
    );
    req.headers = &headers;
    let now = 1_736_944_496_000;
    let runs = 200_000;
    let mut out = String::new();
    for _ in 0..1000 {
        out.clear();
        signer.sign_into(&req, now, &mut out)?;
    }
    let start = Instant::now();
    for _ in 0..runs {
        out.clear();
        signer.sign_into(black_box(&req), now, &mut out)?;
    }
    let sign = start.elapsed().as_secs_f64() / f64::from(runs) * 1e6;

    // The same hashing: the canonical request, and the string to sign under a cached key.
    let (creq, sts) = signer.explain();
    let (creq, sts) = (creq.to_string(), sts.to_string());
    let key = sha256::HmacKey::new(&[7; 32]);
    let start = Instant::now();
    for _ in 0..runs {
        black_box(sha256::sha256(black_box(creq.as_bytes())));
        black_box(key.mac(&[sts.as_bytes()]));
    }
    let hash = start.elapsed().as_secs_f64() / f64::from(runs) * 1e6;
    println!(
        "a signature {sign:.2} µs, its SHA-256 {hash:.2} µs: {:.2}x (canonical request {} B)",
        sign / hash,
        creq.len()
    );
    Ok(())
}
