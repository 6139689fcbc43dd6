//! One signed request through its attempts: credentials asked for before
//! each, signed at the server's time, retried and re-signed as
//! [`SignedFetch`] says (throttling, 5xx, network failures, timeouts, one
//! clock-skew correction).

use super::{Attempt, Failure, Head, Need};
use crate::error::{Error, ErrorCode, Result};
use crate::signed_fetch::{Next, SignedFetch};
use crate::sigv4::{Credentials, Payload, Request, Signer};
use alloc::string::String;
use alloc::vec::Vec;

/// The most of a 403's body read to tell a clock skew (AWS's are < 1 KB).
const SKEW_TEXT_MAX: usize = 64 * 1024;

/// What a client signs with, shared by its requests.
#[derive(Default)]
pub struct Signing {
    /// Read from the host name when `None`.
    pub region: Option<String>,
    pub service: Option<String>,
    pub retries: u32,
    /// Per attempt, the whole answer; none by default.
    pub timeout_ms: Option<u32>,
    /// Server time minus local time (ms), learned from skew answers.
    pub offset_ms: i64,
    /// One signer per access key, region and service: its signing-key cache
    /// is what makes steady-state signing fast.
    signers: Vec<Signer>,
}

impl Signing {
    pub fn new(
        region: Option<String>,
        service: Option<String>,
        retries: u32,
        timeout_ms: Option<u32>,
    ) -> Self {
        Signing {
            region,
            service,
            retries,
            timeout_ms,
            ..Signing::default()
        }
    }

    /// Now, by the server's clock.
    pub fn now(&self, local_ms: i64) -> i64 {
        local_ms.saturating_add(self.offset_ms)
    }

    /// The signer of `keys` for `host`'s service and region (only what was
    /// not given is read from the host name).
    pub fn signer(&mut self, keys: Credentials, host: &str) -> Result<&mut Signer> {
        let (region, service) = match (self.region.clone(), self.service.clone()) {
            (Some(r), Some(s)) => (Some(r), Some(s)),
            (r, s) => {
                let inferred =
                    crate::aws_host::service_region(host.split(':').next().unwrap_or(host));
                (
                    r.or_else(|| inferred.as_ref().map(|i| i.1.clone())),
                    s.or_else(|| inferred.map(|i| i.0)),
                )
            }
        };
        let (Some(region), Some(service)) = (region, service) else {
            return Err(Error::new(
                ErrorCode::InvalidConfig,
                [
                    "cannot tell the AWS service and region of ",
                    host,
                    ": pass { service, region } to AwsClient",
                ]
                .concat(),
            ));
        };
        // Signers of rotated credentials are dropped: one per key, region and service.
        let signers = &mut self.signers;
        signers.retain(|s| s.credentials().access_key_id == keys.access_key_id);
        let at = signers.iter().position(|s| {
            s.credentials() == &keys && s.region() == region && s.service() == service
        });
        let at = match at {
            Some(at) => at,
            None => {
                signers.retain(|s| s.credentials() == &keys);
                signers.push(Signer::new(keys, &region, &service)?);
                signers.len() - 1
            }
        };
        signers
            .get_mut(at)
            .ok_or_else(|| Error::new(ErrorCode::InvalidConfig, "no signer"))
    }
}

/// What is hashed of a request's body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    Empty,
    /// Small bodies, hashed here.
    Bytes(Vec<u8>),
    /// Large ones, hashed by the shell (WebCrypto) from their own memory.
    Hash(String),
    /// Signed as `UNSIGNED-PAYLOAD` (S3's large bodies, streams).
    Unsigned,
}

/// What a [`Call`] says next.
#[derive(Debug)]
pub enum Step {
    Need(Need),
    /// The final answer's head (the last attempt's): its body is unread.
    Answered(Head),
}

#[derive(Debug)]
enum State {
    /// Sign and send (after fresh credentials).
    Sign,
    /// An attempt is in flight.
    Sent,
    /// A 403 whose words may tell a clock skew: its text is being read.
    Reading(Head),
    /// Learned the server's clock: tell the shell, then sign again.
    Offset(i64),
    Waiting(i64),
    Answered(Head),
    Failed(Error),
    Done,
}

/// One signed request and its attempts.
#[derive(Debug)]
pub struct Call {
    method: String,
    url: String,
    host: String,
    headers: Vec<(String, String)>,
    body: Body,
    /// The body to send, when the machine wrote it (else the operation's).
    text: Option<String>,
    life: SignedFetch,
    /// No second attempt at all (a stream sent once).
    once: bool,
    keys: Option<Credentials>,
    timeout_ms: Option<u32>,
    state: State,
    /// An answer that is not the final one was left unread.
    discard: bool,
}

