//! STS `AssumeRoleWithWebIdentity` (the basic, or classic, flow): query
//! protocol as a form POST, unsigned, XML answer.

use super::{malformed, service_error, HttpRequest, HttpResponse};
use crate::error::{num, Error, ErrorCode};
use crate::sigv4::Credentials;
use crate::sigv4::{encode, time};
use crate::xml;
use alloc::string::String;

pub fn default_endpoint(region: &str) -> String {
    ["https://sts.", region, ".amazonaws.com/"].concat()
}

pub struct AssumeRoleWithWebIdentity<'a> {
    pub endpoint: &'a str,
    pub role_arn: &'a str,
    pub session_name: &'a str,
    /// The token of `GetOpenIdToken`.
    pub web_identity_token: &'a str,
    pub duration_seconds: Option<u32>,
}

impl AssumeRoleWithWebIdentity<'_> {
    pub fn request(&self) -> HttpRequest {
        let mut body = [
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=",
            &encode::encode(self.role_arn),
            "&RoleSessionName=",
            &encode::encode(self.session_name),
            "&WebIdentityToken=",
            &encode::encode(self.web_identity_token),
        ]
        .concat();
        if let Some(secs) = self.duration_seconds {
            body.push_str("&DurationSeconds=");
            body.push_str(&num(u64::from(secs)));
        }
        HttpRequest {
            method: "POST",
            url: String::from(self.endpoint),
            headers: alloc::vec![(
                "content-type",
                String::from("application/x-www-form-urlencoded; charset=utf-8")
            )],
            body,
        }
    }

    /// The credentials of the answer; `secrets` are cut out of any message.
    pub fn parse(response: &HttpResponse, secrets: &[&str]) -> Result<Credentials, Error> {
        const OP: &str = "AssumeRoleWithWebIdentity";
        let body = &response.body;
        if !(200..300).contains(&response.status) {
            return Err(match xml::text(body, "Code") {
                Some(code) if !code.is_empty() => service_error(
                    &code,
                    response.status,
                    OP,
                    &xml::text(body, "Message").unwrap_or_default(),
                    secrets,
                ),
                _ if response.status >= 500 => {
                    let mut e = Error::new(
                        ErrorCode::Network,
                        "AssumeRoleWithWebIdentity failed with a server error: try again later",
                    );
                    e.status = Some(response.status);
                    e
                }
                _ => malformed(OP),
            });
        }
        if !xml::clean(body) {
            return Err(malformed(OP));
        }
        let get = |name: &str| {
            xml::text(body, name)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| malformed(OP))
        };
        Ok(Credentials {
            access_key_id: get("AccessKeyId")?,
            secret_access_key: get("SecretAccessKey")?,
            session_token: Some(get("SessionToken")?),
            expiration_ms: Some(
                time::parse_iso8601(&get("Expiration")?).ok_or_else(|| malformed(OP))?,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_and_answer() {
        let r = AssumeRoleWithWebIdentity {
            endpoint: "https://sts.us-east-1.amazonaws.com/",
            role_arn: "arn:aws:iam::1:role/r",
            session_name: "web",
            web_identity_token: "a.b+c",
            duration_seconds: Some(900),
        }
        .request();
        assert_eq!(r.body, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&RoleSessionName=web&WebIdentityToken=a.b%2Bc&DurationSeconds=900");
        let ok = HttpResponse {
            status: 200,
            date: None,
            body: r#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIA1</AccessKeyId><SecretAccessKey>s/k</SecretAccessKey><SessionToken>t&amp;t</SessionToken><Expiration>2015-08-30T12:36:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"#.into(),
        };
        let c = AssumeRoleWithWebIdentity::parse(&ok, &[]).unwrap();
        assert_eq!(
            (
                c.access_key_id.as_str(),
                c.session_token.as_deref(),
                c.expiration_ms
            ),
            ("ASIA1", Some("t&t"), Some(1_440_938_160_000))
        );
        let err = HttpResponse {
            status: 400,
            date: None,
            body: "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>No OpenIDConnect provider found</Message></Error></ErrorResponse>".into(),
        };
        let e = AssumeRoleWithWebIdentity::parse(&err, &[]).unwrap_err();
        assert_eq!(e.name(), "InvalidIdentityToken");
        assert!(e.message.contains("No OpenIDConnect provider found"));
        let truncated = HttpResponse {
            status: 200,
            date: None,
            body: "<AssumeRoleWithWebIdentityResponse><Credentials><AccessKeyId>A".into(),
        };
        assert_eq!(
            AssumeRoleWithWebIdentity::parse(&truncated, &[])
                .unwrap_err()
                .code,
            ErrorCode::Malformed
        );
    }
}
