//! Unsigned calls on the one driver: Cognito Identity, STS and the user
//! pool take JSON (or a form) and answer with a small document.
//!
//! - [`Plain`]: one request and its whole answer, within a size cap.
//! - [`Exchange`]: the credential provider's exchange ([`Provider`]: GetId,
//!   GetCredentialsForIdentity or the classic flow, retries and backoff,
//!   clock skew), from its first request to credentials. The provider and
//!   the IdentityId's storage stay the shell's, shared with other callers
//!   between the exchange's steps: they are borrowed only within each step.

use super::{Attempt, Failure, Head, Machine, Need, Output, Signing};
use crate::credentials::{Provider, Step, Storage};
use crate::error::{Error, ErrorCode};
use crate::http::{HttpRequest, HttpResponse};
use crate::sigv4::Credentials;
use alloc::string::String;
use core::cell::RefCell;

/// An exchange is a handful of requests and retries; one that sends more
/// than this is looping, and fails instead of freezing the page.
const MAX_SENDS: u32 = 100;

fn attempt(request: HttpRequest, timeout_ms: u32) -> Attempt {
    Attempt {
        method: request.method.into(),
        url: request.url,
        headers: request
            .headers
            .into_iter()
            .map(|(n, v)| (String::from(n), v))
            .collect(),
        timeout_ms: Some(timeout_ms),
        body: Some(request.body),
    }
}

fn out_of_order() -> Error {
    Error::new(ErrorCode::InvalidConfig, "a call was driven out of order")
}

/// One request and its whole answer: [`Output::Answer`].
#[derive(Debug)]
pub struct Plain {
    request: Option<HttpRequest>,
    timeout_ms: u32,
    max_bytes: usize,
    /// The answer's status and `Date`, once its head came.
    head: Option<(u16, Option<String>)>,
    out: Option<Result<HttpResponse, Failure>>,
}

impl Plain {
    pub fn new(request: HttpRequest, timeout_ms: u32, max_bytes: usize) -> Plain {
        Plain {
            request: Some(request),
            timeout_ms,
            max_bytes,
            head: None,
            out: None,
        }
    }
}

impl Machine for Plain {
    fn poll(&mut self, _: &mut Signing, _: i64) -> Need {
        if let Some(out) = self.out.take() {
            return Need::Done(Output::Answer(out));
        }
        if let Some(request) = self.request.take() {
            return Need::Send(attempt(request, self.timeout_ms));
        }
        match self.head {
            Some(_) => Need::ReadText {
                max: self.max_bytes,
                keep: false,
            },
            None => Need::Fail(out_of_order()),
        }
    }
    fn on_credentials(&mut self, _: Credentials) {}
    fn on_head(&mut self, head: Head, _: i64) {
        self.head = Some((head.status, head.header("date").map(String::from)));
    }
    fn on_text(&mut self, body: String, _: i64) {
        if let Some((status, date)) = self.head.take() {
            self.out = Some(Ok(HttpResponse { status, date, body }));
        }
    }
    fn on_failure(&mut self, failure: Failure, _: i64) {
        self.head = None;
        self.out = Some(Err(failure));
    }
}

/// The provider was in the middle of a step (a storage callback called back
/// into it): refused, instead of a double borrow, which would trap.
pub fn reentered() -> Error {
    Error::new(
        ErrorCode::InvalidConfig,
        "the credentials were used from inside their own storage's getItem/setItem/removeItem: do that after it returns",
    )
}

/// The provider's exchange of one generation: [`Output::Credentials`].
pub struct Exchange<'a> {
    provider: &'a RefCell<Provider>,
    storage: &'a RefCell<dyn Storage>,
    generation: u32,
    /// The provider's step to act on.
    next: Option<Step>,
    timeout_ms: u32,
    max_bytes: usize,
    head: Option<(u16, Option<String>)>,
    sends: u32,
}

