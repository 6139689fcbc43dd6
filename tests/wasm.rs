//! The official suite and the JS error contract, compiled to wasm and run in
//! headless Chromium by wasm-bindgen-test. The suite files are embedded at
//! compile time from ../shared (read, not copied into the repo).
#![cfg(target_arch = "wasm32")]

mod common;

use cognito_sigv4::wasm;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

macro_rules! suite {
    ($($case:literal,)*) => {
        [$((
            $case,
            include_str!(concat!("../../shared/testdata/aws-sig-v4-test-suite/", $case, ".req")),
            include_str!(concat!("../../shared/testdata/aws-sig-v4-test-suite/", $case, ".creq")),
            include_str!(concat!("../../shared/testdata/aws-sig-v4-test-suite/", $case, ".sts")),
            include_str!(concat!("../../shared/testdata/aws-sig-v4-test-suite/", $case, ".authz")),
        ),)*]
    };
}

#[wasm_bindgen_test]
fn official_suite_in_the_browser() {
    let cases = suite!(
        "get-header-key-duplicate/get-header-key-duplicate",
        "get-header-value-multiline/get-header-value-multiline",
        "get-header-value-order/get-header-value-order",
        "get-header-value-trim/get-header-value-trim",
        "get-unreserved/get-unreserved",
        "get-utf8/get-utf8",
        "get-vanilla-empty-query-key/get-vanilla-empty-query-key",
        "get-vanilla-query-order-key-case/get-vanilla-query-order-key-case",
        "get-vanilla-query-order-key/get-vanilla-query-order-key",
        "get-vanilla-query-order-value/get-vanilla-query-order-value",
        "get-vanilla-query-unreserved/get-vanilla-query-unreserved",
        "get-vanilla-query/get-vanilla-query",
        "get-vanilla-utf8-query/get-vanilla-utf8-query",
        "get-vanilla/get-vanilla",
        "normalize-path/get-relative-relative/get-relative-relative",
        "normalize-path/get-relative/get-relative",
        "normalize-path/get-slash-dot-slash/get-slash-dot-slash",
        "normalize-path/get-slash-pointless-dot/get-slash-pointless-dot",
        "normalize-path/get-slash/get-slash",
        "normalize-path/get-slashes/get-slashes",
        "normalize-path/get-space/get-space",
        "post-header-key-case/post-header-key-case",
        "post-header-key-sort/post-header-key-sort",
        "post-header-value-case/post-header-value-case",
        "post-sts-token/post-sts-header-after/post-sts-header-after",
        "post-sts-token/post-sts-header-before/post-sts-header-before",
        "post-vanilla-empty-query-value/post-vanilla-empty-query-value",
        "post-vanilla-query/post-vanilla-query",
        "post-vanilla/post-vanilla",
        "post-x-www-form-urlencoded-parameters/post-x-www-form-urlencoded-parameters",
        "post-x-www-form-urlencoded/post-x-www-form-urlencoded",
    );
    assert_eq!(cases.len(), 31);
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(name, req, creq, sts, authz)| {
            common::check(name, req, creq, sts, authz).err()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Calls an export the way wasm.js does: input into the exchange buffer, then
/// the output (or `name\nmessage` for an error) back out of it.
fn call(input: &str, export: impl FnOnce() -> i32) -> Result<String, String> {
    let ptr = wasm::io_reserve(input.len());
    // SAFETY: io_reserve just sized the buffer to input.len() bytes at ptr.
    unsafe { core::ptr::copy_nonoverlapping(input.as_ptr(), ptr, input.len()) };
    let n = export();
    let len = if n < 0 { !n } else { n } as usize;
    // SAFETY: the export left `len` bytes of output at io_ptr().
    let out = unsafe { core::slice::from_raw_parts(wasm::io_ptr(), len) };
    let out = String::from_utf8(out.to_vec()).expect("UTF-8 output");
    if n < 0 {
        Err(out)
    } else {
        Ok(out)
    }
}

fn error_name(result: Result<impl Sized, String>) -> String {
    match result {
        Ok(_) => "no error".into(),
        Err(e) => e.split('\n').next().unwrap_or_default().into(),
    }
}

#[wasm_bindgen_test]
fn errors_reach_js_as_typed_errors() {
    assert_eq!(
        error_name(call("\nsecret\n\nus-east-1\ns3", || wasm::signer_new())),
        "MissingCredentials"
    );
    assert_eq!(
        error_name(call("AKID\nsecret\n\nUS East\ns3", || wasm::signer_new())),
        "InvalidConfig"
    );
    // A handle is not an output length: read it straight from the export.
    let mut h = 0;
    let _ = call("AKID\nsecret\ntoken\nus-east-1\ns3", || {
        h = wasm::signer_new();
        0
    });
    assert!(h > 0, "a handle");
    // SAFETY: h is the live signer handle created above.
    let sign =
        |input: &str, date: f64| call(input, || unsafe { wasm::signer_sign(h, 0, 0, false, date) });
    assert_eq!(error_name(sign("GET\nftp://x/\n", 0.0)), "InvalidUrl");
    assert_eq!(
        error_name(sign("GET\nhttps://x/\n\nbad name\nv", 0.0)),
        "InvalidHeader"
    );
    assert_eq!(
        error_name(sign("GET\nhttps://x/\n", f64::NAN)),
        "InvalidDate"
    );
    // SAFETY: as above.
    assert_eq!(
        error_name(call("GET\nhttps://x/", || unsafe {
            wasm::signer_presign(h, 604_801.0, 0.0)
        })),
        "InvalidExpires"
    );
    let signed = sign("GET\nhttps://x/\n", 1.44e12).expect("signs");
    assert!(
        signed.contains("\nauthorization\nAWS4-HMAC-SHA256 Credential=AKID/"),
        "{signed}"
    );
    // SAFETY: h is live; it is dead afterwards.
    unsafe { wasm::signer_free(h) };
}
