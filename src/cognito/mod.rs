//! Request builders and answer parsers for Cognito Identity (JSON 1.1), STS
//! (query protocol, XML) and Cognito User Pools (JSON 1.1). Sans-IO: they make
//! and read [`HttpRequest`]/[`HttpResponse`] values; the shell sends them.
//!
//! One file per operation (like rusty-s3's actions): a type that builds the
//! operation's request and parses its answer. This file holds what they share:
//! the JSON 1.1 protocol, endpoints, and AWS errors as typed errors.

pub mod assume_role_with_web_identity;
pub mod client_credentials;
pub mod get_credentials_for_identity;
pub mod get_id;
pub mod get_open_id_token;
pub mod get_tokens_from_refresh_token;
pub mod initiate_auth;
pub mod respond_to_auth_challenge;
pub mod revoke_token;
pub mod srp;

pub use assume_role_with_web_identity::AssumeRoleWithWebIdentity;
pub use client_credentials::ClientCredentials;
pub use get_credentials_for_identity::GetCredentialsForIdentity;
pub use get_id::GetId;
pub use get_open_id_token::GetOpenIdToken;
pub use get_tokens_from_refresh_token::GetTokensFromRefreshToken;
pub use initiate_auth::{Answer, AuthFlow, Challenge, InitiateAuth, Tokens};
pub use respond_to_auth_challenge::{answer_field, RespondToAuthChallenge};
pub use revoke_token::RevokeToken;

use crate::error::{find, replace_all, Error, ErrorCode};
use crate::json::{self, Value};
use alloc::string::String;

pub use crate::http::{HttpRequest, HttpResponse};

/// Cognito Identity's endpoint in `region`.
pub fn identity_endpoint(region: &str) -> String {
    ["https://cognito-identity.", region, ".amazonaws.com/"].concat()
}

/// The `X-Amz-Target` prefix of Cognito Identity's operations.
const IDENTITY_TARGET: &str = "AWSCognitoIdentityService.";

/// The `Logins` map of an identity request.
fn logins_object(logins: &[(alloc::string::String, alloc::string::String)]) -> json::Writer {
    logins
        .iter()
        .fold(json::Writer::new(), |w, (k, v)| w.string(k, v))
}

/// A POST of the AWS JSON 1.1 protocol: unsigned, as Cognito allows for these operations.
pub fn json_request(endpoint: &str, target: &str, body: String) -> HttpRequest {
    HttpRequest {
        method: "POST",
        url: String::from(endpoint),
        headers: alloc::vec![
            ("content-type", String::from("application/x-amz-json-1.1")),
            ("x-amz-target", String::from(target))
        ],
        body,
    }
}

/// Parses a successful JSON 1.1 answer, or turns an error answer into a typed
/// error. `secrets` (tokens sent in the request) are cut out of any message.
pub fn json_answer(
    response: &HttpResponse,
    operation: &str,
    secrets: &[&str],
) -> Result<Value, Error> {
    if !(200..300).contains(&response.status) {
        return Err(json_error(response, operation, secrets));
    }
    json::parse(&response.body).map_err(|_| malformed(operation))
}

pub(crate) fn malformed(operation: &str) -> Error {
    Error::new(
        ErrorCode::Malformed,
        [
            "the answer to ",
            operation,
            " is not what AWS sends (truncated, or not from AWS?): check the endpoint",
        ]
        .concat(),
    )
}

/// AWS's error answer `{"__type": "prefix#Name", "message": "..."}` as a typed error.
pub fn json_error(response: &HttpResponse, operation: &str, secrets: &[&str]) -> Error {
    let doc = json::parse(&response.body).ok();
    let field = |name: &str| {
        doc.as_ref()
            .and_then(|d| d.get(name))
            .and_then(Value::as_str)
    };
    let type_name = field("__type")
        .map(|t| t.rsplit('#').next().unwrap_or(t))
        .filter(|t| !t.is_empty());
    let aws_message = field("message").or_else(|| field("Message")).unwrap_or("");
    match type_name {
        Some(t) => service_error(t, response.status, operation, aws_message, secrets),
        None if response.status >= 500 => {
            let mut e = Error::new(
                ErrorCode::Network,
                [
                    operation,
                    " failed with a server error (HTTP ",
                    &crate::error::num(u64::from(response.status)),
                    "): try again later",
                ]
                .concat(),
            );
            e.status = Some(response.status);
            e
        }
        None => {
            let mut e = malformed(operation);
            e.status = Some(response.status);
            e
        }
    }
}

