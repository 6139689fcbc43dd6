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

/// How the user proves who they are.
pub enum AuthFlow<'a> {
    /// `USER_PASSWORD_AUTH`.
    Password {
        username: &'a str,
        password: &'a str,
    },
    /// `REFRESH_TOKEN_AUTH`.
    Refresh { refresh_token: &'a str },
}

pub struct InitiateAuth<'a> {
    pub endpoint: &'a str,
    pub client_id: &'a str,
    pub flow: AuthFlow<'a>,
}

impl InitiateAuth<'_> {
    pub fn request(&self) -> HttpRequest {
        let (flow, params) = match self.flow {
            AuthFlow::Password { username, password } => (
                "USER_PASSWORD_AUTH",
                Writer::new()
                    .string("USERNAME", username)
                    .string("PASSWORD", password),
            ),
            AuthFlow::Refresh { refresh_token } => (
                "REFRESH_TOKEN_AUTH",
                Writer::new().string("REFRESH_TOKEN", refresh_token),
            ),
        };
        let body = Writer::new()
            .string("AuthFlow", flow)
            .string("ClientId", self.client_id)
            .object("AuthParameters", params);
        json_request(self.endpoint, TARGET, body.finish())
    }

    /// The tokens of the answer, or a typed error (`ChallengeRequired` for a
    /// challenge); `secrets` are cut out of any message.
    pub fn parse(response: &HttpResponse, secrets: &[&str]) -> Result<Tokens, Error> {
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
