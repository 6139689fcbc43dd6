//! Cognito Identity: `GetId`, `GetCredentialsForIdentity`, `GetOpenIdToken`.

use super::{field, json_answer, json_request, malformed, HttpRequest, HttpResponse};
use crate::error::Error;
use crate::json::Writer;
use crate::sigv4::Credentials;
use alloc::string::String;

pub fn default_endpoint(region: &str) -> String {
    ["https://cognito-identity.", region, ".amazonaws.com/"].concat()
}

const PREFIX: &str = "AWSCognitoIdentityService.";

fn logins_object(logins: &[(String, String)]) -> Writer {
    logins
        .iter()
        .fold(Writer::new(), |w, (k, v)| w.string(k, v))
}

pub fn get_id(
    endpoint: &str,
    identity_pool_id: &str,
    account_id: Option<&str>,
    logins: &[(String, String)],
) -> HttpRequest {
    let mut body = Writer::new().string("IdentityPoolId", identity_pool_id);
    if let Some(account) = account_id {
        body = body.string("AccountId", account);
    }
    if !logins.is_empty() {
        body = body.object("Logins", logins_object(logins));
    }
    json_request(endpoint, &[PREFIX, "GetId"].concat(), body.finish())
}

/// The IdentityId of a `GetId` answer.
pub fn parse_get_id(response: &HttpResponse, secrets: &[&str]) -> Result<String, Error> {
    let doc = json_answer(response, "GetId", secrets)?;
    field(&doc, &["IdentityId"], "GetId").map(String::from)
}

pub fn get_credentials_for_identity(
    endpoint: &str,
    identity_id: &str,
    logins: &[(String, String)],
    custom_role_arn: Option<&str>,
) -> HttpRequest {
    let mut body = Writer::new().string("IdentityId", identity_id);
    if !logins.is_empty() {
        body = body.object("Logins", logins_object(logins));
    }
    if let Some(arn) = custom_role_arn {
        body = body.string("CustomRoleArn", arn);
    }
    json_request(
        endpoint,
        &[PREFIX, "GetCredentialsForIdentity"].concat(),
        body.finish(),
    )
}

pub fn parse_credentials(response: &HttpResponse, secrets: &[&str]) -> Result<Credentials, Error> {
    const OP: &str = "GetCredentialsForIdentity";
    let doc = json_answer(response, OP, secrets)?;
    let expiration = doc
        .get("Credentials")
        .and_then(|c| c.get("Expiration"))
        .and_then(|e| e.as_f64());
    let expiration_ms = match expiration {
        // Epoch seconds, possibly fractional.
        Some(secs) if secs.is_finite() && secs > 0.0 && secs < 253_402_300_800.0 => {
            (secs * 1000.0) as i64
        }
        _ => return Err(malformed(OP)),
    };
    Ok(Credentials {
        access_key_id: String::from(field(&doc, &["Credentials", "AccessKeyId"], OP)?),
        secret_access_key: String::from(field(&doc, &["Credentials", "SecretKey"], OP)?),
        session_token: Some(String::from(field(
            &doc,
            &["Credentials", "SessionToken"],
            OP,
        )?)),
        expiration_ms: Some(expiration_ms),
    })
}

pub fn get_open_id_token(
    endpoint: &str,
    identity_id: &str,
    logins: &[(String, String)],
) -> HttpRequest {
    let mut body = Writer::new().string("IdentityId", identity_id);
    if !logins.is_empty() {
        body = body.object("Logins", logins_object(logins));
    }
    json_request(
        endpoint,
        &[PREFIX, "GetOpenIdToken"].concat(),
        body.finish(),
    )
}

/// The OpenID Connect token of a `GetOpenIdToken` answer (for STS).
pub fn parse_open_id_token(response: &HttpResponse, secrets: &[&str]) -> Result<String, Error> {
    let doc = json_answer(response, "GetOpenIdToken", secrets)?;
    field(&doc, &["Token"], "GetOpenIdToken").map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::json;
    use alloc::vec;

    fn ok(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            date: None,
            body: body.into(),
        }
    }

    #[test]
    fn builds_requests_as_aws_expects() {
        let logins = vec![(
            "cognito-idp.us-east-1.amazonaws.com/us-east-1_X".into(),
            "tok".into(),
        )];
        let r = get_id(
            "https://cognito-identity.us-east-1.amazonaws.com/",
            "us-east-1:pool",
            Some("123"),
            &logins,
        );
        assert_eq!(r.method, "POST");
        assert_eq!(
            r.headers[1],
            ("x-amz-target", "AWSCognitoIdentityService.GetId".into())
        );
        let body = json::parse(&r.body).unwrap();
        assert_eq!(
            body.get("IdentityPoolId").unwrap().as_str(),
            Some("us-east-1:pool")
        );
        assert_eq!(body.get("AccountId").unwrap().as_str(), Some("123"));
        assert_eq!(
            body.get("Logins")
                .unwrap()
                .get("cognito-idp.us-east-1.amazonaws.com/us-east-1_X")
                .unwrap()
                .as_str(),
            Some("tok")
        );
        let r =
            get_credentials_for_identity("e", "us-east-1:id", &[], Some("arn:aws:iam::1:role/r"));
        assert_eq!(
            r.body,
            r#"{"IdentityId":"us-east-1:id","CustomRoleArn":"arn:aws:iam::1:role/r"}"#
        );
        assert_eq!(
            default_endpoint("eu-west-1"),
            "https://cognito-identity.eu-west-1.amazonaws.com/"
        );
    }

    #[test]
    fn parses_answers() {
        assert_eq!(
            parse_get_id(&ok(r#"{"IdentityId":"us-east-1:abc"}"#), &[]).unwrap(),
            "us-east-1:abc"
        );
        let c = parse_credentials(
            &ok(r#"{"IdentityId":"i","Credentials":{"AccessKeyId":"ASIA","SecretKey":"sk","SessionToken":"st","Expiration":1.7000000005E9}}"#),
            &[],
        )
        .unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.expiration_ms),
            ("ASIA", Some(1_700_000_000_500))
        );
        assert!(!alloc::format!("{c:?}").contains("sk"));
        assert_eq!(
            parse_open_id_token(&ok(r#"{"IdentityId":"i","Token":"jwt"}"#), &[]).unwrap(),
            "jwt"
        );
        for bad in [
            "{}",
            r#"{"Credentials":{}}"#,
            r#"{"Credentials":{"AccessKeyId":"a","SecretKey":"s","SessionToken":"t","Expiration":"soon"}}"#,
            r#"{"IdentityId":""}"#,
        ] {
            assert_eq!(
                parse_credentials(&ok(bad), &[]).unwrap_err().code,
                ErrorCode::Malformed,
                "{bad}"
            );
        }
        assert_eq!(
            parse_get_id(&ok(r#"{"IdentityId":""}"#), &[])
                .unwrap_err()
                .code,
            ErrorCode::Malformed
        );
    }
}
