//! The machines driven natively with scripted answers, as the shell's driver
//! would drive them.

use super::s3::{Kind, S3Op};
use super::*;
use crate::error::ErrorCode;
use crate::sigv4::Credentials;
use alloc::string::ToString;
use alloc::vec;

const NOW: i64 = 1_440_938_160_000; // 2015-08-30T12:36:00Z

fn keys() -> Credentials {
    Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
    )
    .unwrap()
}

fn signing(retries: u32) -> Signing {
    Signing::new(Some("us-east-1".into()), Some("s3".into()), retries, None)
}

fn call(s: &Signing, url: &str, once: bool) -> Call {
    Call::new(
        s,
        "GET".into(),
        url.into(),
        "b-1.s3.us-east-1.amazonaws.com".into(),
        vec![],
        Body::Empty,
        once,
        NOW,
        7,
    )
}

fn head(status: u16, headers: &[(&str, &str)]) -> Head {
    Head {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        redirected: false,
        host: None,
    }
}

/// Polls until the machine wants an attempt sent (answering credentials).
fn until_send(m: &mut dyn Machine, s: &mut Signing, now: i64) -> Attempt {
    for _ in 0..4 {
        match m.poll(s, now) {
            Need::Credentials => m.on_credentials(keys()),
            Need::Send(a) => return a,
            other => panic!("expected an attempt, got {other:?}"),
        }
    }
    panic!("no attempt")
}

const LISTING: &str = "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>3</Size></Contents></ListBucketResult>";

