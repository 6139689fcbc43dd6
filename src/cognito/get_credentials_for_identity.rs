//! Cognito Identity `GetCredentialsForIdentity` (the enhanced flow): temporary
//! credentials of the role the identity pool picks (or `CustomRoleArn`).

use super::{
    field, json_answer, json_request, logins_object, malformed, HttpRequest, HttpResponse,
    IDENTITY_TARGET,
};
use crate::error::Error;
use crate::json::Writer;
use crate::sigv4::Credentials;
use alloc::string::String;

pub struct GetCredentialsForIdentity<'a> {
    pub endpoint: &'a str,
    pub identity_id: &'a str,
    pub logins: &'a [(String, String)],
    pub custom_role_arn: Option<&'a str>,
}

impl GetCredentialsForIdentity<'_> {
    pub fn request(&self) -> HttpRequest {
        let mut body = Writer::new().string("IdentityId", self.identity_id);
        if !self.logins.is_empty() {
            body = body.object("Logins", logins_object(self.logins));
        }
        if let Some(arn) = self.custom_role_arn {
            body = body.string("CustomRoleArn", arn);
        }
        json_request(
            self.endpoint,
            &[IDENTITY_TARGET, "GetCredentialsForIdentity"].concat(),
            body.finish(),
        )
    }

    /// The credentials of the answer; `secrets` are cut out of any message.
    pub fn parse(response: &HttpResponse, secrets: &[&str]) -> Result<Credentials, Error> {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cognito::tests::answer;
    use crate::error::ErrorCode;

    #[test]
    fn request_and_answer() {
        let r = GetCredentialsForIdentity {
            endpoint: "e",
            identity_id: "us-east-1:id",
            logins: &[],
            custom_role_arn: Some("arn:aws:iam::1:role/r"),
        }
        .request();
        assert_eq!(
            r.body,
            r#"{"IdentityId":"us-east-1:id","CustomRoleArn":"arn:aws:iam::1:role/r"}"#
        );
        let c = GetCredentialsForIdentity::parse(
            &answer(200, r#"{"IdentityId":"i","Credentials":{"AccessKeyId":"ASIA","SecretKey":"sk","SessionToken":"st","Expiration":1.7000000005E9}}"#),
            &[],
        )
        .unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.expiration_ms),
            ("ASIA", Some(1_700_000_000_500))
        );
        assert!(!alloc::format!("{c:?}").contains("sk"));
        for bad in [
            "{}",
            r#"{"Credentials":{}}"#,
            r#"{"Credentials":{"AccessKeyId":"a","SecretKey":"s","SessionToken":"t","Expiration":"soon"}}"#,
            r#"{"IdentityId":""}"#,
        ] {
            assert_eq!(
                GetCredentialsForIdentity::parse(&answer(200, bad), &[])
                    .unwrap_err()
                    .code,
                ErrorCode::Malformed,
                "{bad}"
            );
        }
    }
}
