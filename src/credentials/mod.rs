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

mod retry;

use crate::cognito::identity::{self, AwsCredentials};
use crate::cognito::{sts, HttpRequest, HttpResponse};
use crate::error::{cat, Error, ErrorCode};
use crate::jwt;
use crate::sigv4::time;
use alloc::string::String;
use alloc::vec::Vec;
pub use retry::RetryPolicy;

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
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
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
            identity_endpoint: identity::default_endpoint(region),
            sts_endpoint: sts::default_endpoint(region),
            refresh_margin_ms: 5 * 60 * 1000,
            retry: RetryPolicy::default(),
        })
    }
}

/// Credentials with the IdentityId they belong to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub credentials: AwsCredentials,
    pub identity_id: String,
}

/// What the shell must do next.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Here they are.
    Ready(Credentials),
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
    Credentials(AwsCredentials),
}

#[derive(Debug)]
enum Phase {
    Idle,
    /// Logins must be refreshed before the exchange starts.
    AwaitingLogins,
    InFlight(Operation),
    Backoff { until: i64, operation: Operation },
}

pub struct Provider {
    config: Config,
    phase: Phase,
    cached: Option<Credentials>,
    identity_id: Option<String>,
    /// Whether `identity_id` came from storage (a stale one may be dropped once).
    identity_from_storage: bool,
    retried_stale_identity: bool,
    logins: Vec<(String, String)>,
    logins_fresh: bool,
    /// `sub` of the user, for the storage key; None for guests.
    user: Option<String>,
    open_id_token: Option<String>,
    clock_offset_ms: i64,
    attempt: u32,
    exchange_started_ms: i64,
    rng: u64,
}

impl core::fmt::Debug for Provider {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Provider").field("phase", &self.phase).field("identity_id", &self.identity_id).finish_non_exhaustive()
    }
}

