//! The OAuth 2.0 client-credentials grant against a user pool's
//! `/oauth2/token` (RFC 6749 §4.4), for servers and edge runtimes: the
//! request, and the access token or a typed error from the answer.

use super::{HttpRequest, HttpResponse};
use crate::error::{Error, ErrorCode};
use crate::json::{self, Value};
use crate::sigv4::encode::encode;
use alloc::string::String;
use base64::Engine;

/// An access token and its lifetime in seconds.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub access_token: String,
    pub expires_in: u32,
}

impl core::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AccessToken")
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

pub struct ClientCredentials<'a> {
    /// `https://<domain>/oauth2/token`
    pub endpoint: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    /// Space-separated scopes; the app client's defaults when `None`.
    pub scope: Option<&'a str>,
}

impl ClientCredentials<'_> {
    /// `POST endpoint` with HTTP Basic client authentication (id and secret
    /// form-encoded first, as RFC 6749 §2.3.1 asks) and the scopes.
    pub fn request(&self) -> HttpRequest {
        let (endpoint, client_id, client_secret, scope) = (
            self.endpoint,
            self.client_id,
            self.client_secret,
            self.scope,
        );
        let basic = base64::engine::general_purpose::STANDARD
            .encode([&encode(client_id), ":", &encode(client_secret)].concat());
        let mut body = String::from("grant_type=client_credentials");
        if let Some(scope) = scope.filter(|s| !s.is_empty()) {
            body.push_str("&scope=");
            body.push_str(&encode(scope));
        }
        HttpRequest {
            method: "POST",
            url: String::from(endpoint),
            headers: alloc::vec![
                (
                    "content-type",
                    String::from("application/x-www-form-urlencoded")
                ),
                ("authorization", ["Basic ", &basic].concat()),
            ],
            body,
        }
    }

    /// The token of a successful answer, or the endpoint's OAuth error as a
    /// typed error named by its code (`invalid_client`, …).
    pub fn parse(response: &HttpResponse) -> Result<AccessToken, Error> {
        let Ok(doc) = json::parse(&response.body) else {
            return Err(Error::new(
            ErrorCode::Malformed,
            "the token endpoint did not answer JSON: check tokenEndpoint (https://<domain>/oauth2/token)",
        ));
        };
        let token = doc.get("access_token").and_then(Value::as_str);
        match token {
            Some(token) if (200..300).contains(&response.status) && !token.is_empty() => {
                let expires = doc
                    .get("expires_in")
                    .and_then(Value::as_f64)
                    .filter(|e| (1.0..=86_400.0 * 365.0).contains(e))
                    .unwrap_or(3600.0);
                Ok(AccessToken {
                    access_token: String::from(token),
                    expires_in: expires as u32,
                })
            }
            _ => {
                // Only OAuth's own error codes (RFC 6749 5.2) name the error: any
                // other word could be anything the endpoint echoes, the client
                // secret included, and is not repeated.
                let given = doc.get("error").and_then(Value::as_str).unwrap_or("");
                let code = match given {
                    "invalid_request"
                    | "invalid_client"
                    | "invalid_grant"
                    | "unauthorized_client"
                    | "unsupported_grant_type"
                    | "invalid_scope" => given,
                    "" => "",
                    _ => "OAuthError",
                };
                let advice = match code {
                    "invalid_client" => {
                        "check clientId and clientSecret, and that the app client has a secret"
                    }
                    "invalid_scope" => "request only scopes the app client is allowed",
                    "unauthorized_client" => "enable the client_credentials flow on the app client",
                    "unsupported_grant_type" => "the endpoint does not support client_credentials",
                    "OAuthError" => "its error code is not one of OAuth's (not shown)",
                    _ => "see its answer",
                };
                let mut e = Error::service(
                    code,
                    response.status,
                    ["the token endpoint refused: ", advice, " (", code, ")"].concat(),
                );
                if code.is_empty() || e.service_type.as_deref() != Some(code) {
                    e = Error::new(
                    ErrorCode::Malformed,
                    "the token endpoint's answer has no access_token and no OAuth error: check tokenEndpoint",
                );
                }
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cognito::tests::answer;

    #[test]
    fn request_is_a_form_post_with_basic_auth() {
        let r = ClientCredentials {
            endpoint: "https://d/oauth2/token",
            client_id: "id:1",
            client_secret: "s&cret",
            scope: Some("a/b c"),
        }
        .request();
        assert_eq!(r.body, "grant_type=client_credentials&scope=a%2Fb%20c");
        // base64("id%3A1:s%26cret")
        assert_eq!(r.headers[1].1, "Basic aWQlM0ExOnMlMjZjcmV0");
    }

    #[test]
    fn answers_and_errors() {
        let ok = ClientCredentials::parse(&answer(
            200,
            r#"{"access_token":"t","expires_in":60,"token_type":"Bearer"}"#,
        ))
        .unwrap();
        assert_eq!((ok.access_token.as_str(), ok.expires_in), ("t", 60));
        let e =
            ClientCredentials::parse(&answer(400, r#"{"error":"invalid_client"}"#)).unwrap_err();
        // A word that is not OAuth's (here the client secret, echoed) is never repeated.
        let echoed =
            ClientCredentials::parse(&answer(400, r#"{"error":"s3cretValue42"}"#)).unwrap_err();
        assert_eq!(echoed.name(), "OAuthError");
        assert!(
            !echoed.message.contains("s3cretValue42"),
            "{}",
            echoed.message
        );
        assert_eq!((e.name(), e.status), ("invalid_client", Some(400)));
        assert!(e.message.contains("clientSecret"));
        let forged =
            ClientCredentials::parse(&answer(400, r#"{"error":"x\nstatus: 200"}"#)).unwrap_err();
        assert_eq!(forged.name(), "OAuthError");
        for (status, body) in [(200, "{}"), (200, "<html>")] {
            assert_eq!(
                ClientCredentials::parse(&answer(status, body))
                    .unwrap_err()
                    .name(),
                "Malformed",
                "{body}"
            );
        }
    }
}
