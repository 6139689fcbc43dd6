//! `S3Client.upload` as a machine: one PutObject when the body fits in one
//! part, else a multipart upload. It says which slice of the body to read,
//! which request to send (each an [`super::s3::S3Op`] the shell runs on the
//! one driver), when to wait for one in flight, and what progress to report;
//! every rule is here: single PUT or multipart, part sizes, at most
//! `concurrency` parts in flight (a slot is free before a part is read, so
//! memory holds `concurrency` parts at most), resume from ListParts (a part S3
//! has at the same size is not sent again), abort on failure or cancel unless
//! the parts are to be left for a resume, and which uploadId the caller keeps.

use super::s3::Kind;
use super::Output;
use crate::error::{Error, ErrorCode, Result};
use crate::s3::{
    part_count, part_range, part_size, AbortMultipartUpload, Bucket, CompleteMultipartUpload,
    CreateMultipartUpload, ListParts, Part, PutObject, S3Request, UploadPart, MAX_PARTS,
};
use alloc::string::String;
use alloc::vec::Vec;

/// What the caller asked for, read by the shell from its options.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// The body's size; `None` for a stream.
    pub total: Option<u64>,
    /// `partSize`, as given.
    pub part_size: Option<f64>,
    /// Parts in flight at once (1 to 16, checked by the shell's options).
    pub concurrency: usize,
    /// A body of known size up to this goes as one PUT even above one part
    /// (`putObject`'s 16 MiB); `upload()` says 0.
    pub one_put_up_to: u64,
    pub content_type: Option<String>,
    /// `uploadId`: continue this upload.
    pub resume: Option<String>,
    /// `leavePartsOnError`.
    pub leave_parts: bool,
}

/// The body of a request to send.
#[derive(Debug, PartialEq, Eq)]
pub enum Payload {
    /// The bytes the last [`Step::Read`] gave.
    Read,
    /// A document the machine wrote (CompleteMultipartUpload's).
    Text(String),
    None,
}

/// A request to send; its answer goes to [`Upload::on_answer`] with `slot`.
#[derive(Debug)]
pub struct Send {
    /// The part's number; 0 for the upload's other requests (one at a time).
    pub slot: u32,
    pub request: Result<S3Request>,
    pub kind: Kind,
    pub payload: Payload,
    /// With the caller's headers (the single PUT, CreateMultipartUpload).
    pub caller_headers: bool,
    /// With the caller's signal: all but AbortMultipartUpload, which cleans
    /// up after the caller's abort.
    pub signal: bool,
}

/// Why the upload failed.
#[derive(Debug)]
enum Failure {
    /// The shell's error: the first it met (an answer, a read, the caller's
    /// abort), which it keeps as a JS value with its cause.
    Shell,
    Own(Error),
}

/// What the upload needs next.
#[derive(Debug)]
pub enum Step {
    /// The body's bytes `[start, end)` (a stream: its next `end - start`);
    /// then [`Upload::on_read`] or [`Upload::on_read_failed`].
    Read {
        start: u64,
        end: u64,
    },
    Send(Send),
    /// Wait for any request in flight to answer.
    Wait,
    /// Tell the caller: bytes S3 has taken (the shell adds those of parts on
    /// their way), the body's size, the upload's id; then poll again.
    Progress {
        loaded: u64,
        total: Option<u64>,
        upload_id: Option<String>,
    },
    Done {
        etag: Option<String>,
        upload_id: Option<String>,
        parts: u32,
    },
    /// `error: None`: the shell's first error is the outcome. `upload_id`:
    /// the parts stay on S3 (left for a resume, or the abort failed too).
    Fail {
        error: Option<Error>,
        upload_id: Option<String>,
    },
}

#[derive(Debug, PartialEq, Eq)]
enum Phase {
    Start,
    /// The first read in flight (`whole`: the whole body, for one PUT).
    First {
        whole: bool,
    },
    /// The single PUT: to send, then sent.
    Put {
        size: u64,
        sent: bool,
    },
    /// CreateMultipartUpload, or ListParts from `after`: to send, then sent.
    Open {
        sent: bool,
    },
    Parts,
    Completing {
        sent: bool,
    },
    Aborting {
        sent: bool,
    },
    Ended,
}

#[derive(Debug)]
pub struct Upload {
    key: String,
    plan: Plan,
    size: u64,
    phase: Phase,
    /// The first part, read before the upload had an id: its length, and
    /// whether the body ended there.
    first: Option<(u64, bool)>,
    upload_id: Option<String>,
    /// ListParts' marker.
    after: u32,
    /// The parts S3 had when resuming, not yet met.
    already: Vec<Part>,
    /// The parts S3 has, by number (inserted in order, not sorted after:
    /// BTreeMap and slice sorting cost 7 KB of wasm before gzip).
    parts: Vec<Part>,
    /// Parts in flight: number and size.
    in_flight: Vec<(u32, u64)>,
    /// The next part to read.
    number: u32,
    reading: bool,
    /// A part read, to send.
    to_send: Option<(u32, u64)>,
    /// No part left to read.
    read_all: bool,
    /// Past MAX_PARTS, a stream must have ended.
    beyond: bool,
    loaded: u64,
    progress: bool,
    failure: Option<Failure>,
    done: Option<Step>,
}

