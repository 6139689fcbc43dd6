//! The official AWS SigV4 test suite, read from ../shared (never copied here).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::{Path, PathBuf};

pub fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/testdata/aws-sig-v4-test-suite")
}

fn find_cases(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read suite dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            find_cases(&path, out);
        } else if path.extension().is_some_and(|e| e == "req") {
            out.push(path);
        }
    }
}

#[test]
fn official_suite_all_cases() {
    let mut cases = Vec::new();
    find_cases(&suite_dir(), &mut cases);
    cases.sort();
    assert_eq!(
        cases.len(),
        31,
        "the suite has 31 cases; is ../shared beside the repo?"
    );
    let mut failures = Vec::new();
    for req in &cases {
        let read = |ext: &str| std::fs::read_to_string(req.with_extension(ext)).expect("case file");
        let name = req.file_stem().and_then(|s| s.to_str()).unwrap_or("?");
        if let Err(e) = common::check(
            name,
            &read("req"),
            &read("creq"),
            &read("sts"),
            &read("authz"),
        ) {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
    println!(
        "aws-sig-v4-test-suite: {} of {} cases passed",
        cases.len(),
        cases.len()
    );
}
