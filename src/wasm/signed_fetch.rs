//! `AwsClient.fetch`'s lifecycle for JS: client.js drives the sans-IO
//! [`SignedFetch`] with fetch. Outcomes cross as text: `done`,
//! `retry\nepochMs`, `resign\noffsetMs`, or the typed error.

use super::{fail, free, handle, input, output, Fields};
use crate::error::{cat, num};
use crate::signed_fetch::{Next, SignedFetch};
use alloc::string::String;

fn next(n: Next) -> i32 {
    match n {
        Next::Done => output(String::from("done")),
        Next::RetryAt(t) => output(cat(&["retry\n", &num(t.max(0) as u64)])),
        Next::Resign { clock_offset_ms } => {
            let sign = if clock_offset_ms < 0 { "-" } else { "" };
            output(cat(&[
                "resign\n",
                sign,
                &num(clock_offset_ms.unsigned_abs()),
            ]))
        }
        Next::Fail(e) => fail(e),
    }
}

/// A handle.
#[no_mangle]
pub extern "C" fn fetch_new(max_retries: u32, now_ms: f64, seed: f64) -> i32 {
    handle(SignedFetch::new(max_retries, now_ms as i64, seed.to_bits()))
}

/// # Safety
/// `h` is a live handle from [`fetch_new`] (see [`super::deref`]).
#[no_mangle]
pub unsafe extern "C" fn fetch_free(h: i32) {
    free::<SignedFetch>(h);
}

/// Input: `date\nbody` (the Date header, empty when absent; the body's text
/// when the shell read it, last since it may hold line breaks).
///
/// # Safety
/// `h` is a live handle from [`fetch_new`].
#[no_mangle]
pub unsafe extern "C" fn fetch_on_answer(
    h: i32,
    status: u32,
    from_signed_host: bool,
    now_ms: f64,
) -> i32 {
    let (_, text) = input(0);
    let mut f = Fields::new(&text);
    let date = Some(f.next()).filter(|d| !d.is_empty());
    let status = u16::try_from(status).unwrap_or(0);
    next(super::deref::<SignedFetch>(h).on_answer(
        status,
        date,
        f.rest(),
        from_signed_host,
        now_ms as i64,
    ))
}

/// Input: the host, for the error.
///
/// # Safety
/// `h` is a live handle from [`fetch_new`].
#[no_mangle]
pub unsafe extern "C" fn fetch_on_network_error(h: i32, now_ms: f64) -> i32 {
    let (_, host) = input(0);
    next(super::deref::<SignedFetch>(h).on_network_error(&host, now_ms as i64))
}
