//! Several sessions as the tabs of one origin, over a scripted channel (a
//! post reaches every other tab of the same channel) and a scripted user pool
//! that rotates refresh tokens and refuses a spent one, as a rotating app
//! client does. The lock is the test's order: one tab refreshes at a time.

use super::*;
use alloc::format;
use alloc::string::ToString;
use alloc::vec;

const CLIENT: &str = "client-1";

fn jwt(sub: &str, iat: u64) -> String {
    let b64 = jwt::base64url_encode;
    let payload = format!(
        r#"{{"iss":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_P","aud":"{CLIENT}","sub":"{sub}","iat":{iat},"exp":{}}}"#,
        iat + 3600
    );
    [b64(r#"{"alg":"RS256"}"#), b64(&payload), "c2ln".into()].join(".")
}

fn tokens(sub: &str, iat: u64, refresh: &str) -> Tokens {
    Tokens {
        id_token: jwt(sub, iat),
        access_token: format!("access-{sub}-{iat}"),
        refresh_token: Some(refresh.to_string()),
        expires_in: 3600,
    }
}

struct Tab {
    share: SessionShare,
    tokens: Option<Tokens>,
}

/// The user pool: which refresh tokens are live, and how many refreshes it
/// served; each refresh spends the token and gives a new one.
struct Pool {
    live: Vec<String>,
    refreshes: usize,
    rotate: bool,
}

impl Pool {
    fn refresh(&mut self, old: &Tokens, now: u64) -> Option<Tokens> {
        let token = old.refresh_token.clone()?;
        let at = self.live.iter().position(|t| *t == token)?;
        self.refreshes += 1;
        let sub = jwt::decode(&old.id_token)
            .ok()?
            .claim_str("sub")?
            .to_string();
        let next = match self.rotate {
            true => format!("{token}+"),
            false => token,
        };
        if self.rotate {
            self.live[at] = next.clone();
        }
        Some(tokens(&sub, now, &next))
    }
}

struct Origin {
    tabs: Vec<Tab>,
    pool: Pool,
    /// Posts not yet delivered (a post reaches the others a task later).
    queue: Vec<(usize, String)>,
}

impl Origin {
    fn new(n: usize, rotate: bool) -> Self {
        let first = tokens("alice", 1_000, "R0");
        let tabs = (0..n)
            .map(|_| Tab {
                share: SessionShare::new(&first).unwrap(),
                tokens: Some(first.clone()),
            })
            .collect();
        Origin {
            tabs,
            pool: Pool {
                live: vec!["R0".into()],
                refreshes: 0,
                rotate,
            },
            queue: Vec::new(),
        }
    }

    fn post(&mut self, from: usize, text: String) {
        self.queue.push((from, text));
    }

    /// Delivers every queued post (and the replies they bring).
    fn deliver(&mut self) {
        while !self.queue.is_empty() {
            let (from, text) = self.queue.remove(0);
            for i in 0..self.tabs.len() {
                if i == from {
                    continue;
                }
                let tab = &mut self.tabs[i];
                let Some(mine) = tab.tokens.clone() else {
                    continue;
                };
                match tab.share.on_message(&text, &mine) {
                    Heard::Nothing => {}
                    Heard::Reply(reply) => self.queue.push((i, reply)),
                    Heard::Adopt(theirs) => tab.tokens = Some(theirs),
                    Heard::SignedOut { .. } => tab.tokens = None,
                }
            }
        }
    }

    /// Tab `i`, holding the lock, with tokens due at `now`: it asks, and
    /// refreshes only if nobody answered with newer tokens. `deliver_ask`:
    /// whether its ask is answered before it decides.
    fn refresh_under_lock(&mut self, i: usize, due_before: u64, now: u64, deliver_ask: bool) {
        let due = |t: &Option<Tokens>| {
            t.as_ref()
                .is_some_and(|t| issued_at(&t.id_token) < due_before as f64)
        };
        if !due(&self.tabs[i].tokens) {
            return;
        }
        let mine = self.tabs[i].tokens.clone().unwrap();
        let want = self.tabs[i].share.want(&mine);
        self.post(i, want);
        if deliver_ask {
            self.deliver();
        }
        if !due(&self.tabs[i].tokens) {
            return;
        }
        let mine = self.tabs[i].tokens.clone().unwrap();
        let Some(fresh) = self.pool.refresh(&mine, now) else {
            self.tabs[i].tokens = None;
            return;
        };
        let have = self.tabs[i].share.refreshed(&fresh);
        self.tabs[i].tokens = Some(fresh);
        self.post(i, have);
    }

    fn refresh_tokens(&self) -> Vec<Option<String>> {
        self.tabs
            .iter()
            .map(|t| t.tokens.as_ref().and_then(|t| t.refresh_token.clone()))
            .collect()
    }
}

#[test]
fn five_tabs_refresh_once_and_all_take_the_rotated_token() {
    let mut origin = Origin::new(5, true);
    // Tab 0 holds the lock; the others queue behind it and hear its post
    // before the lock comes to them.
    origin.refresh_under_lock(0, 2_000, 3_000, true);
    origin.deliver();
    for i in 1..5 {
        origin.refresh_under_lock(i, 2_000, 3_001, true);
    }
    origin.deliver();
    assert_eq!(origin.pool.refreshes, 1);
    assert!(origin
        .refresh_tokens()
        .iter()
        .all(|t| t.as_deref() == Some("R0+")));
}

#[test]
fn a_tab_given_the_lock_before_the_post_asks_and_is_answered() {
    let mut origin = Origin::new(5, true);
    origin.refresh_under_lock(0, 2_000, 3_000, true);
    // Tab 0's post is still on its way when tab 1 gets the lock: tab 1's
    // ask names R0, which tab 0 has spent, so tab 0 answers.
    let held = core::mem::take(&mut origin.queue);
    origin.refresh_under_lock(1, 2_000, 3_001, true);
    origin.queue.extend(held);
    origin.deliver();
    for i in 2..5 {
        origin.refresh_under_lock(i, 2_000, 3_002, true);
    }
    assert_eq!(origin.pool.refreshes, 1, "R0 is never sent again");
    assert!(origin
        .refresh_tokens()
        .iter()
        .all(|t| t.as_deref() == Some("R0+")));
}

#[test]
fn without_the_ask_the_spent_token_would_be_refused() {
    // The ask is what saves tab 1: unanswered, it refreshes with R0, which
    // the pool refuses (the session ends). A test that the rule matters.
    let mut origin = Origin::new(2, true);
    origin.refresh_under_lock(0, 2_000, 3_000, true);
    origin.queue.clear();
    origin.refresh_under_lock(1, 2_000, 3_001, false);
    assert_eq!(origin.tabs[1].tokens, None);
}

#[test]
fn without_rotation_newer_tokens_reach_every_tab() {
    let mut origin = Origin::new(3, false);
    origin.refresh_under_lock(0, 2_000, 3_000, true);
    origin.deliver();
    origin.refresh_under_lock(1, 2_000, 3_001, true);
    assert_eq!(origin.pool.refreshes, 1);
    for tab in &origin.tabs {
        let t = tab.tokens.as_ref().unwrap();
        assert_eq!(issued_at(&t.id_token), 3_000.0);
        assert_eq!(t.refresh_token.as_deref(), Some("R0"));
    }
    // Asked with the same refresh token and older tokens, a tab answers.
    let old = tokens("alice", 1_000, "R0");
    let ask = SessionShare::new(&old).unwrap().want(&old);
    let mine = origin.tabs[0].tokens.clone().unwrap();
    assert!(matches!(
        origin.tabs[0].share.on_message(&ask, &mine),
        Heard::Reply(_)
    ));
    // Asked with tokens as new as its own, it does not.
    let ask = origin.tabs[1].share.want(&mine);
    assert_eq!(origin.tabs[0].share.on_message(&ask, &mine), Heard::Nothing);
}

#[test]
fn another_user_never_hears_nor_takes_the_tokens() {
    let alice = tokens("alice", 1_000, "R0");
    let bob = tokens("bob", 1_000, "RB");
    let mut a = SessionShare::new(&alice).unwrap();
    let mut b = SessionShare::new(&bob).unwrap();
    assert_ne!(a.channel(), b.channel());
    assert!(!a.channel().contains("alice"), "the user is hashed");
    let have = a.refreshed(&tokens("alice", 2_000, "R1"));
    assert_eq!(b.on_message(&have, &bob), Heard::Nothing);
    // Bob's tokens posted on Alice's channel, naming her refresh token:
    // not taken (another user).
    let mut a2 = SessionShare::new(&alice).unwrap();
    let forged = have.replace(&jwt("alice", 2_000), &jwt("bob", 2_000));
    assert_ne!(forged, have);
    assert_eq!(a2.on_message(&forged, &alice), Heard::Nothing);
    assert!(matches!(a2.on_message(&have, &alice), Heard::Adopt(_)));
}

#[test]
fn tokens_of_another_sign_in_or_older_ones_are_not_taken() {
    let mine = tokens("alice", 2_000, "R0");
    let mut tab = SessionShare::new(&mine).unwrap();
    // The same user signed in again elsewhere: another refresh token.
    let other = tokens("alice", 1_000, "S0");
    let have = SessionShare::new(&other)
        .unwrap()
        .refreshed(&tokens("alice", 3_000, "S1"));
    assert_eq!(tab.on_message(&have, &mine), Heard::Nothing);
    // Older tokens for my refresh token.
    let have = SessionShare::new(&mine)
        .unwrap()
        .refreshed(&tokens("alice", 1_500, "R0"));
    assert_eq!(tab.on_message(&have, &mine), Heard::Nothing);
    // An answer without a refresh token, at the same time, is no rotation.
    let mut bare = tokens("alice", 2_000, "R0");
    bare.refresh_token = None;
    let have = SessionShare::new(&mine).unwrap().refreshed(&bare);
    assert_eq!(tab.on_message(&have, &mine), Heard::Nothing);
    // A rotation within the same second is taken.
    let have = SessionShare::new(&mine)
        .unwrap()
        .refreshed(&tokens("alice", 2_000, "R1"));
    assert!(matches!(tab.on_message(&have, &mine), Heard::Adopt(_)));
}

#[test]
fn sign_out_reaches_every_tab_and_garbage_is_ignored() {
    let mut origin = Origin::new(4, true);
    let out = origin.tabs[2].share.signed_out();
    origin.tabs[2].tokens = None;
    origin.post(2, out);
    origin.deliver();
    assert!(origin.tabs.iter().all(|t| t.tokens.is_none()));

    let mine = tokens("alice", 1_000, "R0");
    let mut tab = SessionShare::new(&mine).unwrap();
    let signed_out = tab.signed_out();
    for text in [
        "",
        "not json",
        "{}",
        r#"{"v":"1","type":"signedOut"}"#,
        &signed_out.replace(r#""v":"1""#, r#""v":"2""#),
        &signed_out.replace("cognito-sigv4-session/", "other/"),
        &tab.want(&mine).replace("want", "have"),
    ] {
        assert_eq!(tab.on_message(text, &mine), Heard::Nothing, "{text}");
    }
    // The same refresh token: the sender revoked it already.
    assert_eq!(
        tab.on_message(&signed_out, &mine),
        Heard::SignedOut { revoke: false }
    );
    // Another sign-in of the same user, or a refresh the sender had not
    // heard of: this tab's refresh token is revoked too.
    let other = tokens("alice", 1_000, "S0");
    let theirs = SessionShare::new(&other).unwrap().signed_out();
    assert_eq!(
        tab.on_message(&theirs, &mine),
        Heard::SignedOut { revoke: true }
    );
    let mut moved = SessionShare::new(&mine).unwrap();
    let stale = moved.signed_out();
    moved.refreshed(&tokens("alice", 2_000, "R1"));
    assert_eq!(
        moved.on_message(&stale, &tokens("alice", 2_000, "R1")),
        Heard::SignedOut { revoke: true }
    );
}

#[test]
fn a_tab_remembers_a_bounded_number_of_spent_tokens() {
    let mut tokens_now = tokens("alice", 1_000, "R0");
    let mut tab = SessionShare::new(&tokens_now).unwrap();
    let first_ask = tab.want(&tokens_now);
    for n in 1..=20u64 {
        tokens_now = tokens("alice", 1_000 + n, &format!("R{n}"));
        tab.refreshed(&tokens_now);
    }
    assert_eq!(tab.spent.len(), SPENT_KEPT);
    // R0 is long gone: not answered; R19 (spent last) is.
    assert_eq!(tab.on_message(&first_ask, &tokens_now), Heard::Nothing);
    let r19 = tokens("alice", 1_019, "R19");
    let ask = SessionShare::new(&r19).unwrap().want(&r19);
    assert!(matches!(tab.on_message(&ask, &tokens_now), Heard::Reply(_)));
}

#[test]
fn a_session_needs_an_id_token_with_a_subject() {
    let mut t = tokens("alice", 1_000, "R0");
    t.id_token = "opaque".into();
    assert!(SessionShare::new(&t).is_err());
    t.id_token = jwt("", 1_000);
    assert!(SessionShare::new(&t).is_err());
}

#[test]
fn an_iat_written_as_a_string_counts_as_the_refresh_rule_reads_it() {
    let b64 = jwt::base64url_encode;
    let with_iat = |iat: &str| {
        let payload = format!(r#"{{"aud":"{CLIENT}","sub":"alice","iat":{iat}}}"#);
        [b64("{}"), b64(&payload), "c2ln".into()].join(".")
    };
    let mut mine = tokens("alice", 0, "R0");
    mine.id_token = with_iat(r#""1000""#);
    let mut tab = SessionShare::new(&mine).unwrap();
    // Newer tokens of the same refresh token, their iat a string too.
    let mut newer = mine.clone();
    newer.id_token = with_iat(r#""2000""#);
    let have = SessionShare::new(&mine).unwrap().refreshed(&newer);
    assert!(matches!(tab.on_message(&have, &mine), Heard::Adopt(_)));
}