/// What to do about each error AWS documents for these operations.
fn advice(type_name: &str, operation: &str) -> &'static str {
    match type_name {
        "InvalidIdentityPoolConfigurationException" => {
            "the identity pool has no IAM role for authenticated users, or its role mapping rules match none: set roles on the identity pool"
        }
        "NotAuthorizedException" if operation == "InitiateAuth" => "wrong username or password, or the app client does not allow this sign-in flow (USER_SRP_AUTH by default; { flow: \"password\" } needs USER_PASSWORD_AUTH)",
        "NotAuthorizedException" if operation == "GetTokensFromRefreshToken" => "the refresh token was revoked (a sign-out) or has expired: sign in again",
        "RefreshTokenReuseException" => "this refresh token was already spent by another refresh (the app client rotates refresh tokens): use the newest one, or sign in again",
        "NotAuthorizedException" if operation == "RespondToAuthChallenge" => "wrong username or password, or the sign-in took too long (its session lasts 3 minutes): sign in again",
        "CodeMismatchException" => "the code is wrong: ask for the current one and answer again",
        "ExpiredCodeException" => "the code has expired: sign in again for a new one",
        "InvalidPasswordException" => "the new password does not meet the user pool's password policy: choose a longer or more varied one",
        "InvalidUserPoolConfigurationException" => "the user pool is not set up for this challenge (e.g. MFA): check its configuration",
        "NotAuthorizedException" => {
            "the login was refused: the token may have expired (sign in again), or come from a provider this identity pool does not trust (check its authentication providers)"
        }
        "ResourceNotFoundException" => "the identity pool or identity does not exist: check identityPoolId and region",
        "TooManyRequestsException" | "LimitExceededException" | "ThrottlingException" => {
            "AWS is throttling these calls: retry later, and cache credentials instead of fetching them per request"
        }
        "InvalidParameterException" => "AWS refused a parameter of the request: check the options passed to the SDK",
        "ResourceConflictException" => "the login is already linked to another identity: sign in with the identity it belongs to",
        "ExternalServiceException" => "the identity provider behind the login failed: try again later",
        "InternalErrorException" | "InternalFailure" | "ServiceUnavailable" => "AWS had an internal error: try again later",
        "UserNotFoundException" => "no such user in the user pool: check the username (or sign up first)",
        "UserNotConfirmedException" => "the user has not confirmed the account yet: confirm the sign-up code first",
        "PasswordResetRequiredException" => "the user must reset the password before signing in",
        "InvalidIdentityToken" | "IDPRejectedClaim" => "STS refused the web identity token: check that the role trusts cognito-identity.amazonaws.com for this identity pool",
        "ExpiredTokenException" => "the web identity token has expired: fetch a new one",
        "AccessDenied" | "AccessDeniedException" => "the role refused this caller: check the role's trust policy",
        _ => "see the AWS message",
    }
}

/// The shortest secret a user pool takes: passwords and codes of 6 characters.
const MIN_SECRET_LEN: usize = 6;

pub fn service_error(
    type_name: &str,
    status: u16,
    operation: &str,
    aws_message: &str,
    secrets: &[&str],
) -> Error {
    // Every secret from the shortest a user pool takes (6 characters: a
    // password, a new password, a code). Shorter strings are no secret a pool
    // would accept, and cutting them out would mangle every message (a wrong
    // password "x" made "UserNotFoundException" unreadable). The error type
    // too: an endpoint that echoes a secret there must not make it err.name
    // (an unusable name becomes the status's).
    let secrets = || secrets.iter().filter(|s| s.len() >= MIN_SECRET_LEN);
    let mut aws_message = String::from(aws_message);
    for secret in secrets() {
        if find(&aws_message, secret).is_some() {
            aws_message = replace_all(&aws_message, secret, "<redacted>");
        }
    }
    let type_name = match secrets().any(|secret| find(type_name, secret).is_some()) {
        true => "",
        false => type_name,
    };
    typed_error(
        type_name,
        status,
        operation,
        advice(type_name, operation),
        "AWS",
        &aws_message,
    )
}

