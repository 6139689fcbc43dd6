//! Cognito Identity `GetOpenIdToken` (the basic flow): a token for STS
//! `AssumeRoleWithWebIdentity`.

use super::{
    field, json_answer, json_request, logins_object, HttpRequest, HttpResponse, IDENTITY_TARGET,
};
use crate::error::Error;
use crate::json::Writer;
use alloc::string::String;

pub struct GetOpenIdToken<'a> {
    pub endpoint: &'a str,
    pub identity_id: &'a str,
    pub logins: &'a [(String, String)],
}

impl GetOpenIdToken<'_> {
    pub fn request(&self) -> HttpRequest {
        let mut body = Writer::new().string("IdentityId", self.identity_id);
        if !self.logins.is_empty() {
            body = body.object("Logins", logins_object(self.logins));
        }
        json_request(
            self.endpoint,
            &[IDENTITY_TARGET, "GetOpenIdToken"].concat(),
            body.finish(),
        )
    }

    /// The OpenID Connect token of the answer; `secrets` are cut out of any message.
    pub fn parse(response: &HttpResponse, secrets: &[&str]) -> Result<String, Error> {
        let doc = json_answer(response, "GetOpenIdToken", secrets)?;
        field(&doc, &["Token"], "GetOpenIdToken").map(String::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cognito::tests::answer;

    #[test]
    fn request_and_answer() {
        let r = GetOpenIdToken {
            endpoint: "e",
            identity_id: "us-east-1:id",
            logins: &[],
        }
        .request();
        assert_eq!(r.body, r#"{"IdentityId":"us-east-1:id"}"#);
        assert_eq!(
            GetOpenIdToken::parse(&answer(200, r#"{"IdentityId":"i","Token":"jwt"}"#), &[])
                .unwrap(),
            "jwt"
        );
    }
}
