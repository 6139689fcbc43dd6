//! The official suite and the JS error contract of the shell's Signer
//! (#[wasm_bindgen], as shipped), compiled to wasm and run in headless
//! Chromium by wasm-bindgen-test. The suite files are embedded at
//! compile time from ../shared (read, not copied into the repo).
#![cfg(target_arch = "wasm32")]

mod common;

use cognito_sigv4::wasm::signer::RawSigner;
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

/// The error name of a #[wasm_bindgen] call, which throws `name\nmessage`.
fn error_name<T>(result: Result<T, wasm_bindgen::JsValue>) -> String {
    match result {
        Ok(_) => "no error".into(),
        Err(e) => e
            .as_string()
            .unwrap_or_default()
            .split('\n')
            .next()
            .unwrap_or_default()
            .into(),
    }
}

#[wasm_bindgen_test]
fn errors_reach_js_as_typed_errors() {
    assert_eq!(
        error_name(RawSigner::new("", "secret", "", "us-east-1", "s3")),
        "MissingCredentials"
    );
    assert_eq!(
        error_name(RawSigner::new("AKID", "secret", "", "US East", "s3")),
        "InvalidConfig"
    );
    let mut signer =
        RawSigner::new("AKID", "secret", "token", "us-east-1", "s3").expect("a signer");
    let mut sign = |url: &str, headers: &str, date: f64| {
        signer.sign("GET", url, headers, 0, &[], "", false, date)
    };
    assert_eq!(error_name(sign("ftp://x/", "", 0.0)), "InvalidUrl");
    assert_eq!(
        error_name(sign("https://x/", "bad name\nv", 0.0)),
        "InvalidHeader"
    );
    assert_eq!(error_name(sign("https://x/", "", f64::NAN)), "InvalidDate");
    let signed = sign("https://x/", "", 1.44e12).expect("signs");
    assert!(
        signed.contains("\nauthorization\nAWS4-HMAC-SHA256 Credential=AKID/"),
        "{signed}"
    );
    assert_eq!(
        error_name(signer.presign("GET", "https://x/", "", 604_801.0, 0.0)),
        "InvalidExpires"
    );
    // Secrets never reach an error.
    let e = RawSigner::new("AKID", "wJalrXUtnFEMI/K7MDENG", "", "US East", "s3")
        .err()
        .and_then(|e| e.as_string())
        .unwrap_or_default();
    assert!(!e.contains("wJalrXUtnFEMI"), "{e}");
}

/// `name` and `code` of a JS Error the module's classes throw or reject with.
fn js_error_name(e: &wasm_bindgen::JsValue) -> (String, String) {
    let get = |k: &str| {
        js_sys::Reflect::get(e, &k.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    (get("name"), get("code"))
}

fn options(pairs: &[(&str, &str)]) -> wasm_bindgen::JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        js_sys::Reflect::set(&o, &(*k).into(), &(*v).into()).expect("set");
    }
    o.into()
}

#[wasm_bindgen_test]
async fn the_sdk_classes_answer_bad_input_with_typed_js_errors() {
    use cognito_sigv4::wasm::{provider::CognitoIdentityCredentials, s3::S3Client, user_pool};
    let named = |e: wasm_bindgen::JsValue| js_error_name(&e);
    // Options that say nothing, or the wrong thing.
    let e = user_pool::UserPool::new(options(&[("region", "us-east-1")]))
        .err()
        .expect("refused");
    assert_eq!(named(e), ("InvalidConfig".into(), "InvalidConfig".into()));
    let e = CognitoIdentityCredentials::new(options(&[
        ("region", "us-east-1"),
        ("identityPoolId", "nope"),
    ]))
    .err()
    .expect("refused");
    assert_eq!(named(e).0, "InvalidConfig");
    // A token that is no JWT: Malformed, without quoting it.
    let token = "secret-token-not-a-jwt";
    let e = cognito_sigv4::wasm::provider::decode_jwt(token.into())
        .err()
        .expect("refused");
    assert_eq!(named(e.clone()).0, "Malformed");
    assert!(!js_sys::Error::from(e)
        .message()
        .as_string()
        .unwrap_or_default()
        .contains(token));
    // The async paths reject (never trap): an empty password, then no credentials for S3.
    let pool = user_pool::UserPool::new(options(&[
        ("region", "us-east-1"),
        ("userPoolId", "us-east-1_x"),
        ("clientId", "c"),
    ]))
    .expect("a pool");
    let rejected = wasm_bindgen_futures::JsFuture::from(pool.sign_in(
        "u".into(),
        "".into(),
        wasm_bindgen::JsValue::UNDEFINED,
    ))
    .await;
    assert_eq!(named(rejected.err().expect("refused")).0, "InvalidConfig");
    let e = S3Client::new(options(&[("region", "us-east-1"), ("bucket", "b")]))
        .err()
        .expect("refused");
    assert_eq!(named(e).0, "MissingCredentials");
}
