//! The credential provider: IdToken (or other logins) → temporary AWS
//! credentials through a Cognito Identity Pool, cached and refreshed before
//! they expire, with one exchange in flight at a time, the IdentityId
//! remembered per pool and user, clock-skew correction and bounded retries.
//!
//! Sans-IO, like quinn-proto's connections: [`Provider::poll`] says what to do
//! next ([`Step`]); the shell performs it (an HTTP request, a wait, fetching
//! fresh login tokens) and reports back. Time comes in as epoch milliseconds,
//! storage through the [`Storage`] trait. Nothing here can block or do I/O, so
//! every rule is tested natively with a scripted transport and a fake clock.

use crate::cognito::{
    assume_role_with_web_identity, AssumeRoleWithWebIdentity, GetCredentialsForIdentity, GetId,
    GetOpenIdToken,
};
use crate::error::{Error, ErrorCode};
use crate::http::{HttpRequest, HttpResponse};
use crate::jwt;
pub use crate::retry::RetryPolicy;
use crate::sigv4::time;
use crate::sigv4::Credentials;
use alloc::string::String;
use alloc::vec::Vec;

pub mod tabs;

/// Where the IdentityId is remembered (never credentials, never tokens).
pub trait Storage {
    fn get(&self, key: &str) -> Option<String>;
    fn set(&mut self, key: &str, value: &str);
    fn remove(&mut self, key: &str);
}

/// Storage that forgets everything when the page goes away.
#[derive(Default, Debug)]
pub struct MemoryStorage(Vec<(String, String)>);

impl Storage for MemoryStorage {
    fn get(&self, key: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }
    fn set(&mut self, key: &str, value: &str) {
        self.remove(key);
        self.0.push((String::from(key), String::from(value)));
    }
    fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Flow {
    /// `GetId` then `GetCredentialsForIdentity` (the identity pool picks the role).
    Enhanced,
    /// `GetId`, `GetOpenIdToken`, then STS `AssumeRoleWithWebIdentity` with this role.
    Basic { role_arn: String },
}

#[derive(Clone, Debug)]
pub struct Config {
    pub region: String,
    pub identity_pool_id: String,
    pub account_id: Option<String>,
    pub custom_role_arn: Option<String>,
    pub flow: Flow,
    pub identity_endpoint: String,
    pub sts_endpoint: String,
    /// Refresh this long before the credentials expire (default 5 minutes).
    pub refresh_margin_ms: i64,
    pub retry: RetryPolicy,
    /// Share one exchange with the other tabs of the origin signed in as the
    /// same user ([`tabs`]): off unless the shell has a BroadcastChannel and
    /// Web Locks to carry it.
    pub share: bool,
}

impl Config {
    pub fn new(region: &str, identity_pool_id: &str) -> Result<Self, Error> {
        crate::sigv4::check_scope_part("region", region)?;
        let pool_region = identity_pool_id.split(':').next().unwrap_or("");
        if !identity_pool_id.contains(':') || pool_region.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidConfig,
                "identityPoolId must look like us-east-1:01234567-89ab-cdef-0123-456789abcdef (Cognito console → Identity pools)",
            ));
        }
        Ok(Config {
            region: String::from(region),
            identity_pool_id: String::from(identity_pool_id),
            account_id: None,
            custom_role_arn: None,
            flow: Flow::Enhanced,
            identity_endpoint: crate::cognito::identity_endpoint(region),
            sts_endpoint: assume_role_with_web_identity::default_endpoint(region),
            refresh_margin_ms: 5 * 60 * 1000,
            retry: RetryPolicy::default(),
            share: false,
        })
    }
}

/// Credentials with the IdentityId they were issued to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    pub credentials: Credentials,
    pub identity_id: String,
}

