//! The user pool's calls as one machine on the one driver: sign-in
//! (USER_PASSWORD_AUTH, or USER_SRP_AUTH with its PASSWORD_VERIFIER
//! challenge answered here), a challenge's answer, refresh
//! (GetTokensFromRefreshToken), revoke, and the
//! token endpoint's client-credentials grant. Each is one request, or two
//! for SRP; what a failure to get an answer means, and which secrets are cut
//! out of error messages, are decided here.

use super::exchange::Plain;
use super::{Failure, Head, Machine, Need, Output, Signing};
use crate::cognito::srp::{Arith, PasswordVerifier, SrpClient};
use crate::cognito::{
    Answer, ClientCredentials, GetTokensFromRefreshToken, InitiateAuth, RespondToAuthChallenge,
    RevokeToken,
};
use crate::error::{Error, ErrorCode};
use crate::http::{HttpRequest, HttpResponse};
use crate::sigv4::Credentials;
use alloc::string::String;
use alloc::vec::Vec;

/// User pool and token endpoint answers are a few KB of tokens.
const TIMEOUT_MS: u32 = 10_000;
const MAX_ANSWER_BYTES: usize = 1 << 20;

/// What the answer is read as.
pub enum Read<M: Arith> {
    /// InitiateAuth (USER_PASSWORD_AUTH): tokens or a challenge.
    SignIn,
    /// InitiateAuth (USER_SRP_AUTH): the PASSWORD_VERIFIER challenge is
    /// answered with the password's claim; other answers are the caller's.
    Srp {
        client: SrpClient<M>,
        pool_id: String,
        endpoint: String,
        client_id: String,
    },
    /// RespondToAuthChallenge: tokens or the next challenge.
    Respond,
    /// GetTokensFromRefreshToken: tokens, with a new refresh token where
    /// the client rotates them.
    Refresh,
    Revoke,
    /// The token endpoint's client-credentials grant.
    Grant,
}

/// One call of the user pool (or its token endpoint); its outcome is
/// [`Output::Auth`], [`Output::Grant`] or [`Output::Nothing`].
pub struct PoolCall<M: Arith> {
    call: Plain,
    read: Option<Read<M>>,
    /// Cut out of any message: the password, the refresh token, the answers.
    secrets: Vec<String>,
    /// The user a challenge is for, unless the pool names them.
    username: String,
    /// Who answers, in error messages.
    who: &'static str,
}

impl<M: Arith> PoolCall<M> {
    /// `request`, its answer read as `read`.
    pub fn new(
        request: HttpRequest,
        read: Read<M>,
        secrets: Vec<String>,
        username: String,
    ) -> Self {
        let who = match read {
            Read::Grant => "token endpoint",
            _ => "user pool",
        };
        PoolCall {
            call: Plain::new(request, TIMEOUT_MS, MAX_ANSWER_BYTES),
            read: Some(read),
            secrets,
            username,
            who,
        }
    }

    /// What the answer means, once it came.
    fn answered(&mut self, response: HttpResponse, now_ms: i64) -> Result<Option<Output>, Error> {
        let read = self.read.take();
        let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        let auth = |answer: Answer, username: &str| Output::Auth {
            answer,
            username: String::from(username),
        };
        let output = match read {
            Some(Read::SignIn) => auth(
                InitiateAuth::parse_answer(&response, &secrets)?,
                &self.username,
            ),
            Some(Read::Respond) => auth(
                RespondToAuthChallenge::parse(&response, &secrets)?,
                &self.username,
            ),
            Some(Read::Refresh) => auth(
                Answer::Tokens(GetTokensFromRefreshToken::parse(&response, &secrets)?),
                "",
            ),
            Some(Read::Revoke) => {
                RevokeToken::parse(&response, &secrets)?;
                Output::Nothing
            }
            Some(Read::Grant) => Output::Grant(ClientCredentials::parse(&response)?),
            Some(Read::Srp {
                client,
                pool_id,
                endpoint,
                client_id,
            }) => {
                let challenge = match InitiateAuth::parse_answer(&response, &secrets)? {
                    Answer::Challenge(c) if c.name == "PASSWORD_VERIFIER" => c,
                    other => return Ok(Some(auth(other, &self.username))),
                };
                let p = |name: &str| challenge.parameter(name).unwrap_or_default();
                let password = self.secrets.first().map_or("", String::as_str);
                let claim = client.answer(
                    &pool_id,
                    password,
                    &PasswordVerifier {
                        salt_hex: p("SALT"),
                        srp_b_hex: p("SRP_B"),
                        secret_block: p("SECRET_BLOCK"),
                        user_id_for_srp: p("USER_ID_FOR_SRP"),
                    },
                    now_ms,
                )?;
                // The pool's own name for the user where it gives one (moto
                // accepts no other), else the SRP id; the claim itself is
                // over USER_ID_FOR_SRP.
                let user = String::from(challenge.parameter("USERNAME").unwrap_or(&claim.username));
                let responses = [
                    ("USERNAME", user.as_str()),
                    ("PASSWORD_CLAIM_SECRET_BLOCK", claim.secret_block.as_str()),
                    ("TIMESTAMP", claim.timestamp.as_str()),
                    ("PASSWORD_CLAIM_SIGNATURE", claim.signature.as_str()),
                ];
                let request = RespondToAuthChallenge {
                    endpoint: &endpoint,
                    client_id: &client_id,
                    challenge_name: "PASSWORD_VERIFIER",
                    session: &challenge.session,
                    responses: &responses,
                }
                .request();
                self.call = Plain::new(request, TIMEOUT_MS, MAX_ANSWER_BYTES);
                self.read = Some(Read::Respond);
                self.username = user;
                return Ok(None);
            }
            None => return Err(out_of_order()),
        };
        Ok(Some(output))
    }

