//! `UserPoolSession`'s rule: whether a token asked for may be handed out as
//! it is, or must be refreshed first. The shell (index.js) carries the
//! tokens, shares one refresh between callers, and lets a sign-out win over
//! a refresh that lands after it.

use crate::error::{Error, ErrorCode, Result};
use crate::jwt;

/// The default margin, where the caller gives none: 5 minutes.
const DEFAULT_MARGIN_MS: f64 = 300_000.0;

/// Expiry (epoch ms) and margin (ms) of `token`: refresh once less than the
/// margin is left. The caller's margin as given; by default 5 minutes, but
/// at most half the token's lifetime, so that a pool's 5-minute tokens are
/// used for 2.5 minutes, not refreshed on every call (5 minutes where `iat`
/// is missing).
fn timing(token: &str, before_ms: Option<f64>) -> Result<(f64, f64)> {
    let claims = jwt::decode(token)?;
    let number = |name: &str| claims.claim_number(name).unwrap_or(f64::NAN);
    let (exp, iat) = (number("exp"), number("iat"));
    let lifetime = (exp - iat) * 1000.0;
    let margin = match before_ms {
        Some(ms) => ms,
        None if lifetime > 0.0 => DEFAULT_MARGIN_MS.min(lifetime / 2.0),
        None => DEFAULT_MARGIN_MS,
    };
    Ok((exp * 1000.0, margin))
}

/// Whether `token` (the session's IdToken or AccessToken) must be refreshed
/// before it is handed out at `now_ms`: the token asked for decides (an
/// access token may live longer or shorter than the IdToken; one that is
/// not a JWT goes by the IdToken). Without a refresh token, a token that has
/// not expired is handed out, and one that has is an error.
pub fn refresh_due(
    token: &str,
    id_token: &str,
    has_refresh_token: bool,
    before_ms: Option<f64>,
    now_ms: f64,
) -> Result<bool> {
    let (exp, margin) = match timing(token, before_ms) {
        Ok(t) => t,
        Err(_) => timing(id_token, before_ms)?,
    };
    // No `exp` (NaN): nothing says it is still good.
    let left = exp - now_ms;
    if left > margin {
        return Ok(false);
    }
    if has_refresh_token {
        return Ok(true);
    }
    if left > 0.0 {
        return Ok(false);
    }
    Err(Error::new(
        ErrorCode::InvalidConfig,
        "the token has expired and the session has no refresh token: sign in again",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;

    const NOW: f64 = 1_700_000_000_000.0;

    fn token(exp: f64, iat: Option<f64>) -> String {
        let b64 = jwt::base64url_encode;
        let payload = match iat {
            Some(iat) => format!(r#"{{"exp":{},"iat":{}}}"#, exp / 1000.0, iat / 1000.0),
            None => format!(r#"{{"exp":{}}}"#, exp / 1000.0),
        };
        [b64(r#"{"alg":"RS256"}"#), b64(&payload), "c2ln".into()].join(".")
    }

    #[test]
    fn an_hour_token_is_refreshed_five_minutes_before_it_expires() {
        let t = token(NOW + 3_600_000.0, Some(NOW));
        assert!(!refresh_due(&t, &t, true, None, NOW).unwrap());
        assert!(!refresh_due(&t, &t, true, None, NOW + 3_290_000.0).unwrap());
        assert!(refresh_due(&t, &t, true, None, NOW + 3_310_000.0).unwrap());
    }

    #[test]
    fn a_five_minute_token_is_used_for_half_its_life() {
        let t = token(NOW + 300_000.0, Some(NOW));
        assert!(!refresh_due(&t, &t, true, None, NOW + 140_000.0).unwrap());
        assert!(refresh_due(&t, &t, true, None, NOW + 160_000.0).unwrap());
        // Without iat: 5 minutes, so at once.
        let t = token(NOW + 300_000.0, None);
        assert!(refresh_due(&t, &t, true, None, NOW).unwrap());
    }

    #[test]
    fn the_caller_s_margin_is_used_as_given() {
        let t = token(NOW + 300_000.0, Some(NOW));
        assert!(!refresh_due(&t, &t, true, Some(10_000.0), NOW + 280_000.0).unwrap());
        assert!(refresh_due(&t, &t, true, Some(10_000.0), NOW + 295_000.0).unwrap());
    }

    #[test]
    fn without_a_refresh_token_a_valid_token_is_used_until_it_expires() {
        let t = token(NOW + 60_000.0, Some(NOW - 3_540_000.0));
        assert!(!refresh_due(&t, &t, false, None, NOW).unwrap());
        let e = refresh_due(&t, &t, false, None, NOW + 61_000.0).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidConfig);
    }

    #[test]
    fn an_opaque_access_token_goes_by_the_id_token() {
        let id = token(NOW + 3_600_000.0, Some(NOW));
        assert!(!refresh_due("opaque", &id, true, None, NOW).unwrap());
        assert!(refresh_due("opaque", &id, true, None, NOW + 3_500_000.0).unwrap());
        // Neither a JWT: the IdToken's own error.
        let e = refresh_due("opaque", "nope", true, None, NOW).unwrap_err();
        assert_eq!(e.code, ErrorCode::Malformed);
    }

    #[test]
    fn claims_written_as_strings_count_as_numbers() {
        let b64 = jwt::base64url_encode;
        let payload = format!(
            r#"{{"exp":"{}","iat":"{}"}}"#,
            (NOW + 3_600_000.0) as u64 / 1000,
            NOW as u64 / 1000
        );
        let t = [b64("{}"), b64(&payload), "c2ln".into()].join(".");
        assert!(!refresh_due(&t, &t, true, None, NOW).unwrap());
        assert!(refresh_due(&t, &t, true, None, NOW + 3_500_000.0).unwrap());
    }

    #[test]
    fn a_token_without_exp_is_refreshed() {
        let b64 = jwt::base64url_encode;
        let t = [b64("{}"), b64(r#"{"sub":"u"}"#), "c2ln".into()].join(".");
        assert!(refresh_due(&t, &t, true, None, NOW).unwrap());
    }
}
