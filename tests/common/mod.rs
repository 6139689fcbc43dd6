//! Reads the official AWS SigV4 test suite (`../shared/testdata/aws-sig-v4-test-suite`)
//! and checks one case against this crate's signer. Shared by the native test and
//! the wasm test in Chromium, which embeds the same files at compile time.
#![allow(dead_code)]

use cognito_sigv4::sigv4::{Credentials, Payload, Request, Signer};

pub const ACCESS_KEY: &str = "AKIDEXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

pub struct Case {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub epoch_ms: i64,
    pub token: Option<String>,
}

/// `20150830T123600Z` to epoch milliseconds (the inverse the signer never needs).
pub fn parse_amz_date(s: &str) -> i64 {
    let n = |r: std::ops::Range<usize>| s[r].parse::<i64>().expect("date digits");
    let (y, m, d) = (n(0..4), n(4..6), n(6..8));
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 86_400) + n(9..11) * 3600 + n(11..13) * 60 + n(13..15)) * 1000
}

/// Parses a `.req`: request line, headers (a line starting with whitespace
/// continues the previous header as another value, which the suite expects
/// joined with commas), a blank line, then the body. `Host`, `X-Amz-Date` and
/// `X-Amz-Security-Token` become the URL, the signing time and the credentials.
pub fn parse_req(req: &str) -> Case {
    let (head, body) = match req.split_once("\n\n") {
        Some((h, b)) => (h, b.as_bytes().to_vec()),
        None => (req, Vec::new()),
    };
    let mut lines = head.lines();
    let request_line = lines.next().expect("request line");
    let method = request_line.split(' ').next().expect("method").to_string();
    let target =
        &request_line[method.len() + 1..request_line.rfind(" HTTP/").expect("HTTP version")];
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            let name = headers
                .last()
                .expect("continuation after a header")
                .0
                .clone();
            headers.push((name, line.trim().to_string()));
        } else {
            let (n, v) = line.split_once(':').expect("header line");
            headers.push((n.to_string(), v.to_string()));
        }
    }
    let take = |headers: &mut Vec<(String, String)>, name: &str| {
        let i = headers
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))?;
        Some(headers.remove(i).1)
    };
    let host = take(&mut headers, "host").expect("Host header");
    let epoch_ms = parse_amz_date(&take(&mut headers, "x-amz-date").expect("X-Amz-Date header"));
    let token = take(&mut headers, "x-amz-security-token");
    Case {
        method,
        url: format!("https://{host}{target}"),
        headers,
        body,
        epoch_ms,
        token,
    }
}

/// Signs a case and compares canonical request, string to sign and Authorization.
pub fn check(name: &str, req: &str, creq: &str, sts: &str, authz: &str) -> Result<(), String> {
    let case = parse_req(req);
    let creds =
        Credentials::new(ACCESS_KEY, SECRET, case.token.as_deref()).map_err(|e| e.to_string())?;
    let mut signer = Signer::new(creds, "us-east-1", "service").map_err(|e| e.to_string())?;
    let headers: Vec<(&str, &str)> = case
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let mut request = Request::new(&case.method, &case.url);
    request.headers = &headers;
    request.payload = if case.body.is_empty() {
        Payload::Empty
    } else {
        Payload::Bytes(&case.body)
    };
    let signed = signer
        .sign(&request, case.epoch_ms)
        .map_err(|e| format!("{name}: {e}"))?;
    let got_authz = signed
        .headers
        .iter()
        .find(|(n, _)| n == "authorization")
        .map(|(_, v)| v.as_str());
    let mut errors = Vec::new();
    if signed.canonical_request != creq.trim_end() {
        errors.push(format!(
            "canonical request\n--- expected\n{creq}\n--- got\n{}",
            signed.canonical_request
        ));
    }
    if signed.string_to_sign != sts.trim_end() {
        errors.push(format!(
            "string to sign\n--- expected\n{sts}\n--- got\n{}",
            signed.string_to_sign
        ));
    }
    if got_authz != Some(authz.trim_end()) {
        errors.push(format!(
            "authorization\n--- expected\n{authz}\n--- got\n{got_authz:?}"
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}: {}", errors.join("\n")))
    }
}
