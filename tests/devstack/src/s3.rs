//! S3: `s3s` over an `s3s-fs` directory, path-style. s3s verifies SigV4 itself
//! (headers, streaming and presigned URLs) with the secrets of the issued
//! credentials; this module adds what IAM and STS would: the session token must
//! be the key's own and unexpired, and the caller's role policy must allow the
//! action on the resource (`${cognito-identity.amazonaws.com:sub}` being the
//! caller's IdentityId, `s3:prefix` the ListBucket prefix).

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use s3s::access::{S3Access, S3AccessContext};
use s3s::auth::{Credentials, S3Auth, SecretKey};
use s3s::dto::{DeleteObjectsInput, PostObjectInput};
use s3s::path::S3Path;
use s3s::service::{S3Service, S3ServiceBuilder};
use s3s::{s3_error, S3Request, S3Result};
use sha2::{Digest, Sha256};

use crate::app::App;
use crate::credentials::{Issued, Refusal};
use crate::policy::{self, Context};
use crate::web::form_pairs;

/// Builds the S3 service over `data_dir`, creating the world's bucket in it.
pub fn service(app: Arc<App>, data_dir: &Path) -> Result<S3Service, String> {
    let bucket_dir = data_dir.join(&app.world.s3.bucket);
    std::fs::create_dir_all(&bucket_dir)
        .map_err(|e| format!("cannot create {}: {e}", bucket_dir.display()))?;
    let store = crate::s3_store::Store::new(data_dir.to_path_buf())?;
    let mut builder = S3ServiceBuilder::new(store);
    builder.set_auth(IssuedCredentials(app.clone()));
    builder.set_access(RolePolicies(app));
    Ok(builder.build())
}

/// What s3s lets through and AWS refuses before anything else: a presigned
/// URL valid for more than a week (or a non-number), and a signature whose
/// SignedHeaders lacks `host`. AWS's codes and words.
pub fn refuse_signature_shape<B>(req: &http::Request<B>) -> Option<http::Response<s3s::Body>> {
    let query = crate::web::form_pairs(req.uri().query().unwrap_or("").as_bytes());
    let q = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if q("X-Amz-Algorithm").is_some() {
        if let Some(expires) = q("X-Amz-Expires") {
            let problem = match expires.parse::<i64>() {
                Err(_) => Some("X-Amz-Expires should be a number"),
                Ok(n) if n < 0 => Some("X-Amz-Expires must be non-negative"),
                Ok(n) if n > 604_800 => Some(
                    "X-Amz-Expires must be less than a week (in seconds); that is, the given \
X-Amz-Expires must be less than 604800 seconds",
                ),
                Ok(_) => None,
            };
            if let Some(message) = problem {
                return Some(xml_error(
                    http::StatusCode::BAD_REQUEST,
                    "AuthorizationQueryParametersError",
                    message,
                    "",
                ));
            }
        }
    }
    let signed_headers = match req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
    {
        Some(auth) => auth
            .split([',', ' '])
            .find_map(|part| part.trim().strip_prefix("SignedHeaders="))
            .map(str::to_string),
        None => q("X-Amz-SignedHeaders").map(str::to_string),
    };
    if let Some(list) = signed_headers {
        if !list
            .split(';')
            .any(|h| h.trim().eq_ignore_ascii_case("host"))
        {
            return Some(xml_error(
                http::StatusCode::FORBIDDEN,
                "AccessDenied",
                "There were headers present in the request which were not signed",
                "<HeadersNotSigned>host</HeadersNotSigned>",
            ));
        }
    }
    None
}

/// Largest body read to check its declared SHA-256 (a dev stack needs no more).
const MAX_CHECKED_BODY: usize = 256 << 20;

/// s3s checks a signed payload hash while streaming the body into s3s-fs,
/// which then reports a mismatch as InternalError (500). AWS answers 400
/// XAmzContentSHA256Mismatch before storing anything, so a body that declares
/// its hash is read and checked here first.
pub async fn check_declared_payload(
    req: http::Request<hyper::body::Incoming>,
) -> Result<http::Request<s3s::Body>, http::Response<s3s::Body>> {
    let declared = req
        .headers()
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase);
    let Some(declared) = declared else {
        return form_token_as_header(req).await;
    };
    let (parts, body) = req.into_parts();
    let bytes = read_body(body).await?;
    let computed: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if computed != declared {
        let extra = format!(
            "<ClientComputedContentSHA256>{declared}</ClientComputedContentSHA256>\
             <S3ComputedContentSHA256>{computed}</S3ComputedContentSHA256>"
        );
        return Err(xml_error(
            http::StatusCode::BAD_REQUEST,
            "XAmzContentSHA256Mismatch",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
            &extra,
        ));
    }
    Ok(http::Request::from_parts(parts, s3s::Body::from(bytes)))
}

