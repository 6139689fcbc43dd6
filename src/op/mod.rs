//! Operations as sans-IO machines. Each says what it needs next ([`Need`]:
//! credentials, an attempt sent, an answer's text, a wait, done) and takes the
//! results; the shell has one driver (src/wasm/driver.rs) that performs the
//! needs with the platform and knows no rule of any operation. The model is
//! quinn-proto's `poll_transmit`/`handle_*`, or matrix-sdk-crypto's outgoing
//! requests: no I/O, no clock and no JS here, so every path (retries, clock
//! skew, timeouts, S3's errors) is tested natively with scripted answers.
//!
//! - [`Signing`]: what a client signs with (region, service, retries, the
//!   learned clock offset, one signer per key, region and service).
//! - [`Call`]: one signed request through its attempts ([`SignedFetch`]'s
//!   retries and re-signing).
//! - [`s3::S3Op`]: S3's single-request operations on a [`Call`].
//! - [`upload::Upload`]: `S3Client.upload`, one PUT or a multipart upload
//!   whose requests are each an [`s3::S3Op`].
//! - [`exchange::Plain`], [`exchange::Exchange`]: unsigned calls (Cognito,
//!   STS, the user pool), and the credential provider's exchange.
//! - [`user_pool::PoolCall`]: a user pool call (sign-in with SRP, a
//!   challenge's answer, refresh, revoke, the client-credentials grant).
//! - [`session::refresh_due`]: `UserPoolSession`'s rule, whether a token is
//!   handed out as it is or refreshed first.
//! - [`Fetch`]: `AwsClient.fetch`, a [`Call`] whose answer is the caller's.

pub mod call;
pub mod delete_objects;
pub mod exchange;
pub mod s3;
pub mod session;
pub mod session_tabs;
pub mod upload;
pub mod user_pool;

pub use call::{Body, Call, Signing};

use crate::error::Error;
use crate::s3::{Deleted, Listing, PartsPage};
use crate::sigv4::Credentials;
use alloc::string::String;
use alloc::vec::Vec;

/// What a machine needs next.
#[derive(Debug)]
pub enum Need {
    /// The credentials of now: [`Machine::on_credentials`].
    Credentials,
    /// Send this attempt, with the operation's body; then [`Machine::on_head`]
    /// or [`Machine::on_failure`].
    Send(Attempt),
    /// The last answer's body as text, at most `max` bytes; `keep`: read a
    /// copy, so that the caller can still read it. Then [`Machine::on_text`]
    /// or [`Machine::on_failure`].
    ReadText {
        max: usize,
        keep: bool,
    },
    /// The last answer's body is of no use: read it to its end (left unread,
    /// its request stays open until the Response is collected or its timeout
    /// fires, and a page then shows a finished request as aborted), then
    /// poll again.
    Discard,
    /// The server's clock is this far from ours (ms): tell the credentials'
    /// provider, which signs with the same clock, then poll again.
    ClockOffset(i64),
    /// Poll again at this epoch-ms time.
    WaitUntil(i64),
    Done(Output),
    Fail(Error),
}

/// One signed attempt: every header to send (`host` included, which
/// browsers set themselves), and the attempt's timeout, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub timeout_ms: Option<u32>,
    /// A body the machine wrote (an XML document); `None`: the operation's own.
    pub body: Option<String>,
}

/// The head of an answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Head {
    pub status: u16,
    /// Names in lower case (as `Headers` iterates them).
    pub headers: Vec<(String, String)>,
    /// Whether a redirect was followed.
    pub redirected: bool,
    /// The host of the answer's URL, where the platform says it.
    pub host: Option<String>,
}

impl Head {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why no (whole) answer came.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No connection, DNS, CORS, a body cut off.
    Network,
    /// The attempt's timeout fired.
    Timeout,
    /// The body was larger than asked.
    TooLarge,
}

/// What an operation gives the caller.
#[derive(Debug, PartialEq, Eq)]
pub enum Output {
    /// The last answer as it came, its body unread (AwsClient.fetch, getObject).
    Response,
    Nothing,
    /// An ETag (PutObject's header, CopyObject's document).
    Etag(Option<String>),
    Listing(Listing),
    Head(ObjectHead),
    /// DeleteObjects' answers so far, and what stopped it, if anything did.
    Deleted(Deleted, Option<Error>),
    /// CreateMultipartUpload's id.
    UploadId(String),
    /// A page of ListParts.
    Parts(PartsPage),
    /// An unsigned call's whole answer ([`exchange::Plain`]), or why none came.
    Answer(Result<crate::http::HttpResponse, Failure>),
    /// The credential provider's exchange ended ([`exchange::Exchange`]).
    Credentials(crate::credentials::Issued),
    /// A sign-in step's answer, and the user a challenge is for
    /// ([`user_pool::PoolCall`]).
    Auth {
        answer: crate::cognito::Answer,
        username: String,
    },
    /// The token endpoint's client-credentials grant.
    Grant(crate::cognito::client_credentials::AccessToken),
}

/// HeadObject's answer.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ObjectHead {
    pub size: u64,
    pub etag: Option<String>,
    pub content_type: Option<String>,
    /// As the server wrote it (an HTTP date).
    pub last_modified: Option<String>,
    /// `x-amz-meta-*`, without the prefix.
    pub metadata: Vec<(String, String)>,
}

/// An operation's machine, driven by the shell's one driver.
pub trait Machine {
    fn poll(&mut self, signing: &mut Signing, now_ms: i64) -> Need;
    fn on_credentials(&mut self, keys: Credentials);
    fn on_head(&mut self, head: Head, now_ms: i64);
    fn on_text(&mut self, text: String, now_ms: i64);
    fn on_failure(&mut self, failure: Failure, now_ms: i64);
}

/// `AwsClient.fetch`: a [`Call`] whose final answer is the caller's, body unread.
#[derive(Debug)]
pub struct Fetch(pub Call);

impl Machine for Fetch {
    fn poll(&mut self, signing: &mut Signing, now_ms: i64) -> Need {
        match self.0.poll(signing, now_ms) {
            call::Step::Need(need) => need,
            call::Step::Answered(_) => Need::Done(Output::Response),
        }
    }
    fn on_credentials(&mut self, keys: Credentials) {
        self.0.on_credentials(keys)
    }
    fn on_head(&mut self, head: Head, now_ms: i64) {
        self.0.on_head(head, now_ms)
    }
    fn on_text(&mut self, text: String, now_ms: i64) {
        self.0.on_text(text, now_ms)
    }
    fn on_failure(&mut self, failure: Failure, now_ms: i64) {
        self.0.on_failure(failure, now_ms)
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod upload_tests;
#[cfg(test)]
mod user_pool_tests;
