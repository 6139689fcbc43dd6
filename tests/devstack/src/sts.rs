//! STS `AssumeRoleWithWebIdentity` (query protocol: form POST or GET, unsigned,
//! XML answers), taking the OpenID token of GetOpenIdToken: the second half of
//! Cognito's basic (classic) flow.

use http::StatusCode;

use crate::app::App;
use crate::clock;
use crate::credentials::Grant;
use crate::identity::OPENID_ISSUER;
use crate::ids;
use crate::tokens::{self, Claims, TokenError};
use crate::web::{param, params, response, set_header, Req, Resp};

const XMLNS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";
const VERSION: &str = "2011-06-15";
/// The role's MaxSessionDuration (IAM's default).
const MAX_SESSION_SECS: u64 = 3600;
const TRUST_DENIED: &str = "Not authorized to perform sts:AssumeRoleWithWebIdentity";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl StsError {
    fn sender(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }
    fn access_denied(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            code: "AccessDenied",
            message: message.into(),
        }
    }
    fn invalid_token(message: impl Into<String>) -> Self {
        Self::sender("InvalidIdentityToken", message)
    }
    fn validation(member: &str, value: Option<&str>, constraint: &str) -> Self {
        let shown = value.map_or("null".to_string(), |v| format!("'{v}'"));
        Self::sender(
            "ValidationError",
            format!("1 validation error detected: Value {shown} at '{member}' failed to satisfy constraint: {constraint}"),
        )
    }
}

pub fn handle(app: &App, req: &Req) -> Resp {
    let request_id = ids::request_id();
    let (status, body) = match assume_role_with_web_identity(app, req) {
        Ok(result) => (StatusCode::OK, success_xml(&result, &request_id)),
        Err(e) => (e.status, error_xml(&e, &request_id)),
    };
    let mut resp = response(status, "text/xml", body);
    set_header(resp.headers_mut(), "x-amzn-requestid", &request_id);
    resp
}

/// What a successful call returns.
pub struct Assumed {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expiration: u64,
    pub subject: String,
    pub assumed_role_arn: String,
    pub assumed_role_id: String,
    pub audience: String,
}

fn assume_role_with_web_identity(app: &App, req: &Req) -> Result<Assumed, StsError> {
    let p = params(req);
    let action =
        param(&p, "Action").ok_or_else(|| StsError::sender("MissingAction", "Missing Action"))?;
    let version = param(&p, "Version").unwrap_or(VERSION);
    if action != "AssumeRoleWithWebIdentity" || version != VERSION {
        return Err(StsError::sender(
            "InvalidAction",
            format!("Could not find operation {action} for version {version}"),
        ));
    }
    let required = |name: &str, member: &str| {
        param(&p, name).ok_or_else(|| StsError::validation(member, None, "Member must not be null"))
    };
    let role_arn = required("RoleArn", "roleArn")?;
    let session = required("RoleSessionName", "roleSessionName")?;
    let token = required("WebIdentityToken", "webIdentityToken")?;
    check_session_name(session)?;
    let duration = match param(&p, "DurationSeconds") {
        None => None,
        Some(d) => Some(check_duration(d, app.credential_lifetime)?),
    };

    let claims = verify_open_id_token(app, token)?;
    let pool_id = claims.str("aud").unwrap_or_default();
    let pool = app
        .identities
        .pool(pool_id)
        .ok_or_else(|| StsError::invalid_token("Incorrect token audience"))?;
    let authenticated = claims.strings("amr").iter().any(|a| a == "authenticated");

    // The roles' trust policies: Federated cognito-identity.amazonaws.com with
    // `aud` = this pool and `amr` = authenticated or unauthenticated. A pool
    // without the basic flow hands out no OpenID tokens meant for STS.
    let role = app
        .world
        .role_for_arn(role_arn)
        .ok_or_else(|| StsError::access_denied(TRUST_DENIED))?;
    if !pool.config.allow_classic_flow || !pool.trusted_roles(authenticated).contains(&role) {
        return Err(StsError::access_denied(TRUST_DENIED));
    }

    let subject = claims.sub().unwrap_or_default().to_string();
    let issued = app.credentials.issue(
        Grant {
            role,
            role_arn: role_arn.to_string(),
            identity_id: &subject,
            identity_pool_id: &pool.id,
            session_name: session,
            lifetime: duration.unwrap_or(app.credential_lifetime),
        },
        app.now(),
    );
    Ok(Assumed {
        access_key_id: issued.access_key_id.clone(),
        secret_access_key: issued.secret_access_key.clone(),
        session_token: issued.session_token.clone(),
        expiration: issued.expiration,
        assumed_role_arn: format!(
            "arn:aws:sts::{}:assumed-role/{}/{session}",
            app.world.account_id,
            app.world.iam_role_name(role)
        ),
        assumed_role_id: format!("{}:{session}", role_id(role_arn)),
        subject,
        audience: pool.id.clone(),
    })
}

