//! Cognito User Pools `InitiateAuth` with `USER_PASSWORD_AUTH` and
//! `REFRESH_TOKEN_AUTH`, unsigned: how a page gets its IdToken.

use super::{field, json_answer, json_request, HttpRequest, HttpResponse};
use crate::error::Error;
use crate::json::Writer;
use alloc::string::String;

#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    pub id_token: String,
    pub access_token: String,
    /// Absent from refresh answers: the refresh token stays the same.
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

pub fn sign_in(endpoint: &str, client_id: &str, username: &str, password: &str) -> HttpRequest {
    let params = Writer::new()
        .string("USERNAME", username)
        .string("PASSWORD", password);
    let body = Writer::new()
        .string("AuthFlow", "USER_PASSWORD_AUTH")
        .string("ClientId", client_id)
        .object("AuthParameters", params);
    json_request(endpoint, TARGET, body.finish())
}

pub fn refresh(endpoint: &str, client_id: &str, refresh_token: &str) -> HttpRequest {
    let params = Writer::new().string("REFRESH_TOKEN", refresh_token);
    let body = Writer::new()
        .string("AuthFlow", "REFRESH_TOKEN_AUTH")
        .string("ClientId", client_id)
        .object("AuthParameters", params);
    json_request(endpoint, TARGET, body.finish())
}

pub fn parse_tokens(response: &HttpResponse, secrets: &[&str]) -> Result<Tokens, Error> {
    const OP: &str = "InitiateAuth";
    let doc = json_answer(response, OP, secrets)?;
    if let Some(challenge) = doc.get("ChallengeName").and_then(|c| c.as_str()) {
        return Err(Error::service(
            "ChallengeRequired",
            response.status,
            [
                "InitiateAuth: the user pool asks for the ",
                challenge,
                " challenge, which signIn does not answer: complete it with the AWS SDK or the hosted UI (e.g. set a new password), or use a user without it",
            ].concat(),
        ));
    }
    let expires = doc
        .get("AuthenticationResult")
        .and_then(|r| r.get("ExpiresIn"))
        .and_then(|e| e.as_f64())
        .unwrap_or(3600.0);
    Ok(Tokens {
        id_token: String::from(field(&doc, &["AuthenticationResult", "IdToken"], OP)?),
        access_token: String::from(field(&doc, &["AuthenticationResult", "AccessToken"], OP)?),
        refresh_token: field(&doc, &["AuthenticationResult", "RefreshToken"], OP)
            .ok()
            .map(String::from),
        expires_in: if (0.0..=86_400.0 * 365.0).contains(&expires) {
            expires as u32
        } else {
            3600
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn sign_in_and_answers() {
        let r = sign_in(
            "https://cognito-idp.us-east-1.amazonaws.com/",
            "client",
            "a@example.com",
            "p\"w",
        );
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
        let t = parse_tokens(&ok, &[]).unwrap();
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
            parse_tokens(&challenge, &[]).unwrap_err().name(),
            "ChallengeRequired"
        );
        let wrong = HttpResponse {
            status: 400,
            date: None,
            body:
                r#"{"__type":"NotAuthorizedException","message":"Incorrect username or password."}"#
                    .into(),
        };
        let e = parse_tokens(&wrong, &["p\"w"]).unwrap_err();
        assert_eq!(e.name(), "NotAuthorizedException");
        assert!(e.message.contains("Incorrect username or password."));
    }
}