/// The whole body, up to MAX_CHECKED_BODY (beyond: S3's EntityTooLarge).
async fn read_body(body: hyper::body::Incoming) -> Result<Bytes, http::Response<s3s::Body>> {
    match Limited::new(body, MAX_CHECKED_BODY).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(_) => Err(xml_error(
            http::StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
            "",
        )),
    }
}

/// A browser form upload (POST Object) carries its session token as the
/// form field `x-amz-security-token`, where the IAM check (which reads the
/// header or the query, as for every other request) cannot see it: read the
/// form once and put the field in the header, as AWS reads it from the form.
async fn form_token_as_header(
    req: http::Request<hyper::body::Incoming>,
) -> Result<http::Request<s3s::Body>, http::Response<s3s::Body>> {
    let is_form = req.method() == http::Method::POST
        && !req.headers().contains_key("x-amz-security-token")
        && req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("multipart/form-data"));
    if !is_form {
        return Ok(req.map(s3s::Body::from));
    }
    let (mut parts, body) = req.into_parts();
    let bytes = read_body(body).await?;
    if let Some(token) = form_field(&bytes, "x-amz-security-token") {
        if let Ok(value) = http::HeaderValue::from_str(&token) {
            parts.headers.insert("x-amz-security-token", value);
        }
    }
    if let Some(name) = form_file_name(&bytes) {
        parts.extensions.insert(FormFileName(name));
    }
    Ok(http::Request::from_parts(parts, s3s::Body::from(bytes)))
}

/// The name of a form upload's file, which AWS puts where the form's key
/// says `${filename}` (s3s does not): `post_object` below does it.
#[derive(Clone)]
struct FormFileName(String);

/// The `filename` of the form's `file` part, as browsers send it.
fn form_file_name(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let at = text.find("name=\"file\"; filename=\"")? + "name=\"file\"; filename=\"".len();
    let rest = &text[at..];
    Some(rest[..rest.find('"')?].to_string())
}

/// The value of the multipart/form-data field `name` (a plain text field).
fn form_field(body: &[u8], name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let text = String::from_utf8_lossy(body);
    let at = text.find(&marker)?;
    let rest = &text[at + marker.len()..];
    let start = rest.find("\r\n\r\n")? + 4;
    let value = &rest[start..];
    let end = value.find("\r\n--")?;
    Some(value[..end].to_string())
}

fn xml_error(
    status: http::StatusCode,
    code: &str,
    message: &str,
    extra: &str,
) -> http::Response<s3s::Body> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message>{extra}</Error>"
    );
    let mut resp = http::Response::new(s3s::Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/xml"),
    );
    resp
}

/// Secrets by access key id, for s3s's signature checks.
struct IssuedCredentials(Arc<App>);

#[async_trait::async_trait]
impl S3Auth for IssuedCredentials {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        match self.0.credentials.get(access_key) {
            Some(c) => Ok(SecretKey::from(c.secret_access_key.as_str())),
            None => Err(s3_error!(
                InvalidAccessKeyId,
                "The AWS Access Key Id you provided does not exist in our records."
            )),
        }
    }
}

struct RolePolicies(Arc<App>);

/// What one request asks IAM for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub action: String,
    pub resource: String,
}

fn object_arn(bucket: &str, key: &str) -> String {
    format!("arn:aws:s3:::{bucket}/{key}")
}

fn bucket_arn(bucket: &str) -> String {
    format!("arn:aws:s3:::{bucket}")
}