impl Provider {
    pub fn new(config: Config) -> Self {
        Provider {
            config,
            phase: Phase::Idle,
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
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Server time minus local time, learned from `Date` headers and skew errors.
    pub fn clock_offset_ms(&self) -> i64 {
        self.clock_offset_ms
    }

    /// Records the server's clock from an answer's `Date` header.
    pub fn observe_server_date(&mut self, date_header: &str, now_ms: i64) {
        if let Some(server) = time::parse_http_date(date_header) {
            let offset = server - now_ms;
            // Date has one-second resolution: ignore what is within it.
            self.clock_offset_ms = if offset.abs() < 1500 { 0 } else { offset };
        }
    }

    /// Sets the clock offset directly (from a signed service's skew answer).
    pub fn set_clock_offset_ms(&mut self, offset: i64) {
        self.clock_offset_ms = offset;
    }

    /// The key under which this user's IdentityId is stored: pool **and** user,
    /// so the next user of the same browser never inherits it.
    pub fn storage_key(&self) -> String {
        let user = self.user.as_deref().unwrap_or("guest");
        cat(&["cognito-sigv4:identity:", &self.config.identity_pool_id, ":", user])
    }

    /// Fresh login tokens, `(logins key, token)`. The user is the `sub` of the
    /// first token that is a JWT. Switching user forgets the cached credentials.
    pub fn set_logins(&mut self, logins: Vec<(String, String)>, storage: &dyn Storage) {
        let user = logins.iter().find_map(|(_, token)| jwt::decode(token).ok()?.claim_str("sub").map(String::from));
        if user != self.user || logins.is_empty() != self.logins.is_empty() {
            self.cached = None;
            self.identity_id = None;
            self.identity_from_storage = false;
        }
        self.user = user;
        self.logins = logins;
        self.logins_fresh = true;
        if self.identity_id.is_none() {
            if let Some(id) = storage.get(&self.storage_key()).filter(|id| !id.is_empty()) {
                self.identity_id = Some(id);
                self.identity_from_storage = true;
            }
        }
        if matches!(self.phase, Phase::AwaitingLogins) {
            self.phase = Phase::Idle;
        }
    }

    /// The IdentityId, once known.
    pub fn identity_id(&self) -> Option<&str> {
        self.identity_id.as_deref()
    }

    /// Sign-out: forget the credentials and this user's IdentityId.
    pub fn clear(&mut self, storage: &mut dyn Storage) {
        storage.remove(&self.storage_key());
        self.cached = None;
        self.identity_id = None;
        self.identity_from_storage = false;
        self.retried_stale_identity = false;
        self.logins_fresh = false;
        self.open_id_token = None;
        self.phase = Phase::Idle;
    }

    /// Whether the cached credentials are good at `now_ms` (local time).
    fn usable(&self, now_ms: i64) -> Option<&Credentials> {
        let server_now = now_ms + self.clock_offset_ms;
        self.cached.as_ref().filter(|c| server_now < c.credentials.expiration_ms - self.config.refresh_margin_ms)
    }

    /// What to do next to obtain credentials at `now_ms`.
    pub fn poll(&mut self, now_ms: i64) -> Step {
        match self.phase {
            Phase::InFlight(_) => Step::Wait,
            Phase::AwaitingLogins => Step::NeedLogins,
            Phase::Backoff { until, operation } => {
                if now_ms < until {
                    Step::SleepUntil(until)
                } else {
                    self.send(operation)
                }
            }
            Phase::Idle => {
                if let Some(creds) = self.usable(now_ms) {
                    return Step::Ready(creds.clone());
                }
                if !self.logins_fresh {
                    self.phase = Phase::AwaitingLogins;
                    return Step::NeedLogins;
                }
                self.attempt = 0;
                self.exchange_started_ms = now_ms;
                self.retried_stale_identity = false;
                let first = if self.identity_id.is_some() { self.after_id() } else { Operation::GetId };
                self.send(first)
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
            Operation::GetId => identity::get_id(endpoint, &self.config.identity_pool_id, self.config.account_id.as_deref(), &self.logins),
            Operation::GetCredentials => identity::get_credentials_for_identity(endpoint, id, &self.logins, self.config.custom_role_arn.as_deref()),
            Operation::GetOpenIdToken => identity::get_open_id_token(endpoint, id, &self.logins),
            Operation::AssumeRole => {
                let role = match &self.config.flow {
                    Flow::Basic { role_arn } => role_arn.as_str(),
                    Flow::Enhanced => "",
                };
                let token = self.open_id_token.as_deref().unwrap_or("");
                sts::assume_role_with_web_identity(&self.config.sts_endpoint, role, "cognito-sigv4", token, None)
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
                matches!(error.service_type.as_deref(), Some("TooManyRequestsException" | "LimitExceededException" | "ThrottlingException" | "Throttling" | "InternalErrorException" | "InternalFailure" | "ServiceUnavailable"))
                    || error.status.is_some_and(|s| s >= 500)
            }
            _ => false,
        };
        if retryable {
            if let Some(delay) = self.config.retry.delay(self.attempt, now_ms - self.exchange_started_ms, &mut self.rng) {
                self.attempt += 1;
                self.phase = Phase::Backoff { until: now_ms + delay, operation };
                return self.poll(now_ms);
            }
        }
        self.fail(error)
    }

    /// The answer to the request of the last [`Step::Send`].
    pub fn on_response(&mut self, response: HttpResponse, now_ms: i64, storage: &mut dyn Storage) -> Step {
        let Phase::InFlight(operation) = self.phase else {
            return Step::Wait;
        };
        if let Some(date) = &response.date {
            self.observe_server_date(date, now_ms);
        }
        let result = {
            let secrets = self.secrets();
            match operation {
                Operation::GetId => identity::parse_get_id(&response, &secrets).map(Parsed::IdentityId),
                Operation::GetOpenIdToken => identity::parse_open_id_token(&response, &secrets).map(Parsed::OpenIdToken),
                Operation::GetCredentials => identity::parse_credentials(&response, &secrets).map(Parsed::Credentials),
                Operation::AssumeRole => sts::parse_assume_role(&response, &secrets).map(Parsed::Credentials),
            }
        };
        match result {
            Ok(Parsed::IdentityId(id)) => {
                storage.set(&self.storage_key(), &id);
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
                let ready = Credentials { credentials, identity_id };
                self.cached = Some(ready.clone());
                self.phase = Phase::Idle;
                self.logins_fresh = false;
                self.open_id_token = None;
                Step::Ready(ready)
            }
            Err(error) => {
                // A remembered IdentityId that the pool no longer knows, or that
                // belongs to other logins: forget it and ask for a new one, once.
                let stale = matches!(error.service_type.as_deref(), Some("ResourceNotFoundException" | "NotAuthorizedException"))
                    && matches!(operation, Operation::GetCredentials | Operation::GetOpenIdToken)
                    && self.identity_from_storage
                    && !self.retried_stale_identity;
                if stale {
                    storage.remove(&self.storage_key());
                    self.identity_id = None;
                    self.identity_from_storage = false;
                    self.retried_stale_identity = true;
                    return self.send(Operation::GetId);
                }
                self.retry_or_fail(operation, error, now_ms)
            }
        }
    }

    /// The request of the last [`Step::Send`] got no answer.
    pub fn on_network_error(&mut self, timed_out: bool, now_ms: i64) -> Step {
        let Phase::InFlight(operation) = self.phase else {
            return Step::Wait;
        };
        let error = if timed_out {
            Error::new(ErrorCode::Timeout, "Cognito did not answer in time: check the network, or raise the timeout")
        } else {
            Error::new(ErrorCode::Network, "could not reach Cognito: check the network, the endpoint, and that the page may call it (CORS, CSP connect-src)")
        };
        self.retry_or_fail(operation, error, now_ms)
    }
}

#[cfg(test)]
mod tests;
