use super::*;

fn aws(bucket: &str) -> Bucket<'_> {
    Bucket {
        region: "eu-west-1",
        bucket,
        ..Bucket::default()
    }
}

#[test]
fn urls_virtual_hosted_path_style_and_custom_endpoints() {
    assert_eq!(
        url(&aws("photos"), Some("a/b.jpg"), "").unwrap(),
        "https://photos.s3.eu-west-1.amazonaws.com/a/b.jpg"
    );
    assert_eq!(
        url(&aws("photos"), None, "list-type=2").unwrap(),
        "https://photos.s3.eu-west-1.amazonaws.com/?list-type=2"
    );
    let path = Bucket {
        force_path_style: true,
        ..aws("photos")
    };
    assert_eq!(
        url(&path, Some("k"), "").unwrap(),
        "https://s3.eu-west-1.amazonaws.com/photos/k"
    );
    assert_eq!(
        url(&path, None, "list-type=2").unwrap(),
        "https://s3.eu-west-1.amazonaws.com/photos?list-type=2"
    );
    // Dotted buckets over https, IPs, localhost and endpoints with a path go path style.
    assert_eq!(
        url(&aws("my.photos"), Some("k"), "").unwrap(),
        "https://s3.eu-west-1.amazonaws.com/my.photos/k"
    );
    for (endpoint, expected) in [
        ("http://127.0.0.1:4566/", "http://127.0.0.1:4566/b-1/k"),
        ("http://localhost:9000", "http://localhost:9000/b-1/k"),
        ("http://[::1]:9000", "http://[::1]:9000/b-1/k"),
        (
            "https://proxy.example.com/s3",
            "https://proxy.example.com/s3/b-1/k",
        ),
        (
            "https://minio.example.com",
            "https://b-1.minio.example.com/k",
        ),
    ] {
        let b = Bucket {
            endpoint,
            ..aws("b-1")
        };
        assert_eq!(url(&b, Some("k"), "").unwrap(), expected, "{endpoint}");
    }
}

#[test]
fn keys_are_encoded_segment_by_segment() {
    let u = url(
        &aws("b-1"),
        Some("cognito-test/eu-west-1:0a1b/My File+1 (ü)?#%.txt"),
        "",
    )
    .unwrap();
    assert_eq!(u, "https://b-1.s3.eu-west-1.amazonaws.com/cognito-test/eu-west-1%3A0a1b/My%20File%2B1%20%28%C3%BC%29%3F%23%25.txt");
    // Empty segments are kept: `a//b` is another key than `a/b`.
    assert!(url(&aws("b-1"), Some("a//b"), "")
        .unwrap()
        .ends_with("/a//b"));
}

#[test]
fn bad_names_are_typed_errors_that_say_what_to_fix() {
    for bucket in ["", "ab", "Photos", "-abc", "abc-", "a_b", &"a".repeat(64)] {
        let e = url(&aws(bucket), Some("k"), "").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidConfig, "{bucket}");
        assert!(e.message.contains("bucket name"), "{}", e.message);
    }
    for key in ["", ".", "a/../b", "./a", "a/."] {
        assert_eq!(
            url(&aws("b-1"), Some(key), "").unwrap_err().code,
            ErrorCode::InvalidConfig,
            "{key}"
        );
    }
    assert_eq!(
        url(
            &Bucket {
                region: "EU",
                ..aws("b-1")
            },
            Some("k"),
            ""
        )
        .unwrap_err()
        .code,
        ErrorCode::InvalidConfig
    );
    let e = url(
        &Bucket {
            endpoint: "ftp://x",
            ..aws("b-1")
        },
        Some("k"),
        "",
    )
    .unwrap_err();
    assert!(e.message.contains("http(s) URL"), "{}", e.message);
}

#[test]
fn list_queries_encode_their_values() {
    assert_eq!(
        ListObjectsV2::default().query(),
        "encoding-type=url&list-type=2"
    );
    let q = (ListObjectsV2 {
        prefix: "cognito-test/eu-west-1:ab/",
        delimiter: "/",
        continuation_token: "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=",
        start_after: "",
        max_keys: Some(100),
    })
    .query();
    assert_eq!(
        q,
        "encoding-type=url&list-type=2&continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D&delimiter=%2F&max-keys=100&prefix=cognito-test%2Feu-west-1%3Aab%2F"
    );
}