impl Upload {
    pub fn new(key: String, plan: Plan) -> Result<Upload> {
        let size = part_size(plan.total, plan.part_size)?;
        Ok(Upload {
            key,
            plan,
            size,
            phase: Phase::Start,
            first: None,
            upload_id: None,
            after: 0,
            already: Vec::new(),
            parts: Vec::new(),
            in_flight: Vec::new(),
            number: 1,
            reading: false,
            to_send: None,
            read_all: false,
            beyond: false,
            loaded: 0,
            progress: false,
            failure: None,
            done: None,
        })
    }

    pub fn poll(&mut self, bucket: &Bucket<'_>) -> Step {
        if core::mem::take(&mut self.progress) && self.failure.is_none() {
            return Step::Progress {
                loaded: self.loaded,
                total: self.plan.total,
                upload_id: self.upload_id.clone(),
            };
        }
        if let Some(done) = self.done.take() {
            self.phase = Phase::Ended;
            return done;
        }
        let key = self.key.as_str();
        match self.phase {
            Phase::Start => {
                if self.failure.is_some() {
                    return self.fail(None);
                }
                let total = self.plan.total;
                let whole = self.plan.resume.is_none()
                    && total.is_some_and(|t| t <= self.plan.one_put_up_to && t > self.size);
                self.phase = Phase::First { whole };
                let end = match (whole, total) {
                    (true, Some(t)) => t,
                    (_, Some(t)) => t.min(self.size),
                    _ => self.size,
                };
                Step::Read { start: 0, end }
            }
            Phase::First { .. } => Step::Fail {
                error: Some(misused()),
                upload_id: None,
            },
            Phase::Put { size, sent: false } => {
                self.phase = Phase::Put { size, sent: true };
                let content_type = self.plan.content_type.as_deref();
                let request = PutObject {
                    key,
                    content_type,
                    size,
                }
                .request(bucket);
                single(request, Kind::Etag, Payload::Read, true, true)
            }
            Phase::Open { sent: false } => {
                self.phase = Phase::Open { sent: true };
                match &self.plan.resume {
                    Some(upload_id) => {
                        let after = self.after;
                        let request = ListParts {
                            key,
                            upload_id,
                            after,
                        }
                        .request(bucket);
                        single(request, Kind::Parts, Payload::None, false, true)
                    }
                    None => {
                        let content_type = self.plan.content_type.as_deref();
                        let request = CreateMultipartUpload { key, content_type }.request(bucket);
                        single(request, Kind::Create, Payload::None, true, true)
                    }
                }
            }
            Phase::Parts => self.next_part(bucket),
            Phase::Completing { sent: false } => {
                self.phase = Phase::Completing { sent: true };
                let complete = CompleteMultipartUpload {
                    key,
                    upload_id: self.upload_id.as_deref().unwrap_or_default(),
                    parts: &self.parts,
                };
                let body = Payload::Text(complete.body());
                single(complete.request(bucket), Kind::Complete, body, false, true)
            }
            Phase::Aborting { sent: false } => {
                self.phase = Phase::Aborting { sent: true };
                let upload_id = self.upload_id.as_deref().unwrap_or_default();
                let request = AbortMultipartUpload { key, upload_id }.request(bucket);
                // Without the caller's signal: it may be why the upload stops.
                single(request, Kind::Nothing, Payload::None, false, false)
            }
            Phase::Put { .. }
            | Phase::Open { .. }
            | Phase::Completing { .. }
            | Phase::Aborting { .. } => Step::Wait,
            Phase::Ended => Step::Fail {
                error: Some(misused()),
                upload_id: None,
            },
        }
    }

