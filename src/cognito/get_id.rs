//! Cognito Identity `GetId`: the IdentityId of a pool's user (or guest).

use super::{
    field, json_answer, json_request, logins_object, HttpRequest, HttpResponse, IDENTITY_TARGET,
};
use crate::error::Error;
use crate::json::Writer;
use alloc::string::String;

pub struct GetId<'a> {
    pub endpoint: &'a str,
    pub identity_pool_id: &'a str,
    pub account_id: Option<&'a str>,
    /// `(provider name, token)`; empty for a guest.
    pub logins: &'a [(String, String)],
}

impl GetId<'_> {
    pub fn request(&self) -> HttpRequest {
        let mut body = Writer::new().string("IdentityPoolId", self.identity_pool_id);
        if let Some(account) = self.account_id {
            body = body.string("AccountId", account);
        }
        if !self.logins.is_empty() {
            body = body.object("Logins", logins_object(self.logins));
        }
        json_request(
            self.endpoint,
            &[IDENTITY_TARGET, "GetId"].concat(),
            body.finish(),
        )
    }

    /// The IdentityId of the answer; `secrets` are cut out of any message.
    pub fn parse(response: &HttpResponse, secrets: &[&str]) -> Result<String, Error> {
        let doc = json_answer(response, "GetId", secrets)?;
        field(&doc, &["IdentityId"], "GetId").map(String::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cognito::tests::answer;
    use crate::error::ErrorCode;
    use crate::json;
    use alloc::vec;

    #[test]
    fn request_and_answer() {
        let logins = vec![(
            "cognito-idp.us-east-1.amazonaws.com/us-east-1_X".into(),
            "tok".into(),
        )];
        let r = GetId {
            endpoint: "https://cognito-identity.us-east-1.amazonaws.com/",
            identity_pool_id: "us-east-1:pool",
            account_id: Some("123"),
            logins: &logins,
        }
        .request();
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
        assert_eq!(
            crate::cognito::identity_endpoint("eu-west-1"),
            "https://cognito-identity.eu-west-1.amazonaws.com/"
        );
        assert_eq!(
            GetId::parse(&answer(200, r#"{"IdentityId":"us-east-1:abc"}"#), &[]).unwrap(),
            "us-east-1:abc"
        );
        assert_eq!(
            GetId::parse(&answer(200, r#"{"IdentityId":""}"#), &[])
                .unwrap_err()
                .code,
            ErrorCode::Malformed
        );
    }
}
