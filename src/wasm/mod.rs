//! The thin shell: the only code that knows it runs under JavaScript.
//!
//! The module is loaded, and its imports served, by wasm-bindgen's glue; its
//! exports are still plain ones over one exchange buffer (`IO`), moving to
//! `#[wasm_bindgen]` one by one (the signer entry, `signer_entry.rs`, is the
//! first). Over the buffer, every call goes so: JS writes a call's
//! input there (text fields joined by `\n`, which index.js has refused inside
//! any field, after the body's bytes when there is a body), calls an export,
//! and reads the output back from the same buffer. Exports return the output's
//! length, a handle, or `!len` (negative) when the output is an error,
//! `name\nstatus\nmessage`. `src/wasm/js/wasm.js` is the JS half.

use crate::error::Error;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::UnsafeCell;

mod boundary;
mod fetch;
pub mod provider;
pub mod s3;
pub mod signed_fetch;
pub mod signer;
pub mod user_pool;

/// The exchange buffer. Wasm here is single-threaded and no export runs while
/// another does, so one buffer without locking is sound.
struct Exchange(UnsafeCell<Vec<u8>>);
// SAFETY: wasm32 without threads: there is only ever one thread.
unsafe impl Sync for Exchange {}
static IO: Exchange = Exchange(UnsafeCell::new(Vec::new()));

fn io() -> &'static mut Vec<u8> {
    // SAFETY: single-threaded, and every caller is done with the reference
    // before the export returns; none is held across another call to `io`.
    unsafe { &mut *IO.0.get() }
}

/// Sizes the buffer to `len` bytes for JS to fill, and returns its address.
#[no_mangle]
pub extern "C" fn io_reserve(len: usize) -> *mut u8 {
    let buf = io();
    buf.clear();
    buf.resize(len, 0);
    buf.as_mut_ptr()
}

/// Drops what JS did not fill (it reserves for the worst case of UTF-8).
#[no_mangle]
pub extern "C" fn io_truncate(len: usize) {
    io().truncate(len);
}

/// Where JS reads an output from (the buffer may have moved since `io_reserve`).
#[no_mangle]
pub extern "C" fn io_ptr() -> *const u8 {
    io().as_ptr()
}

/// Takes the call's input: the first `body_len` bytes, then the text fields.
pub(crate) fn input(body_len: usize) -> (Vec<u8>, String) {
    let mut bytes = core::mem::take(io());
    let text = bytes.split_off(body_len.min(bytes.len()));
    // JS writes with TextEncoder, which only produces valid UTF-8; anything
    // else yields no fields, which every export refuses with a typed error.
    (bytes, String::from_utf8(text).unwrap_or_default())
}

/// Text fields, `""` past the end.
pub(crate) struct Fields<'a>(Option<&'a str>);

impl<'a> Fields<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Fields(Some(text))
    }
    pub(crate) fn next(&mut self) -> &'a str {
        let rest = self.0.unwrap_or("");
        let (field, after) = match rest.split_once('\n') {
            Some((field, after)) => (field, Some(after)),
            None => (rest, None),
        };
        self.0 = after;
        field
    }
    /// Everything after the fields taken so far, line breaks included.
    pub(crate) fn rest(self) -> &'a str {
        self.0.unwrap_or("")
    }
}

/// A body's bytes as text (JS sends what `Response.text()` gave, valid UTF-8).
pub(crate) fn body_text(body: Vec<u8>) -> String {
    String::from_utf8(body).unwrap_or_default()
}

/// Puts an output in the buffer and returns its length.
pub(crate) fn output(out: String) -> i32 {
    let len = out.len() as i32;
    *io() = out.into_bytes();
    len
}

/// Puts `name\nstatus\nmessage` in the buffer (status empty when no service
/// answered) and returns `!len`.
pub(crate) fn fail(e: Error) -> i32 {
    let status = e
        .status
        .map(|s| crate::error::num(u64::from(s)))
        .unwrap_or_default();
    !output(crate::error::cat(&[
        e.name(),
        "\n",
        &status,
        "\n",
        &e.message,
    ]))
}

pub(crate) fn result(r: crate::Result<String>) -> i32 {
    r.map_or_else(fail, output)
}

/// A boxed value as a handle (wasm32 heap addresses fit in an i32 and are > 0).
pub(crate) fn handle<T>(value: T) -> i32 {
    Box::into_raw(Box::new(value)) as i32
}

/// The value behind a handle JS got from `handle::<T>`.
///
/// # Safety
/// `h` must come from `handle::<T>` and not have been freed; wasm.js only
/// calls with the handle of a live object of the right class.
pub(crate) unsafe fn deref<'a, T>(h: i32) -> &'a mut T {
    &mut *(h as *mut T)
}

/// # Safety
/// As for [`deref`]; the handle is dead afterwards.
pub(crate) unsafe fn free<T>(h: i32) {
    drop(Box::from_raw(h as *mut T));
}

thread_local! {
    /// What index.js asked to be told when the module fails.
    static ON_FAILURE: core::cell::RefCell<Option<js_sys::Function>> = const { core::cell::RefCell::new(None) };
}

/// Called once by index.js at init: a panic (which the code is written never
/// to reach; it traps the module for good) first calls `f` with where it
/// happened, so that JS can fail every pending promise with ModuleFailed
/// instead of leaving its callers waiting for work the module cannot finish.
#[wasm_bindgen::prelude::wasm_bindgen(js_name = onModuleFailed)]
pub fn on_module_failed(f: js_sys::Function) {
    ON_FAILURE.with(|cell| *cell.borrow_mut() = Some(f));
    std::panic::set_hook(Box::new(|info| {
        let place = info.location().map_or_else(String::new, |l| {
            crate::error::cat(&[l.file(), ":", &crate::error::num(u64::from(l.line()))])
        });
        let message = crate::error::cat(&["a panic at ", &place]);
        // The hook runs inside a call into the module; a borrowed cell means
        // the panic came from here, and nobody is told twice.
        let f = ON_FAILURE.with(|cell| cell.try_borrow().ok().and_then(|f| f.clone()));
        if let Some(f) = f {
            let _ = f.call1(&wasm_bindgen::JsValue::NULL, &message.into());
        }
    }));
}