/// What the shell must do next.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Here they are.
    Ready(Issued),
    /// Send this request, then call [`Provider::on_response`] or [`Provider::on_network_error`].
    Send(HttpRequest),
    /// An exchange is already in flight: wait for it to finish, then poll again.
    Wait,
    /// Wait until this epoch-ms time (retry backoff), then poll again.
    SleepUntil(i64),
    /// Obtain fresh login tokens (call the token functions), pass them to
    /// [`Provider::set_logins`], then poll again.
    NeedLogins,
    /// The exchange failed; nothing is cached, the next poll starts afresh.
    Failed(Error),
    /// Sharing across tabs: post [`Provider::want`] on the [`Provider::channel`],
    /// then poll again once [`Provider::on_message`] has heard an answer, or
    /// at this epoch-ms time, when nobody has.
    Ask { until: i64 },
    /// Sharing across tabs: take the channel's lock, then call
    /// [`Provider::on_locked`] and poll again; hold it until this exchange
    /// ends ([`Step::Ready`] or [`Step::Failed`]), then post
    /// [`Provider::take_announcement`], if any.
    Lock,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operation {
    GetId,
    GetCredentials,
    GetOpenIdToken,
    AssumeRole,
}

/// A parsed answer, by operation.
enum Parsed {
    IdentityId(String),
    OpenIdToken(String),
    Credentials(Credentials),
}

/// How long a tab asks the others for fresh credentials before it takes the
/// lock to exchange: a tab that has them answers within a task or two.
pub const ASK_MS: i64 = 100;

#[derive(Debug)]
enum Phase {
    Idle,
    /// Sharing: asked the other tabs, waiting for an answer until then.
    Asking {
        until: i64,
    },
    /// Sharing: waiting for the lock.
    Locking,
    /// Logins must be refreshed before the exchange starts.
    AwaitingLogins,
    InFlight(Operation),
    Backoff {
        until: i64,
        operation: Operation,
    },
}

/// How far the device clock may be from AWS's before the provider refuses to
/// work with it: beyond a day, the device's clock is wrong (or an answer is
/// hostile), and correcting for it would make expired credentials look fresh.
pub const MAX_CLOCK_OFFSET_MS: i64 = 24 * 60 * 60 * 1000;

pub struct Provider {
    config: Config,
    phase: Phase,
    /// Bumped by [`Provider::clear`]: reports of an older exchange are dropped.
    generation: u32,
    /// Whose logins these are (see [`principal`]): the cached credentials and
    /// the IdentityId belong to this user and no other. None after `clear()`.
    principal: Option<String>,
    cached: Option<Issued>,
    identity_id: Option<String>,
    /// Whether `identity_id` came from storage (a stale one may be dropped once).
    identity_from_storage: bool,
    retried_stale_identity: bool,
    logins: Vec<(String, String)>,
    logins_fresh: bool,
    /// Who the IdentityId is stored for: the `sub` of a JWT login, `guest`
    /// without logins, None when no login names a user (opaque tokens): then
    /// the IdentityId stays in this provider's memory only.
    user: Option<String>,
    open_id_token: Option<String>,
    clock_offset_ms: i64,
    attempt: u32,
    exchange_started_ms: i64,
    rng: u64,
    /// Sharing: this tab holds the lock, for the exchange it is about to run.
    locked: bool,
    /// Sharing: it waited for the lock behind another tab, which has likely
    /// just posted what it got: ask once more before exchanging.
    ask_under_lock: bool,
    /// Sharing: credentials this tab's exchange obtained, to post.
    announcement: Option<Issued>,
}

impl core::fmt::Debug for Provider {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Provider")
            .field("phase", &self.phase)
            .field("identity_id", &self.identity_id)
            .finish_non_exhaustive()
    }
}

