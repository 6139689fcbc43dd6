//! Cognito User Pools `GetTokensFromRefreshToken`, unsigned: new id and
//! access tokens from a refresh token, and a new refresh token where the app
//! client rotates them (Cognito's refresh token rotation, 2025: the old one
//! is then spent, and `REFRESH_TOKEN_AUTH` is refused on such clients). It
//! works for clients that do not rotate too, so it is the one refresh.

use super::initiate_auth::answer_of;
use super::{json_request, Answer, HttpRequest, HttpResponse, Tokens};
use crate::error::Error;
use crate::json::Writer;

const TARGET: &str = "AWSCognitoIdentityProviderService.GetTokensFromRefreshToken";

pub struct GetTokensFromRefreshToken<'a> {
    pub endpoint: &'a str,
    pub client_id: &'a str,
    pub refresh_token: &'a str,
}

impl GetTokensFromRefreshToken<'_> {
    pub fn request(&self) -> HttpRequest {
        let body = Writer::new()
            .string("RefreshToken", self.refresh_token)
            .string("ClientId", self.client_id);
        json_request(self.endpoint, TARGET, body.finish())
    }

    /// The tokens (with `refresh_token` only where it rotated); `secrets` are
    /// cut out of any message.
    pub fn parse(response: &HttpResponse, secrets: &[&str]) -> Result<Tokens, Error> {
        match answer_of(response, "GetTokensFromRefreshToken", secrets)? {
            Answer::Tokens(t) => Ok(t),
            // A refresh never meets a challenge: an answer without tokens.
            Answer::Challenge(_) => Err(Error::new(
                crate::error::ErrorCode::Malformed,
                "GetTokensFromRefreshToken: the user pool answered a challenge, not tokens",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn answer(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            date: None,
            body: body.into(),
        }
    }

    #[test]
    fn request_and_answers() {
        let r = GetTokensFromRefreshToken {
            endpoint: "https://e/",
            client_id: "c",
            refresh_token: "rt-1",
        }
        .request();
        assert_eq!(r.headers[1].1, TARGET);
        let body = json::parse(&r.body).unwrap();
        assert_eq!(body.get("RefreshToken").unwrap().as_str(), Some("rt-1"));
        assert_eq!(body.get("ClientId").unwrap().as_str(), Some("c"));

        let rotated = answer(
            200,
            r#"{"AuthenticationResult":{"IdToken":"i","AccessToken":"a","RefreshToken":"rt-2","ExpiresIn":300}}"#,
        );
        let t = GetTokensFromRefreshToken::parse(&rotated, &[]).unwrap();
        assert_eq!(
            (
                t.id_token.as_str(),
                t.refresh_token.as_deref(),
                t.expires_in
            ),
            ("i", Some("rt-2"), 300)
        );
        let kept = answer(
            200,
            r#"{"AuthenticationResult":{"IdToken":"i","AccessToken":"a"}}"#,
        );
        assert_eq!(
            GetTokensFromRefreshToken::parse(&kept, &[])
                .unwrap()
                .refresh_token,
            None
        );
        let spent = answer(
            400,
            r#"{"__type":"NotAuthorizedException","message":"Refresh Token has been revoked refresh-token-1"}"#,
        );
        let e = GetTokensFromRefreshToken::parse(&spent, &["refresh-token-1"]).unwrap_err();
        assert_eq!(e.name(), "NotAuthorizedException");
        assert!(
            !e.message.contains("refresh-token-1"),
            "the token is cut out"
        );
        let challenge = answer(200, r#"{"ChallengeName":"SMS_MFA","Session":"s"}"#);
        assert!(GetTokensFromRefreshToken::parse(&challenge, &[]).is_err());
    }
}