#[test]
fn a_listing_is_signed_sent_read_and_parsed() {
    let mut s = signing(3);
    let url = "https://b-1.s3.us-east-1.amazonaws.com/?list-type=2";
    let mut op = S3Op::new(call(&s, url, false), "ListObjectsV2", Kind::List);
    let a = until_send(&mut op, &mut s, NOW);
    assert_eq!((a.method.as_str(), a.url.as_str()), ("GET", url));
    let auth = &a
        .headers
        .iter()
        .find(|(n, _)| n == "authorization")
        .unwrap()
        .1;
    assert!(auth
        .starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request"));
    op.on_head(head(200, &[]), NOW);
    assert!(matches!(
        op.poll(&mut s, NOW),
        Need::ReadText { keep: false, .. }
    ));
    op.on_text(LISTING.into(), NOW);
    match op.poll(&mut s, NOW) {
        Need::Done(Output::Listing(l)) => assert_eq!(l.objects[0].key, "k"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn throttling_is_retried_after_a_wait_with_fresh_credentials() {
    let mut s = signing(2);
    let mut op = S3Op::new(
        call(&s, "https://b-1.s3.us-east-1.amazonaws.com/k", false),
        "DeleteObject",
        Kind::Nothing,
    );
    until_send(&mut op, &mut s, NOW);
    op.on_head(head(503, &[]), NOW);
    // The refused answer's body is finished first: nothing is left open.
    assert!(matches!(op.poll(&mut s, NOW), Need::Discard));
    let Need::WaitUntil(at) = op.poll(&mut s, NOW) else {
        panic!("no wait")
    };
    assert!(at > NOW && at <= NOW + 100);
    // Polled early: still waiting; then credentials are asked for again.
    assert!(matches!(op.poll(&mut s, at - 1), Need::WaitUntil(t) if t == at));
    assert!(matches!(op.poll(&mut s, at), Need::Credentials));
    until_send(&mut op, &mut s, at);
    op.on_head(head(204, &[]), at);
    assert!(matches!(op.poll(&mut s, at), Need::Discard));
    assert_eq!(op.poll(&mut s, at).done(), Some(Output::Nothing));
}

#[test]
fn a_clock_skew_is_learned_told_and_signed_again() {
    let mut s = signing(3);
    let mut op = S3Op::new(
        call(&s, "https://b-1.s3.us-east-1.amazonaws.com/k", false),
        "GetObject",
        Kind::Response,
    );
    until_send(&mut op, &mut s, NOW);
    let server = "Sun, 30 Aug 2015 12:56:00 GMT"; // 20 minutes ahead
    op.on_head(head(403, &[("date", server)]), NOW);
    assert!(matches!(
        op.poll(&mut s, NOW),
        Need::ReadText { keep: true, .. }
    ));
    op.on_text(
        "<Error><Code>RequestTimeTooSkewed</Code></Error>".into(),
        NOW,
    );
    assert!(matches!(op.poll(&mut s, NOW), Need::Discard));
    assert!(matches!(op.poll(&mut s, NOW), Need::ClockOffset(1_200_000)));
    assert_eq!(s.offset_ms, 1_200_000);
    let a = until_send(&mut op, &mut s, NOW);
    let date = &a.headers.iter().find(|(n, _)| n == "x-amz-date").unwrap().1;
    assert_eq!(date, "20150830T125600Z");
    // Once only: a second skew answer is the caller's (here S3's error).
    op.on_head(head(403, &[("date", server)]), NOW);
    assert!(matches!(
        op.poll(&mut s, NOW),
        Need::ReadText { keep: true, .. }
    ));
    op.on_text(
        "<Error><Code>RequestTimeTooSkewed</Code></Error>".into(),
        NOW,
    );
    assert!(matches!(
        op.poll(&mut s, NOW),
        Need::ReadText { keep: false, .. }
    ));
    op.on_text(
        "<Error><Code>RequestTimeTooSkewed</Code></Error>".into(),
        NOW,
    );
    match op.poll(&mut s, NOW) {
        Need::Fail(e) => assert_eq!((e.name(), e.status), ("RequestTimeTooSkewed", Some(403))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn timeouts_and_network_failures_are_retried_then_typed() {
    let mut s = Signing::new(Some("us-east-1".into()), Some("s3".into()), 1, Some(400));
    let mut op = S3Op::new(
        call(&s, "https://b-1.s3.us-east-1.amazonaws.com/k", false),
        "GetObject",
        Kind::Response,
    );
    let a = until_send(&mut op, &mut s, NOW);
    assert_eq!(a.timeout_ms, Some(400));
    op.on_failure(Failure::Timeout, NOW);
    let Need::WaitUntil(at) = op.poll(&mut s, NOW) else {
        panic!("no retry")
    };
    until_send(&mut op, &mut s, at);
    op.on_failure(Failure::Timeout, at);
    match op.poll(&mut s, at) {
        Need::Fail(e) => {
            assert_eq!(e.code, ErrorCode::Timeout);
            assert!(e.message.contains("400 ms"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
    // A body sent once is never sent twice.
    let mut once = S3Op::new(
        call(&s, "https://b-1.s3.us-east-1.amazonaws.com/k", true),
        "PutObject",
        Kind::Etag,
    );
    until_send(&mut once, &mut s, NOW);
    once.on_failure(Failure::Network, NOW);
    assert!(matches!(once.poll(&mut s, NOW), Need::Fail(e) if e.code == ErrorCode::Network));
}

#[test]
fn s3_answers_become_outputs_or_typed_errors() {
    let mut s = signing(0);
    let url = "https://b-1.s3.us-east-1.amazonaws.com/k";
    // HeadObject: headers only; a 404 has no body to read.
    let mut h = S3Op::new(call(&s, url, false), "HeadObject", Kind::Head);
    until_send(&mut h, &mut s, NOW);
    h.on_head(
        head(
            200,
            &[
                ("content-length", "10"),
                ("etag", "\"e\""),
                ("x-amz-meta-color", "blue"),
            ],
        ),
        NOW,
    );
    match h.poll(&mut s, NOW) {
        Need::Done(Output::Head(o)) => {
            assert_eq!((o.size, o.etag.as_deref()), (10, Some("\"e\"")));
            assert_eq!(o.metadata, [("color".to_string(), "blue".to_string())]);
        }
        other => panic!("{other:?}"),
    }
    let mut missing = S3Op::new(call(&s, url, false), "HeadObject", Kind::Head);
    until_send(&mut missing, &mut s, NOW);
    missing.on_head(head(404, &[]), NOW);
    assert!(matches!(missing.poll(&mut s, NOW), Need::Fail(e) if e.name() == "NotFound"));
    // An error document, and one too large to read.
    let mut get = S3Op::new(call(&s, url, false), "GetObject", Kind::Response);
    until_send(&mut get, &mut s, NOW);
    get.on_head(head(404, &[]), NOW);
    assert!(matches!(get.poll(&mut s, NOW), Need::ReadText { .. }));
    get.on_text(
        "<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>".into(),
        NOW,
    );
    assert!(
        matches!(get.poll(&mut s, NOW), Need::Fail(e) if e.name() == "NoSuchKey" && e.status == Some(404))
    );
    let mut list = S3Op::new(call(&s, url, false), "ListObjectsV2", Kind::List);
    until_send(&mut list, &mut s, NOW);
    list.on_head(head(200, &[]), NOW);
    list.poll(&mut s, NOW);
    list.on_failure(Failure::TooLarge, NOW);
    assert!(matches!(list.poll(&mut s, NOW), Need::Fail(e) if e.code == ErrorCode::Malformed));
    // CopyObject: a 200 that carries an error is the error.
    let mut copy = S3Op::new(call(&s, url, false), "CopyObject", Kind::Copy);
    until_send(&mut copy, &mut s, NOW);
    copy.on_head(head(200, &[]), NOW);
    copy.poll(&mut s, NOW);
    copy.on_text("<Error><Code>InternalError</Code></Error>".into(), NOW);
    assert!(matches!(copy.poll(&mut s, NOW), Need::Fail(e) if e.name() == "InternalError"));
}

#[test]
fn fetch_hands_over_the_final_answer_and_ignores_clocks_of_other_hosts() {
    let mut s = Signing::new(None, None, 3, None);
    let c = Call::new(
        &s,
        "GET".into(),
        "https://abc.execute-api.eu-west-1.amazonaws.com/v1/x".into(),
        "abc.execute-api.eu-west-1.amazonaws.com".into(),
        vec![],
        Body::Empty,
        false,
        NOW,
        1,
    );
    let mut f = Fetch(c);
    let a = until_send(&mut f, &mut s, NOW);
    let auth = &a
        .headers
        .iter()
        .find(|(n, _)| n == "authorization")
        .unwrap()
        .1;
    assert!(
        auth.contains("/eu-west-1/execute-api/aws4_request"),
        "service and region from the host"
    );
    // A 403 after a redirect elsewhere: not read, not a skew, the caller's.
    let mut elsewhere = head(403, &[("date", "Sun, 30 Aug 2015 12:56:00 GMT")]);
    elsewhere.redirected = true;
    elsewhere.host = Some("other.example".into());
    f.on_head(elsewhere, NOW);
    assert_eq!(f.poll(&mut s, NOW).done(), Some(Output::Response));
    assert_eq!(s.offset_ms, 0);
    // A host no AWS service is named by: a typed error before anything is sent.
    let mut unknown = Fetch(Call::new(
        &s,
        "GET".into(),
        "https://example.com/".into(),
        "example.com".into(),
        vec![],
        Body::Empty,
        false,
        NOW,
        1,
    ));
    assert!(matches!(unknown.poll(&mut s, NOW), Need::Credentials));
    unknown.on_credentials(keys());
    assert!(
        matches!(unknown.poll(&mut s, NOW), Need::Fail(e) if e.code == ErrorCode::InvalidConfig)
    );
}

impl Need {
    fn done(self) -> Option<Output> {
        match self {
            Need::Done(o) => Some(o),
            _ => None,
        }
    }
}

#[test]
fn complete_sends_again_a_transient_error_inside_a_200() {
    let mut s = signing(2);
    let url = "https://b-1.s3.us-east-1.amazonaws.com/k?uploadId=u";
    let mut op = S3Op::new(
        call(&s, url, false),
        "CompleteMultipartUpload",
        Kind::Complete,
    );
    let transient = "<Error><Code>InternalError</Code><Message>try again</Message></Error>";
    let mut now = NOW;
    for _ in 0..2 {
        until_send(&mut op, &mut s, now);
        op.on_head(head(200, &[]), now);
        assert!(matches!(op.poll(&mut s, now), Need::ReadText { .. }));
        op.on_text(transient.into(), now);
        let Need::WaitUntil(at) = op.poll(&mut s, now) else {
            panic!("not sent again")
        };
        now = at;
    }
    // Retries spent: the error stands.
    until_send(&mut op, &mut s, now);
    op.on_head(head(200, &[]), now);
    op.poll(&mut s, now);
    op.on_text(transient.into(), now);
    assert!(matches!(op.poll(&mut s, now), Need::Fail(e) if e.name() == "InternalError"));
    // Not transient: not sent again.
    let mut bad = S3Op::new(
        call(&s, url, false),
        "CompleteMultipartUpload",
        Kind::Complete,
    );
    until_send(&mut bad, &mut s, NOW);
    bad.on_head(head(200, &[]), NOW);
    bad.poll(&mut s, NOW);
    bad.on_text("<Error><Code>InvalidPart</Code></Error>".into(), NOW);
    assert!(matches!(bad.poll(&mut s, NOW), Need::Fail(e) if e.name() == "InvalidPart"));
    let mut ok = S3Op::new(
        call(&s, url, false),
        "CompleteMultipartUpload",
        Kind::Complete,
    );
    until_send(&mut ok, &mut s, NOW);
    ok.on_head(head(200, &[]), NOW);
    ok.poll(&mut s, NOW);
    ok.on_text(
        "<CompleteMultipartUploadResult><ETag>\"e-2\"</ETag></CompleteMultipartUploadResult>"
            .into(),
        NOW,
    );
    assert_eq!(
        ok.poll(&mut s, NOW).done(),
        Some(Output::Etag(Some("\"e-2\"".into())))
    );
}
