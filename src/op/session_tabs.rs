//! Across tabs (#23), `UserPoolSession`'s part: the tabs, workers and
//! service worker of an origin signed in as one user refresh their tokens
//! once, under one lock, and every tab takes the result, so that no tab
//! refreshes with a refresh token another has already spent (app clients
//! that rotate refresh tokens spend the old one on each refresh).
//!
//! The shell (user-pool.js) holds a Web Lock named [`SessionShare::channel`]
//! while it refreshes, and carries these messages on a BroadcastChannel of
//! that name. Under the lock it asks first ([`SessionShare::want`]): a tab
//! that waited for the lock may not have heard the holder's tokens yet.
//!
//! The rules, here: tokens go to a tab only if they replace the ones it
//! holds (named by a hash of its refresh token, never the token) and are for
//! the same user of the same app client; a sign-out is for every tab of the
//! user.

use crate::cognito::Tokens;
use crate::credentials::tabs::{envelope, open, tag};
use crate::error::{Error, ErrorCode, Result};
use crate::json::{self, Value};
use crate::jwt;
use alloc::string::String;
use alloc::vec::Vec;

/// How long a tab holding the lock waits for an answer to its ask before
/// it refreshes: a live tab answers within a task or two.
pub const ASK_MS: u32 = 100;

/// How many spent refresh tokens a tab remembers having moved past, to
/// answer a tab that still holds one of them.
const SPENT_KEPT: usize = 8;

/// Who an IdToken is for: its pool (`iss`), app client (`aud`) and user (`sub`).
fn principal(id_token: &str) -> Result<String> {
    let claims = jwt::decode(id_token)?;
    let claim = |name| claims.claim_str(name).unwrap_or_default();
    if claim("sub").is_empty() {
        return Err(Error::new(
            ErrorCode::Malformed,
            "the IdToken has no `sub` claim: a session needs a Cognito User Pool IdToken",
        ));
    }
    Ok([claim("iss"), "\n", claim("aud"), "\n", claim("sub")].concat())
}

/// When an IdToken was issued (epoch seconds, read as the refresh rule
/// reads them; 0 where it does not say).
fn issued_at(id_token: &str) -> f64 {
    jwt::decode(id_token)
        .ok()
        .and_then(|t| t.claim_number("iat"))
        .unwrap_or(0.0)
}

fn refresh_tag(tokens: &Tokens) -> String {
    tag(tokens.refresh_token.as_deref().unwrap_or_default())
}

/// What a message heard on the channel means for this tab.
#[derive(Debug, PartialEq, Eq)]
pub enum Heard {
    Nothing,
    /// Post this in answer: tokens that replace the asker's.
    Reply(String),
    /// Take these tokens: they replace this tab's.
    Adopt(Tokens),
    /// The user signed out in another tab: forget the tokens, and revoke
    /// this tab's refresh token on the pool when it is not the one the
    /// other tab revoked (another sign-in of the same user, or a refresh
    /// the other tab had not heard of yet).
    SignedOut {
        revoke: bool,
    },
}

/// One session's view of the other tabs of its user.
pub struct SessionShare {
    channel: String,
    principal: String,
    /// The tag of the refresh token this tab's tokens came with.
    current: String,
    /// Tags of refresh tokens this tab's tokens replaced, newest last.
    spent: Vec<String>,
}

impl SessionShare {
    /// The share of a session of `tokens`.
    pub fn new(tokens: &Tokens) -> Result<Self> {
        let principal = principal(&tokens.id_token)?;
        let channel = ["cognito-sigv4-session/", &tag(&principal)].concat();
        Ok(SessionShare {
            channel,
            principal,
            current: refresh_tag(tokens),
            spent: Vec::new(),
        })
    }

    /// The BroadcastChannel's and the Web Lock's name: a hash of pool, app
    /// client and user (never a token).
    pub fn channel(&self) -> &str {
        &self.channel
    }

    fn message(&self, kind: &str) -> json::Writer {
        envelope(&self.channel).string("type", kind)
    }

