//! User pool calls driven natively with a scripted pool, as the one driver
//! runs them.

use super::user_pool::{PoolCall, Read};
use super::{Failure, Head, Machine, Need, Output, Signing};
use crate::cognito::srp::{NumBigint, SrpClient};
use crate::cognito::{Answer, AuthFlow, InitiateAuth};
use crate::error::{Error, ErrorCode};
use crate::http::HttpRequest;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

const NOW: i64 = 1_700_000_000_000;
const TOKENS: &str = r#"{"AuthenticationResult":{"IdToken":"i","AccessToken":"a","RefreshToken":"r","ExpiresIn":3600}}"#;

/// A request as sent: its target and body.
type Sent = Vec<(String, String)>;

/// The scripted pool: an answer's status and body, or why none came.
type Pool<'a> = &'a mut dyn FnMut(&str, &str) -> Result<(u16, String), Failure>;

/// Drives `m` with answers `(status, body)` from `pool`, or a failure.
fn drive(m: &mut dyn Machine, pool: Pool<'_>) -> (Result<Output, Error>, Sent) {
    let mut signing = Signing::new(None, None, 0, None);
    let mut sent = Vec::new();
    for _ in 0..20 {
        match m.poll(&mut signing, NOW) {
            Need::Send(a) => {
                let target = a
                    .headers
                    .iter()
                    .find(|(n, _)| n == "x-amz-target")
                    .map_or("token", |(_, v)| v.rsplit('.').next().unwrap_or(""))
                    .to_string();
                let body = a.body.unwrap_or_default();
                let answer = pool(&target, &body);
                sent.push((target, body));
                match answer {
                    Ok((status, text)) => {
                        let head = Head {
                            status,
                            ..Head::default()
                        };
                        m.on_head(head, NOW);
                        assert!(matches!(
                            m.poll(&mut signing, NOW),
                            Need::ReadText { max: 1_048_576, .. }
                        ));
                        m.on_text(text, NOW);
                    }
                    Err(f) => m.on_failure(f, NOW),
                }
            }
            Need::Done(o) => return (Ok(o), sent),
            Need::Fail(e) => return (Err(e), sent),
            other => panic!("a user pool call needs no {other:?}"),
        }
    }
    panic!("no end")
}

fn initiate(flow: AuthFlow<'_>) -> HttpRequest {
    InitiateAuth {
        endpoint: "https://cognito-idp.us-east-1.amazonaws.com/",
        client_id: "client1",
        flow,
    }
    .request()
}

fn password_call() -> PoolCall<NumBigint> {
    let flow = AuthFlow::Password {
        username: "alice",
        password: "Pa55word!",
    };
    PoolCall::new(
        initiate(flow),
        Read::SignIn,
        vec!["Pa55word!".into()],
        "alice".into(),
    )
}

#[test]
fn a_password_sign_in_gives_tokens() {
    let (out, sent) = drive(&mut password_call(), &mut |_, _| Ok((200, TOKENS.into())));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, "InitiateAuth");
    let Ok(Output::Auth {
        answer: Answer::Tokens(t),
        ..
    }) = out
    else {
        panic!("{out:?}")
    };
    assert_eq!((t.id_token.as_str(), t.expires_in), ("i", 3600));
}

#[test]
fn a_challenge_goes_to_the_caller_with_the_user() {
    let challenge =
        r#"{"ChallengeName":"SOFTWARE_TOKEN_MFA","Session":"s1","ChallengeParameters":{}}"#;
    let (out, _) = drive(&mut password_call(), &mut |_, _| {
        Ok((200, challenge.into()))
    });
    let Ok(Output::Auth {
        answer: Answer::Challenge(c),
        username,
    }) = out
    else {
        panic!("{out:?}")
    };
    assert_eq!(
        (c.name.as_str(), username.as_str()),
        ("SOFTWARE_TOKEN_MFA", "alice")
    );
}

#[test]
fn the_pool_s_error_is_typed_and_never_echoes_the_password() {
    let (out, _) = drive(&mut password_call(), &mut |_, _| {
        Ok((
            400,
            r#"{"__type":"NotAuthorizedException","message":"Incorrect password Pa55word! for alice"}"#
                .into(),
        ))
    });
    let e = out.unwrap_err();
    assert_eq!(e.name(), "NotAuthorizedException");
    assert!(!e.message.contains("Pa55word!"), "{}", e.message);
}

#[test]
fn no_answer_is_a_typed_error_that_says_where_to_look() {
    for (failure, code, words) in [
        (
            Failure::Timeout,
            ErrorCode::Timeout,
            "user pool did not answer in time",
        ),
        (
            Failure::Network,
            ErrorCode::Network,
            "could not reach the user pool",
        ),
        (
            Failure::TooLarge,
            ErrorCode::Malformed,
            "no user pool answer is",
        ),
    ] {
        let (out, _) = drive(&mut password_call(), &mut |_, _| Err(failure));
        let e = out.unwrap_err();
        assert_eq!(e.code, code);
        assert!(e.message.contains(words), "{}", e.message);
    }
}

#[test]
fn srp_answers_the_password_verifier_then_gives_tokens() {
    let client = SrpClient::new(NumBigint, &[7u8; 128]).unwrap();
    let srp_a = client.public_a_hex();
    let flow = AuthFlow::Srp {
        username: "alice",
        srp_a: &srp_a,
    };
    let read = Read::Srp {
        client,
        pool_id: "us-east-1_Pool".into(),
        endpoint: "https://cognito-idp.us-east-1.amazonaws.com/".into(),
        client_id: "client1".into(),
    };
    let mut m = PoolCall::new(
        initiate(flow),
        read,
        vec!["Pa55word!".into()],
        "alice".into(),
    );
    let verifier = r#"{"ChallengeName":"PASSWORD_VERIFIER","Session":"s1","ChallengeParameters":{"SALT":"a1b2c3","SRP_B":"0123456789abcdef0123456789abcdef","SECRET_BLOCK":"c2VjcmV0LWJsb2Nr","USER_ID_FOR_SRP":"u-123","USERNAME":"u-123"}}"#;
    let (out, sent) = drive(&mut m, &mut |target, _| {
        Ok((
            200,
            match target {
                "InitiateAuth" => verifier.into(),
                _ => TOKENS.into(),
            },
        ))
    });
    assert!(
        matches!(
            out,
            Ok(Output::Auth {
                answer: Answer::Tokens(_),
                ..
            })
        ),
        "{out:?}"
    );
    let targets: Vec<&str> = sent.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(targets, ["InitiateAuth", "RespondToAuthChallenge"]);
    let respond = &sent[1].1;
    for field in [
        "\"PASSWORD_CLAIM_SIGNATURE\"",
        "\"PASSWORD_CLAIM_SECRET_BLOCK\":\"c2VjcmV0LWJsb2Nr\"",
        "\"USERNAME\":\"u-123\"",
        "\"Session\":\"s1\"",
    ] {
        assert!(respond.contains(field), "{field} in {respond}");
    }
    // The password never travels.
    assert!(!sent.iter().any(|(_, body)| body.contains("Pa55word!")));
}

#[test]
fn a_grant_s_failure_names_the_token_endpoint() {
    let request = crate::cognito::ClientCredentials {
        endpoint: "https://auth.example.com/oauth2/token",
        client_id: "c",
        client_secret: "s3cret",
        scope: None,
    }
    .request();
    let mut m = PoolCall::<NumBigint>::new(request, Read::Grant, Vec::new(), String::new());
    let (out, _) = drive(&mut m, &mut |_, _| Err(Failure::Timeout));
    assert!(out.unwrap_err().message.contains("token endpoint"));
}
