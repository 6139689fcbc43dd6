//! JWT claims decoding (no signature check: the page only needs to read the
//! token it was given; AWS verifies it) and the Cognito `Logins` key.

use crate::error::{Error, ErrorCode, Result};
use crate::json::{self, Value};
use alloc::string::String;
use alloc::vec::Vec;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::{alphabet, Engine};

/// A decoded token: its header and payload as JSON values.
#[derive(Clone, Debug, PartialEq)]
pub struct Jwt {
    pub header: Value,
    pub payload: Value,
}

fn malformed(what: &str) -> Error {
    // Never quote the token: it is a credential.
    Error::new(
        ErrorCode::Malformed,
        [
            "the token is not a JWT (",
            what,
            "): pass the IdToken string from sign-in, not the whole response",
        ]
        .concat(),
    )
}

/// base64url, as JWTs use it: without padding (tolerated), and lenient
/// about the unused bits of the last character, as JWT libraries are.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

pub fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    BASE64URL.decode(s).ok()
}

/// The header and payload of a token as JSON text, checked to be a JWT's:
/// three parts, base64url JSON, a payload that is an object.
pub fn segments(token: &str) -> Result<(String, String)> {
    decode_parts(token).map(|(header, _, payload, _)| (header, payload))
}

pub fn decode(token: &str) -> Result<Jwt> {
    decode_parts(token).map(|(_, header, _, payload)| Jwt { header, payload })
}

fn decode_parts(token: &str) -> Result<(String, Value, String, Value)> {
    let mut parts = token.trim().split('.');
    let (Some(h), Some(p), Some(_sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("it must have three dot-separated parts"));
    };
    let part = |s: &str, what: &str| -> Result<(String, Value)> {
        let bytes = base64url_decode(s).ok_or_else(|| malformed(what))?;
        let text = String::from_utf8(bytes).map_err(|_| malformed(what))?;
        let value = json::parse(&text).map_err(|_| malformed(what))?;
        Ok((text, value))
    };
    let (header_text, header) = part(h, "its header is not base64url JSON")?;
    let (payload_text, payload) = part(p, "its payload is not base64url JSON")?;
    if !matches!(payload, Value::Object(_)) {
        return Err(malformed("its payload is not a JSON object"));
    }
    Ok((header_text, header, payload_text, payload))
}

impl Jwt {
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.payload.get(name)?.as_str()
    }

    /// A numeric claim (`exp`, `iat`): a number, or whole seconds written as a
    /// string (JS's Number() reads both). Parsed as an integer:
    /// str::parse::<f64> would add 19.7 KB of wasm.
    pub fn claim_number(&self, name: &str) -> Option<f64> {
        let v = self.payload.get(name)?;
        v.as_f64()
            .or_else(|| Some(v.as_str()?.trim().parse::<u64>().ok()? as f64))
    }

    /// `exp` in epoch seconds.
    pub fn expires_at(&self) -> Option<f64> {
        self.payload.get("exp")?.as_f64()
    }

    /// A string-array claim such as `cognito:groups` or `cognito:roles`.
    pub fn claim_list(&self, name: &str) -> Vec<&str> {
        self.payload
            .get(name)
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// The identity pool `Logins` key of a user-pool token: its `iss` without
    /// the scheme, e.g. `cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC`.
    pub fn logins_key(&self) -> Result<String> {
        let iss = self.claim_str("iss").ok_or_else(|| {
            Error::new(ErrorCode::Malformed, "the token has no `iss` claim: pass a Cognito User Pool IdToken, or give `logins` explicitly")
        })?;
        let key = iss
            .strip_prefix("https://")
            .or_else(|| iss.strip_prefix("http://"))
            .unwrap_or(iss);
        Ok(String::from(key.trim_end_matches('/')))
    }
}

/// base64url without padding: for tests that build tokens.
#[cfg(test)]
pub(crate) fn base64url_encode(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        base64url_encode(s)
    }

    #[test]
    fn decodes_claims_and_logins_key() {
        let token = [
            b64(r#"{"alg":"RS256","kid":"k1"}"#),
            b64(r#"{"sub":"u-1","iss":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC","exp":1700000000,"cognito:groups":["admin","user"]}"#),
            "sig".into(),
        ]
        .join(".");
        let jwt = decode(&token).unwrap();
        assert_eq!(jwt.header.get("kid").and_then(Value::as_str), Some("k1"));
        assert_eq!(jwt.claim_str("sub"), Some("u-1"));
        assert_eq!(jwt.expires_at(), Some(1.7e9));
        assert_eq!(jwt.claim_list("cognito:groups"), ["admin", "user"]);
        assert_eq!(
            jwt.logins_key().unwrap(),
            "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC"
        );
    }

    #[test]
    fn refuses_non_tokens_without_quoting_them() {
        for bad in [
            "",
            "a.b",
            "a.b.c.d",
            "!!.e30.x",
            "e30.bm90IGpzb24.x",
            "e30.WzFd.x",
            "e30.e30",
        ] {
            let err = decode(bad).unwrap_err();
            assert_eq!(err.code, ErrorCode::Malformed, "{bad}");
        }
        let secretish = "eyJhbGciOiJub25lIn0.c2VjcmV0LXBheWxvYWQ.sig";
        assert!(!decode(secretish).unwrap_err().message.contains("c2VjcmV0"));
        assert_eq!(base64url_decode("YQ"), Some(b"a".to_vec()));
        assert_eq!(base64url_decode("YQ=="), Some(b"a".to_vec()));
        assert_eq!(
            base64url_decode("YR"),
            Some(b"a".to_vec()),
            "unused bits are ignored"
        );
        assert_eq!(base64url_decode("Y"), None);
        assert_eq!(base64url_decode("a+b/"), None, "base64url only");
    }
}
