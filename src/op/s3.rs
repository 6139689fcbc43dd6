//! S3's single-request operations as machines on a [`Call`]: the request of
//! an action (src/s3/actions/), then its answer: the caller's Response
//! (GetObject), headers (HeadObject, PutObject's ETag), or a document read
//! and parsed (ListObjectsV2, CopyObject); S3's typed error otherwise.

use super::call::Step;
use super::{Call, Failure, Head, Machine, Need, ObjectHead, Output, Signing};
use crate::error::{Error, ErrorCode};
use crate::s3::{
    parse_error, CompleteMultipartUpload, CopyObject, CreateMultipartUpload, DeleteObjects,
    ListObjectsV2, ListParts,
};
use crate::sigv4::Credentials;
use alloc::string::String;
use alloc::vec::Vec;

/// A ListObjectsV2 page of 1,000 keys is about 300 KB; error documents are
/// smaller still. More is not an answer from S3, and is refused unread.
pub const MAX_ANSWER_BYTES: usize = 16 << 20;

/// What the operation makes of a 2xx answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The Response itself (GetObject).
    Response,
    /// Its headers (HeadObject).
    Head,
    /// Nothing (DeleteObject).
    Nothing,
    /// Its ETag header (PutObject).
    Etag,
    /// Its document (CopyObject).
    Copy,
    /// Its document (ListObjectsV2).
    List,
    /// Its document (DeleteObjects: per key).
    Delete,
    /// Its document (CreateMultipartUpload: the upload's id).
    Create,
    /// Its document (ListParts: a page).
    Parts,
    /// Its document (CompleteMultipartUpload: the object's ETag); a transient
    /// error inside a 200 is sent again, as the AWS SDKs do.
    Complete,
}

#[derive(Debug)]
enum State {
    Calling,
    /// Done, once the answer's unread body is finished.
    Finishing(Output),
    /// Reading the answer's text; `ok`: a 2xx to parse, else an error document.
    Reading {
        status: u16,
        ok: bool,
    },
    Done(Output),
    Failed(Error),
    Ended,
}

/// One S3 request and what its answer means.
#[derive(Debug)]
pub struct S3Op {
    call: Call,
    operation: &'static str,
    kind: Kind,
    state: State,
}

impl S3Op {
    pub fn new(call: Call, operation: &'static str, kind: Kind) -> S3Op {
        S3Op {
            call,
            operation,
            kind,
            state: State::Calling,
        }
    }

    fn answered(&mut self, head: Head) -> Need {
        let ok = (200..300).contains(&head.status);
        if !ok && self.kind == Kind::Head {
            // HEAD answers have no body: the error is named by its status.
            return Need::Fail(parse_error(head.status, "", self.operation));
        }
        let output = match self.kind {
            _ if !ok => None,
            Kind::Response => Some(Output::Response),
            Kind::Nothing => Some(Output::Nothing),
            Kind::Etag => Some(Output::Etag(head.header("etag").map(String::from))),
            Kind::Head => Some(Output::Head(object_head(&head))),
            _ => None,
        };
        match output {
            // Its body is of no use: finished first, so that nothing is left open.
            Some(output @ (Output::Nothing | Output::Etag(_))) => {
                self.state = State::Finishing(output);
                Need::Discard
            }
            Some(output) => Need::Done(output),
            None => {
                self.state = State::Reading {
                    status: head.status,
                    ok,
                };
                Need::ReadText {
                    max: MAX_ANSWER_BYTES,
                    keep: false,
                }
            }
        }
    }

    fn parse(&self, status: u16, ok: bool, text: &str) -> Result<Output, Error> {
        if !ok {
            return Err(parse_error(status, text, self.operation));
        }
        match self.kind {
            Kind::Copy => CopyObject::parse(text).map(|etag| Output::Etag(Some(etag))),
            Kind::Delete => DeleteObjects::parse(text).map(|d| Output::Deleted(d, None)),
            Kind::Create => CreateMultipartUpload::parse(text).map(Output::UploadId),
            Kind::Parts => ListParts::parse(text).map(Output::Parts),
            Kind::Complete => {
                CompleteMultipartUpload::parse(text).map(|etag| Output::Etag(Some(etag)))
            }
            _ => ListObjectsV2::parse(text).map(Output::Listing),
        }
    }
}

/// HeadObject's answer, from its headers.
fn object_head(head: &Head) -> ObjectHead {
    let text = |name: &str| head.header(name).map(String::from);
    ObjectHead {
        size: head
            .header("content-length")
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0),
        etag: text("etag"),
        content_type: text("content-type"),
        last_modified: text("last-modified"),
        metadata: head
            .headers
            .iter()
            .filter_map(|(n, v)| Some((String::from(n.strip_prefix("x-amz-meta-")?), v.clone())))
            .collect::<Vec<_>>(),
    }
}

/// An answer without what the operation's answer carries.
pub fn no_output(operation: &str) -> Error {
    Error::new(
        ErrorCode::Malformed,
        ["the answer to ", operation, " is not what S3 sends"].concat(),
    )
}

/// Why an answer's text could not be read, in the caller's words.
pub fn read_failed(operation: &str, failure: Failure) -> Error {
    let (code, why) = match failure {
        Failure::TooLarge => (
            ErrorCode::Malformed,
            " is larger than 16777216 bytes, which S3 never sends: check the endpoint",
        ),
        Failure::Timeout => (
            ErrorCode::Timeout,
            " did not finish within timeoutMs: raise it or check the network",
        ),
        Failure::Network => (ErrorCode::Network, " was cut off: check the network"),
    };
    Error::new(code, ["the answer to ", operation, why].concat())
}

impl Machine for S3Op {
    fn poll(&mut self, signing: &mut Signing, now_ms: i64) -> Need {
        match core::mem::replace(&mut self.state, State::Ended) {
            State::Calling => {
                self.state = State::Calling;
                match self.call.poll(signing, now_ms) {
                    Step::Need(need) => need,
                    Step::Answered(head) => self.answered(head),
                }
            }
            State::Reading { status, ok } => {
                self.state = State::Reading { status, ok };
                Need::ReadText {
                    max: MAX_ANSWER_BYTES,
                    keep: false,
                }
            }
            State::Finishing(output) | State::Done(output) => Need::Done(output),
            State::Failed(e) => Need::Fail(e),
            State::Ended => Need::Fail(Error::new(
                ErrorCode::InvalidConfig,
                "polled after the operation ended",
            )),
        }
    }

    fn on_credentials(&mut self, keys: Credentials) {
        self.call.on_credentials(keys)
    }

    fn on_head(&mut self, head: Head, now_ms: i64) {
        self.call.on_head(head, now_ms)
    }

    fn on_text(&mut self, text: String, now_ms: i64) {
        match core::mem::replace(&mut self.state, State::Ended) {
            State::Reading { status, ok } => {
                self.state = match self.parse(status, ok, &text) {
                    Ok(output) => State::Done(output),
                    Err(e)
                        if self.kind == Kind::Complete
                            && CompleteMultipartUpload::retryable(&e)
                            && self.call.retry_later(now_ms) =>
                    {
                        State::Calling
                    }
                    Err(e) => State::Failed(e),
                }
            }
            other => {
                self.state = other;
                self.call.on_text(text, now_ms)
            }
        }
    }

    fn on_failure(&mut self, failure: Failure, now_ms: i64) {
        match core::mem::replace(&mut self.state, State::Ended) {
            State::Reading { .. } => {
                self.state = State::Failed(read_failed(self.operation, failure))
            }
            other => {
                self.state = other;
                self.call.on_failure(failure, now_ms)
            }
        }
    }
}