/// IAM's action for an S3 operation (they mostly share the name).
fn action_of(op: &str) -> String {
    let action = match op {
        "HeadObject" | "GetObjectAttributes" => "GetObject",
        "CreateMultipartUpload" | "UploadPart" | "CompleteMultipartUpload" => "PutObject",
        "ListParts" => "ListMultipartUploadParts",
        "ListObjects" | "ListObjectsV2" | "HeadBucket" => "ListBucket",
        "ListObjectVersions" => "ListBucketVersions",
        "ListMultipartUploads" => "ListBucketMultipartUploads",
        "ListBuckets" => "ListAllMyBuckets",
        "CopyObject" | "UploadPartCopy" => "PutObject",
        other => other,
    };
    format!("s3:{action}")
}

/// `x-amz-copy-source`: `[/]bucket/key[?versionId=...]`, key URL-encoded.
fn copy_source(value: &str) -> Option<(String, String)> {
    let path = value.split('?').next()?.trim_start_matches('/');
    let (bucket, key) = path.split_once('/')?;
    let key = percent_encoding::percent_decode_str(key)
        .decode_utf8()
        .ok()?;
    Some((bucket.to_string(), key.into_owned()))
}

/// The IAM checks an operation on `path` needs.
pub fn checks(op: &str, path: &S3Path, copy_from: Option<&str>) -> Vec<Check> {
    let action = action_of(op);
    let resource = match path {
        S3Path::Root => "*".to_string(),
        S3Path::Bucket { bucket } => bucket_arn(bucket),
        S3Path::Object { bucket, key } => object_arn(bucket, key),
    };
    let mut out = vec![Check { action, resource }];
    // Copies also read their source.
    if let Some((bucket, key)) = copy_from.and_then(copy_source) {
        out.push(Check {
            action: "s3:GetObject".into(),
            resource: object_arn(&bucket, &key),
        });
    }
    out
}

impl RolePolicies {
    /// The issued credentials behind this request, if it is signed, its
    /// session token is theirs and they are still valid.
    fn caller(
        &self,
        credentials: Option<&Credentials>,
        headers: &http::HeaderMap,
        uri: &http::Uri,
    ) -> S3Result<Arc<Issued>> {
        let Some(Credentials { access_key, .. }) = credentials else {
            return Err(s3_error!(
                AccessDenied,
                "Anonymous access is forbidden for this operation"
            ));
        };
        let from_header = headers
            .get("x-amz-security-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let token = from_header.or_else(|| {
            form_pairs(uri.query().unwrap_or("").as_bytes())
                .into_iter()
                // SigV2 presigned URLs spell it in lower case.
                .find(|(k, _)| k.eq_ignore_ascii_case("X-Amz-Security-Token"))
                .map(|(_, v)| v)
        });
        self.0
            .credentials
            .check(access_key, token.as_deref(), self.0.now())
            .map_err(|r| match r {
                Refusal::Invalid => s3_error!(
                    InvalidToken,
                    "The provided token is malformed or otherwise invalid."
                ),
                Refusal::Expired => s3_error!(ExpiredToken, "The provided token has expired."),
            })
    }

    fn authorize(&self, caller: &Issued, checks: &[Check], context: Context) -> S3Result<()> {
        let context = context
            .with(
                "cognito-identity.amazonaws.com:sub",
                caller.identity_id.clone(),
            )
            .with(
                "cognito-identity.amazonaws.com:aud",
                caller.identity_pool_id.clone(),
            );
        let statements = self.0.world.policy(&caller.role);
        for c in checks {
            let decision = policy::evaluate(
                statements,
                &policy::Request {
                    action: &c.action,
                    resource: &c.resource,
                    context: &context,
                },
            );
            if !decision.allowed() {
                let user = format!(
                    "arn:aws:sts::{}:assumed-role/{}/{}",
                    self.0.world.account_id,
                    self.0.world.iam_role_name(&caller.role),
                    caller.session_name
                );
                let why = if decision == policy::Decision::ExplicitDeny {
                    "with an explicit deny in an identity-based policy".to_string()
                } else {
                    format!(
                        "because no identity-based policy allows the {} action",
                        c.action
                    )
                };
                return Err(s3_error!(
                    AccessDenied,
                    "User: {user} is not authorized to perform: {} on resource: \"{}\" {why}",
                    c.action,
                    c.resource
                ));
            }
        }
        Ok(())
    }
}

