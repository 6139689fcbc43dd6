//! The lifecycle of one signed request (`AwsClient.fetch`), sans-IO: which
//! answers are retried and when, and when the clock is corrected and the
//! request signed again. The shell signs, sends and reports each outcome; the
//! rules live here once, beside the credential provider's.

use crate::credentials::check_clock_offset;
use crate::error::{find, Error, ErrorCode};
use crate::retry::RetryPolicy;
use crate::sigv4::time;

/// What the shell does after an outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Hand the answer to the caller.
    Done,
    /// Sign again and resend at this epoch-ms time (throttling, 5xx, network).
    RetryAt(i64),
    /// The server's clock is this far from ours: sign again with it, and resend now.
    Resign { clock_offset_ms: i64 },
    /// Give up with this error.
    Fail(Error),
}

/// Statuses worth a retry: throttling and the server's transient failures.
pub fn is_retryable(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// AWS's words for a signature refused for its time.
fn is_skew_answer(body: &str) -> bool {
    [
        "Signature expired",
        "RequestTimeTooSkewed",
        "Signature not yet current",
    ]
    .iter()
    .any(|words| find(body, words).is_some())
}

/// The server's time in a skew answer: its `Date` header, else the time in
/// `(20150830T130600Z - 15 min.)` (API Gateway) or `<ServerTime>` (S3).
pub fn server_time(date: Option<&str>, body: &str) -> Option<i64> {
    if let Some(t) = date.and_then(time::parse_http_date) {
        return Some(t);
    }
    if let Some(start) = find(body, "<ServerTime>") {
        let rest = body.get(start + "<ServerTime>".len()..)?;
        return time::parse_iso8601(rest.get(..find(rest, "</ServerTime>")?)?);
    }
    let end = find(body, " - ")?;
    let amz = body.get(..end)?.rsplit('(').next()?;
    time::parse_amz_date(amz)
}

/// One signed request's retries and clock correction.
#[derive(Debug)]
pub struct SignedFetch {
    policy: RetryPolicy,
    attempt: u32,
    started_ms: i64,
    skew_corrected: bool,
    rng: u64,
}

impl SignedFetch {
    /// `max_retries` retries after the first attempt (0 for a body that cannot
    /// be sent twice, such as a stream); `seed` varies the jitter.
    pub fn new(max_retries: u32, now_ms: i64, seed: u64) -> Self {
        let policy = RetryPolicy {
            max_retries,
            budget_ms: i64::MAX,
            ..RetryPolicy::default()
        };
        SignedFetch {
            policy,
            attempt: 0,
            started_ms: now_ms,
            skew_corrected: false,
            rng: seed | 1,
        }
    }

    fn retry(&mut self, now_ms: i64) -> Option<Next> {
        let elapsed = now_ms.saturating_sub(self.started_ms);
        let delay = self.policy.delay(self.attempt, elapsed, &mut self.rng)?;
        self.attempt += 1;
        Some(Next::RetryAt(now_ms.saturating_add(delay)))
    }

    /// An answer came. `body` is its text when the shell read it (a 403, whose
    /// words tell a skew), else empty; `from_signed_host` is false when a
    /// redirect led elsewhere, whose clock is none of ours.
    pub fn on_answer(
        &mut self,
        status: u16,
        date: Option<&str>,
        body: &str,
        from_signed_host: bool,
        now_ms: i64,
    ) -> Next {
        let may_resend = self.policy.max_retries > 0;
        if status == 403
            && !self.skew_corrected
            && from_signed_host
            && may_resend
            && is_skew_answer(body)
        {
            if let Some(server) = server_time(date, body) {
                // Beyond a day, a clock is wrong rather than skewed (or the answer is hostile).
                return match check_clock_offset(server.saturating_sub(now_ms)) {
                    Ok(clock_offset_ms) => {
                        self.skew_corrected = true;
                        Next::Resign { clock_offset_ms }
                    }
                    Err(e) => Next::Fail(e),
                };
            }
        }
        if is_retryable(status) {
            if let Some(next) = self.retry(now_ms) {
                return next;
            }
        }
        Next::Done
    }

    /// The request got no answer (`host` is named in the error).
    pub fn on_network_error(&mut self, host: &str, now_ms: i64) -> Next {
        self.retry(now_ms).unwrap_or_else(|| {
            Next::Fail(Error::new(
                ErrorCode::Network,
                ["could not reach ", host, ": check the network and CORS"].concat(),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000_000;

    #[test]
    fn retries_throttling_and_5xx_within_the_count_never_4xx() {
        let mut f = SignedFetch::new(2, NOW, 7);
        for status in [429, 503] {
            let Next::RetryAt(t) = f.on_answer(status, None, "", true, NOW) else {
                panic!("{status}")
            };
            assert!(t > NOW && t <= NOW + 5_000);
        }
        assert_eq!(
            f.on_answer(500, None, "", true, NOW),
            Next::Done,
            "out of retries: the answer as is"
        );
        for status in [400, 401, 404, 409] {
            assert_eq!(
                SignedFetch::new(3, NOW, 1).on_answer(status, None, "", true, NOW),
                Next::Done
            );
        }
        let mut f = SignedFetch::new(1, NOW, 1);
        assert!(matches!(
            f.on_network_error("h.example", NOW),
            Next::RetryAt(_)
        ));
        let Next::Fail(e) = f.on_network_error("h.example", NOW) else {
            panic!()
        };
        assert_eq!(e.code, ErrorCode::Network);
        assert!(e.message.contains("h.example"));
    }

    #[test]
    fn a_skew_answer_corrects_the_clock_once() {
        let mut f = SignedFetch::new(3, NOW, 1);
        let body = r#"{"message":"Signature expired: 20231114T000000Z is now earlier than 20231114T231320Z (20231114T232820Z - 15 min.)"}"#;
        let server = NOW + 3_600_000;
        let Next::Resign { clock_offset_ms } = f.on_answer(403, None, body, true, NOW) else {
            panic!()
        };
        assert_eq!(
            clock_offset_ms,
            75 * 60_000,
            "23:28:20 by the server, 22:13:20 here"
        );
        assert_eq!(
            f.on_answer(403, None, body, true, NOW),
            Next::Done,
            "only once"
        );
        // From the Date header first, and S3's <ServerTime>.
        let date = "Tue, 14 Nov 2023 23:13:20 GMT";
        assert_eq!(server_time(Some(date), body), Some(server));
        let s3 = "<Error><Code>RequestTimeTooSkewed</Code><ServerTime>2023-11-14T23:13:20Z</ServerTime></Error>";
        assert_eq!(server_time(None, s3), Some(server));
        assert_eq!(
            SignedFetch::new(3, NOW, 1).on_answer(403, None, s3, true, NOW),
            Next::Resign {
                clock_offset_ms: 3_600_000
            }
        );
    }

    #[test]
    fn skew_is_learned_from_the_signed_host_only_and_within_a_day() {
        let body = "Signature expired: x (20231114T232820Z - 15 min.)";
        assert_eq!(
            SignedFetch::new(3, NOW, 1).on_answer(403, None, body, false, NOW),
            Next::Done
        );
        assert_eq!(
            SignedFetch::new(0, NOW, 1).on_answer(403, None, body, true, NOW),
            Next::Done,
            "a stream cannot be resent"
        );
        let Next::Fail(e) = SignedFetch::new(3, NOW, 1).on_answer(
            403,
            Some("Thu, 01 Jan 1970 00:00:00 GMT"),
            body,
            true,
            NOW,
        ) else {
            panic!()
        };
        assert_eq!(e.code, ErrorCode::ClockSkew);
        // A 403 that is not about time, or whose time cannot be read: the answer as is.
        assert_eq!(
            SignedFetch::new(3, NOW, 1).on_answer(403, None, "AccessDenied", true, NOW),
            Next::Done
        );
        assert_eq!(
            SignedFetch::new(3, NOW, 1).on_answer(403, None, "Signature expired", true, NOW),
            Next::Done
        );
        assert_eq!(SignedFetch::new(3, i64::MAX, 1).on_answer(403, None, body, true, i64::MIN), Next::Fail(Error::new(ErrorCode::ClockSkew, "this device's clock is more than 24 hours away from AWS's (by the time in an AWS answer): set the device's date, time and time zone correctly")));
    }
}