/// `OPERATION: advice (SOURCE says: message)`, named by the service's error type.
pub(crate) fn typed_error(
    type_name: &str,
    status: u16,
    operation: &str,
    advice: &str,
    source: &str,
    message: &str,
) -> Error {
    let said = if message.is_empty() {
        type_name
    } else {
        message
    };
    Error::service(
        type_name,
        status,
        [operation, ": ", advice, " (", source, " says: ", said, ")"].concat(),
    )
}

/// Reads a required string field of an answer.
pub(crate) fn field<'v>(doc: &'v Value, path: &[&str], operation: &str) -> Result<&'v str, Error> {
    let mut v = doc;
    for name in path {
        v = v.get(name).ok_or_else(|| malformed(operation))?;
    }
    v.as_str()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| malformed(operation))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An answer of `status` with `body`, for the codecs' tests.
    pub(crate) fn answer(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            date: None,
            body: body.into(),
        }
    }

    #[test]
    fn error_types_lose_their_prefix_and_gain_advice() {
        let e = json_answer(
            &answer(400, r#"{"__type":"com.amazonaws.cognito.identity.model#InvalidIdentityPoolConfigurationException","message":"Invalid identity pool configuration. Check assigned IAM roles for this pool."}"#),
            "GetCredentialsForIdentity",
            &[],
        )
        .unwrap_err();
        assert_eq!(e.name(), "InvalidIdentityPoolConfigurationException");
        assert_eq!(e.status, Some(400));
        assert!(
            e.message.contains("set roles on the identity pool"),
            "{}",
            e.message
        );
        assert!(e.message.contains("Check assigned IAM roles"));
    }

    #[test]
    fn spoofed_error_types_fall_back_to_the_status_name() {
        // A type with a line break would otherwise forge the status JS reads after it.
        for (spoof, status, name) in [
            ("NotAuthorizedException\\n200", 400, "BadRequest"),
            ("x#Bad Name", 403, "Forbidden"),
            ("a\\u0000b", 500, "InternalServerError"),
        ] {
            let body = alloc::format!(r#"{{"__type":"{spoof}","message":"m"}}"#);
            let e = json_answer(&answer(status, &body), "GetId", &[]).unwrap_err();
            assert_eq!((e.name(), e.status), (name, Some(status)), "{spoof}");
        }
        let e = json_answer(
            &answer(
                400,
                r#"{"__type":"com.amazonaws#Valid_Name.x1","message":"m"}"#,
            ),
            "GetId",
            &[],
        )
        .unwrap_err();
        assert_eq!(e.name(), "Valid_Name.x1");
    }

    #[test]
    fn secrets_are_cut_out_of_aws_messages() {
        let token = "eyJhbGciOiJSUzI1NiJ9.secret.payload";
        let body = alloc::format!(
            r#"{{"__type":"NotAuthorizedException","message":"Invalid login token {token}"}}"#
        );
        let e = json_answer(&answer(400, &body), "GetId", &[token]).unwrap_err();
        assert!(!e.message.contains(token));
        assert!(e.message.contains("<redacted>"));
    }

    #[test]
    fn short_secrets_are_cut_out_too_even_from_the_type() {
        // A 6-character password, as user pools allow, echoed in the message and the type.
        let body = r#"{"__type":"Pa55wd","message":"password Pa55wd is wrong"}"#;
        let e = json_answer(&answer(400, body), "InitiateAuth", &["Pa55wd", ""]).unwrap_err();
        assert!(!e.message.contains("Pa55wd"), "{}", e.message);
        assert!(!e.name().contains("Pa55wd"), "{}", e.name());
        assert_eq!(e.name(), "BadRequest");
        assert!(e.message.contains("password <redacted> is wrong"));
    }

    #[test]
    fn odd_answers_are_malformed_or_network_errors() {
        assert_eq!(
            json_answer(&answer(200, "{\"a\":"), "GetId", &[])
                .unwrap_err()
                .code,
            ErrorCode::Malformed
        );
        assert_eq!(
            json_answer(&answer(400, "<html>"), "GetId", &[])
                .unwrap_err()
                .code,
            ErrorCode::Malformed
        );
        assert_eq!(
            json_answer(&answer(503, ""), "GetId", &[])
                .unwrap_err()
                .code,
            ErrorCode::Network
        );
        assert_eq!(
            json_answer(&answer(400, r#"{"__type":""}"#), "GetId", &[])
                .unwrap_err()
                .code,
            ErrorCode::Malformed
        );
    }
}