impl Call {
    /// `url` as fetch will send it and its `host` (the platform's URL
    /// parser's); `once`: a body that cannot be sent twice (no retries, no
    /// re-signing); `seed` varies the backoff's jitter.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        signing: &Signing,
        method: String,
        url: String,
        host: String,
        headers: Vec<(String, String)>,
        body: Body,
        once: bool,
        now_ms: i64,
        seed: u64,
    ) -> Call {
        let retries = if once { 0 } else { signing.retries };
        Call {
            method,
            url,
            host,
            headers,
            body,
            text: None,
            life: SignedFetch::new(retries, now_ms, seed),
            once,
            keys: None,
            timeout_ms: signing.timeout_ms,
            state: State::Sign,
            discard: false,
        }
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// The final answer failed after all (a transient error its document
    /// told): send again after a backoff, within the same retries. False when
    /// they are spent.
    pub fn retry_later(&mut self, now_ms: i64) -> bool {
        match self.life.retry_later(now_ms) {
            Some(at) if !self.once => {
                self.state = State::Waiting(at);
                true
            }
            _ => false,
        }
    }

    /// A call that sends `text` (signed with its hash) instead of the
    /// operation's body: a document the machine wrote.
    pub fn with_text(mut self, text: String) -> Call {
        self.body = Body::Bytes(text.as_bytes().to_vec());
        self.text = Some(text);
        self
    }

    pub fn poll(&mut self, signing: &mut Signing, now_ms: i64) -> Step {
        if core::mem::take(&mut self.discard) {
            return Step::Need(Need::Discard);
        }
        match core::mem::replace(&mut self.state, State::Done) {
            State::Sign => {
                let Some(keys) = self.keys.take() else {
                    self.state = State::Sign;
                    return Step::Need(Need::Credentials);
                };
                match self.sign(signing, keys, now_ms) {
                    Ok(attempt) => {
                        self.state = State::Sent;
                        Step::Need(Need::Send(attempt))
                    }
                    Err(e) => Step::Need(Need::Fail(e)),
                }
            }
            State::Sent => {
                self.state = State::Sent;
                Step::Need(Need::Fail(Error::new(
                    ErrorCode::InvalidConfig,
                    "polled while an attempt is in flight",
                )))
            }
            State::Reading(head) => {
                self.state = State::Reading(head);
                Step::Need(Need::ReadText {
                    max: SKEW_TEXT_MAX,
                    keep: true,
                })
            }
            State::Offset(ms) => {
                signing.offset_ms = ms;
                self.state = State::Sign;
                Step::Need(Need::ClockOffset(ms))
            }
            State::Waiting(at) if at > now_ms => {
                self.state = State::Waiting(at);
                Step::Need(Need::WaitUntil(at))
            }
            State::Waiting(_) => {
                self.state = State::Sign;
                self.poll(signing, now_ms)
            }
            State::Answered(head) => Step::Answered(head),
            State::Failed(e) => Step::Need(Need::Fail(e)),
            State::Done => Step::Need(Need::Fail(Error::new(
                ErrorCode::InvalidConfig,
                "polled after the call ended",
            ))),
        }
    }

    fn sign(&mut self, signing: &mut Signing, keys: Credentials, now_ms: i64) -> Result<Attempt> {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let mut req = Request::new(&self.method, &self.url);
        req.headers = &headers;
        req.payload = match &self.body {
            Body::Empty => Payload::Empty,
            Body::Bytes(b) => Payload::Bytes(b),
            Body::Hash(h) => Payload::Precomputed(h),
            Body::Unsigned => Payload::Unsigned,
        };
        let at = signing.now(now_ms);
        let timeout_ms = self.timeout_ms;
        let signed = signing.signer(keys, &self.host)?.sign(&req, at)?;
        Ok(Attempt {
            method: signed.method,
            url: signed.url,
            headers: signed.headers,
            timeout_ms,
            body: self.text.clone(),
        })
    }

    pub fn on_credentials(&mut self, keys: Credentials) {
        self.keys = Some(keys);
    }

    /// The head of the last attempt's answer.
    pub fn on_head(&mut self, head: Head, now_ms: i64) {
        // A redirect may have led to another host, whose clock is none of ours.
        let from_signed_host =
            !head.redirected && head.host.as_deref().is_none_or(|host| host == self.host);
        if head.status == 403 && from_signed_host && !self.once {
            // Its words tell a skew: read them first (SignedFetch decides once).
            self.state = State::Reading(head);
            return;
        }
        self.decide(head, "", from_signed_host, now_ms);
    }

    /// The text of a 403 read for its words.
    pub fn on_text(&mut self, text: String, now_ms: i64) {
        match core::mem::replace(&mut self.state, State::Done) {
            State::Reading(head) => self.decide(head, &text, true, now_ms),
            other => self.state = other,
        }
    }

    fn decide(&mut self, head: Head, text: &str, from_signed_host: bool, now_ms: i64) {
        let next = self.life.on_answer(
            head.status,
            head.header("date"),
            head.header("retry-after"),
            text,
            from_signed_host,
            now_ms,
        );
        // An answer retried or re-signed is nobody's: its body is finished.
        self.discard = !matches!(next, Next::Done);
        self.state = match next {
            Next::Done => State::Answered(head),
            Next::RetryAt(t) => State::Waiting(t),
            Next::Resign { clock_offset_ms } => State::Offset(clock_offset_ms),
            Next::Fail(e) => State::Failed(e),
        };
    }

    /// No (whole) answer to the last attempt, or its 403's text could not be read.
    pub fn on_failure(&mut self, failure: Failure, now_ms: i64) {
        if let State::Reading(head) = core::mem::replace(&mut self.state, State::Done) {
            // The words are lost: the answer stands as it came.
            self.decide(head, "", true, now_ms);
            return;
        }
        let next = match (failure, self.timeout_ms) {
            (Failure::Timeout, Some(ms)) => self.life.on_timeout(&self.host, ms, now_ms),
            _ => self.life.on_network_error(&self.host, now_ms),
        };
        self.state = match next {
            Next::RetryAt(t) => State::Waiting(t),
            Next::Fail(e) => State::Failed(e),
            _ => State::Sign,
        };
    }
}