/// IAM role ids are `AROA` + 17 characters; ours are derived from the ARN.
fn role_id(role_arn: &str) -> String {
    let hex: String = ids::stable_uuid(&["role", role_arn])
        .replace('-', "")
        .to_ascii_uppercase();
    format!("AROA{}", &hex[..17])
}

fn check_session_name(s: &str) -> Result<(), StsError> {
    if s.len() < 2 {
        return Err(StsError::validation(
            "roleSessionName",
            Some(s),
            "Member must have length greater than or equal to 2",
        ));
    }
    if s.len() > 64 {
        return Err(StsError::validation(
            "roleSessionName",
            Some(s),
            "Member must have length less than or equal to 64",
        ));
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
    {
        return Err(StsError::validation(
            "roleSessionName",
            Some(s),
            "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
        ));
    }
    Ok(())
}

fn check_duration(raw: &str, lifetime: u64) -> Result<u64, StsError> {
    let d: u64 = raw.parse().map_err(|_| {
        StsError::sender(
            "InvalidParameterValue",
            format!("Value ({raw}) for parameter DurationSeconds is invalid."),
        )
    })?;
    if d < 900 {
        return Err(StsError::validation(
            "durationSeconds",
            Some(raw),
            "Member must have value greater than or equal to 900",
        ));
    }
    if d > 43_200 {
        return Err(StsError::validation(
            "durationSeconds",
            Some(raw),
            "Member must have value less than or equal to 43200",
        ));
    }
    // --credential-lifetime may raise the ceiling for long-running demos.
    if d > MAX_SESSION_SECS.max(lifetime) {
        return Err(StsError::sender(
            "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    Ok(d)
}

fn verify_open_id_token(app: &App, token: &str) -> Result<Claims, StsError> {
    // STS finds the provider from `iss` before it can check anything else.
    let unverified: Claims = jsonwebtoken::dangerous::insecure_decode_claims::<
        serde_json::Map<String, serde_json::Value>,
    >(token)
    .map(Claims)
    .map_err(|_| StsError::invalid_token("The ID Token provided is not a valid JWT."))?;
    let iss = unverified.str("iss").unwrap_or_default();
    if iss != OPENID_ISSUER {
        return Err(StsError::invalid_token(format!(
            "No OpenIDConnect provider found in your account for {iss}"
        )));
    }
    let claims = app.identity_keys.verify(token).map_err(|e| match e {
        TokenError::Malformed | TokenError::UnsupportedAlgorithm => {
            StsError::invalid_token("The ID Token provided is not a valid JWT.")
        }
        _ => StsError::invalid_token("Couldn't verify the signature of the web identity token."),
    })?;
    let now = app.now();
    if let Err(e) = tokens::check_exp(&claims, now) {
        return Err(match e {
            TokenError::Expired { exp, .. } => StsError::sender(
                "ExpiredTokenException",
                format!(
                    "Token expired: current date/time {} must be before the expiration date/time {}",
                    clock::iso8601(now),
                    clock::iso8601(exp)
                ),
            ),
            _ => StsError::invalid_token("The web identity token has no expiration (exp)."),
        });
    }
    if claims.sub().is_none() {
        return Err(StsError::invalid_token(
            "The web identity token has no subject (sub).",
        ));
    }
    Ok(claims)
}

/// Escapes text content (quotes need no escaping outside attributes).
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn success_xml(a: &Assumed, request_id: &str) -> String {
    let e = xml_escape;
    format!(
        "<AssumeRoleWithWebIdentityResponse xmlns=\"{XMLNS}\">\n\
         \x20 <AssumeRoleWithWebIdentityResult>\n\
         \x20   <Credentials>\n\
         \x20     <AccessKeyId>{}</AccessKeyId>\n\
         \x20     <SecretAccessKey>{}</SecretAccessKey>\n\
         \x20     <SessionToken>{}</SessionToken>\n\
         \x20     <Expiration>{}</Expiration>\n\
         \x20   </Credentials>\n\
         \x20   <SubjectFromWebIdentityToken>{}</SubjectFromWebIdentityToken>\n\
         \x20   <AssumedRoleUser>\n\
         \x20     <Arn>{}</Arn>\n\
         \x20     <AssumedRoleId>{}</AssumedRoleId>\n\
         \x20   </AssumedRoleUser>\n\
         \x20   <Provider>cognito-identity.amazonaws.com</Provider>\n\
         \x20   <Audience>{}</Audience>\n\
         \x20 </AssumeRoleWithWebIdentityResult>\n\
         \x20 <ResponseMetadata>\n\
         \x20   <RequestId>{}</RequestId>\n\
         \x20 </ResponseMetadata>\n\
         </AssumeRoleWithWebIdentityResponse>\n",
        e(&a.access_key_id),
        e(&a.secret_access_key),
        e(&a.session_token),
        clock::iso8601(a.expiration),
        e(&a.subject),
        e(&a.assumed_role_arn),
        e(&a.assumed_role_id),
        e(&a.audience),
        e(request_id),
    )
}

fn error_xml(err: &StsError, request_id: &str) -> String {
    format!(
        "<ErrorResponse xmlns=\"{XMLNS}\">\n\
         \x20 <Error>\n\
         \x20   <Type>Sender</Type>\n\
         \x20   <Code>{}</Code>\n\
         \x20   <Message>{}</Message>\n\
         \x20 </Error>\n\
         \x20 <RequestId>{}</RequestId>\n\
         </ErrorResponse>\n",
        err.code,
        xml_escape(&err.message),
        xml_escape(request_id)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit;
    use bytes::Bytes;
    use serde_json::json;

    fn post(app: &App, form: &[(&str, &str)]) -> (u16, String) {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let req = http::Request::post("/")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Bytes::from(body))
            .unwrap();
        let resp = handle(app, &req);
        (
            resp.status().as_u16(),
            String::from_utf8_lossy(resp.body()).into_owned(),
        )
    }

    fn tag<'a>(xml: &'a str, name: &str) -> &'a str {
        let open = format!("<{name}>");
        let start = xml.find(&open).map(|i| i + open.len()).unwrap_or(0);
        let end = xml[start..]
            .find(&format!("</{name}>"))
            .map_or(start, |i| start + i);
        &xml[start..end]
    }

    /// GetId + GetOpenIdToken for a user in `groups`: (IdentityId, OpenID token).
    fn open_id(app: &App, m: &testkit::Minter, groups: &[&str]) -> (String, String) {
        let pool = app.identities.pool_by_name("main").unwrap().id.clone();
        let token = m.id_token("dave", groups, 3600);
        let id = testkit::get_id(app, &pool, &token).unwrap();
        let logins = json!({ app.seed.logins_key(): token });
        let (status, body) = testkit::call_identity(
            app,
            "GetOpenIdToken",
            json!({"IdentityId": id, "Logins": logins}),
        );
        assert_eq!(status, 200, "{body}");
        (id, body["Token"].as_str().unwrap().to_string())
    }

    #[test]
    fn classic_flow_issues_credentials_for_a_trusted_role() {
        let (app, m) = testkit::app();
        let (id, token) = open_id(&app, &m, &["user"]);
        let arn = app.world.role_arn("user");
        let (status, xml) = post(
            &app,
            &[
                ("Action", "AssumeRoleWithWebIdentity"),
                ("Version", VERSION),
                ("RoleArn", &arn),
                ("RoleSessionName", "web"),
                ("WebIdentityToken", &token),
            ],
        );
        assert_eq!(status, 200, "{xml}");
        assert!(xml.starts_with("<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"));
        let issued = app.credentials.get(tag(&xml, "AccessKeyId")).unwrap();
        assert_eq!(issued.role, "user");
        assert_eq!(issued.identity_id, id);
        assert_eq!(tag(&xml, "SecretAccessKey"), issued.secret_access_key);
        assert_eq!(tag(&xml, "Expiration"), clock::iso8601(issued.expiration));
        assert_eq!(tag(&xml, "SubjectFromWebIdentityToken"), id);
        assert_eq!(
            tag(&xml, "Arn"),
            "arn:aws:sts::123456789012:assumed-role/cognito-sigv4-user/web"
        );
        assert!(
            tag(&xml, "AssumedRoleId").starts_with("AROA")
                && tag(&xml, "AssumedRoleId").ends_with(":web")
        );
        assert_eq!(tag(&xml, "Audience"), issued.identity_pool_id);
        assert!(!tag(&xml, "RequestId").is_empty());
    }

    #[test]
    fn refuses_untrusted_roles_and_bad_tokens() {
        let (app, m) = testkit::app();
        let (_, token) = open_id(&app, &m, &[]);
        let call = |arn: &str, tok: &str| {
            post(
                &app,
                &[
                    ("Action", "AssumeRoleWithWebIdentity"),
                    ("Version", VERSION),
                    ("RoleArn", arn),
                    ("RoleSessionName", "web"),
                    ("WebIdentityToken", tok),
                ],
            )
        };
        // The guest role trusts only unauthenticated identities.
        let (status, xml) = call(&app.world.role_arn("guest"), &token);
        assert_eq!((status, tag(&xml, "Code")), (403, "AccessDenied"), "{xml}");
        assert!(xml.contains("<Type>Sender</Type>"));
        let (status, xml) = call("arn:aws:iam::123456789012:role/other", &token);
        assert_eq!((status, tag(&xml, "Code")), (403, "AccessDenied"));

        // A user-pool IdToken is not Cognito Identity's OpenID token.
        let id_token = m.id_token("x", &[], 3600);
        let (status, xml) = call(&app.world.role_arn("reader"), &id_token);
        assert_eq!(
            (status, tag(&xml, "Code")),
            (400, "InvalidIdentityToken"),
            "{xml}"
        );
        assert!(tag(&xml, "Message").contains("No OpenIDConnect provider"));

        let (status, xml) = call(&app.world.role_arn("reader"), "garbage");
        assert_eq!((status, tag(&xml, "Code")), (400, "InvalidIdentityToken"));

        // Tampered payload.
        let parts: Vec<&str> = token.split('.').collect();
        let mut claims: serde_json::Value =
            serde_json::from_slice(&testkit::unb64(parts[1])).unwrap();
        claims["amr"] = json!(["unauthenticated"]);
        let forged = format!("{}.{}.{}", parts[0], testkit::b64(&claims), parts[2]);
        let (status, xml) = call(&app.world.role_arn("guest"), &forged);
        assert_eq!((status, tag(&xml, "Code")), (400, "InvalidIdentityToken"));

        // Expired.
        let now = testkit::now();
        let pool = app.identities.pool_by_name("main").unwrap().id.clone();
        let old = app
            .key
            .sign(&json!({"iss": OPENID_ISSUER, "sub": "us-east-1:x", "aud": pool, "amr": ["authenticated"], "exp": now - 1}))
            .unwrap();
        let (status, xml) = call(&app.world.role_arn("reader"), &old);
        assert_eq!(
            (status, tag(&xml, "Code")),
            (400, "ExpiredTokenException"),
            "{xml}"
        );
    }

    #[test]
    fn validates_parameters() {
        let (app, _) = testkit::app();
        let (status, xml) = post(
            &app,
            &[
                ("Action", "AssumeRoleWithWebIdentity"),
                ("Version", VERSION),
            ],
        );
        assert_eq!((status, tag(&xml, "Code")), (400, "ValidationError"));
        assert!(tag(&xml, "Message").contains("'roleArn'"));
        let (_, xml) = post(
            &app,
            &[("Action", "GetCallerIdentity"), ("Version", VERSION)],
        );
        assert_eq!(tag(&xml, "Code"), "InvalidAction");
        let (_, xml) = post(&app, &[]);
        assert_eq!(tag(&xml, "Code"), "MissingAction");
        assert!(check_session_name("a").is_err());
        assert!(check_session_name("ok-name_1@x.y").is_ok());
        assert!(check_session_name("no spaces").is_err());
        assert_eq!(check_duration("900", 3600), Ok(900));
        assert!(check_duration("899", 3600).is_err());
        assert!(check_duration("7200", 3600).is_err());
        assert_eq!(check_duration("7200", 7200), Ok(7200));
        assert!(check_duration("soon", 3600).is_err());
    }

    #[test]
    fn escapes_xml() {
        assert_eq!(xml_escape("a<b>&\"'"), "a&lt;b&gt;&amp;\"'");
    }
}
