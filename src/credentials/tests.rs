//! The provider driven by a scripted transport and a fake clock.

use super::*;
use crate::json;
use alloc::format;
use alloc::string::ToString;
use alloc::vec;

const POOL: &str = "us-east-1:11111111-2222-3333-4444-555555555555";
const KEY: &str = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool";
const T0: i64 = 1_700_000_000_000;
const MIN: i64 = 60_000;

fn b64(s: &str) -> String {
    crate::jwt::base64url_encode(s)
}

fn id_token(sub: &str) -> String {
    let payload =
        format!(r#"{{"sub":"{sub}","iss":"https://{KEY}","token_use":"id","exp":9999999999}}"#);
    [
        b64(r#"{"alg":"RS256"}"#),
        b64(&payload),
        "c2lnbmF0dXJlLXNlY3JldA".into(),
    ]
    .join(".")
}

fn ok(body: String) -> HttpResponse {
    HttpResponse {
        status: 200,
        date: None,
        body,
    }
}

fn aws_error(status: u16, type_name: &str, message: &str) -> HttpResponse {
    HttpResponse {
        status,
        date: None,
        body: format!(r#"{{"__type":"{type_name}","message":"{message}"}}"#),
    }
}

fn creds_answer(expires_ms: i64, n: usize) -> HttpResponse {
    ok(format!(
        r#"{{"IdentityId":"us-east-1:id","Credentials":{{"AccessKeyId":"ASIA{n}","SecretKey":"SECRETKEY{n}","SessionToken":"SESSIONTOKEN{n}","Expiration":{}}}}}"#,
        expires_ms as f64 / 1000.0
    ))
}

/// Records every request and every storage write.
#[derive(Default)]
struct Harness {
    requests: Vec<HttpRequest>,
    storage: RecordingStorage,
}

#[derive(Default)]
struct RecordingStorage {
    inner: MemoryStorage,
    writes: Vec<(String, String)>,
}

impl Storage for RecordingStorage {
    fn get(&self, key: &str) -> Option<String> {
        self.inner.get(key)
    }
    fn set(&mut self, key: &str, value: &str) {
        self.writes.push((key.to_string(), value.to_string()));
        self.inner.set(key, value);
    }
    fn remove(&mut self, key: &str) {
        self.inner.remove(key);
    }
}

fn target(r: &HttpRequest) -> &str {
    r.headers
        .iter()
        .find(|(n, _)| *n == "x-amz-target")
        .map(|(_, v)| v.rsplit('.').next().unwrap_or(""))
        .unwrap_or("AssumeRoleWithWebIdentity")
}

impl Harness {
    /// Drives one `get()` to completion: logins from `token`, answers from `answer`.
    fn get(
        &mut self,
        p: &mut Provider,
        now: i64,
        token: Option<&str>,
        answer: &mut dyn FnMut(&HttpRequest) -> Result<HttpResponse, bool>,
    ) -> Result<Issued, Error> {
        let logins = token
            .map(|t| vec![(KEY.to_string(), t.to_string())])
            .unwrap_or_default();
        self.get_with(p, now, &logins, answer)
    }

    /// As [`Harness::get`], with any logins.
    fn get_with(
        &mut self,
        p: &mut Provider,
        now: i64,
        logins: &[(String, String)],
        answer: &mut dyn FnMut(&HttpRequest) -> Result<HttpResponse, bool>,
    ) -> Result<Issued, Error> {
        let mut now = now;
        let mut step = p.poll(now);
        for _ in 0..50 {
            step = match step {
                Step::Ready(c) => return Ok(c),
                Step::Failed(e) => return Err(e),
                Step::NeedLogins => {
                    match p.set_logins(p.generation(), logins.to_vec(), &self.storage) {
                        Ok(()) => p.poll(now),
                        Err(e) => Step::Failed(e),
                    }
                }
                Step::SleepUntil(t) => {
                    assert!(t > now);
                    now = t;
                    p.resume(p.generation(), now)
                }
                Step::Send(request) => {
                    let result = answer(&request);
                    self.requests.push(request);
                    match result {
                        Ok(response) => {
                            p.on_response(p.generation(), response, now, &mut self.storage)
                        }
                        Err(timed_out) => p.on_network_error(p.generation(), timed_out, now),
                    }
                }
                Step::Wait => panic!("nothing else is in flight"),
                Step::Ask { .. } | Step::Lock => panic!("sharing is off here (tabs_tests)"),
            };
        }
        panic!("no end after 50 steps: {step:?}")
    }

    fn targets(&self) -> Vec<&str> {
        self.requests.iter().map(target).collect()
    }
}

/// A well-behaved identity pool: GetId, then credentials valid for an hour.
fn pool(now: i64) -> impl FnMut(&HttpRequest) -> Result<HttpResponse, bool> {
    let mut n = 0;
    move |r: &HttpRequest| {
        n += 1;
        Ok(match target(r) {
            "GetId" => ok(r#"{"IdentityId":"us-east-1:id"}"#.into()),
            "GetOpenIdToken" => ok(r#"{"IdentityId":"us-east-1:id","Token":"OPENIDTOKENSECRET"}"#.into()),
            "GetCredentialsForIdentity" => creds_answer(now + 60 * MIN, n),
            _ => ok("<AssumeRoleWithWebIdentityResponse><Credentials><AccessKeyId>ASIASTS</AccessKeyId><SecretAccessKey>STSSECRET</SecretAccessKey><SessionToken>STSTOKEN</SessionToken><Expiration>2023-11-14T23:13:20Z</Expiration></Credentials></AssumeRoleWithWebIdentityResponse>".to_string()),
        })
    }
}

fn provider() -> Provider {
    Provider::new(Config::new("us-east-1", POOL).unwrap())
}

#[test]
fn enhanced_flow_two_requests_and_identity_stored_per_pool_and_user() {
    let (mut h, mut p) = (Harness::default(), provider());
    let token = id_token("user-a");
    let c = h.get(&mut p, T0, Some(&token), &mut pool(T0)).unwrap();
    assert_eq!(h.targets(), ["GetId", "GetCredentialsForIdentity"]);
    assert_eq!(c.identity_id, "us-east-1:id");
    assert_eq!(c.credentials.access_key_id, "ASIA2");
    let body = json::parse(&h.requests[1].body).unwrap();
    assert_eq!(
        body.get("Logins").unwrap().get(KEY).unwrap().as_str(),
        Some(token.as_str())
    );
    assert_eq!(
        h.storage.writes,
        [(
            format!("cognito-sigv4:identity:{POOL}:user-a"),
            "us-east-1:id".to_string()
        )]
    );
}

#[test]
fn custom_role_arn_and_account_id_are_sent() {
    let mut config = Config::new("us-east-1", POOL).unwrap();
    config.custom_role_arn = Some("arn:aws:iam::123:role/admin".into());
    config.account_id = Some("123".into());
    let (mut h, mut p) = (Harness::default(), Provider::new(config));
    h.get(&mut p, T0, Some(&id_token("u")), &mut pool(T0))
        .unwrap();
    assert!(h.requests[0].body.contains(r#""AccountId":"123""#));
    assert!(h.requests[1]
        .body
        .contains(r#""CustomRoleArn":"arn:aws:iam::123:role/admin""#));
}

#[test]
fn basic_flow_goes_through_sts() {
    let mut config = Config::new("us-east-1", POOL).unwrap();
    config.flow = Flow::Basic {
        role_arn: "arn:aws:iam::123:role/web".into(),
    };
    let (mut h, mut p) = (Harness::default(), Provider::new(config));
    let c = h
        .get(&mut p, T0 - 10 * MIN, Some(&id_token("u")), &mut pool(T0))
        .unwrap();
    assert_eq!(
        h.targets(),
        ["GetId", "GetOpenIdToken", "AssumeRoleWithWebIdentity"]
    );
    assert_eq!(c.credentials.access_key_id, "ASIASTS");
    assert_eq!(c.credentials.expiration_ms, Some(1_700_003_600_000));
    let sts = &h.requests[2];
    assert_eq!(sts.url, "https://sts.us-east-1.amazonaws.com/");
    assert!(sts
        .body
        .contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123%3Arole%2Fweb"));
    assert!(sts.body.contains("WebIdentityToken=OPENIDTOKENSECRET"));
}

#[test]
fn cached_until_five_minutes_before_expiry_then_refreshed() {
    let (mut h, mut p) = (Harness::default(), provider());
    let token = id_token("u");
    h.get(&mut p, T0, Some(&token), &mut pool(T0)).unwrap();
    assert!(h
        .get(&mut p, T0 + 54 * MIN, Some(&token), &mut |_| panic!(
            "55 min before expiry: cached"
        ))
        .is_ok());
    assert_eq!(h.requests.len(), 2);
    let c = h
        .get(
            &mut p,
            T0 + 55 * MIN + 1,
            Some(&token),
            &mut pool(T0 + 55 * MIN),
        )
        .unwrap();
    assert_eq!(
        h.targets(),
        [
            "GetId",
            "GetCredentialsForIdentity",
            "GetCredentialsForIdentity"
        ],
        "IdentityId reused"
    );
    assert_eq!(c.credentials.access_key_id, "ASIA1");
}

#[test]
fn single_flight_many_callers_two_requests() {
    let (mut h, mut p) = (Harness::default(), provider());
    assert_eq!(p.poll(T0), Step::NeedLogins);
    p.set_logins(0, vec![(KEY.into(), id_token("u"))], &h.storage)
        .unwrap();
    let Step::Send(first) = p.poll(T0) else {
        panic!()
    };
    for _ in 0..9 {
        assert_eq!(
            p.poll(T0),
            Step::Wait,
            "callers 2..10 wait for the exchange in flight"
        );
    }
    let mut answer = pool(T0);
    let Step::Send(second) = p.on_response(0, answer(&first).unwrap(), T0, &mut h.storage) else {
        panic!()
    };
    assert_eq!(p.poll(T0), Step::Wait);
    assert!(matches!(
        p.on_response(0, answer(&second).unwrap(), T0, &mut h.storage),
        Step::Ready(_)
    ));
    for _ in 0..10 {
        assert!(h
            .get(&mut p, T0, Some(&id_token("u")), &mut |_| panic!("cached"))
            .is_ok());
    }
    assert_eq!(
        [target(&first), target(&second)],
        ["GetId", "GetCredentialsForIdentity"]
    );
}

#[test]
fn stale_identity_from_storage_is_dropped_and_get_id_retried_once() {
    for (status, stale_error) in [
        (400, "ResourceNotFoundException"),
        (400, "NotAuthorizedException"),
    ] {
        let mut h = Harness::default();
        h.storage.inner.set(
            &format!("cognito-sigv4:identity:{POOL}:u"),
            "us-east-1:stale",
        );
        let mut p = provider();
        let mut calls = 0;
        let c = h
            .get(&mut p, T0, Some(&id_token("u")), &mut |r| {
                calls += 1;
                Ok(match (calls, target(r)) {
                    (1, "GetCredentialsForIdentity") => {
                        aws_error(status, stale_error, "Identity 'us-east-1:stale' not found.")
                    }
                    (2, "GetId") => ok(r#"{"IdentityId":"us-east-1:fresh"}"#.into()),
                    (3, "GetCredentialsForIdentity") => creds_answer(T0 + 60 * MIN, 3),
                    other => panic!("unexpected {other:?}"),
                })
            })
            .unwrap();
        assert!(h.requests[0].body.contains("us-east-1:stale"));
        assert_eq!(c.identity_id, "us-east-1:fresh");
        assert_eq!(
            h.storage
                .get(&format!("cognito-sigv4:identity:{POOL}:u"))
                .as_deref(),
            Some("us-east-1:fresh")
        );
    }
    // Only once: a second refusal is the caller's error.
    let mut h = Harness::default();
    h.storage.inner.set(
        &format!("cognito-sigv4:identity:{POOL}:u"),
        "us-east-1:stale",
    );
    let mut p = provider();
    let e = h
        .get(&mut p, T0, Some(&id_token("u")), &mut |r| {
            Ok(if target(r) == "GetId" {
                ok(r#"{"IdentityId":"us-east-1:fresh"}"#.into())
            } else {
                aws_error(400, "NotAuthorizedException", "Logins don't match.")
            })
        })
        .unwrap_err();
    assert_eq!(e.name(), "NotAuthorizedException");
    assert_eq!(
        h.targets(),
        [
            "GetCredentialsForIdentity",
            "GetId",
            "GetCredentialsForIdentity"
        ]
    );
}

#[test]
fn the_next_user_never_inherits_the_identity() {
    let (mut h, mut p) = (Harness::default(), provider());
    h.get(&mut p, T0, Some(&id_token("alice")), &mut pool(T0))
        .unwrap();
    p.clear(&mut MemoryStorage::default()); // a sign-out that forgets nothing stored elsewhere
    let mut ids = 0;
    h.get(&mut p, T0, Some(&id_token("bob")), &mut |r| {
        Ok(match target(r) {
            "GetId" => {
                ids += 1;
                ok(r#"{"IdentityId":"us-east-1:bob"}"#.into())
            }
            _ => creds_answer(T0 + 60 * MIN, 9),
        })
    })
    .unwrap();
    assert_eq!(ids, 1, "bob gets his own GetId");
    assert!(h
        .storage
        .get(&format!("cognito-sigv4:identity:{POOL}:alice"))
        .is_some());
    assert_eq!(
        h.storage
            .get(&format!("cognito-sigv4:identity:{POOL}:bob"))
            .as_deref(),
        Some("us-east-1:bob")
    );
    // Bob signs out; Alice signs in again on the same browser: her id comes from storage, no GetId.
    p.clear(&mut h.storage);
    assert_eq!(
        h.storage.get(&format!("cognito-sigv4:identity:{POOL}:bob")),
        None
    );
    let before = h.requests.len();
    h.get(&mut p, T0, Some(&id_token("alice")), &mut pool(T0))
        .unwrap();
    assert_eq!(&h.targets()[before..], ["GetCredentialsForIdentity"]);
}

#[test]
fn clear_forgets_credentials_and_the_stored_identity() {
    let (mut h, mut p) = (Harness::default(), provider());
    h.get(&mut p, T0, Some(&id_token("u")), &mut pool(T0))
        .unwrap();
    p.clear(&mut h.storage);
    assert_eq!(
        h.storage.get(&format!("cognito-sigv4:identity:{POOL}:u")),
        None
    );
    assert_eq!(p.poll(T0), Step::NeedLogins);
    assert_eq!(p.identity_id(), None);
}

#[test]
fn server_clock_decides_expiry() {
    let (mut h, mut p) = (Harness::default(), provider());
    let mut first = true;
    h.get(&mut p, T0, Some(&id_token("u")), &mut |r| {
        let mut response = if target(r) == "GetId" {
            ok(r#"{"IdentityId":"us-east-1:id"}"#.into())
        } else {
            creds_answer(T0 + 2 * 60 * MIN, 1)
        };
        if first {
            // The server is one hour ahead of this machine.
            response.date = Some("Tue, 14 Nov 2023 23:13:20 GMT".into());
            first = false;
        }
        Ok(response)
    })
    .unwrap();
    assert_eq!(p.clock_offset_ms(), 1_700_003_600_000 - T0);
    // Locally 56 minutes later, but 116 minutes by AWS's clock: within the 5-minute margin.
    let before = h.requests.len();
    h.get(&mut p, T0 + 56 * MIN, Some(&id_token("u")), &mut pool(T0))
        .unwrap();
    assert_eq!(
        &h.targets()[before..],
        ["GetCredentialsForIdentity"],
        "refreshed"
    );
}

/// A pool that gives each user (the `sub` of the token, or the opaque token) their own identity and keys.
fn per_user_pool(now: i64) -> impl FnMut(&HttpRequest) -> Result<HttpResponse, bool> {
    move |r: &HttpRequest| {
        let body = json::parse(&r.body).unwrap();
        let token = body
            .get("Logins")
            .and_then(|l| l.get(KEY).or_else(|| l.get("graph.facebook.com")))
            .and_then(|t| t.as_str())
            .unwrap_or("guest")
            .to_string();
        let who = crate::jwt::decode(&token)
            .ok()
            .and_then(|c| c.claim_str("sub").map(String::from))
            .unwrap_or(token);
        Ok(match target(r) {
            "GetId" => ok(format!(r#"{{"IdentityId":"us-east-1:{who}"}}"#)),
            _ => {
                let id = body
                    .get("IdentityId")
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string();
                assert_eq!(
                    id,
                    format!("us-east-1:{who}"),
                    "{who}'s logins sent with another's IdentityId"
                );
                ok(format!(
                    r#"{{"IdentityId":"{id}","Credentials":{{"AccessKeyId":"ASIA-{who}","SecretKey":"S","SessionToken":"T","Expiration":{}}}}}"#,
                    (now + 60 * MIN) / 1000
                ))
            }
        })
    }
}

#[test]
fn cached_credentials_go_only_to_the_user_they_were_issued_for() {
    let (mut h, mut p) = (Harness::default(), provider());
    let alice = h
        .get(&mut p, T0, Some(&id_token("alice")), &mut per_user_pool(T0))
        .unwrap();
    assert_eq!(alice.credentials.access_key_id, "ASIA-alice");
    // The token function now returns Bob's token (no clear()): Bob gets his own, at once.
    let bob = h
        .get(
            &mut p,
            T0 + MIN,
            Some(&id_token("bob")),
            &mut per_user_pool(T0),
        )
        .unwrap();
    assert_eq!(
        (
            bob.credentials.access_key_id.as_str(),
            bob.identity_id.as_str()
        ),
        ("ASIA-bob", "us-east-1:bob")
    );
    assert_eq!(
        h.targets(),
        [
            "GetId",
            "GetCredentialsForIdentity",
            "GetId",
            "GetCredentialsForIdentity"
        ]
    );
    assert_eq!(
        h.storage
            .get(&format!("cognito-sigv4:identity:{POOL}:bob"))
            .as_deref(),
        Some("us-east-1:bob")
    );
    // A fresh IdToken of the same user keeps the cache.
    let again = h
        .get(&mut p, T0 + 2 * MIN, Some(&id_token("bob")), &mut |_| {
            panic!("cached")
        })
        .unwrap();
    assert_eq!(again, bob);
}

#[test]
fn opaque_logins_are_bound_by_token_and_never_persisted() {
    let (mut h, mut p) = (Harness::default(), provider());
    let login = |token: &str| vec![("graph.facebook.com".to_string(), token.to_string())];
    let a = h
        .get_with(&mut p, T0, &login("opaque-alice"), &mut per_user_pool(T0))
        .unwrap();
    let b = h
        .get_with(&mut p, T0, &login("opaque-bob"), &mut per_user_pool(T0))
        .unwrap();
    assert_eq!(
        (a.identity_id.as_str(), b.identity_id.as_str()),
        ("us-east-1:opaque-alice", "us-east-1:opaque-bob")
    );
    assert!(
        h.storage.writes.is_empty(),
        "an IdentityId tied to no user is kept in memory only: {:?}",
        h.storage.writes
    );
    assert_eq!(p.storage_key(), None);
    // The same opaque token again: the cache, without a request.
    assert_eq!(
        h.get_with(&mut p, T0, &login("opaque-bob"), &mut |_| panic!("cached"))
            .unwrap(),
        b
    );
}

#[test]
fn clear_drops_the_exchange_in_flight_and_stores_nothing() {
    // clear() while the token function is pending: the late token is refused.
    let (mut h, mut p) = (Harness::default(), provider());
    assert_eq!(p.poll(T0), Step::NeedLogins);
    let g = p.generation();
    p.clear(&mut h.storage);
    let e = p
        .set_logins(g, vec![(KEY.into(), id_token("alice"))], &h.storage)
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Cancelled);

    // clear() while GetId is in flight: its answer is dropped, nothing is stored.
    let g = p.generation();
    assert_eq!(p.poll(T0), Step::NeedLogins);
    p.set_logins(g, vec![(KEY.into(), id_token("alice"))], &h.storage)
        .unwrap();
    let Step::Send(get_id) = p.poll(T0) else {
        panic!()
    };
    p.clear(&mut h.storage);
    let Step::Failed(e) = p.on_response(g, pool(T0)(&get_id).unwrap(), T0, &mut h.storage) else {
        panic!()
    };
    assert_eq!(e.code, ErrorCode::Cancelled);
    assert!(matches!(
        p.on_network_error(g, true, T0),
        Step::Failed(Error {
            code: ErrorCode::Cancelled,
            ..
        })
    ));
    assert!(matches!(
        p.resume(g, T0),
        Step::Failed(Error {
            code: ErrorCode::Cancelled,
            ..
        })
    ));
    assert!(h.storage.writes.is_empty(), "{:?}", h.storage.writes);
    assert_eq!(p.identity_id(), None);

    // The next user starts afresh.
    let bob = h
        .get(&mut p, T0, Some(&id_token("bob")), &mut per_user_pool(T0))
        .unwrap();
    assert_eq!(bob.identity_id, "us-east-1:bob");
    assert_eq!(
        h.storage.writes,
        [(
            format!("cognito-sigv4:identity:{POOL}:bob"),
            "us-east-1:bob".to_string()
        )]
    );
}

#[test]
fn clock_offset_is_bounded_and_never_overflows() {
    // An answer dated 1970 would make expired credentials look fresh: ClockSkew, nothing learned.
    let (mut h, mut p) = (Harness::default(), provider());
    let e = h
        .get(&mut p, T0, Some(&id_token("u")), &mut |r| {
            let mut response = pool(T0)(r)?;
            response.date = Some("Thu, 01 Jan 1970 00:00:00 GMT".into());
            Ok(response)
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ClockSkew);
    assert!(e.message.contains("clock"), "{}", e.message);
    assert_eq!(p.clock_offset_ms(), 0);
    assert!(h.storage.writes.is_empty());

    assert_eq!(
        p.set_clock_offset_ms(i64::MAX).unwrap_err().code,
        ErrorCode::ClockSkew
    );
    assert_eq!(
        p.set_clock_offset_ms(i64::MIN).unwrap_err().code,
        ErrorCode::ClockSkew
    );
    assert_eq!(
        p.set_clock_offset_ms(MAX_CLOCK_OFFSET_MS + 1)
            .unwrap_err()
            .code,
        ErrorCode::ClockSkew
    );
    p.set_clock_offset_ms(-MAX_CLOCK_OFFSET_MS).unwrap();
    // Extreme clocks and expirations: no overflow (debug builds would panic).
    let (mut h, mut p) = (Harness::default(), provider());
    p.set_clock_offset_ms(MAX_CLOCK_OFFSET_MS).unwrap();
    for now in [i64::MAX, i64::MIN, 0] {
        let _ = h.get(&mut p, now, Some(&id_token("u")), &mut |r| {
            Ok(if target(r) == "GetId" {
                ok(r#"{"IdentityId":"us-east-1:id"}"#.into())
            } else {
                creds_answer(i64::MAX / 2, 1)
            })
        });
    }
    assert_eq!(RetryPolicy::default().delay(0, i64::MAX, &mut 1), None);
}

#[test]
fn retries_throttling_5xx_and_network_failures_within_limits() {
    let (mut h, mut p) = (Harness::default(), provider());
    let mut failures = vec![
        Err(false),
        Ok(aws_error(400, "TooManyRequestsException", "Rate exceeded")),
        Ok(aws_error(503, "ServiceUnavailable", "")),
    ];
    let c = h
        .get(&mut p, T0, Some(&id_token("u")), &mut |r| {
            if failures.is_empty() {
                pool(T0)(r)
            } else {
                failures.remove(0)
            }
        })
        .unwrap();
    assert_eq!(c.identity_id, "us-east-1:id");
    assert_eq!(
        h.targets(),
        [
            "GetId",
            "GetId",
            "GetId",
            "GetId",
            "GetCredentialsForIdentity"
        ]
    );

    // Four failures in a row: 1 try + 3 retries, then the error.
    let (mut h, mut p) = (Harness::default(), provider());
    let e = h
        .get(&mut p, T0, Some(&id_token("u")), &mut |_| Err(true))
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Timeout);
    assert_eq!(h.requests.len(), 4);

    // Never for caller errors.
    let (mut h, mut p) = (Harness::default(), provider());
    let e = h
        .get(&mut p, T0, Some(&id_token("u")), &mut |_| {
            Ok(aws_error(
                400,
                "NotAuthorizedException",
                "Invalid login token.",
            ))
        })
        .unwrap_err();
    assert_eq!(e.name(), "NotAuthorizedException");
    assert_eq!(h.requests.len(), 1);

    // And bounded in time.
    let mut rng = 1;
    let policy = RetryPolicy::default();
    assert_eq!(policy.delay(0, policy.budget_ms, &mut rng), None);
    for attempt in 0..3 {
        let d = policy.delay(attempt, 0, &mut rng).unwrap();
        assert!(d >= 1 && d <= policy.max_delay_ms, "{d}");
    }
}

#[test]
fn a_failed_exchange_is_not_cached() {
    let (mut h, mut p) = (Harness::default(), provider());
    assert!(h
        .get(&mut p, T0, Some(&id_token("u")), &mut |_| Ok(aws_error(
            400,
            "InvalidIdentityPoolConfigurationException",
            "x"
        )))
        .is_err());
    assert_eq!(
        p.poll(T0),
        Step::NeedLogins,
        "the next call starts over, with fresh tokens"
    );
    assert!(h
        .get(&mut p, T0, Some(&id_token("u")), &mut pool(T0))
        .is_ok());
}

#[test]
fn every_documented_identity_error_is_typed_with_advice() {
    for (status, t) in [
        (400, "ExternalServiceException"),
        (500, "InternalErrorException"),
        (400, "InvalidIdentityPoolConfigurationException"),
        (400, "InvalidParameterException"),
        (400, "LimitExceededException"),
        (400, "NotAuthorizedException"),
        (409, "ResourceConflictException"),
        (404, "ResourceNotFoundException"),
        (429, "TooManyRequestsException"),
    ] {
        let (mut h, mut p) = (Harness::default(), provider());
        p.config.retry.max_retries = 0;
        let prefixed = format!("com.amazonaws.cognito.identity.model#{t}");
        let e = h
            .get(&mut p, T0, Some(&id_token("u")), &mut |_| {
                Ok(aws_error(status, &prefixed, "AWS words"))
            })
            .unwrap_err();
        assert_eq!(e.name(), t);
        assert_eq!(e.status, Some(status));
        assert!(
            e.message.contains("AWS words") && !e.message.contains("see the AWS message"),
            "{t}: {}",
            e.message
        );
    }
}

#[test]
fn malformed_or_truncated_answers() {
    for body in [
        "",
        "{",
        r#"{"IdentityId":1}"#,
        "null",
        r#"{"IdentityId":"us-east-1:id""#,
    ] {
        let (mut h, mut p) = (Harness::default(), provider());
        let e = h
            .get(&mut p, T0, Some(&id_token("u")), &mut |_| {
                Ok(ok(body.into()))
            })
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Malformed, "{body:?}");
    }
    let mut config = Config::new("us-east-1", POOL).unwrap();
    config.flow = Flow::Basic {
        role_arn: "arn:aws:iam::1:role/r".into(),
    };
    let (mut h, mut p) = (Harness::default(), Provider::new(config));
    let e = h
        .get(&mut p, T0, Some(&id_token("u")), &mut |r| {
            if target(r) == "AssumeRoleWithWebIdentity" {
                Ok(ok("<Credentials><AccessKeyId>A".into()))
            } else {
                pool(T0)(r)
            }
        })
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Malformed);
}

#[test]
fn no_secret_in_errors_or_storage() {
    let token = id_token("u");
    let secrets = [
        token.as_str(),
        "SECRETKEY",
        "SESSIONTOKEN",
        "OPENIDTOKENSECRET",
        "c2lnbmF0dXJlLXNlY3JldA",
    ];
    let mut config = Config::new("us-east-1", POOL).unwrap();
    config.flow = Flow::Basic {
        role_arn: "arn:aws:iam::1:role/r".into(),
    };
    let (mut h, mut p) = (Harness::default(), Provider::new(config));
    h.get(&mut p, T0, Some(&token), &mut pool(T0)).unwrap();
    // Errors that echo what was sent.
    for echo in [
        format!("Invalid login token {token}"),
        "bad OPENIDTOKENSECRET".into(),
    ] {
        let (mut h2, mut p2) = (Harness::default(), provider());
        let e = h2
            .get(&mut p2, T0, Some(&token), &mut |_| {
                Ok(aws_error(400, "NotAuthorizedException", &echo))
            })
            .unwrap_err();
        assert!(!e.message.contains(&token), "{}", e.message);
    }
    let mut p3 = Provider::new(Config::new("us-east-1", POOL).unwrap());
    let e = Harness::default()
        .get(&mut p3, T0, Some(&token), &mut |_| Ok(ok("{".into())))
        .unwrap_err();
    for s in secrets {
        assert!(!e.message.contains(s));
        assert!(!format!("{p:?}").contains(s));
        for (k, v) in &h.storage.writes {
            assert!(!k.contains(s) && !v.contains(s), "storage write {k}={v}");
        }
    }
}

#[test]
fn guests_get_an_identity_without_logins() {
    let (mut h, mut p) = (Harness::default(), provider());
    h.get(&mut p, T0, None, &mut pool(T0)).unwrap();
    assert!(!h.requests[0].body.contains("Logins"));
    assert_eq!(
        h.storage.writes[0].0,
        format!("cognito-sigv4:identity:{POOL}:guest")
    );
}

#[test]
fn config_validation() {
    assert_eq!(
        Config::new("us-east-1", "not-a-pool").unwrap_err().code,
        ErrorCode::InvalidConfig
    );
    assert_eq!(
        Config::new("US East", POOL).unwrap_err().code,
        ErrorCode::InvalidConfig
    );
}

#[test]
fn another_caller_during_a_backoff_waits_and_only_the_owner_retries() {
    let (h, mut p) = (Harness::default(), provider());
    assert_eq!(p.poll(T0), Step::NeedLogins);
    let g = p.generation();
    p.set_logins(g, vec![(KEY.into(), id_token("u"))], &h.storage)
        .unwrap();
    let Step::Send(_) = p.poll(T0) else {
        panic!("GetId first")
    };
    let throttled = aws_error(400, "TooManyRequestsException", "Rate exceeded");
    let mut storage = MemoryStorage::default();
    let Step::SleepUntil(until) = p.on_response(g, throttled, T0, &mut storage) else {
        panic!("a backoff")
    };
    // Past the backoff, but before the owner's timer fires: another get() polls.
    assert_eq!(p.poll(until + 1), Step::Wait);
    assert_eq!(p.poll(until + 1), Step::Wait);
    // The owner resumes and sends the retry; nothing was taken over.
    let Step::Send(retry) = p.resume(g, until + 1) else {
        panic!("the retry")
    };
    assert_eq!(target(&retry), "GetId");
}

/// The exchange as the one driver runs it (src/op/exchange.rs): the same
/// provider, its steps turned into the driver's needs.
mod on_the_driver {
    use super::*;
    use crate::op::exchange::{Exchange, Plain};
    use crate::op::{Failure, Head, Machine, Need, Output, Signing};
    use core::cell::RefCell;

    /// What the scripted network does with a request.
    enum Net {
        Answer(HttpResponse),
        Fail(Failure),
        /// The head came, then the body was more than the cap.
        TooLarge(u16),
    }

    /// Drives `m` as src/wasm/driver.rs does; every request sent, by target.
    fn drive(
        m: &mut dyn Machine,
        now: &mut i64,
        net: &mut dyn FnMut(&str) -> Net,
    ) -> (Result<Output, Error>, Vec<String>) {
        let mut signing = Signing::new(None, None, 0, None);
        let mut sent = Vec::new();
        for _ in 0..100 {
            match m.poll(&mut signing, *now) {
                Need::Send(a) => {
                    assert_eq!(a.timeout_ms, Some(10_000));
                    let target = a
                        .headers
                        .iter()
                        .find(|(n, _)| n == "x-amz-target")
                        .map(|(_, v)| v.rsplit('.').next().unwrap_or("").to_string())
                        .unwrap_or_default();
                    sent.push(target.clone());
                    match net(&target) {
                        Net::Answer(r) => {
                            let mut headers = Vec::new();
                            if let Some(d) = r.date.clone() {
                                headers.push(("date".to_string(), d));
                            }
                            m.on_head(
                                Head {
                                    status: r.status,
                                    headers,
                                    ..Head::default()
                                },
                                *now,
                            );
                            assert!(matches!(
                                m.poll(&mut signing, *now),
                                Need::ReadText { max: 4096, .. }
                            ));
                            m.on_text(r.body, *now);
                        }
                        Net::Fail(f) => m.on_failure(f, *now),
                        Net::TooLarge(status) => {
                            m.on_head(
                                Head {
                                    status,
                                    ..Head::default()
                                },
                                *now,
                            );
                            assert!(matches!(m.poll(&mut signing, *now), Need::ReadText { .. }));
                            m.on_failure(Failure::TooLarge, *now);
                        }
                    }
                }
                Need::WaitUntil(t) => {
                    assert!(t > *now);
                    *now = t;
                }
                Need::Done(output) => return (Ok(output), sent),
                Need::Fail(e) => return (Err(e), sent),
                other => panic!("an unsigned call needs no {other:?}"),
            }
        }
        panic!("no end after 100 steps")
    }

    /// The provider after its logins: the step an exchange starts from.
    fn started(p: &RefCell<Provider>, storage: &RefCell<MemoryStorage>, token: &str) -> Step {
        let mut p = p.borrow_mut();
        assert_eq!(p.poll(T0), Step::NeedLogins);
        let logins = vec![(KEY.to_string(), token.to_string())];
        let generation = p.generation();
        p.set_logins(generation, logins, &*storage.borrow())
            .unwrap();
        p.poll(T0)
    }

    fn exchange(
        net: &mut dyn FnMut(&str) -> Net,
    ) -> (Result<Output, Error>, Vec<String>, MemoryStorage) {
        let p = RefCell::new(provider());
        let storage = RefCell::new(MemoryStorage::default());
        let step = started(&p, &storage, &id_token("u"));
        let generation = p.borrow().generation();
        let mut now = T0;
        let (out, sent) = {
            let mut m = Exchange::new(&p, &storage, generation, step, 10_000, 4096);
            drive(&mut m, &mut now, net)
        };
        (out, sent, storage.into_inner())
    }

    fn answers(target: &str) -> Net {
        match target {
            "GetId" => Net::Answer(ok(r#"{"IdentityId":"us-east-1:id"}"#.into())),
            _ => Net::Answer(creds_answer(T0 + 60 * MIN, 1)),
        }
    }

    #[test]
    fn an_exchange_runs_to_credentials_and_stores_the_identity() {
        let (out, sent, storage) = exchange(&mut answers);
        assert_eq!(sent, ["GetId", "GetCredentialsForIdentity"]);
        let Ok(Output::Credentials(issued)) = out else {
            panic!("{out:?}")
        };
        assert_eq!(issued.identity_id, "us-east-1:id");
        assert_eq!(issued.credentials.access_key_id, "ASIA1");
        assert!(storage.0.iter().any(|(_, v)| v == "us-east-1:id"));
    }

    #[test]
    fn throttling_a_5xx_a_cut_connection_and_an_oversized_answer_are_retried() {
        let mut script = vec![
            Net::Fail(Failure::Network),
            Net::Answer(aws_error(400, "TooManyRequestsException", "Rate exceeded")),
            Net::TooLarge(503),
        ];
        let (out, sent, _) = exchange(&mut |t| match script.is_empty() {
            true => answers(t),
            false => script.remove(0),
        });
        assert!(matches!(out, Ok(Output::Credentials(_))), "{out:?}");
        assert_eq!(
            sent,
            [
                "GetId",
                "GetId",
                "GetId",
                "GetId",
                "GetCredentialsForIdentity"
            ]
        );
    }

    #[test]
    fn timeouts_end_in_a_typed_timeout_after_the_retries() {
        let (out, sent, _) = exchange(&mut |_| Net::Fail(Failure::Timeout));
        assert_eq!(out.unwrap_err().code, ErrorCode::Timeout);
        assert_eq!(sent.len(), 4);
    }

    #[test]
    fn an_oversized_ok_answer_is_malformed_not_a_trap() {
        let (out, sent, _) = exchange(&mut |_| Net::TooLarge(200));
        assert_eq!(out.unwrap_err().code, ErrorCode::Malformed);
        assert_eq!(sent, ["GetId"]);
    }

    #[test]
    fn a_storage_in_use_is_refused_not_borrowed_twice() {
        let p = RefCell::new(provider());
        let storage = RefCell::new(MemoryStorage::default());
        let step = started(&p, &storage, &id_token("u"));
        let generation = p.borrow().generation();
        let held = storage.borrow_mut();
        let mut m = Exchange::new(&p, &storage, generation, step, 10_000, 4096);
        let (out, _) = drive(&mut m, &mut T0.clone(), &mut answers);
        drop(held);
        let e = out.unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidConfig);
        assert!(e.message.contains("storage"));
    }

    #[test]
    fn a_clear_mid_exchange_ends_it_and_stores_nothing() {
        let p = RefCell::new(provider());
        let storage = RefCell::new(MemoryStorage::default());
        let step = started(&p, &storage, &id_token("u"));
        let generation = p.borrow().generation();
        let mut m = Exchange::new(&p, &storage, generation, step, 10_000, 4096);
        let (out, sent) = drive(&mut m, &mut T0.clone(), &mut |t| {
            // Sign-out while GetId is on its way.
            p.borrow_mut().clear(&mut *storage.borrow_mut());
            answers(t)
        });
        assert_eq!(out.unwrap_err().code, ErrorCode::Cancelled);
        assert_eq!(sent, ["GetId"]);
        assert!(storage.borrow().0.is_empty());
    }

    #[test]
    fn a_plain_call_gives_its_answer_or_why_none_came() {
        let request = || HttpRequest {
            method: "POST",
            url: "https://cognito-idp.us-east-1.amazonaws.com/".into(),
            headers: vec![("x-amz-target", "X.InitiateAuth".into())],
            body: "{}".into(),
        };
        let mut m = Plain::new(request(), 10_000, 4096);
        let mut net = |_: &str| {
            let mut r = ok("{\"a\":1}".into());
            r.date = Some("Tue, 14 Nov 2023 22:13:20 GMT".into());
            Net::Answer(r)
        };
        let (out, sent) = drive(&mut m, &mut T0.clone(), &mut net);
        assert_eq!(sent, ["InitiateAuth"]);
        let Ok(Output::Answer(Ok(r))) = out else {
            panic!("{out:?}")
        };
        assert_eq!((r.status, r.body.as_str()), (200, "{\"a\":1}"));
        assert_eq!(r.date.as_deref(), Some("Tue, 14 Nov 2023 22:13:20 GMT"));
        for failure in [Failure::Timeout, Failure::Network] {
            let mut m = Plain::new(request(), 10_000, 4096);
            let (out, _) = drive(&mut m, &mut T0.clone(), &mut |_| Net::Fail(failure));
            assert_eq!(out, Ok(Output::Answer(Err(failure))));
        }
        let mut m = Plain::new(request(), 10_000, 4096);
        let (out, _) = drive(&mut m, &mut T0.clone(), &mut |_| Net::TooLarge(200));
        assert_eq!(out, Ok(Output::Answer(Err(Failure::TooLarge))));
    }
}

#[path = "tabs_tests.rs"]
mod tabs_tests;
