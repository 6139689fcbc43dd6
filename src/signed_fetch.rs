//! The lifecycle of one signed request (`AwsClient.fetch`), sans-IO: which
//! answers are retried and when, and when the clock is corrected and the
//! request signed again. The shell signs, sends and reports each outcome; the
//! rules live here once, beside the credential provider's.

use crate::credentials::check_clock_offset;
use crate::error::{find, Error, ErrorCode};
use crate::retry::RetryPolicy;
use crate::sigv4::time;
use alloc::string::ToString;

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

    /// The next retry, no sooner than `at_least_ms` from now (a `Retry-After`).
    fn retry(&mut self, now_ms: i64, at_least_ms: i64) -> Option<Next> {
        let elapsed = now_ms.saturating_sub(self.started_ms);
        let delay = self.policy.delay(self.attempt, elapsed, &mut self.rng)?;
        self.attempt += 1;
        Some(Next::RetryAt(now_ms.saturating_add(delay.max(at_least_ms))))
    }

    /// When to send again an answer that failed after all (a transient
    /// error inside a 200, read from its document), within the same retries
    /// and backoff; `None` when they are spent.
    pub fn retry_later(&mut self, now_ms: i64) -> Option<i64> {
        match self.retry(now_ms, 0)? {
            Next::RetryAt(t) => Some(t),
            _ => None,
        }
    }

    /// An answer came. `body` is its text when the shell read it (a 403, whose
    /// words tell a skew), else empty; `from_signed_host` is false when a
    /// redirect led elsewhere, whose clock is none of ours. A `Retry-After`
    /// on a retryable answer is waited out when it is at most
    /// [`MAX_RETRY_AFTER_MS`]; a longer one hands the answer to the caller at
    /// once, since no retry within the policy would succeed.
    pub fn on_answer(
        &mut self,
        status: u16,
        date: Option<&str>,
        retry_after: Option<&str>,
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
            let wait = retry_after.map_or(Some(0), |v| retry_after_ms(v, now_ms));
            if let Some(next) = wait.and_then(|wait| self.retry(now_ms, wait)) {
                return next;
            }
        }
        Next::Done
    }

    /// The request got no answer (`host` is named in the error).
    pub fn on_network_error(&mut self, host: &str, now_ms: i64) -> Next {
        self.retry(now_ms, 0).unwrap_or_else(|| {
            Next::Fail(Error::new(
                ErrorCode::Network,
                ["could not reach ", host, ": check the network and CORS"].concat(),
            ))
        })
    }

    /// No whole answer came within the shell's `timeout_ms`.
    pub fn on_timeout(&mut self, host: &str, timeout_ms: u32, now_ms: i64) -> Next {
        self.retry(now_ms, 0).unwrap_or_else(|| {
            Next::Fail(Error::new(
                ErrorCode::Timeout,
                [
                    "no answer from ",
                    host,
                    " within timeoutMs (",
                    &timeout_ms.to_string(),
                    " ms), retries included: raise timeoutMs or check the service",
                ]
                .concat(),
            ))
        })
    }
}

/// The longest `Retry-After` waited out before a retry.
pub const MAX_RETRY_AFTER_MS: i64 = 20_000;