/// Condition keys from a List* query string (`s3:prefix`, ...). A key absent
/// from the request stays absent: "no prefix" is not "any prefix".
fn list_context(uri: &http::Uri) -> Context {
    let mut ctx = Context::new();
    for (k, v) in form_pairs(uri.query().unwrap_or("").as_bytes()) {
        if matches!(k.as_str(), "prefix" | "delimiter" | "max-keys") {
            ctx = ctx.with(&format!("s3:{k}"), v);
        }
    }
    ctx
}

#[async_trait::async_trait]
impl S3Access for RolePolicies {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let caller = self.caller(cx.credentials(), cx.headers(), cx.uri())?;
        let op = cx.s3_op().name();
        if op == "DeleteObjects" || op == "PostObject" {
            // Their keys are in the body: checked once parsed, below.
            return Ok(());
        }
        let copy_from = cx
            .headers()
            .get("x-amz-copy-source")
            .and_then(|v| v.to_str().ok());
        let checks = checks(op, cx.s3_path(), copy_from);
        self.authorize(&caller, &checks, list_context(cx.uri()))
    }

    /// A form upload: PutObject on the form's key, with `${filename}` in it
    /// replaced by the uploaded file's name, as AWS does.
    async fn post_object(&self, req: &mut S3Request<PostObjectInput>) -> S3Result<()> {
        let caller = self.caller(req.credentials.as_ref(), &req.headers, &req.uri)?;
        if let Some(FormFileName(name)) = req.extensions.get::<FormFileName>() {
            req.input.key = req.input.key.replace("${filename}", name);
        }
        let check = Check {
            action: "s3:PutObject".into(),
            resource: object_arn(&req.input.bucket, &req.input.key),
        };
        self.authorize(&caller, &[check], Context::new())
    }

    async fn delete_objects(&self, req: &mut S3Request<DeleteObjectsInput>) -> S3Result<()> {
        let caller = self.caller(req.credentials.as_ref(), &req.headers, &req.uri)?;
        let bucket = req.input.bucket.clone();
        // As AWS: each key the role may not delete is answered as an error of
        // its own (s3_store.rs adds them to the result); the others are deleted.
        let mut denied = Vec::new();
        req.input.delete.objects.retain(|o| {
            let check = Check {
                action: "s3:DeleteObject".into(),
                resource: object_arn(&bucket, &o.key),
            };
            match self.authorize(&caller, &[check], Context::new()) {
                Ok(()) => true,
                Err(e) => {
                    denied.push((
                        o.key.clone(),
                        e.message().unwrap_or("Access Denied").to_string(),
                    ));
                    false
                }
            }
        });
        req.extensions.insert(crate::s3_store::DeniedKeys(denied));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (status, S3 error code, body) of what `refuse_signature_shape` answers.
    fn refusal(uri: &str, authorization: Option<&str>) -> Option<(u16, String, String)> {
        let mut b = http::Request::get(uri).header("host", "127.0.0.1:9");
        if let Some(a) = authorization {
            b = b.header("authorization", a);
        }
        let resp = refuse_signature_shape(&b.body(()).unwrap())?;
        let body = String::from_utf8(resp.body().bytes().unwrap().to_vec()).unwrap();
        let code = body
            .split("<Code>")
            .nth(1)
            .and_then(|r| r.split("</Code>").next())
            .unwrap_or("")
            .to_string();
        Some((resp.status().as_u16(), code, body))
    }

    fn presigned(expires: &str, signed_headers: &str) -> String {
        format!(
            "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256\
&X-Amz-Credential=ASIAEXAMPLE%2F20250101%2Fus-east-1%2Fs3%2Faws4_request\
&X-Amz-Date=20250101T000000Z&X-Amz-Expires={expires}&X-Amz-SignedHeaders={signed_headers}\
&X-Amz-Signature={}",
            "0".repeat(64)
        )
    }

    #[test]
    fn form_fields_are_read_from_multipart_bodies() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk/1\r\n--b\r\nContent-Disposition: form-data; name=\"x-amz-security-token\"\r\n\r\ntok/en=\r\n--b--\r\n";
        assert_eq!(
            form_field(body, "x-amz-security-token").as_deref(),
            Some("tok/en=")
        );
        assert_eq!(form_field(body, "key").as_deref(), Some("k/1"));
        assert_eq!(form_field(body, "policy"), None);
        assert_eq!(form_field(b"name=\"key\"", "key"), None);
        let file = b"--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk/${filename}\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.txt\"\r\n\r\nhi\r\n--b--\r\n";
        assert_eq!(form_file_name(file).as_deref(), Some("a b.txt"));
        assert_eq!(form_file_name(body), None);
    }

    #[test]
    fn presigned_expiry_over_a_week_negative_or_not_a_number_is_refused() {
        for ok in ["0", "1", "604800"] {
            assert_eq!(refusal(&presigned(ok, "host"), None), None, "{ok}");
        }
        for (bad, words) in [
            ("604801", "must be less than a week (in seconds)"),
            ("99999999999", "must be less than 604800 seconds"),
            ("-1", "must be non-negative"),
            ("soon", "should be a number"),
            ("", "should be a number"),
        ] {
            let (status, code, body) = refusal(&presigned(bad, "host"), None).expect(bad);
            assert_eq!(
                (status, code.as_str()),
                (400, "AuthorizationQueryParametersError"),
                "{bad}"
            );
            assert!(body.contains(words), "{bad}: {body}");
        }
    }

    #[test]
    fn signed_headers_without_host_are_refused_as_s3_does() {
        let cred = "Credential=ASIAEXAMPLE/20250101/us-east-1/s3/aws4_request";
        let sig = format!("Signature={}", "0".repeat(64));
        let header =
            |signed: &str| format!("AWS4-HMAC-SHA256 {cred}, SignedHeaders={signed}, {sig}");
        let signed_ok = header("host;x-amz-content-sha256;x-amz-date");
        assert_eq!(refusal("/b/k", Some(&signed_ok)), None);
        assert_eq!(refusal(&presigned("60", "host%3Brange"), None), None);
        for (uri, auth) in [
            (
                "/b/k".to_string(),
                Some(header("x-amz-content-sha256;x-amz-date")),
            ),
            ("/b/k".to_string(), Some(header(""))),
            (presigned("60", "x-amz-date"), None),
            (presigned("60", ""), None),
        ] {
            let (status, code, body) = refusal(&uri, auth.as_deref()).expect(&uri);
            assert_eq!(
                (status, code.as_str()),
                (403, "AccessDenied"),
                "{uri} {auth:?}"
            );
            assert!(
                body.contains("<HeadersNotSigned>host</HeadersNotSigned>"),
                "{body}"
            );
        }
        // Unsigned and SigV2 requests are s3s's to judge.
        assert_eq!(refusal("/b/k", None), None);
        assert_eq!(refusal("/b/k", Some("AWS AKID:c2ln")), None);
    }

    #[test]
    fn operations_map_to_iam_actions_and_resources() {
        let obj = S3Path::object("b", "p/k 1");
        assert_eq!(
            checks("HeadObject", &obj, None),
            vec![Check {
                action: "s3:GetObject".into(),
                resource: "arn:aws:s3:::b/p/k 1".into()
            }]
        );
        assert_eq!(
            checks("ListObjectsV2", &S3Path::bucket("b"), None)[0].action,
            "s3:ListBucket"
        );
        assert_eq!(
            checks("ListObjectsV2", &S3Path::bucket("b"), None)[0].resource,
            "arn:aws:s3:::b"
        );
        assert_eq!(
            checks("ListBuckets", &S3Path::root(), None)[0].resource,
            "*"
        );
        assert_eq!(checks("UploadPart", &obj, None)[0].action, "s3:PutObject");
        assert_eq!(
            checks("PutBucketPolicy", &S3Path::bucket("b"), None)[0].action,
            "s3:PutBucketPolicy"
        );
        let copy = checks("CopyObject", &obj, Some("/src/a%20b?versionId=1"));
        assert_eq!(
            copy[1],
            Check {
                action: "s3:GetObject".into(),
                resource: "arn:aws:s3:::src/a b".into()
            }
        );
    }

    #[test]
    fn list_context_keeps_absent_keys_absent() {
        let with: http::Uri = "/b?list-type=2&prefix=p%2Fme%2F".parse().unwrap();
        assert_eq!(list_context(&with).get("s3:prefix"), Some("p/me/"));
        let without: http::Uri = "/b?list-type=2".parse().unwrap();
        assert_eq!(list_context(&without).get("s3:prefix"), None);
    }
}
