//! Across tabs (#23): the messages by which the tabs, workers and service
//! worker of an origin share one credential exchange per identity pool and
//! principal, and sign out together. The rules that use them are the
//! provider's ([`Provider::poll`](super::Provider::poll) with
//! [`Config::share`](super::Config::share)); the shell only carries these
//! messages on a BroadcastChannel and holds a Web Lock, both named by
//! [`channel`].
//!
//! The channel is named by pool and principal, so a tab hears only the tabs
//! signed in as the same user of the same pool: credentials are never posted
//! where another user's tab listens. The name is a hash: a principal can
//! hold an opaque login token, which must not appear in a lock or channel
//! name that any script of the origin can list.

use super::Issued;
use crate::json;
use crate::sigv4::sha256::{hex, sha256};
use crate::sigv4::Credentials;
use alloc::string::String;

/// What one tab says to the others of its channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// "I need credentials: whoever has fresh ones, post them."
    Want,
    /// Fresh credentials, from an exchange or in answer to [`Message::Want`].
    Have(Issued),
    /// The user signed out in one tab: every tab forgets them.
    SignedOut,
}

/// Version of the messages: a tab of an older page build ignores newer ones.
const VERSION: &str = "1";

/// A hash naming `text` (a principal, tokens) where any script of the
/// origin can read it: a lock or channel name, a message. Also
/// `UserPoolSession`'s (`op::session_tabs`).
pub fn tag(text: &str) -> String {
    let digest = hex(&sha256(text.as_bytes()));
    String::from(digest.get(..32).unwrap_or(&digest))
}

/// A message for the tabs of `channel` begun: its version and channel (a
/// tab drops what was meant for another channel, whatever carried it there).
/// Also `UserPoolSession`'s.
pub fn envelope(channel: &str) -> json::Writer {
    json::Writer::new()
        .string("v", VERSION)
        .string("channel", channel)
}

/// `text` as a message of this version for `channel` ([`envelope`]), or None
/// for anything else (another version, another channel's, or a page of the
/// origin posting something of its own on the channel).
pub fn open(channel: &str, text: &str) -> Option<json::Value> {
    let value = json::parse(text).ok()?;
    let field = |name: &str| value.get(name).and_then(json::Value::as_str);
    (field("v")? == VERSION && field("channel")? == channel).then_some(value)
}

/// The channel's (and lock's) name for `principal` of `identity_pool_id`.
pub fn channel(identity_pool_id: &str, principal: &str) -> String {
    ["cognito-sigv4/", identity_pool_id, "/", &tag(principal)].concat()
}

/// Names the login tokens a tab holds (a hash: never the tokens): credentials
/// go only to a tab whose tokens are those they were obtained with, as if
/// it had exchanged them itself. A token the pool never accepted (expired,
/// tampered with, for the same user) gets nothing from the others.
pub fn logins_tag(logins: &[(String, String)]) -> String {
    let mut all = String::new();
    for (key, token) in logins {
        for part in [key.as_str(), "\n", token.as_str(), "\n"] {
            all.push_str(part);
        }
    }
    tag(&all)
}

/// `message` for the tabs of `channel` ([`envelope`]), from a tab whose
/// logins are `logins` ([`logins_tag`]).
pub fn encode(channel: &str, logins: &str, message: &Message) -> String {
    let writer = envelope(channel).string("logins", logins);
    match message {
        Message::Want => writer.string("type", "want"),
        Message::SignedOut => writer.string("type", "signedOut"),
        Message::Have(issued) => {
            let c = &issued.credentials;
            let expiration = c
                .expiration_ms
                .and_then(|ms| u64::try_from(ms).ok())
                .map(crate::error::num)
                .unwrap_or_default();
            writer
                .string("type", "have")
                .string("identityId", &issued.identity_id)
                .string("accessKeyId", &c.access_key_id)
                .string("secretAccessKey", &c.secret_access_key)
                .string("sessionToken", c.session_token.as_deref().unwrap_or(""))
                .string("expiration", &expiration)
        }
    }
    .finish()
}

/// A message for `channel` ([`open`]), with the sender's [`logins_tag`].
pub fn decode(channel: &str, text: &str) -> Option<(String, Message)> {
    let value = open(channel, text)?;
    let field = |name: &str| value.get(name).and_then(json::Value::as_str);
    let logins = String::from(field("logins")?);
    let message = match field("type")? {
        "want" => Some(Message::Want),
        "signedOut" => Some(Message::SignedOut),
        "have" => {
            let token = field("sessionToken")?;
            let mut credentials = Credentials::new(
                field("accessKeyId")?,
                field("secretAccessKey")?,
                Some(token),
            )
            .ok()?;
            credentials.expiration_ms = Some(field("expiration")?.parse().ok()?);
            let identity_id = String::from(field("identityId")?);
            Some(Message::Have(Issued {
                credentials,
                identity_id,
            }))
        }
        _ => None,
    }?;
    Some((logins, message))
}
