//! Cognito User Pools `RespondToAuthChallenge`, unsigned: the answer to a
//! challenge of a sign-in (SRP's password claim, a new password, an MFA or
//! email code). It answers tokens or the next challenge.

use super::initiate_auth::{answer_of, Answer};
use super::{json_request, HttpRequest, HttpResponse};
use crate::error::{Error, ErrorCode};
use crate::json::Writer;

const TARGET: &str = "AWSCognitoIdentityProviderService.RespondToAuthChallenge";

pub struct RespondToAuthChallenge<'a> {
    pub endpoint: &'a str,
    pub client_id: &'a str,
    pub challenge_name: &'a str,
    pub session: &'a str,
    /// `ChallengeResponses`: USERNAME and the challenge's own fields.
    pub responses: &'a [(&'a str, &'a str)],
}

/// The ChallengeResponses field that carries the user's answer to a
/// challenge an app answers with one string (a code or a new password).
pub fn answer_field(challenge: &str) -> Result<&'static str, Error> {
    Ok(match challenge {
        "NEW_PASSWORD_REQUIRED" => "NEW_PASSWORD",
        "SOFTWARE_TOKEN_MFA" => "SOFTWARE_TOKEN_MFA_CODE",
        "SMS_MFA" => "SMS_MFA_CODE",
        "EMAIL_OTP" => "EMAIL_OTP_CODE",
        "SMS_OTP" => "SMS_OTP_CODE",
        "SELECT_MFA_TYPE" => "ANSWER",
        other => {
            return Err(Error::new(
                ErrorCode::InvalidConfig,
                [
                    "respond() answers NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP, SMS_OTP and SELECT_MFA_TYPE, not ",
                    &crate::sigv4::url::shorten(other),
                    ": complete it with the AWS SDK or the hosted UI",
                ]
                .concat(),
            ))
        }
    })
}

impl RespondToAuthChallenge<'_> {
    pub fn request(&self) -> HttpRequest {
        let responses = self
            .responses
            .iter()
            .fold(Writer::new(), |w, (k, v)| w.string(k, v));
        let mut body = Writer::new()
            .string("ChallengeName", self.challenge_name)
            .string("ClientId", self.client_id);
        if !self.session.is_empty() {
            body = body.string("Session", self.session);
        }
        let body = body.object("ChallengeResponses", responses);
        json_request(self.endpoint, TARGET, body.finish())
    }

    /// Tokens, or the next challenge; `secrets` are cut out of any message.
    pub fn parse(response: &HttpResponse, secrets: &[&str]) -> Result<Answer, Error> {
        answer_of(response, "RespondToAuthChallenge", secrets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn requests_and_answers() {
        let r = RespondToAuthChallenge {
            endpoint: "https://cognito-idp.eu-west-1.amazonaws.com/",
            client_id: "client",
            challenge_name: "SOFTWARE_TOKEN_MFA",
            session: "sess",
            responses: &[("USERNAME", "u"), ("SOFTWARE_TOKEN_MFA_CODE", "123456")],
        }
        .request();
        assert_eq!(r.headers[1].1, TARGET);
        let body = json::parse(&r.body).unwrap();
        assert_eq!(body.get("Session").unwrap().as_str(), Some("sess"));
        let responses = body.get("ChallengeResponses").unwrap();
        assert_eq!(
            responses.get("SOFTWARE_TOKEN_MFA_CODE").unwrap().as_str(),
            Some("123456")
        );
        let ok = HttpResponse { status: 200, date: None, body: r#"{"AuthenticationResult":{"IdToken":"i","AccessToken":"a","RefreshToken":"r","ExpiresIn":60}}"#.into() };
        assert!(
            matches!(RespondToAuthChallenge::parse(&ok, &[]).unwrap(), Answer::Tokens(t) if t.id_token == "i")
        );
        let wrong = HttpResponse {
            status: 400,
            date: None,
            body: r#"{"__type":"CodeMismatchException","message":"Invalid code received"}"#.into(),
        };
        let e = RespondToAuthChallenge::parse(&wrong, &[]).unwrap_err();
        assert_eq!(e.name(), "CodeMismatchException");
        assert!(e.message.contains("the code is wrong"), "{}", e.message);
        let weak = HttpResponse {
            status: 400,
            date: None,
            body: r#"{"__type":"InvalidPasswordException","message":"Password 'hunter2hunter2' does not conform to policy"}"#.into(),
        };
        let e = RespondToAuthChallenge::parse(&weak, &["hunter2hunter2"]).unwrap_err();
        assert!(
            !e.message.contains("hunter2hunter2") && e.message.contains("password policy"),
            "{}",
            e.message
        );
        assert_eq!(answer_field("EMAIL_OTP").unwrap(), "EMAIL_OTP_CODE");
        assert_eq!(
            answer_field("CUSTOM_CHALLENGE").unwrap_err().code,
            ErrorCode::InvalidConfig
        );
    }
}