// The shape of AWS's documented ListObjectsV2 answer.
const LISTING: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name>
  <Prefix>p/</Prefix>
  <KeyCount>2</KeyCount>
  <MaxKeys>2</MaxKeys>
  <Delimiter>/</Delimiter>
  <IsTruncated>true</IsTruncated>
  <Contents>
    <Key>p/a &amp; b.txt</Key>
    <LastModified>2026-11-01T10:00:00.000Z</LastModified>
    <ETag>&quot;70ee1738b6b21e2c8a43f3a5ab0eee71&quot;</ETag>
    <Size>11</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>p/ü.bin</Key>
    <LastModified>2026-11-02T10:00:00.000Z</LastModified>
    <ETag>"e2"</ETag>
    <Size>5242880</Size>
  </Contents>
  <CommonPrefixes><Prefix>p/photos/</Prefix></CommonPrefixes>
  <CommonPrefixes><Prefix>p/docs/</Prefix></CommonPrefixes>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>"#;

#[test]
fn list_answers_are_parsed() {
    let l = ListObjectsV2::parse(LISTING).unwrap();
    assert_eq!(l.objects.len(), 2);
    assert_eq!(
        l.objects[0],
        Object {
            key: "p/a & b.txt".into(),
            size: 11,
            etag: "\"70ee1738b6b21e2c8a43f3a5ab0eee71\"".into(),
            last_modified: "2026-11-01T10:00:00.000Z".into()
        }
    );
    assert_eq!(l.objects[1].key, "p/ü.bin");
    assert_eq!(l.objects[1].size, 5_242_880);
    assert_eq!(l.prefixes, ["p/photos/", "p/docs/"]);
    assert_eq!(
        l.next_continuation_token.as_deref(),
        Some("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
    );
    let empty = ListObjectsV2::parse(r#"<ListBucketResult xmlns="x"><Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>"#).unwrap();
    assert_eq!(empty, Listing::default());
}

#[test]
fn url_encoded_listings_are_decoded() {
    // As S3 answers with encoding-type=url: a control character, a CR, a
    // space (as '+'), a plus (as %2B) and UTF-8.
    let body = r#"<ListBucketResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>
<Contents><Key>p/a%01b</Key><Size>1</Size></Contents>
<Contents><Key>p/c%0Dd+e%2Bf%C3%BC</Key><Size>2</Size></Contents>
<CommonPrefixes><Prefix>p/x%0A/</Prefix></CommonPrefixes></ListBucketResult>"#;
    let l = ListObjectsV2::parse(body).unwrap();
    assert_eq!(l.objects[0].key, "p/a\u{1}b");
    assert_eq!(l.objects[1].key, "p/c\rd e+fü");
    assert_eq!(l.prefixes, ["p/x\n/"]);
    // Not said to be encoded: taken as it is.
    let raw =
        "<ListBucketResult><Contents><Key>a+b%20</Key><Size>1</Size></Contents></ListBucketResult>";
    assert_eq!(ListObjectsV2::parse(raw).unwrap().objects[0].key, "a+b%20");
    // Decoded bytes that are not UTF-8: malformed, not a panic.
    let bad = "<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>%FF</Key><Size>1</Size></Contents></ListBucketResult>";
    assert_eq!(
        ListObjectsV2::parse(bad).unwrap_err().code,
        ErrorCode::Malformed
    );
}

#[test]
fn a_continuation_token_counts_only_on_a_truncated_page() {
    let page = |truncated: &str| {
        let body = [
            "<ListBucketResult><IsTruncated>",
            truncated,
            "</IsTruncated><NextContinuationToken>t</NextContinuationToken></ListBucketResult>",
        ]
        .concat();
        ListObjectsV2::parse(&body).unwrap().next_continuation_token
    };
    assert_eq!(page("true").as_deref(), Some("t"));
    assert_eq!(page("false"), None);
}

#[test]
fn odd_list_answers_are_malformed_never_a_panic() {
    for bad in [
        "",
        "<html>",
        "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key>",
        &LISTING[..LISTING.len() / 2],
    ] {
        assert_eq!(
            ListObjectsV2::parse(bad).unwrap_err().code,
            ErrorCode::Malformed,
            "{bad}"
        );
    }
}

#[test]
fn s3_errors_are_typed_by_code_with_advice() {
    let body = r#"<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>"#;
    let e = parse_error(403, body, "GetObject");
    assert_eq!((e.name(), e.status), ("AccessDenied", Some(403)));
    assert!(
        e.message
            .starts_with("GetObject: the role's policy does not allow this"),
        "{}",
        e.message
    );
    assert!(
        e.message.ends_with("(S3 says: Access Denied)"),
        "{}",
        e.message
    );
    let e = parse_error(404, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a</Key></Error>", "GetObject");
    assert_eq!(e.name(), "NoSuchKey");
    let e = parse_error(
        403,
        "<Error><Code>SignatureDoesNotMatch</Code><Message>m</Message></Error>",
        "PutObject",
    );
    assert!(e.message.contains("Signer.explain()"));
    // No body (HEAD): named by the status.
    assert_eq!(parse_error(404, "", "HeadObject").name(), "NotFound");
    assert_eq!(parse_error(403, "", "HeadObject").name(), "AccessDenied");
    assert_eq!(
        parse_error(502, "<html>bad gateway</html>", "GetObject").name(),
        "InternalError"
    );
    // A code that is not a code is not trusted as a name.
    assert_eq!(
        parse_error(400, "<Error><Code>a b</Code></Error>", "GetObject").name(),
        "BadRequest"
    );
}

#[test]
fn a_nul_in_a_listing_is_malformed_not_a_shifted_field() {
    // `&#0;` would end a key early in the NUL-separated listing JS reads.
    let body = "<ListBucketResult><Contents><Key>a&#0;9999&#0;evil</Key><Size>1</Size></Contents></ListBucketResult>";
    assert_eq!(
        ListObjectsV2::parse(body).unwrap_err().code,
        ErrorCode::Malformed
    );
    let ok = "<ListBucketResult><Contents><Key>a&amp;b</Key><Size>1</Size></Contents></ListBucketResult>";
    assert_eq!(ListObjectsV2::parse(ok).unwrap().objects[0].key, "a&b");
}

#[test]
fn error_names_are_plain_identifiers_or_the_status_name() {
    let e = parse_error(
        403,
        "<Error><Code>Access\nDenied</Code></Error>",
        "GetObject",
    );
    assert_eq!((e.name(), e.status), ("AccessDenied", Some(403)));
}

#[test]
fn head_copy_and_batch_delete_requests() {
    let b = aws("b-1");
    let head = HeadObject { key: "a b" }.request(&b).unwrap();
    assert_eq!(
        (head.method, head.url.as_str()),
        ("HEAD", "https://b-1.s3.eu-west-1.amazonaws.com/a%20b")
    );
    let copy = CopyObject {
        source: "me/a:b ü.txt",
        key: "me/copy.txt",
    }
    .request(&b)
    .unwrap();
    assert_eq!(copy.method, "PUT");
    assert_eq!(
        copy.headers,
        [("x-amz-copy-source", "/b-1/me/a%3Ab%20%C3%BC.txt".into())]
    );
    assert!(CopyObject {
        source: "a/../b",
        key: "k"
    }
    .request(&b)
    .is_err());
    let keys = ["me/1".to_string(), "me/<&>".to_string()];
    let (r, body) = DeleteObjects { keys: &keys }.request(&b).unwrap();
    assert_eq!(
        (r.method, r.url.as_str()),
        ("POST", "https://b-1.s3.eu-west-1.amazonaws.com/?delete=")
    );
    assert_eq!(
        body,
        "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Object><Key>me/1</Key></Object><Object><Key>me/&lt;&amp;&gt;</Key></Object></Delete>"
    );
    // The checksum S3 requires: base64 of the body's SHA-256 (Python's hashlib's, for this body).
    assert!(r.headers.contains(&(
        "x-amz-checksum-sha256",
        "wfuOVke2fpkrcztZnQPG9KyN1zdsV2LBE803DMRcnig=".into()
    )));
    assert_eq!(
        DeleteObjects { keys: &[] }.request(&b).unwrap_err().code,
        ErrorCode::InvalidConfig
    );
    let many: Vec<String> = (0..1001).map(|i| i.to_string()).collect();
    assert!(DeleteObjects { keys: &many }.request(&b).is_err());
    // XML 1.0 carries tab, LF and CR (as references); other control characters not at all.
    assert!(DeleteObjects::fits_xml("a\tb\r\nc ü"));
    assert!(!DeleteObjects::fits_xml("a\u{1}b"));
    assert!(!DeleteObjects::fits_xml("a\u{FFFF}"));
}

#[test]
fn copy_and_batch_delete_answers() {
    let copied = "<CopyObjectResult><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag></CopyObjectResult>";
    assert_eq!(
        CopyObject::parse(copied).unwrap(),
        "\"9b2cf535f27731c974343645a3985328\""
    );
    let failed = "<Error><Code>InternalError</Code><Message>m</Message></Error>";
    assert_eq!(
        CopyObject::parse(failed).unwrap_err().name(),
        "InternalError"
    );
    assert_eq!(
        CopyObject::parse("<x/>").unwrap_err().code,
        ErrorCode::Malformed
    );
    let result = "<DeleteResult><Deleted><Key>me/1</Key></Deleted><Error><Key>other/2</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>";
    assert_eq!(
        DeleteObjects::parse(result).unwrap(),
        Deleted {
            deleted: vec!["me/1".into()],
            errors: vec![DeleteError {
                key: "other/2".into(),
                code: "AccessDenied".into(),
                message: "Access Denied".into()
            }],
        }
    );
    assert_eq!(
        DeleteObjects::parse(failed).unwrap_err().name(),
        "InternalError"
    );
    for bad in [
        "",
        "<DeleteResult><Deleted></Deleted></DeleteResult>",
        "<DeleteResult><Error><Code>X</Code></Error></DeleteResult>",
    ] {
        assert_eq!(
            DeleteObjects::parse(bad).unwrap_err().code,
            ErrorCode::Malformed,
            "{bad}"
        );
    }
}

#[test]
fn post_policies_name_every_field_and_are_signed_as_aws_sigv4_signs_strings() {
    use crate::sigv4::{Credentials, Signer};
    use aws_sigv4::sign::v4;
    let b = aws("b-1");
    let creds = Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some("tok/en="),
    )
    .unwrap();
    let mut signer = Signer::new(creds, "eu-west-1", "s3").unwrap();
    let now = 1_764_810_300_000; // 2025-12-04T01:05:00Z
    let conditions = ["[\"content-length-range\",0,1048576]".to_string()];
    let post = PostPolicy {
        key: "me/uploads/",
        key_prefix: true,
        expires_in: 600,
        content_type: Some("image/png"),
        conditions: &conditions,
    }
    .sign(&b, &mut signer, now)
    .unwrap();
    assert_eq!(post.url, "https://b-1.s3.eu-west-1.amazonaws.com/");
    let field = |name: &str| {
        post.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(
        field("x-amz-credential"),
        "AKIDEXAMPLE/20251204/eu-west-1/s3/aws4_request"
    );
    assert_eq!(field("x-amz-date"), "20251204T010500Z");
    // A key prefix: the form's key is the prefix then `${filename}`, which S3 fills in.
    assert_eq!(field("key"), "me/uploads/${filename}");
    assert_eq!(field("x-amz-security-token"), "tok/en=");
    use base64::Engine;
    let policy = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(field("Policy"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        policy,
        "{\"expiration\":\"2025-12-04T01:15:00.000Z\",\"conditions\":[{\"bucket\":\"b-1\"},[\"starts-with\",\"$key\",\"me/uploads/\"],\
{\"Content-Type\":\"image/png\"},{\"x-amz-algorithm\":\"AWS4-HMAC-SHA256\"},\
{\"x-amz-credential\":\"AKIDEXAMPLE/20251204/eu-west-1/s3/aws4_request\"},{\"x-amz-date\":\"20251204T010500Z\"},\
{\"x-amz-security-token\":\"tok/en=\"},[\"content-length-range\",0,1048576]]}"
    );
    assert!(crate::json::parse(&policy).is_ok());
    // The signature as AWS's own Rust signer computes one over a string.
    let date = std::time::UNIX_EPOCH + std::time::Duration::from_millis(now as u64);
    let key = v4::generate_signing_key(
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        date,
        "eu-west-1",
        "s3",
    );
    assert_eq!(
        field("x-amz-signature"),
        v4::calculate_signature(key, field("Policy").as_bytes())
    );
    // The key is checked as any key is.
    let bad = PostPolicy {
        key: "a/../b",
        key_prefix: false,
        expires_in: 60,
        content_type: None,
        conditions: &[],
    };
    assert!(bad.sign(&b, &mut signer, now).is_err());
}