/// A `Retry-After` (seconds, or an HTTP date) as the wait in ms, `None` when
/// it asks for more than [`MAX_RETRY_AFTER_MS`]; unreadable is no wait.
fn retry_after_ms(value: &str, now_ms: i64) -> Option<i64> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(secs) => i64::try_from(secs).unwrap_or(i64::MAX).saturating_mul(1000),
        Err(_) => time::parse_http_date(value).map_or(0, |t| t.saturating_sub(now_ms)),
    };
    (wait <= MAX_RETRY_AFTER_MS).then_some(wait.max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000_000;

    #[test]
    fn retries_throttling_and_5xx_within_the_count_never_4xx() {
        let mut f = SignedFetch::new(2, NOW, 7);
        for status in [429, 503] {
            let Next::RetryAt(t) = f.on_answer(status, None, None, "", true, NOW) else {
                panic!("{status}")
            };
            assert!(t > NOW && t <= NOW + 5_000);
        }
        assert_eq!(
            f.on_answer(500, None, None, "", true, NOW),
            Next::Done,
            "out of retries: the answer as is"
        );
        for status in [400, 401, 404, 409] {
            assert_eq!(
                SignedFetch::new(3, NOW, 1).on_answer(status, None, None, "", true, NOW),
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
        let Next::Resign { clock_offset_ms } = f.on_answer(403, None, None, body, true, NOW) else {
            panic!()
        };
        assert_eq!(
            clock_offset_ms,
            75 * 60_000,
            "23:28:20 by the server, 22:13:20 here"
        );
        assert_eq!(
            f.on_answer(403, None, None, body, true, NOW),
            Next::Done,
            "only once"
        );
        // From the Date header first, and S3's <ServerTime>.
        let date = "Tue, 14 Nov 2023 23:13:20 GMT";
        assert_eq!(server_time(Some(date), body), Some(server));
        let s3 = "<Error><Code>RequestTimeTooSkewed</Code><ServerTime>2023-11-14T23:13:20Z</ServerTime></Error>";
        assert_eq!(server_time(None, s3), Some(server));
        assert_eq!(
            SignedFetch::new(3, NOW, 1).on_answer(403, None, None, s3, true, NOW),
            Next::Resign {
                clock_offset_ms: 3_600_000
            }
        );
    }

    #[test]
    fn skew_is_learned_from_the_signed_host_only_and_within_a_day() {
        let body = "Signature expired: x (20231114T232820Z - 15 min.)";
        assert_eq!(
            SignedFetch::new(3, NOW, 1).on_answer(403, None, None, body, false, NOW),
            Next::Done
        );
        assert_eq!(
            SignedFetch::new(0, NOW, 1).on_answer(403, None, None, body, true, NOW),
            Next::Done,
            "a stream cannot be resent"
        );
        let Next::Fail(e) = SignedFetch::new(3, NOW, 1).on_answer(
            403,
            Some("Thu, 01 Jan 1970 00:00:00 GMT"),
            None,
            body,
            true,
            NOW,
        ) else {
            panic!()
        };
        assert_eq!(e.code, ErrorCode::ClockSkew);
        // A 403 that is not about time, or whose time cannot be read: the answer as is.
        assert_eq!(
            SignedFetch::new(3, NOW, 1).on_answer(403, None, None, "AccessDenied", true, NOW),
            Next::Done
        );
        assert_eq!(
            SignedFetch::new(3, NOW, 1).on_answer(403, None, None, "Signature expired", true, NOW),
            Next::Done
        );
        assert_eq!(SignedFetch::new(3, i64::MAX, 1).on_answer(403, None, None, body, true, i64::MIN), Next::Fail(Error::new(ErrorCode::ClockSkew, "this device's clock is more than 24 hours away from AWS's (by the time in an AWS answer): set the device's date, time and time zone correctly")));
    }

    #[test]
    fn retry_after_is_waited_out_up_to_a_bound_and_timeouts_are_typed() {
        let Next::RetryAt(t) =
            SignedFetch::new(3, NOW, 1).on_answer(429, None, Some("2"), "", true, NOW)
        else {
            panic!()
        };
        assert!(t >= NOW + 2_000, "not before Retry-After");
        let date = "Tue, 14 Nov 2023 22:13:25 GMT"; // NOW + 5 s
        let Next::RetryAt(t) =
            SignedFetch::new(3, NOW, 1).on_answer(503, None, Some(date), "", true, NOW)
        else {
            panic!()
        };
        assert!(t >= NOW + 5_000);
        assert_eq!(
            SignedFetch::new(3, NOW, 1).on_answer(429, None, Some("3600"), "", true, NOW),
            Next::Done,
            "an hour's wait is the caller's to decide"
        );
        let Next::RetryAt(t) =
            SignedFetch::new(3, NOW, 1).on_answer(429, None, Some("soon"), "", true, NOW)
        else {
            panic!()
        };
        assert!(t <= NOW + 5_000, "unreadable: the usual backoff");
        let mut f = SignedFetch::new(1, NOW, 1);
        assert!(matches!(
            f.on_timeout("h.example", 500, NOW),
            Next::RetryAt(_)
        ));
        let Next::Fail(e) = f.on_timeout("h.example", 500, NOW) else {
            panic!()
        };
        assert_eq!(e.code, ErrorCode::Timeout);
        assert!(e.message.contains("h.example") && e.message.contains("500 ms"));
    }
}
