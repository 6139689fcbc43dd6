//! The `parse_answers` fuzz target's checks (fuzz/fuzz_targets/answers.rs) over
//! hand-made answers and pseudo-random mutations of them: truncated JSON and
//! XML, bad escapes, huge numbers, odd statuses. Deterministic; FUZZ_SMOKE_SEED
//! explores other mutations.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../fuzz/fuzz_targets/answers.rs"]
mod answers;

const SEEDS: &[&str] = &[
    "\0{\"IdentityId\":\"us-east-1:x\"}\0{\"IdentityId\":\"i\",\"Credentials\":{\"AccessKeyId\":\"A\",\"SecretKey\":\"s\",\"SessionToken\":\"t\",\"Expiration\":1.7e9}}",
    "\u{8}{\"IdentityId\":\"i\"}\0{\"Token\":\"eyJ.e30.x\"}\0<R><Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t&amp;</SessionToken><Expiration>2023-11-14T22:13:20Z</Expiration></Credentials></R>",
    "\u{1}{\"__type\":\"x#NotAuthorizedException\",\"message\":\"Invalid login token LOGINTOKENsecretLOGINTOKEN0123456789\"}",
    "\u{5}<html>gateway</html>",
    "\u{1}<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>m</Message></Error></ErrorResponse>",
    "\0{\"AuthenticationResult\":{\"IdToken\":\"a\",\"AccessToken\":\"b\",\"ExpiresIn\":1e400}}",
    "\0{\"ChallengeName\":\"NEW_PASSWORD_REQUIRED\"}",
    "\0eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1IiwiaXNzIjoiaHR0cHM6Ly94In0.sig",
    "\0Sun, 30 Aug 2015 12:36:00 GMT",
    "\0[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]",
    "\0\"\\ud800\\udc00\\u0041\"",
    "\u{10}",
    "\0<ListBucketResult xmlns=\"x\"><Contents><Key>p/a &amp; b</Key><Size>11</Size><ETag>&quot;e&quot;</ETag><LastModified>2026-11-01T10:00:00.000Z</LastModified></Contents><CommonPrefixes><Prefix>p/d/</Prefix></CommonPrefixes><NextContinuationToken>t/=</NextContinuationToken></ListBucketResult>",
    "\u{2}<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>1</RequestId></Error>",
    "\0<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>",
    "\0<ListPartsResult><NextPartNumberMarker>2</NextPartNumberMarker><IsTruncated>true</IsTruncated><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag><Size>5242880</Size></Part><Part><PartNumber>2</PartNumber><ETag>\"e2\"</ETag><Size>7</Size></Part></ListPartsResult>",
    "\0<CompleteMultipartUploadResult><Location>l</Location><ETag>&quot;e-2&quot;</ETag></CompleteMultipartUploadResult>",
    "\0{\"ChallengeName\":\"PASSWORD_VERIFIER\",\"Session\":\"s\",\"ChallengeParameters\":{\"SALT\":\"8a\",\"SRP_B\":\"f00d\",\"SECRET_BLOCK\":\"YQ==\",\"USER_ID_FOR_SRP\":\"u\"}}",
    "\0<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b</Key><Code>AccessDenied</Code><Message>m</Message></Error></DeleteResult>",
    "\0<CopyObjectResult><ETag>&quot;e&quot;</ETag></CopyObjectResult>",
];

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn run(data: &[u8]) {
    if let Err(panic) = std::panic::catch_unwind(|| answers::check(data)) {
        eprintln!(
            "fuzz_smoke_answers: failed on input {:?}",
            data.escape_ascii().to_string()
        );
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn answers_never_panic() {
    let seed = std::env::var("FUZZ_SMOKE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_u64);
    let mut rng = XorShift(seed | 1);
    let mut count = 0;
    for s in SEEDS {
        run(s.as_bytes());
        count += 1;
    }
    const BYTES: &[u8] = b"{}[]\",:\\u0\0<>/&;#xTZ-.eE+9 \x80\xff";
    for _ in 0..20_000 {
        let mut data = SEEDS[(rng.next() % SEEDS.len() as u64) as usize]
            .as_bytes()
            .to_vec();
        for _ in 0..1 + rng.next() % 4 {
            let at = (rng.next() % (data.len() as u64 + 1)) as usize;
            match rng.next() % 4 {
                0 => data.truncate(at),
                1 if at < data.len() => {
                    data.remove(at);
                }
                2 => data.insert(at, BYTES[(rng.next() % BYTES.len() as u64) as usize]),
                _ if at < data.len() => data[at] = rng.next() as u8,
                _ => {}
            }
        }
        run(&data);
        count += 1;
    }
    println!("fuzz_smoke_answers: {count} inputs, seed {seed}");
}
