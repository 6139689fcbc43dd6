//! The one driver: it performs what an operation's machine (src/op/) needs,
//! with the platform, and knows no rule of any operation. Credentials come
//! from the client's `get()` (or its plain keys), attempts go out through the
//! global fetch (src/wasm/fetch.rs) with the caller's fetch options and the
//! attempt's timeout, answers' texts are read capped, waits are timers, and a
//! learned clock offset is told to the credentials' provider.

use super::boundary::{config_error, js_error};
use super::client::{attempt_signal, keep_until_fired, timed_out, Client, TIMERS};
use super::fetch::{self, Failure as ReadFailure};
use super::xhr;
use crate::error::{Error, ErrorCode};
use crate::op::{Attempt, Failure, Head, Machine, Need, Output, Signing};
use js_sys::Reflect;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// What every attempt of one operation sends besides its signed head.
pub(crate) struct Sending {
    /// The body fetch sends (the caller's, or its bytes once read).
    pub body: JsValue,
    /// fetch options carried over from the caller (`signal`, `credentials`, …).
    pub options: Vec<(&'static str, JsValue)>,
    /// A stream body (sent once, `duplex: "half"`).
    pub stream: bool,
    /// Told the bytes of the body sent so far, as they go: where the platform
    /// has XMLHttpRequest (pages and their workers), whose upload reports
    /// progress, attempts go by it instead of fetch.
    pub progress: Option<Rc<dyn Fn(f64)>>,
}

impl Sending {
    /// Nothing but the signed head (and a body the machine writes).
    pub(crate) fn none() -> Sending {
        Sending {
            body: JsValue::UNDEFINED,
            options: Vec::new(),
            stream: false,
            progress: None,
        }
    }

    /// The caller's signal, if one was given.
    pub(crate) fn signal(&self) -> Option<web_sys::AbortSignal> {
        self.options
            .iter()
            .find(|(k, _)| *k == "signal")
            .and_then(|(_, s)| s.dyn_ref::<web_sys::AbortSignal>().cloned())
    }

    /// The Request fetch will send for `attempt`, with `signal` in place of
    /// the caller's (an attempt's timeout joined with it).
    pub(crate) fn request(
        &self,
        attempt: &Attempt,
        signal: Option<&JsValue>,
    ) -> Result<web_sys::Request, JsValue> {
        self.request_with(attempt, signal, true)
    }

