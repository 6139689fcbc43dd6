//! Cognito User Pools `InitiateAuth` with `USER_SRP_AUTH` and
//! `USER_PASSWORD_AUTH`, unsigned: how a page gets
//! its IdToken. An answer is tokens or a challenge to answer
//! (`RespondToAuthChallenge`, whose answers read the same).

use super::{field, json_answer, json_request, HttpRequest, HttpResponse};
use crate::error::Error;
use crate::json::{Value, Writer};
use alloc::string::String;
use alloc::vec::Vec;

#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    pub id_token: String,
    pub access_token: String,
    /// Absent from refresh answers where the client does not rotate refresh
    /// tokens: the refresh token stays the same.
    pub refresh_token: Option<String>,
    pub expires_in: u32,
}

impl core::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tokens")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

pub fn default_endpoint(region: &str) -> String {
    ["https://cognito-idp.", region, ".amazonaws.com/"].concat()
}

const TARGET: &str = "AWSCognitoIdentityProviderService.InitiateAuth";

/// How the user proves who they are.
pub enum AuthFlow<'a> {
    /// `USER_SRP_AUTH`: the password never leaves the page; `srp_a` is the
    /// client's SRP public value (hex, see [`super::srp`]).
    Srp { username: &'a str, srp_a: &'a str },
    /// `USER_PASSWORD_AUTH`.
    Password {
        username: &'a str,
        password: &'a str,
    },
}

pub struct InitiateAuth<'a> {
    pub endpoint: &'a str,
    pub client_id: &'a str,
    pub flow: AuthFlow<'a>,
}

impl InitiateAuth<'_> {
    pub fn request(&self) -> HttpRequest {
        let (flow, params) = match self.flow {
            AuthFlow::Srp { username, srp_a } => (
                "USER_SRP_AUTH",
                Writer::new()
                    .string("USERNAME", username)
                    .string("SRP_A", srp_a),
            ),
            AuthFlow::Password { username, password } => (
                "USER_PASSWORD_AUTH",
                Writer::new()
                    .string("USERNAME", username)
                    .string("PASSWORD", password),
            ),
        };
        let body = Writer::new()
            .string("AuthFlow", flow)
            .string("ClientId", self.client_id)
            .object("AuthParameters", params);
        json_request(self.endpoint, TARGET, body.finish())
    }

    /// The tokens of the answer, or a typed error (`ChallengeRequired` for a
    /// challenge: refreshing never meets one); `secrets` are cut out of any message.
    pub fn parse(response: &HttpResponse, secrets: &[&str]) -> Result<Tokens, Error> {
        match Self::parse_answer(response, secrets)? {
            Answer::Tokens(t) => Ok(t),
            Answer::Challenge(c) => Err(Error::service(
                "ChallengeRequired",
                response.status,
                [
                    "InitiateAuth: the user pool asks for the ",
                    &c.name,
                    " challenge: answer it with UserPool.respond()",
                ]
                .concat(),
            )),
        }
    }

    /// The tokens of the answer, or the challenge it asks for.
    pub fn parse_answer(response: &HttpResponse, secrets: &[&str]) -> Result<Answer, Error> {
        answer_of(response, "InitiateAuth", secrets)
    }
}

/// A challenge the user pool asks for before it gives tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct Challenge {
    /// `PASSWORD_VERIFIER`, `NEW_PASSWORD_REQUIRED`, `SOFTWARE_TOKEN_MFA`, …
    pub name: String,
    /// Carried back with the answer (it proves the steps before; not logged).
    pub session: String,
    /// The challenge's parameters (`USER_ID_FOR_SRP`, `CODE_DELIVERY_DESTINATION`, …), string-valued ones.
    pub parameters: Vec<(String, String)>,
}