impl Provider {
    pub fn new(config: Config) -> Self {
        Provider {
            config,
            phase: Phase::Idle,
            generation: 0,
            principal: None,
            cached: None,
            identity_id: None,
            identity_from_storage: false,
            retried_stale_identity: false,
            logins: Vec::new(),
            logins_fresh: false,
            user: None,
            open_id_token: None,
            clock_offset_ms: 0,
            attempt: 0,
            exchange_started_ms: 0,
            rng: 0x9E37_79B9_7F4A_7C15,
            locked: false,
            ask_under_lock: false,
            announcement: None,
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Server time minus local time, learned from `Date` headers and skew errors.
    pub fn clock_offset_ms(&self) -> i64 {
        self.clock_offset_ms
    }

    /// Records the server's clock from an answer's `Date` header. An offset
    /// beyond [`MAX_CLOCK_OFFSET_MS`] is refused (and not learned).
    pub fn observe_server_date(&mut self, date_header: &str, now_ms: i64) -> Result<(), Error> {
        match time::parse_http_date(date_header) {
            // Date has one-second resolution: ignore what is within it.
            Some(server) => self
                .set_clock_offset_ms(server.saturating_sub(now_ms))
                .map(|()| {
                    if self.clock_offset_ms.abs() < 1500 {
                        self.clock_offset_ms = 0;
                    }
                }),
            None => Ok(()),
        }
    }

    /// Sets the clock offset directly (from a signed service's skew answer).
    pub fn set_clock_offset_ms(&mut self, offset: i64) -> Result<(), Error> {
        self.clock_offset_ms = check_clock_offset(offset)?;
        Ok(())
    }

    /// The key under which this user's IdentityId is stored: pool **and** user,
    /// so the next user of the same browser never inherits it. None when the
    /// logins name no user: such an IdentityId is never persisted.
    pub fn storage_key(&self) -> Option<String> {
        let user = self.user.as_deref()?;
        Some(
            [
                "cognito-sigv4:identity:",
                &self.config.identity_pool_id,
                ":",
                user,
            ]
            .concat(),
        )
    }

    /// The exchange generation: pass it back with every report of the
    /// exchange ([`Provider::set_logins`], [`Provider::on_response`], …).
    /// [`Provider::clear`] moves it on, so a late report is dropped.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    fn check_generation(&self, generation: u32) -> Result<(), Error> {
        if generation == self.generation {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::Cancelled,
                "the credentials were cleared (sign-out) while this exchange was in flight, so its answer was dropped: call get() again for the user signed in now",
            ))
        }
    }

    /// Fresh login tokens, `(logins key, token)`, for the exchange of
    /// `generation`. Credentials and IdentityId are bound to the user these
    /// logins name ([`principal`]): a different user starts afresh, with the
    /// IdentityId stored for them, if any.
    pub fn set_logins(
        &mut self,
        generation: u32,
        logins: Vec<(String, String)>,
        storage: &dyn Storage,
    ) -> Result<(), Error> {
        self.check_generation(generation)?;
        // The same tokens as last time (every get() hands them over): the same
        // user, without decoding them again.
        let unchanged = self.principal.is_some() && logins == self.logins;
        if !unchanged {
            let (principal, first_sub) = principal(&logins);
            if self.principal.as_deref() != Some(principal.as_str()) {
                self.forget_user();
                self.user = if logins.is_empty() {
                    Some(String::from("guest"))
                } else {
                    first_sub
                };
                self.principal = Some(principal);
            }
        }
        self.logins = logins;
        self.logins_fresh = true;
        if self.identity_id.is_none() {
            if let Some(id) = self
                .storage_key()
                .and_then(|key| storage.get(&key))
                .filter(|id| !id.is_empty())
            {
                self.identity_id = Some(id);
                self.identity_from_storage = true;
            }
        }
        if matches!(self.phase, Phase::AwaitingLogins) {
            self.phase = Phase::Idle;
        }
        Ok(())
    }

    /// Forgets what belongs to the current user (not the storage).
    fn forget_user(&mut self) {
        self.cached = None;
        self.identity_id = None;
        self.identity_from_storage = false;
        self.retried_stale_identity = false;
        self.open_id_token = None;
        self.user = None;
        self.principal = None;
    }

    /// The IdentityId, once known.
    pub fn identity_id(&self) -> Option<&str> {
        self.identity_id.as_deref()
    }

    /// Sign-out: forget the credentials, the logins and this user's
    /// IdentityId, and drop whatever the exchange in flight (if any) reports later.
    pub fn clear(&mut self, storage: &mut dyn Storage) {
        if let Some(key) = self.storage_key() {
            storage.remove(&key);
        }
        self.forget_user();
        self.logins = Vec::new();
        self.logins_fresh = false;
        self.generation = self.generation.wrapping_add(1);
        self.phase = Phase::Idle;
        self.locked = false;
        self.ask_under_lock = false;
        self.announcement = None;
    }

    /// Whether the cached credentials are good at `now_ms` (local time).
    fn usable(&self, now_ms: i64) -> Option<&Issued> {
        let server_now = now_ms.saturating_add(self.clock_offset_ms);
        self.cached.as_ref().filter(|c| {
            server_now
                < c.credentials
                    .expiration_ms
                    // Cognito and STS always say when; without it, nothing is cached.
                    .unwrap_or(i64::MIN)
                    .saturating_sub(self.config.refresh_margin_ms)
        })
    }

    /// Goes on with the exchange of `generation` after a [`Step::SleepUntil`].
    /// Only the exchange's owner resumes it: another caller's [`Provider::poll`]
    /// during the backoff is told to wait, so it cannot take the retry over.
    pub fn resume(&mut self, generation: u32, now_ms: i64) -> Step {
        if let Err(e) = self.check_generation(generation) {
            return Step::Failed(e);
        }
        match self.phase {
            Phase::Backoff { until, .. } if now_ms < until => Step::SleepUntil(until),
            Phase::Backoff { operation, .. } => self.send(operation),
            Phase::Asking { .. } => self.ask(now_ms),
            _ => self.poll(now_ms),
        }
    }

    /// What to do next to obtain credentials at `now_ms`. Fresh logins are
    /// asked for on every call that is not answered from the exchange in
    /// flight, so that a change of user is seen before cached credentials are
    /// handed out: they are only handed to the user they were issued for.
    pub fn poll(&mut self, now_ms: i64) -> Step {
        match self.phase {
            // An exchange is under way (sending, or waiting out a backoff
            // before its retry, which its owner resumes).
            Phase::InFlight(_) | Phase::Backoff { .. } | Phase::Locking => Step::Wait,
            Phase::Asking { .. } => self.ask(now_ms),
            Phase::AwaitingLogins => Step::NeedLogins,
            Phase::Idle => {
                if !self.logins_fresh {
                    self.phase = Phase::AwaitingLogins;
                    return Step::NeedLogins;
                }
                if let Some(creds) = self.usable(now_ms).cloned() {
                    // The next caller asks again for logins (and so for the user).
                    self.logins_fresh = false;
                    // Taken from another tab while waiting for the lock: released unused.
                    self.locked = false;
                    return Step::Ready(creds);
                }
                // Sharing: ask the other tabs first, and exchange under the
                // lock only if nobody answers (see `ask`); ask again after
                // waiting for the lock, since its holder's post and the lock
                // can reach this tab in either order.
                if self.config.share && (!self.locked || self.ask_under_lock) {
                    self.ask_under_lock = false;
                    self.phase = Phase::Asking {
                        until: now_ms.saturating_add(ASK_MS),
                    };
                    return self.ask(now_ms);
                }
                self.attempt = 0;
                self.exchange_started_ms = now_ms;
                self.retried_stale_identity = false;
                let first = if self.identity_id.is_some() {
                    self.after_id()
                } else {
                    Operation::GetId
                };
                self.send(first)
            }
        }
    }

    /// Asking the other tabs: an answer ends it ([`Provider::on_message`]),
    /// else at its time this tab goes for the lock.
    fn ask(&mut self, now_ms: i64) -> Step {
        match self.phase {
            Phase::Asking { until } if now_ms < until => Step::Ask { until },
            // Nobody answered, and the lock is this tab's: exchange.
            _ if self.locked => {
                self.phase = Phase::Idle;
                self.poll(now_ms)
            }
            _ => {
                self.phase = Phase::Locking;
                Step::Lock
            }
        }
    }

    /// Sharing: the lock asked for by [`Step::Lock`] is this tab's now;
    /// `waited`: another tab held it first. Poll next: if another tab posted
    /// fresh credentials meanwhile, they are ready without an exchange
    /// (release the lock); else this tab exchanges under it (after asking
    /// once more if it `waited`) and announces the result.
    pub fn on_locked(&mut self, generation: u32, waited: bool) -> Result<(), Error> {
        self.check_generation(generation)?;
        if matches!(self.phase, Phase::Locking) {
            self.phase = Phase::Idle;
            self.locked = true;
            self.ask_under_lock = waited;
        }
        Ok(())
    }

    /// The channel this tab shares on (and its lock's name), once logins
    /// name its user: their credentials, so the role asked for is part of it
    /// (a tab with another CustomRoleArn, or the basic flow's role, gets
    /// other credentials for the same user).
    pub fn channel(&self) -> Option<String> {
        let principal = self.principal.as_deref()?;
        let role = match &self.config.flow {
            Flow::Enhanced => self.config.custom_role_arn.as_deref().unwrap_or(""),
            Flow::Basic { role_arn } => role_arn,
        };
        let basic = matches!(self.config.flow, Flow::Basic { .. });
        let whose = [principal, if basic { "basic:" } else { "role:" }, role].concat();
        Some(tabs::channel(&self.config.identity_pool_id, &whose))
    }

    /// `message` for this tab's channel (None before logins name the user).
    fn message(&self, message: &tabs::Message) -> Option<String> {
        let tag = tabs::logins_tag(&self.logins);
        Some(tabs::encode(&self.channel()?, &tag, message))
    }

    /// What [`Step::Ask`] posts.
    pub fn want(&self) -> Option<String> {
        self.message(&tabs::Message::Want)
    }

    /// What the shell posts when this tab's user signs out: take it before
    /// the app's [`Provider::clear`] (not one that [`Provider::on_message`]
    /// does), which forgets the user and so the channel.
    pub fn signed_out(&self) -> Option<String> {
        self.message(&tabs::Message::SignedOut)
    }

    /// After an exchange under the lock: the credentials to post to the other
    /// tabs, once.
    pub fn take_announcement(&mut self) -> Option<String> {
        let issued = self.announcement.take()?;
        self.message(&tabs::Message::Have(issued))
    }

    /// A message another tab of this [`Provider::channel`] posted.
    pub fn on_message(&mut self, text: &str, now_ms: i64, storage: &mut dyn Storage) -> Heard {
        let Some(channel) = self.channel().filter(|_| self.config.share) else {
            return Heard::Nothing;
        };
        let Some((tag, message)) = tabs::decode(&channel, text) else {
            return Heard::Nothing;
        };
        // Credentials are asked for and taken only between tabs holding the
        // same tokens (tabs::logins_tag); a sign-out is for every tab of the user.
        let same_logins = tag == tabs::logins_tag(&self.logins);
        match message {
            tabs::Message::Want if !same_logins => Heard::Nothing,
            tabs::Message::Have(_) if !same_logins => Heard::Nothing,
            tabs::Message::Want => match self.usable(now_ms).cloned() {
                Some(issued) => self
                    .message(&tabs::Message::Have(issued))
                    .map_or(Heard::Nothing, Heard::Reply),
                None => Heard::Nothing,
            },
            tabs::Message::Have(issued) => {
                let server_now = now_ms.saturating_add(self.clock_offset_ms);
                let fresh_until = |i: &Issued| {
                    i.credentials
                        .expiration_ms
                        .unwrap_or(i64::MIN)
                        .saturating_sub(self.config.refresh_margin_ms)
                };
                let better = server_now < fresh_until(&issued)
                    && self
                        .cached
                        .as_ref()
                        .is_none_or(|c| fresh_until(c) < fresh_until(&issued));
                if !better {
                    return Heard::Nothing;
                }
                let signed_in = self.cached.is_none();
                if self.identity_id.is_none() {
                    // Remembered as if this tab had asked GetId itself.
                    if let Some(key) = self.storage_key() {
                        storage.set(&key, &issued.identity_id);
                    }
                    self.identity_id = Some(issued.identity_id.clone());
                }
                self.cached = Some(issued);
                // An answer ends the asking: the next poll hands them out.
                if matches!(self.phase, Phase::Asking { .. }) {
                    self.phase = Phase::Idle;
                }
                Heard::Adopted { signed_in }
            }
            tabs::Message::SignedOut => {
                self.clear(storage);
                Heard::SignedOut
            }
        }
    }

    fn after_id(&self) -> Operation {
        match self.config.flow {
            Flow::Enhanced => Operation::GetCredentials,
            Flow::Basic { .. } => Operation::GetOpenIdToken,
        }
    }

    fn send(&mut self, operation: Operation) -> Step {
        let endpoint = &self.config.identity_endpoint;
        let id = self.identity_id.as_deref().unwrap_or("");
        let request = match operation {
            Operation::GetId => GetId {
                endpoint,
                identity_pool_id: &self.config.identity_pool_id,
                account_id: self.config.account_id.as_deref(),
                logins: &self.logins,
            }
            .request(),
            Operation::GetCredentials => GetCredentialsForIdentity {
                endpoint,
                identity_id: id,
                logins: &self.logins,
                custom_role_arn: self.config.custom_role_arn.as_deref(),
            }
            .request(),
            Operation::GetOpenIdToken => GetOpenIdToken {
                endpoint,
                identity_id: id,
                logins: &self.logins,
            }
            .request(),
            Operation::AssumeRole => {
                let role = match &self.config.flow {
                    Flow::Basic { role_arn } => role_arn.as_str(),
                    Flow::Enhanced => "",
                };
                let token = self.open_id_token.as_deref().unwrap_or("");
                AssumeRoleWithWebIdentity {
                    endpoint: &self.config.sts_endpoint,
                    role_arn: role,
                    session_name: "cognito-sigv4",
                    web_identity_token: token,
                    duration_seconds: None,
                }
                .request()
            }
        };
        self.phase = Phase::InFlight(operation);
        Step::Send(request)
    }

    fn secrets(&self) -> Vec<&str> {
        let mut s: Vec<&str> = self.logins.iter().map(|(_, t)| t.as_str()).collect();
        if let Some(t) = &self.open_id_token {
            s.push(t);
        }
        s
    }

    fn fail(&mut self, error: Error) -> Step {
        self.phase = Phase::Idle;
        self.locked = false;
        // Tokens are fetched afresh for the next attempt.
        self.logins_fresh = false;
        self.open_id_token = None;
        Step::Failed(error)
    }

    /// Retries throttling, 5xx and network failures, bounded in count and time.
    fn retry_or_fail(&mut self, operation: Operation, error: Error, now_ms: i64) -> Step {
        let retryable = match error.code {
            ErrorCode::Network | ErrorCode::Timeout => true,
            ErrorCode::Service => {
                matches!(
                    error.service_type.as_deref(),
                    Some(
                        "TooManyRequestsException"
                            | "LimitExceededException"
                            | "ThrottlingException"
                            | "Throttling"
                            | "InternalErrorException"
                            | "InternalFailure"
                            | "ServiceUnavailable"
                    )
                ) || error.status.is_some_and(|s| s >= 500)
            }
            _ => false,
        };
        if retryable {
            if let Some(delay) = self.config.retry.delay(
                self.attempt,
                now_ms.saturating_sub(self.exchange_started_ms),
                &mut self.rng,
            ) {
                self.attempt += 1;
                let until = now_ms.saturating_add(delay);
                self.phase = Phase::Backoff { until, operation };
                return Step::SleepUntil(until);
            }
        }
        self.fail(error)
    }

    /// The operation in flight for the exchange of `generation`, or why there is none.
    fn in_flight(&self, generation: u32) -> Result<Operation, Error> {
        self.check_generation(generation)?;
        match self.phase {
            Phase::InFlight(operation) => Ok(operation),
            _ => Err(Error::new(ErrorCode::Cancelled, "no request of this provider is in flight: an answer came for an exchange that had ended")),
        }
    }

    /// The answer to the request of the last [`Step::Send`] of the exchange of `generation`.
    pub fn on_response(
        &mut self,
        generation: u32,
        response: HttpResponse,
        now_ms: i64,
        storage: &mut dyn Storage,
    ) -> Step {
        let operation = match self.in_flight(generation) {
            Ok(operation) => operation,
            Err(e) => return Step::Failed(e),
        };
        if let Some(date) = &response.date {
            if let Err(e) = self.observe_server_date(date, now_ms) {
                return self.fail(e);
            }
        }
        let result = {
            let secrets = self.secrets();
            match operation {
                Operation::GetId => GetId::parse(&response, &secrets).map(Parsed::IdentityId),
                Operation::GetOpenIdToken => {
                    GetOpenIdToken::parse(&response, &secrets).map(Parsed::OpenIdToken)
                }
                Operation::GetCredentials => {
                    GetCredentialsForIdentity::parse(&response, &secrets).map(Parsed::Credentials)
                }
                Operation::AssumeRole => {
                    AssumeRoleWithWebIdentity::parse(&response, &secrets).map(Parsed::Credentials)
                }
            }
        };
        match result {
            Ok(Parsed::IdentityId(id)) => {
                if let Some(key) = self.storage_key() {
                    storage.set(&key, &id);
                }
                self.identity_id = Some(id);
                self.identity_from_storage = false;
                self.send(self.after_id())
            }
            Ok(Parsed::OpenIdToken(token)) => {
                self.open_id_token = Some(token);
                self.send(Operation::AssumeRole)
            }
            Ok(Parsed::Credentials(credentials)) => {
                let identity_id = self.identity_id.clone().unwrap_or_default();
                let ready = Issued {
                    credentials,
                    identity_id,
                };
                self.cached = Some(ready.clone());
                self.phase = Phase::Idle;
                self.logins_fresh = false;
                self.open_id_token = None;
                if core::mem::take(&mut self.locked) {
                    self.announcement = Some(ready.clone());
                }
                Step::Ready(ready)
            }
            Err(error) => {
                // A remembered IdentityId that the pool no longer knows, or that
                // belongs to other logins: forget it and ask for a new one, once.
                let stale = matches!(
                    error.service_type.as_deref(),
                    Some("ResourceNotFoundException" | "NotAuthorizedException")
                ) && matches!(
                    operation,
                    Operation::GetCredentials | Operation::GetOpenIdToken
                ) && self.identity_from_storage
                    && !self.retried_stale_identity;
                if stale {
                    if let Some(key) = self.storage_key() {
                        storage.remove(&key);
                    }
                    self.identity_id = None;
                    self.identity_from_storage = false;
                    self.retried_stale_identity = true;
                    return self.send(Operation::GetId);
                }
                self.retry_or_fail(operation, error, now_ms)
            }
        }
    }

    /// The request of the last [`Step::Send`] of the exchange of `generation` got no answer.
    pub fn on_network_error(&mut self, generation: u32, timed_out: bool, now_ms: i64) -> Step {
        let operation = match self.in_flight(generation) {
            Ok(operation) => operation,
            Err(e) => return Step::Failed(e),
        };
        let error = if timed_out {
            Error::new(
                ErrorCode::Timeout,
                "Cognito did not answer in time: check the network, or raise the timeout",
            )
        } else {
            Error::new(ErrorCode::Network, "could not reach Cognito: check the network, the endpoint, and that the page may call it (CORS, CSP connect-src)")
        };
        self.retry_or_fail(operation, error, now_ms)
    }
}