    /// The parts: send the one read, skip those S3 has, wait for a free slot
    /// before reading the next, then drain and complete or give up.
    fn next_part(&mut self, bucket: &Bucket<'_>) -> Step {
        // A loop, not recursion: a resume may skip thousands of parts.
        loop {
            if let Some((number, size)) = self.to_send.take() {
                self.in_flight.push((number, size));
                let upload_id = self.upload_id.as_deref().unwrap_or_default();
                let request = UploadPart {
                    key: &self.key,
                    upload_id,
                    part_number: number,
                }
                .request(bucket);
                return Step::Send(Send {
                    slot: number,
                    request,
                    kind: Kind::Etag,
                    payload: Payload::Read,
                    caller_headers: false,
                    signal: true,
                });
            }
            if self.reading {
                return Step::Fail {
                    error: Some(misused()),
                    upload_id: None,
                };
            }
            if let Some((len, ended)) = self.first.take() {
                self.took(len, ended);
                continue;
            }
            if self.failure.is_some() || self.read_all {
                if !self.in_flight.is_empty() {
                    return Step::Wait;
                }
                if self.failure.is_some() {
                    return match self.give_up() {
                        Some(step) => step,
                        None => self.poll(bucket),
                    };
                }
                self.phase = Phase::Completing { sent: false };
                self.progress = true;
                return self.poll(bucket);
            }
            let (start, end) = self.range(self.number);
            // A part S3 has at this size is not read again (a stream's must be).
            if let Some(total) = self.plan.total {
                if let Some(at) = self
                    .already
                    .iter()
                    .position(|p| p.number == self.number && p.size == end - start)
                {
                    let part = self.already.swap_remove(at);
                    self.loaded += part.size;
                    self.keep(part);
                    self.advance(u64::from(self.number) >= part_count(total, self.size));
                    continue;
                }
            }
            if self.in_flight.len() >= self.plan.concurrency.max(1) {
                return Step::Wait;
            }
            self.reading = true;
            return match self.beyond {
                // One byte more says whether the stream goes on.
                true => Step::Read {
                    start,
                    end: start + 1,
                },
                false => Step::Read { start, end },
            };
        }
    }

    fn range(&self, number: u32) -> (u64, u64) {
        match self.plan.total {
            Some(t) => part_range(number, self.size, t),
            None => (
                (u64::from(number) - 1) * self.size,
                u64::from(number) * self.size,
            ),
        }
    }

    /// Part `self.number` was read: `len` bytes, and whether the body ended.
    fn took(&mut self, len: u64, ended: bool) {
        let number = self.number;
        let last = match self.plan.total {
            Some(t) => u64::from(number) >= part_count(t, self.size),
            None => len < self.size || ended,
        };
        match self
            .already
            .iter()
            .position(|p| p.number == number && p.size == len)
        {
            Some(at) => {
                let part = self.already.swap_remove(at);
                self.loaded += len;
                self.keep(part);
            }
            _ => self.to_send = Some((number, len)),
        }
        self.advance(last);
    }

    fn advance(&mut self, last: bool) {
        if last {
            self.read_all = true;
        } else if u64::from(self.number) >= MAX_PARTS {
            // A body of known size fits (part_size saw to it); a stream
            // must have ended here, which one more read tells.
            match self.plan.total {
                Some(_) => self.read_all = true,
                None => self.beyond = true,
            }
        }
        self.number += 1;
    }

    fn keep(&mut self, part: Part) {
        let at = self.parts.partition_point(|p| p.number < part.number);
        self.parts.insert(at, part);
    }

    /// The body's bytes asked for: `None` once a stream has nothing more;
    /// `ended`: a stream ended with them.
    pub fn on_read(&mut self, len: Option<u64>, ended: bool) {
        self.reading = false;
        match (&self.phase, len) {
            (Phase::First { whole }, len) => {
                let len = len.unwrap_or(0);
                let whole = *whole
                    || match self.plan.total {
                        Some(t) => t <= self.size,
                        None => ended,
                    };
                self.phase = match whole && self.plan.resume.is_none() {
                    true => Phase::Put {
                        size: len,
                        sent: false,
                    },
                    false => {
                        self.first = Some((len, ended));
                        Phase::Open { sent: false }
                    }
                };
            }
            (Phase::Parts, None) => self.read_all = true,
            (Phase::Parts, Some(_)) if self.beyond => self.failed(Failure::Own(Error::new(
                ErrorCode::InvalidBody,
                "the stream is longer than 10,000 parts of partSize: give a larger partSize",
            ))),
            (Phase::Parts, Some(len)) => self.took(len, ended),
            _ => {}
        }
    }

    /// The body could not be read (the shell keeps why).
    pub fn on_read_failed(&mut self) {
        self.reading = false;
        self.failed(Failure::Shell);
        if let Phase::First { .. } = self.phase {
            self.phase = Phase::Start;
        }
    }

    /// The caller's abort (the shell keeps its reason): no part is read
    /// after it; the upload is given up once those in flight have answered.
    pub fn cancel(&mut self) {
        self.failed(Failure::Shell);
    }

