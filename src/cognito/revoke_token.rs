//! Cognito User Pools `RevokeToken`, unsigned: sign-out that ends a refresh
//! token (and the access tokens it gave) on the pool, not only in the page.

use super::{json_answer, json_request, HttpRequest, HttpResponse};
use crate::error::Error;
use crate::json::Writer;

const TARGET: &str = "AWSCognitoIdentityProviderService.RevokeToken";

pub struct RevokeToken<'a> {
    pub endpoint: &'a str,
    pub client_id: &'a str,
    pub refresh_token: &'a str,
}

impl RevokeToken<'_> {
    pub fn request(&self) -> HttpRequest {
        let body = Writer::new()
            .string("Token", self.refresh_token)
            .string("ClientId", self.client_id);
        json_request(self.endpoint, TARGET, body.finish())
    }

    pub fn parse(response: &HttpResponse, secrets: &[&str]) -> Result<(), Error> {
        // An empty body is as good as `{}`.
        if (200..300).contains(&response.status) && response.body.trim().is_empty() {
            return Ok(());
        }
        json_answer(response, "RevokeToken", secrets).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn request_and_answers() {
        let r = RevokeToken {
            endpoint: "https://e/",
            client_id: "c",
            refresh_token: "refresh-token-123",
        }
        .request();
        assert_eq!(r.headers[1].1, TARGET);
        let body = json::parse(&r.body).unwrap();
        assert_eq!(
            body.get("Token").unwrap().as_str(),
            Some("refresh-token-123")
        );
        let answer = |status, body: &str| HttpResponse {
            status,
            date: None,
            body: body.into(),
        };
        assert!(RevokeToken::parse(&answer(200, ""), &[]).is_ok());
        assert!(RevokeToken::parse(&answer(200, "{}"), &[]).is_ok());
        let e = RevokeToken::parse(
            &answer(
                400,
                r#"{"__type":"UnsupportedTokenTypeException","message":"bad refresh-token-123"}"#,
            ),
            &["refresh-token-123"],
        )
        .unwrap_err();
        assert_eq!(e.name(), "UnsupportedTokenTypeException");
        assert!(!e.message.contains("refresh-token-123"));
    }
}
