//! The SigV4 service and region an AWS host name implies, so that
//! `AwsClient` can sign for `https://abc.execute-api.eu-west-1.amazonaws.com`
//! or a bucket's host without being told.

use alloc::string::String;
use alloc::vec::Vec;

/// `(service, region)` of an AWS host name, or `None` when it is not one.
pub fn service_region(host: &str) -> Option<(String, String)> {
    let host = host.to_ascii_lowercase();
    let labels: Vec<&str> = host.strip_suffix(".amazonaws.com")?.split('.').collect();
    let word = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let found = |service: &str, region: &str| Some((String::from(service), String::from(region)));
    // {api-id}.execute-api.{region}
    if let [api, "execute-api", region] = labels[..] {
        if !api.is_empty() && word(region) {
            return found("execute-api", region);
        }
    }
    // S3: ….s3.{region} or ….s3-{region} (s3-accelerate is global) …
    let s3_region = match labels[..] {
        [.., "s3", region] if word(region) => Some(region),
        [.., last] => last.strip_prefix("s3-").filter(|r| word(r)),
        [] => None,
    };
    match s3_region {
        Some("accelerate") => return found("s3", "us-east-1"),
        Some(region) if region != "external-1" => return found("s3", region),
        _ => {}
    }
    // … and the global ….s3 and ….s3-external-1.
    if matches!(labels.last(), Some(&"s3" | &"s3-external-1")) {
        return found("s3", "us-east-1");
    }
    // {service}.{region}, or a global {service}.
    match labels[..] {
        [service, region] if word(service) && is_region(region) => found(service, region),
        [service] if word(service) => found(service, "us-east-1"),
        _ => None,
    }
}

/// `xx-name-N` or `xx-gov-name-N`.
fn is_region(s: &str) -> bool {
    let lower = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    let parts: Vec<&str> = s.split('-').collect();
    let (geo, name, n) = match parts[..] {
        [geo, "gov", name, n] | [geo, name, n] => (geo, name, n),
        _ => return false,
    };
    geo.len() == 2 && lower(geo) && lower(name) && n.len() == 1 && n.as_bytes()[0].is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_of_aws_services() {
        let cases = [
            (
                "abc123.execute-api.eu-west-1.amazonaws.com",
                Some(("execute-api", "eu-west-1")),
            ),
            (
                "bucket.s3.us-west-2.amazonaws.com",
                Some(("s3", "us-west-2")),
            ),
            (
                "bucket.s3-us-west-2.amazonaws.com",
                Some(("s3", "us-west-2")),
            ),
            ("s3.amazonaws.com", Some(("s3", "us-east-1"))),
            ("bucket.s3.amazonaws.com", Some(("s3", "us-east-1"))),
            (
                "bucket.s3-external-1.amazonaws.com",
                Some(("s3", "us-east-1")),
            ),
            (
                "bucket.s3-accelerate.amazonaws.com",
                Some(("s3", "us-east-1")),
            ),
            (
                "lambda.us-gov-west-1.amazonaws.com",
                Some(("lambda", "us-gov-west-1")),
            ),
            ("STS.amazonaws.com", Some(("sts", "us-east-1"))),
            ("bucket.s3.dualstack.us-east-1.amazonaws.com", None),
            ("a.b.c.d.amazonaws.com", None),
            ("example.com", None),
            ("lambda.us-east-12.amazonaws.com", None),
        ];
        for (host, want) in cases {
            let got = service_region(host);
            assert_eq!(
                got.as_ref().map(|(s, r)| (s.as_str(), r.as_str())),
                want,
                "{host}"
            );
        }
    }
}
