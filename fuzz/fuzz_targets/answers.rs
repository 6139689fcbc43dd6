//! Shared by the `parse_answers` fuzz target and tests/fuzz_smoke_answers.rs:
//! every parser of service answers (Cognito, STS, S3) and tokens, and the credential provider
//! fed arbitrary answers, must never panic, and no error may quote a secret.

use cognito_sigv4::cognito::srp::{NumBigint, PasswordVerifier, SrpClient};
use cognito_sigv4::cognito::{
    Answer, AssumeRoleWithWebIdentity, ClientCredentials, GetCredentialsForIdentity, GetId,
    GetOpenIdToken, InitiateAuth, RespondToAuthChallenge, RevokeToken,
};
use cognito_sigv4::credentials::{Config, Flow, MemoryStorage, Provider, Step};
use cognito_sigv4::http::HttpResponse;
use cognito_sigv4::sigv4::time;
use cognito_sigv4::{json, jwt, s3, xml};

const SECRET: &str = "LOGINTOKENsecretLOGINTOKEN0123456789";

fn response_of(status: u16, text: &str) -> HttpResponse {
    HttpResponse {
        status,
        date: Some(text.to_string()),
        body: text.to_string(),
    }
}

/// Input: first byte picks status and flow, the rest is answer bodies split by NUL.
pub fn check(data: &[u8]) {
    let (head, rest) = data.split_first().map(|(h, r)| (*h, r)).unwrap_or((0, &[]));
    let text = String::from_utf8_lossy(rest);
    let status = [200u16, 400, 403, 404, 429, 500, 503, 302][usize::from(head & 7)];

    let _ = json::parse(&text);
    let _ = jwt::decode(&text);
    // Another tab's message (#23): any text on the channel.
    let _ = cognito_sigv4::credentials::tabs::decode("cognito-sigv4/p/c", &text);
    let _ = time::parse_iso8601(&text);
    let _ = time::parse_http_date(&text);
    // S3: listings and error documents, and the XML reader under both.
    let _ = xml::all(&text, "Contents");
    let _ = s3::ListObjectsV2::parse(&text);
    // Multipart answers: an upload id, the parts so far (whose paging must
    // move on), and a completion that may be an error inside a 200.
    let _ = s3::CreateMultipartUpload::parse(&text);
    if let Ok(page) = s3::ListParts::parse(&text) {
        assert!(page
            .parts
            .iter()
            .all(|p| (1..=10_000).contains(&p.number) && !p.etag.is_empty()));
    }
    if let Err(e) = s3::CompleteMultipartUpload::parse(&text) {
        assert!(!e.name().is_empty());
    }
    let _ = s3::CopyObject::parse(&text);
    if let Ok(d) = s3::DeleteObjects::parse(&text) {
        assert!(d.errors.iter().all(|e| !e.key.contains('\0')));
    }
    // Sign-in answers: tokens or a challenge; SRP's claim over an arbitrary challenge.
    if let Ok(Answer::Challenge(c)) =
        RespondToAuthChallenge::parse(&response_of(status, &text), &[SECRET])
    {
        let client = SrpClient::new(NumBigint, &[7u8; 32]).expect("32 bytes make an SRP client");
        let verifier = PasswordVerifier {
            salt_hex: c.parameter("SALT").unwrap_or(""),
            srp_b_hex: c.parameter("SRP_B").unwrap_or(""),
            secret_block: c.parameter("SECRET_BLOCK").unwrap_or(""),
            user_id_for_srp: c.parameter("USER_ID_FOR_SRP").unwrap_or(""),
        };
        if let Err(e) = client.answer("us-east-1_P", SECRET, &verifier, 0) {
            assert!(!e.message.contains(SECRET));
        }
    }
    let _ = RevokeToken::parse(&response_of(status, &text), &[SECRET]);
    let e = s3::parse_error(status, &text, "GetObject");
    // The token endpoint's answers: a token, or an OAuth error named by a plain code.
    if let Err(e) = ClientCredentials::parse(&response_of(status, &text)) {
        assert!(
            e.name()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.'),
            "OAuth error name {:?}",
            e.name()
        );
    }
    let _ = cognito_sigv4::aws_host::service_region(&text);
    assert!(
        !e.name().is_empty() && e.name().bytes().all(|b| b.is_ascii_alphanumeric()),
        "S3 error name {:?}",
        e.name()
    );
    let response = response_of(status, &text);
    for result in [
        GetId::parse(&response, &[SECRET]).err(),
        GetOpenIdToken::parse(&response, &[SECRET]).err(),
        GetCredentialsForIdentity::parse(&response, &[SECRET]).err(),
        AssumeRoleWithWebIdentity::parse(&response, &[SECRET]).err(),
        InitiateAuth::parse(&response, &[SECRET]).err(),
    ]
    .into_iter()
    .flatten()
    {
        assert!(
            !result.message.contains(SECRET),
            "an error quotes the login token: {}",
            result.message
        );
    }

    // The provider, answered with the input's bodies in turn.
    let mut config = match Config::new(
        "us-east-1",
        "us-east-1:00000000-0000-0000-0000-000000000000",
    ) {
        Ok(c) => c,
        Err(e) => panic!("valid config refused: {e}"),
    };
    if head & 8 != 0 {
        config.flow = Flow::Basic {
            role_arn: "arn:aws:iam::1:role/r".into(),
        };
    }
    let mut provider = Provider::new(config);
    let mut storage = MemoryStorage::default();
    let mut bodies = text.split('\0');
    let mut now = 1_700_000_000_000i64;
    let mut step = provider.poll(now);
    for _ in 0..32 {
        step = match step {
            Step::NeedLogins => {
                match provider.set_logins(
                    provider.generation(),
                    vec![(
                        "cognito-idp.us-east-1.amazonaws.com/p".into(),
                        SECRET.into(),
                    )],
                    &storage,
                ) {
                    Ok(()) => provider.poll(now),
                    Err(e) => Step::Failed(e),
                }
            }
            Step::Send(_) => match bodies.next() {
                Some(body) => {
                    // A body that starts like an HTTP date doubles as the answer's Date header
                    // (hostile clocks: 1970, year 9999, garbage).
                    let date = body
                        .split_once('\n')
                        .map(|(d, _)| d.to_string())
                        .filter(|_| head & 32 != 0);
                    provider.on_response(
                        provider.generation(),
                        HttpResponse {
                            status,
                            date,
                            body: body.to_string(),
                        },
                        now,
                        &mut storage,
                    )
                }
                None => provider.on_network_error(provider.generation(), head & 16 != 0, now),
            },
            Step::SleepUntil(t) => {
                assert!(t > now, "sleep into the past");
                now = t;
                provider.resume(provider.generation(), now)
            }
            Step::Failed(e) => {
                assert!(
                    !e.message.contains(SECRET),
                    "provider error quotes the token: {}",
                    e.message
                );
                break;
            }
            Step::Ready(_) | Step::Wait => break,
            Step::Ask { .. } | Step::Lock => panic!("sharing across tabs is off here"),
        };
    }
    assert!(!format!("{provider:?}").contains(SECRET));
}