/// Who a set of logins belongs to: per login, its provider name and the `sub`
/// of its token when the token is a JWT that has one, else the token itself
/// (an opaque token stands only for itself). Credentials and the IdentityId
/// obtained with one principal are never handed to another. Also the first
/// `sub`, which names the user their IdentityId is stored for.
fn principal(logins: &[(String, String)]) -> (String, Option<String>) {
    let mut out = String::new();
    let mut first_sub = None;
    for (key, token) in logins {
        let sub = jwt::decode(token)
            .ok()
            .and_then(|claims| claims.claim_str("sub").map(String::from));
        let (kind, who) = match &sub {
            Some(sub) => ("sub:", sub.as_str()),
            None => ("token:", token.as_str()),
        };
        out.push_str(&[key, "\n", kind, who, "\n"].concat());
        if first_sub.is_none() {
            first_sub = sub;
        }
    }
    (out, first_sub)
}

/// What a message from another tab did ([`Provider::on_message`]).
#[derive(Debug, PartialEq, Eq)]
pub enum Heard {
    /// Nothing for this tab.
    Nothing,
    /// Post this in answer (fresh credentials, to a tab that asked).
    Reply(String),
    /// Fresh credentials from another tab are this tab's now: an event for
    /// the app, "signed in" when it had none, else "refreshed".
    Adopted { signed_in: bool },
    /// The user signed out in another tab: this tab forgot them too (an
    /// event for the app), and drops its exchange in flight.
    SignedOut,
}

/// `offset_ms` (server time minus local time) if it is within
/// [`MAX_CLOCK_OFFSET_MS`], else `ClockSkew`: the rule for every clock
/// correction, the provider's and the signed requests' (`signed_fetch`).
pub fn check_clock_offset(offset_ms: i64) -> Result<i64, Error> {
    if offset_ms.saturating_abs() > MAX_CLOCK_OFFSET_MS {
        return Err(Error::new(
            ErrorCode::ClockSkew,
            "this device's clock is more than 24 hours away from AWS's (by the time in an AWS answer): set the device's date, time and time zone correctly",
        ));
    }
    Ok(offset_ms)
}

#[cfg(test)]
mod tests;