    /// The same, without the body when `body` is false (XMLHttpRequest sends
    /// it itself: one copy less on the main thread).
    fn request_with(
        &self,
        attempt: &Attempt,
        signal: Option<&JsValue>,
        body: bool,
    ) -> Result<web_sys::Request, JsValue> {
        let init = web_sys::RequestInit::new();
        for (key, value) in &self.options {
            Reflect::set(&init, &(*key).into(), value)?;
        }
        if let Some(signal) = signal {
            Reflect::set(&init, &"signal".into(), signal)?;
        }
        init.set_method(&attempt.method);
        let out = web_sys::Headers::new()?;
        // Browsers set `host` themselves.
        for (name, value) in attempt.headers.iter().filter(|(n, _)| n != "host") {
            out.append(name, value).map_err(|_| {
                js_error(Error::new(
                    ErrorCode::InvalidHeader,
                    ["fetch refuses the header `", name, "`: remove it"].concat(),
                ))
            })?;
        }
        init.set_headers(&out);
        match &attempt.body {
            _ if !body => {}
            Some(text) => init.set_body(&text.into()),
            None if !self.body.is_undefined() => init.set_body(&self.body),
            None => {}
        }
        if self.stream {
            Reflect::set(&init, &"duplex".into(), &"half".into())?;
        }
        web_sys::Request::new_with_str_and_init(&attempt.url, &init)
    }
}

/// The head of `response` as the machines read it.
fn head_of(response: &web_sys::Response) -> Head {
    let url = response.url();
    Head {
        status: response.status(),
        headers: super::client::pairs(&response.headers()),
        redirected: response.redirected(),
        host: match url.is_empty() {
            true => None,
            false => Some(
                super::client::parse_url(&url)
                    .map(|(_, host)| host)
                    .unwrap_or_default(),
            ),
        },
    }
}

fn now() -> i64 {
    js_sys::Date::now() as i64
}

/// Runs `machine` to its end: its output, and the last answer (the caller's,
/// when the output is [`Output::Response`]). The caller's abort ends it with
/// the signal's reason.
pub(crate) async fn drive(
    client: Option<&Client>,
    machine: &mut dyn Machine,
    sending: &Sending,
) -> Result<(Output, Option<web_sys::Response>), JsValue> {
    let signal = sending.signal();
    let mut response: Option<web_sys::Response> = None;
    // An answer by XMLHttpRequest comes whole: its text, until asked for.
    let mut xhr_text: Option<String> = None;
    let by_xhr = sending
        .progress
        .clone()
        .filter(|_| xhr::available())
        .zip(sending.body.dyn_ref::<js_sys::Uint8Array>().cloned());
    // What fetch threw last, kept as the cause of a network error.
    let mut cause = JsValue::UNDEFINED;
    // Unsigned calls (no client) sign nothing: an empty Signing to poll with.
    let mut unsigned = None;
    loop {
        let need = match client {
            Some(c) => machine.poll(&mut c.signing.borrow_mut(), now()),
            None => machine.poll(
                unsigned.get_or_insert_with(|| Signing::new(None, None, 0, None)),
                now(),
            ),
        };
        match need {
            Need::Credentials => match client {
                Some(c) => machine.on_credentials(c.keys().await?.0),
                None => {
                    return Err(js_error(config_error(
                        "an unsigned call asked for credentials",
                    )))
                }
            },
            Need::Send(attempt) => {
                if let Some(s) = signal.as_ref().filter(|s| s.aborted()) {
                    return Err(s.reason());
                }
                if let Some((report, body)) = &by_xhr {
                    // A new attempt sends its bytes again from none.
                    report(0.0);
                    let request = sending.request_with(&attempt, None, false)?;
                    match xhr::send(&request, body, report.clone(), signal.as_ref()).await {
                        Ok(a) => {
                            let headers = [
                                ("etag", a.etag),
                                ("date", a.date),
                                ("retry-after", a.retry_after),
                            ]
                            .into_iter()
                            .filter_map(|(n, v)| Some((String::from(n), v?)))
                            .collect();
                            xhr_text = Some(a.text);
                            let head = Head {
                                status: a.status,
                                headers,
                                redirected: false,
                                host: None,
                            };
                            machine.on_head(head, now());
                        }
                        Err(xhr::Failed::Aborted(reason)) => return Err(reason),
                        Err(xhr::Failed::Network) => machine.on_failure(Failure::Network, now()),
                    }
                    continue;
                }
                let timer = attempt
                    .timeout_ms
                    .and_then(|ms| attempt_signal(ms, signal.as_ref()));
                let request =
                    match sending.request(&attempt, timer.as_ref().map(|(joined, _)| joined)) {
                        Ok(request) => request,
                        // The SDK's own (a header fetch refuses: its `code` is a
                        // string, a DOMException's a number) is the caller's.
                        Err(e) if Reflect::get(&e, &"code".into()).is_ok_and(|c| c.is_string()) => {
                            return Err(e)
                        }
                        // The platform's Request refused it (a URL it cannot
                        // fetch): no answer can come, as with a network failure.
                        Err(thrown) => {
                            cause = thrown;
                            machine.on_failure(Failure::Network, now());
                            continue;
                        }
                    };
                if let Some((_, timeout)) = &timer {
                    keep_until_fired(timeout, &request);
                }
                match fetch::call(&request).await {
                    Ok(answer) => {
                        let answer = web_sys::Response::from(answer);
                        if let Some((_, timeout)) = &timer {
                            TIMERS.with(|t| t.set(&answer, timeout));
                        }
                        machine.on_head(head_of(&answer), now());
                        response = Some(answer);
                    }
                    Err(thrown) => {
                        if let Some(s) = signal.as_ref().filter(|s| s.aborted()) {
                            return Err(s.reason());
                        }
                        let timed_out = timer
                            .as_ref()
                            .is_some_and(|(_, t)| super::client::aborted(t));
                        cause = thrown;
                        response = None;
                        let failure = if timed_out {
                            Failure::Timeout
                        } else {
                            Failure::Network
                        };
                        machine.on_failure(failure, now());
                    }
                }
            }
            // Kept (a 403 read for its words): the text stays for the
            // operation's own read, as a fetch answer's body would.
            Need::ReadText { keep, .. } if xhr_text.is_some() => {
                let text = match keep {
                    true => xhr_text.clone(),
                    false => xhr_text.take(),
                };
                machine.on_text(text.unwrap_or_default(), now())
            }
            Need::ReadText { max, keep } => {
                let read = match &response {
                    None => Err(ReadFailure::Network),
                    Some(r) => {
                        let body = match keep {
                            true => r.clone().ok().and_then(|c| c.body()),
                            false => r.body(),
                        };
                        fetch::read_text(body, max).await
                    }
                };
                match read {
                    Ok(text) => machine.on_text(text, now()),
                    Err(ReadFailure::TooLarge) => machine.on_failure(Failure::TooLarge, now()),
                    Err(_) => {
                        let timed = response.as_ref().is_some_and(timed_out);
                        let failure = if timed {
                            Failure::Timeout
                        } else {
                            Failure::Network
                        };
                        machine.on_failure(failure, now());
                    }
                }
            }
            Need::Discard => {
                xhr_text = None;
                if let Some(r) = &response {
                    fetch::finish(r).await;
                }
            }
            Need::ClockOffset(ms) => {
                if let Some(c) = client {
                    c.tell_offset(ms)
                }
            }
            Need::WaitUntil(at) => fetch::sleep((at - now()).max(0) as f64).await,
            Need::Done(output) => return Ok((output, response)),
            Need::Fail(e) => {
                let code = e.code;
                let err = js_error(e);
                if matches!(code, ErrorCode::Network | ErrorCode::Timeout) && !cause.is_undefined()
                {
                    let _ = Reflect::set(&err, &"cause".into(), &cause);
                }
                return Err(err);
            }
        }
    }
}