    /// No whole answer came: a typed error that says where to look.
    fn unanswered(&self, failure: Failure) -> Error {
        let who = self.who;
        match failure {
            Failure::TooLarge => Error::new(
                ErrorCode::Malformed,
                [
                    "the answer is larger than 1048576 bytes, which no ",
                    who,
                    " answer is: check the endpoint",
                ]
                .concat(),
            ),
            Failure::Timeout => Error::new(
                ErrorCode::Timeout,
                ["the ", who, " did not answer in time: check the network"].concat(),
            ),
            Failure::Network => Error::new(
                ErrorCode::Network,
                [
                    "could not reach the ",
                    who,
                    ": check the network, the endpoint, and CORS/CSP connect-src",
                ]
                .concat(),
            ),
        }
    }
}

fn out_of_order() -> Error {
    Error::new(
        ErrorCode::InvalidConfig,
        "a user pool call was driven out of order",
    )
}

impl<M: Arith> Machine for PoolCall<M> {
    fn poll(&mut self, signing: &mut Signing, now_ms: i64) -> Need {
        match self.call.poll(signing, now_ms) {
            Need::Done(Output::Answer(Ok(response))) => match self.answered(response, now_ms) {
                Ok(Some(output)) => Need::Done(output),
                // SRP's second request.
                Ok(None) => self.call.poll(signing, now_ms),
                Err(e) => Need::Fail(e),
            },
            Need::Done(Output::Answer(Err(failure))) => Need::Fail(self.unanswered(failure)),
            Need::Done(_) => Need::Fail(out_of_order()),
            need => need,
        }
    }
    fn on_credentials(&mut self, _: Credentials) {}
    fn on_head(&mut self, head: Head, now_ms: i64) {
        self.call.on_head(head, now_ms)
    }
    fn on_text(&mut self, text: String, now_ms: i64) {
        self.call.on_text(text, now_ms)
    }
    fn on_failure(&mut self, failure: Failure, now_ms: i64) {
        self.call.on_failure(failure, now_ms)
    }
}

/// Grants kept until a minute before they expire, per endpoint, client,
/// secret and scope (in memory only: another secret must not get this token).
/// `V` is what the shell hands out (the same object on every hit).
pub struct GrantCache<V> {
    entries: Vec<(String, V, f64)>,
}

impl<V> Default for GrantCache<V> {
    fn default() -> Self {
        GrantCache {
            entries: Vec::new(),
        }
    }
}

/// A grant is handed out again until this long before it expires.
const GRANT_MARGIN_MS: f64 = 60_000.0;

impl<V> GrantCache<V> {
    /// The key of a grant: every input that makes it another token.
    pub fn key(endpoint: &str, client_id: &str, secret: &str, scope: Option<&str>) -> String {
        [
            endpoint,
            "\n",
            client_id,
            "\n",
            secret,
            "\n",
            scope.unwrap_or(""),
        ]
        .concat()
    }

    pub fn get(&self, key: &str, now_ms: f64) -> Option<&V> {
        self.entries
            .iter()
            .find(|(k, _, expires_at)| k == key && *expires_at - GRANT_MARGIN_MS > now_ms)
            .map(|(_, v, _)| v)
    }

    /// Keeps `value`, a grant of `expires_in` seconds from `now_ms`, in place
    /// of any other of `key`; returns its expiry (epoch ms).
    pub fn put(&mut self, key: String, value: V, expires_in: u32, now_ms: f64) -> f64 {
        let expires_at = now_ms + f64::from(expires_in) * 1000.0;
        self.entries.retain(|(k, _, _)| *k != key);
        self.entries.push((key, value, expires_at));
        expires_at
    }
}

#[cfg(test)]
mod grant_tests {
    use super::GrantCache;

    #[test]
    fn a_grant_is_kept_per_key_until_a_minute_before_it_expires() {
        let mut cache = GrantCache::default();
        let key = GrantCache::<u8>::key("https://a/oauth2/token", "c", "s", None);
        let other = GrantCache::<u8>::key("https://a/oauth2/token", "c", "s2", None);
        assert_eq!(cache.put(key.clone(), 1u8, 3600, 0.0), 3_600_000.0);
        assert_eq!(cache.get(&key, 3_539_000.0), Some(&1));
        assert_eq!(cache.get(&key, 3_541_000.0), None);
        assert_eq!(cache.get(&other, 0.0), None, "another secret never gets it");
        cache.put(key.clone(), 2, 3600, 10.0);
        assert_eq!(cache.get(&key, 20.0), Some(&2));
        assert_eq!(cache.entries.len(), 1);
    }
}
