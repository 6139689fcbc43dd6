//! Splits the input into method, URL, region, service, flags, expiry, time,
//! headers and body (format in common.rs) and signs and presigns it with an S3
//! and a non-S3 signer. Must never panic; every invariant is in common.rs.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    common::check(data);
});