    fn have(&self, from: &str, tokens: &Tokens) -> String {
        let mut body = json::Writer::new()
            .string("idToken", &tokens.id_token)
            .string("accessToken", &tokens.access_token);
        if let Some(refresh) = &tokens.refresh_token {
            body = body.string("refreshToken", refresh);
        }
        self.message("have")
            .string("from", from)
            .string("expiresIn", &crate::error::num(tokens.expires_in.into()))
            .object("tokens", body)
            .finish()
    }

    /// "I am about to refresh `mine`: whoever holds tokens that replace
    /// them, post them." Asked under the lock, before refreshing.
    pub fn want(&self, mine: &Tokens) -> String {
        let iat = crate::error::num(issued_at(&mine.id_token) as u64);
        self.message("want")
            .string("from", &self.current)
            .string("iat", &iat)
            .finish()
    }

    /// This tab refreshed to `fresh`: the message that gives them to the
    /// others, posted before the lock is released.
    pub fn refreshed(&mut self, fresh: &Tokens) -> String {
        let from = self.current.clone();
        self.moved_to(fresh);
        self.have(&from, fresh)
    }

    /// This tab signed out (and revokes its refresh token): the message that
    /// signs out the others.
    pub fn signed_out(&self) -> String {
        self.message("signedOut")
            .string("from", &self.current)
            .finish()
    }

    fn moved_to(&mut self, tokens: &Tokens) {
        let next = refresh_tag(tokens);
        if next != self.current {
            if self.spent.len() == SPENT_KEPT {
                self.spent.remove(0);
            }
            self.spent.push(core::mem::replace(&mut self.current, next));
        }
    }

    /// What `text`, heard on the channel, means for a tab holding `mine`.
    pub fn on_message(&mut self, text: &str, mine: &Tokens) -> Heard {
        let Some(value) = open(&self.channel, text) else {
            return Heard::Nothing;
        };
        let field = |name: &str| value.get(name).and_then(Value::as_str);
        match (field("type"), field("from")) {
            (Some("signedOut"), from) => Heard::SignedOut {
                revoke: from != Some(self.current.as_str()),
            },
            // Tokens that replace the asker's: this tab refreshed past its
            // refresh token, or holds the same one with newer tokens.
            (Some("want"), Some(from)) => {
                let their_iat = field("iat").and_then(|s| s.parse::<u64>().ok());
                let newer = their_iat.is_some_and(|iat| issued_at(&mine.id_token) > iat as f64);
                let replaces =
                    self.spent.iter().any(|s| s == from) || (from == self.current && newer);
                match replaces {
                    true => Heard::Reply(self.have(from, mine)),
                    false => Heard::Nothing,
                }
            }
            (Some("have"), Some(from)) if from == self.current => {
                let Some(theirs) = tokens_of(&value) else {
                    return Heard::Nothing;
                };
                let same_user = principal(&theirs.id_token).is_ok_and(|p| p == self.principal);
                let (then, now) = (issued_at(&mine.id_token), issued_at(&theirs.id_token));
                // Rotated (a new refresh token) and not older, or newer.
                let rotated =
                    theirs.refresh_token.is_some() && refresh_tag(&theirs) != self.current;
                if !same_user || now < then || (now == then && !rotated) {
                    return Heard::Nothing;
                }
                self.moved_to(&theirs);
                Heard::Adopt(theirs)
            }
            _ => Heard::Nothing,
        }
    }
}

fn tokens_of(message: &Value) -> Option<Tokens> {
    let tokens = message.get("tokens")?;
    let field = |name: &str| tokens.get(name).and_then(Value::as_str).map(String::from);
    Some(Tokens {
        id_token: field("idToken")?,
        access_token: field("accessToken")?,
        refresh_token: field("refreshToken"),
        expires_in: message
            .get("expiresIn")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .unwrap_or(3600),
    })
}

#[cfg(test)]
#[path = "session_tabs_tests.rs"]
mod tests;