    /// The answer to the request of `slot`: its output, or `None` when it
    /// failed (the shell keeps the first error it met). A success that came
    /// wins over a cancel: the object is there.
    pub fn on_answer(&mut self, slot: u32, output: Option<Output>) {
        let Some(output) = output else {
            return self.answer_failed(slot);
        };
        match (&self.phase, output) {
            (Phase::Put { size, .. }, Output::Etag(etag)) => {
                let size = *size;
                self.loaded = size;
                self.plan.total = Some(size);
                self.progress = true;
                self.failure = None;
                self.done = Some(Step::Done {
                    etag,
                    upload_id: None,
                    parts: 1,
                });
            }
            (Phase::Open { .. }, Output::UploadId(id)) => self.opened(id),
            (Phase::Open { .. }, Output::Parts(page)) => {
                self.already.extend(page.parts);
                match page.next {
                    // A marker that does not move on would list forever.
                    Some(next) if next > self.after && u64::from(next) < MAX_PARTS => {
                        self.after = next;
                        self.phase = Phase::Open { sent: false };
                    }
                    _ => {
                        let id = self.plan.resume.clone().unwrap_or_default();
                        self.opened(id)
                    }
                }
            }
            (Phase::Parts, Output::Etag(etag)) if slot > 0 => {
                let Some(at) = self.in_flight.iter().position(|(n, _)| *n == slot) else {
                    return;
                };
                let (number, size) = self.in_flight.swap_remove(at);
                match UploadPart::etag(etag) {
                    Ok(etag) => {
                        self.keep(Part { number, etag, size });
                        self.loaded += size;
                        self.progress = true;
                    }
                    Err(e) => self.failed(Failure::Own(e)),
                }
            }
            (Phase::Completing { .. }, Output::Etag(Some(etag))) => {
                self.failure = None;
                self.done = Some(Step::Done {
                    etag: Some(etag),
                    upload_id: self.upload_id.clone(),
                    parts: self.parts.len() as u32,
                });
            }
            (Phase::Aborting { .. }, _) => {
                self.done = Some(self.outcome(None));
            }
            (phase, _) => {
                let operation = match phase {
                    Phase::Put { .. } => "PutObject",
                    Phase::Open { .. } if self.plan.resume.is_some() => "ListParts",
                    Phase::Open { .. } => "CreateMultipartUpload",
                    Phase::Completing { .. } => "CompleteMultipartUpload",
                    _ => "UploadPart",
                };
                self.in_flight.retain(|(n, _)| *n != slot);
                self.failed(Failure::Own(super::s3::no_output(operation)));
                self.after_failure();
            }
        }
    }

    fn opened(&mut self, id: String) {
        self.upload_id = Some(id);
        self.phase = Phase::Parts;
        self.progress = true;
    }

    fn answer_failed(&mut self, slot: u32) {
        self.in_flight.retain(|(n, _)| *n != slot);
        self.failed(Failure::Shell);
        self.after_failure();
    }

    /// What a failed single request leads to.
    fn after_failure(&mut self) {
        self.phase = match self.phase {
            // Nothing on S3 yet (or the caller's upload, as it was).
            Phase::Put { .. } | Phase::Open { .. } => {
                self.done = Some(self.outcome(None));
                Phase::Ended
            }
            Phase::Completing { .. } => {
                self.done = self.give_up();
                return;
            }
            Phase::Aborting { .. } => {
                self.done = Some(self.outcome(self.upload_id.clone()));
                Phase::Ended
            }
            _ => return,
        }
    }

    /// The first failure is the outcome.
    fn failed(&mut self, failure: Failure) {
        self.failure.get_or_insert(failure);
    }

    /// A multipart upload that failed is aborted on S3, so that no part stays
    /// there billed and unreachable, unless the caller keeps the parts to
    /// resume; where they stay (kept, or the abort failed too) the error
    /// carries the uploadId.
    /// `None`: AbortMultipartUpload is to be sent.
    fn give_up(&mut self) -> Option<Step> {
        match self.plan.leave_parts {
            true => Some(self.fail(self.upload_id.clone())),
            false => {
                self.phase = Phase::Aborting { sent: false };
                None
            }
        }
    }

    fn outcome(&mut self, upload_id: Option<String>) -> Step {
        let error = match self.failure.take() {
            Some(Failure::Own(e)) => Some(e),
            Some(Failure::Shell) => None,
            None => Some(misused()),
        };
        Step::Fail { error, upload_id }
    }

    fn fail(&mut self, upload_id: Option<String>) -> Step {
        self.phase = Phase::Ended;
        self.outcome(upload_id)
    }
}

/// A request of slot 0 (one at a time: all but the parts).
fn single(
    request: Result<S3Request>,
    kind: Kind,
    payload: Payload,
    caller_headers: bool,
    signal: bool,
) -> Step {
    Step::Send(Send {
        slot: 0,
        request,
        kind,
        payload,
        caller_headers,
        signal,
    })
}

/// A shell that polls out of turn: a typed error, never a trap.
fn misused() -> Error {
    Error::new(
        ErrorCode::InvalidConfig,
        "upload(): the machine was driven out of order",
    )
}