impl<'a> Exchange<'a> {
    /// From `step`, a step of the provider's `generation` (not `NeedLogins`:
    /// the shell resolves the logins, which are the caller's functions, first).
    pub fn new(
        provider: &'a RefCell<Provider>,
        storage: &'a RefCell<dyn Storage>,
        generation: u32,
        step: Step,
        timeout_ms: u32,
        max_bytes: usize,
    ) -> Self {
        Exchange {
            provider,
            storage,
            generation,
            next: Some(step),
            timeout_ms,
            max_bytes,
            head: None,
            sends: 0,
        }
    }

    /// Runs `f` on the provider and the storage, unless either is in use.
    fn with(&mut self, f: impl FnOnce(&mut Provider, &mut dyn Storage, u32) -> Step) {
        let generation = self.generation;
        self.next = Some(
            match (
                self.provider.try_borrow_mut(),
                self.storage.try_borrow_mut(),
            ) {
                (Ok(mut p), Ok(mut s)) => f(&mut p, &mut *s, generation),
                _ => Step::Failed(reentered()),
            },
        );
    }
}

impl Machine for Exchange<'_> {
    fn poll(&mut self, _: &mut Signing, now_ms: i64) -> Need {
        if self.next.is_none() {
            if self.head.is_some() {
                return Need::ReadText {
                    max: self.max_bytes,
                    keep: false,
                };
            }
            // After a wait: the provider's backoff is over, or not yet.
            self.with(|p, _, g| p.resume(g, now_ms));
        }
        // Sharing across tabs (Config::share) where nothing carries it yet:
        // nobody answers, and the lock is this tab's at once, as within one
        // page. The shell's channel and locks are #23's next step.
        if let Some(Step::Lock) = self.next {
            self.with(|p, _, g| match p.on_locked(g, false) {
                Ok(()) => p.poll(now_ms),
                Err(e) => Step::Failed(e),
            });
        }
        match self.next.take() {
            Some(Step::Ready(issued)) => Need::Done(Output::Credentials(issued)),
            Some(Step::Failed(e)) => Need::Fail(e),
            Some(Step::SleepUntil(at)) => Need::WaitUntil(at),
            Some(Step::Send(_)) if self.sends >= MAX_SENDS => Need::Fail(Error::new(
                ErrorCode::Network,
                "the credential exchange did not finish within 100 requests: check the endpoint",
            )),
            Some(Step::Send(request)) => {
                self.sends += 1;
                Need::Send(attempt(request, self.timeout_ms))
            }
            // Another exchange is in flight: this one was superseded.
            Some(Step::Wait) => Need::Fail(Error::new(
                ErrorCode::Cancelled,
                "the credential exchange was superseded by another: call get() again",
            )),
            Some(Step::Ask { until }) => Need::WaitUntil(until),
            // on_locked then poll never answers Lock again.
            Some(Step::Lock | Step::NeedLogins) | None => Need::Fail(out_of_order()),
        }
    }

    fn on_credentials(&mut self, _: Credentials) {}

    fn on_head(&mut self, head: Head, _: i64) {
        self.head = Some((head.status, head.header("date").map(String::from)));
    }

    fn on_text(&mut self, body: String, now_ms: i64) {
        let Some((status, date)) = self.head.take() else {
            return;
        };
        let response = HttpResponse { status, date, body };
        self.with(|p, s, g| p.on_response(g, response, now_ms, s));
    }

    fn on_failure(&mut self, failure: Failure, now_ms: i64) {
        match (self.head.take(), failure) {
            // More than any Cognito or STS answer: read as what could be read
            // of it, nothing (Malformed, or retried if a 5xx).
            (Some((status, _)), Failure::TooLarge) => {
                let response = HttpResponse {
                    status,
                    date: None,
                    body: String::new(),
                };
                self.with(|p, s, g| p.on_response(g, response, now_ms, s));
            }
            (_, failure) => {
                let timed_out = failure == Failure::Timeout;
                self.with(|p, _, g| p.on_network_error(g, timed_out, now_ms));
            }
        }
    }
}