impl Challenge {
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl core::fmt::Debug for Challenge {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Challenge")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// What a sign-in step answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Tokens(Tokens),
    Challenge(Challenge),
}

/// Reads an InitiateAuth or RespondToAuthChallenge answer.
pub(super) fn answer_of(
    response: &HttpResponse,
    op: &str,
    secrets: &[&str],
) -> Result<Answer, Error> {
    let doc = json_answer(response, op, secrets)?;
    if let Some(name) = doc.get("ChallengeName").and_then(|c| c.as_str()) {
        let parameters = match doc.get("ChallengeParameters") {
            Some(Value::Object(fields)) => fields
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), String::from(v))))
                .collect(),
            _ => Vec::new(),
        };
        return Ok(Answer::Challenge(Challenge {
            name: String::from(name),
            session: doc
                .get("Session")
                .and_then(|s| s.as_str())
                .map(String::from)
                .unwrap_or_default(),
            parameters,
        }));
    }
    let expires = doc
        .get("AuthenticationResult")
        .and_then(|r| r.get("ExpiresIn"))
        .and_then(|e| e.as_f64())
        .unwrap_or(3600.0);
    Ok(Answer::Tokens(Tokens {
        id_token: String::from(field(&doc, &["AuthenticationResult", "IdToken"], op)?),
        access_token: String::from(field(&doc, &["AuthenticationResult", "AccessToken"], op)?),
        refresh_token: field(&doc, &["AuthenticationResult", "RefreshToken"], op)
            .ok()
            .map(String::from),
        expires_in: if (0.0..=86_400.0 * 365.0).contains(&expires) {
            expires as u32
        } else {
            3600
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn sign_in_and_answers() {
        let r = InitiateAuth {
            endpoint: "https://cognito-idp.us-east-1.amazonaws.com/",
            client_id: "client",
            flow: AuthFlow::Password {
                username: "a@example.com",
                password: "p\"w",
            },
        }
        .request();
        let body = json::parse(&r.body).unwrap();
        assert_eq!(
            body.get("AuthFlow").unwrap().as_str(),
            Some("USER_PASSWORD_AUTH")
        );
        assert_eq!(
            body.get("AuthParameters")
                .unwrap()
                .get("PASSWORD")
                .unwrap()
                .as_str(),
            Some("p\"w")
        );
        let ok = HttpResponse { status: 200, date: None, body: r#"{"AuthenticationResult":{"IdToken":"i","AccessToken":"a","RefreshToken":"r","ExpiresIn":3600,"TokenType":"Bearer"}}"#.into() };
        let t = InitiateAuth::parse(&ok, &[]).unwrap();
        assert_eq!(
            (
                t.id_token.as_str(),
                t.refresh_token.as_deref(),
                t.expires_in
            ),
            ("i", Some("r"), 3600)
        );
        let challenge = HttpResponse {
            status: 200,
            date: None,
            body: r#"{"ChallengeName":"NEW_PASSWORD_REQUIRED","Session":"s"}"#.into(),
        };
        assert_eq!(
            InitiateAuth::parse(&challenge, &[]).unwrap_err().name(),
            "ChallengeRequired"
        );
        let Answer::Challenge(c) = InitiateAuth::parse_answer(&challenge, &[]).unwrap() else {
            panic!("a challenge")
        };
        assert_eq!(
            (c.name.as_str(), c.session.as_str()),
            ("NEW_PASSWORD_REQUIRED", "s")
        );
        let mfa = HttpResponse {
            status: 200,
            date: None,
            body: r#"{"ChallengeName":"SMS_MFA","Session":"s2","ChallengeParameters":{"CODE_DELIVERY_DESTINATION":"+******1234","CODE_DELIVERY_DELIVERY_MEDIUM":"SMS","LIST":["x"]}}"#.into(),
        };
        let Answer::Challenge(c) = InitiateAuth::parse_answer(&mfa, &[]).unwrap() else {
            panic!("a challenge")
        };
        assert_eq!(
            c.parameter("CODE_DELIVERY_DESTINATION"),
            Some("+******1234")
        );
        assert_eq!(c.parameters.len(), 2, "string parameters only");
        assert!(
            !format!("{c:?}").contains("s2"),
            "the session is not logged"
        );
        let srp = InitiateAuth {
            endpoint: "https://e/",
            client_id: "c",
            flow: AuthFlow::Srp {
                username: "u",
                srp_a: "abc",
            },
        }
        .request();
        let body = json::parse(&srp.body).unwrap();
        assert_eq!(
            body.get("AuthFlow").unwrap().as_str(),
            Some("USER_SRP_AUTH")
        );
        assert_eq!(
            body.get("AuthParameters")
                .unwrap()
                .get("SRP_A")
                .unwrap()
                .as_str(),
            Some("abc")
        );
        let wrong = HttpResponse {
            status: 400,
            date: None,
            body:
                r#"{"__type":"NotAuthorizedException","message":"Incorrect username or password."}"#
                    .into(),
        };
        let e = InitiateAuth::parse(&wrong, &["p\"w"]).unwrap_err();
        assert_eq!(e.name(), "NotAuthorizedException");
        assert!(e.message.contains("Incorrect username or password."));
    }
}
