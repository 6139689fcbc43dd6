//! Across tabs (#23): several providers with `share` on, as the tabs of one
//! origin, over a scripted channel (a message reaches every other tab of the
//! same channel at once, as a BroadcastChannel's does within a task or two)
//! and a scripted lock (one holder, first come first served, released with
//! its tab, as a Web Lock is), against a scripted Cognito.

use super::*;
use alloc::format;
use alloc::vec;

/// What a tab is doing.
#[derive(Debug)]
enum State {
    /// Poll the provider next.
    Polling,
    /// After Step::Ask: until this time, or until an answer is heard.
    Asking(i64),
    /// After Step::Lock: queued for the lock.
    Queued,
    Done(Issued),
    /// Its request sent, never answered (see `Origin::park`).
    Parked,
    /// Closed: its lock (if it held it) went with it.
    Closed,
}

struct Tab {
    provider: Provider,
    storage: MemoryStorage,
    logins: Vec<(String, String)>,
    state: State,
    holds_lock: bool,
    /// Another tab held the lock when this one asked for it.
    waited_for_lock: bool,
    /// Events the app would see: "adopted", "signedOut".
    events: Vec<&'static str>,
}

struct Origin {
    tabs: Vec<Tab>,
    /// The lock's holder and queue, per channel name.
    locks: Vec<(String, Option<usize>, Vec<usize>)>,
    requests: Vec<(usize, HttpRequest)>,
    /// Every message posted, with its channel.
    posted: Vec<(String, String)>,
    now: i64,
    creds_served: usize,
    /// Requests are left unanswered, their tabs parked.
    park: bool,
}

fn config() -> Config {
    let mut config = Config::new("us-east-1", POOL).unwrap();
    config.share = true;
    config
}

fn logins(sub: &str) -> Vec<(String, String)> {
    vec![(KEY.to_string(), id_token(sub))]
}

impl Tab {
    fn new(sub: &str) -> Self {
        Tab {
            provider: Provider::new(config()),
            storage: MemoryStorage::default(),
            logins: logins(sub),
            state: State::Polling,
            holds_lock: false,
            waited_for_lock: false,
            events: Vec::new(),
        }
    }
}

impl Origin {
    fn new(users: &[&str]) -> Self {
        Origin {
            tabs: users.iter().map(|sub| Tab::new(sub)).collect(),
            locks: Vec::new(),
            requests: Vec::new(),
            posted: Vec::new(),
            now: T0,
            creds_served: 0,
            park: false,
        }
    }

    fn open(&mut self, sub: &str) -> usize {
        self.tabs.push(Tab::new(sub));
        self.tabs.len() - 1
    }

    /// Posts `text` from tab `from` on its channel: every other open tab
    /// listening there hears it; replies are posted in turn.
    fn post(&mut self, from: usize, text: String) {
        let Some(channel) = self.tabs[from].provider.channel() else {
            return;
        };
        self.posted.push((channel.clone(), text.clone()));
        for i in 0..self.tabs.len() {
            let listening = i != from
                && !matches!(self.tabs[i].state, State::Closed)
                && self.tabs[i].provider.channel().as_deref() == Some(channel.as_str());
            if !listening {
                continue;
            }
            let tab = &mut self.tabs[i];
            match tab.provider.on_message(&text, self.now, &mut tab.storage) {
                Heard::Reply(reply) => self.post(i, reply),
                Heard::Adopted { signed_in: true } => tab.events.push("signedIn"),
                Heard::Adopted { signed_in: false } => tab.events.push("refreshed"),
                Heard::SignedOut => {
                    tab.events.push("signedOut");
                    // Its exchange in flight, if any, is dropped (a new generation).
                    tab.state = State::Polling;
                }
                Heard::Nothing => {}
            }
        }
    }

    fn lock(&mut self, channel: &str) -> &mut (String, Option<usize>, Vec<usize>) {
        if !self.locks.iter().any(|(c, ..)| c == channel) {
            self.locks.push((channel.to_string(), None, Vec::new()));
        }
        self.locks.iter_mut().find(|(c, ..)| c == channel).unwrap()
    }

    fn release(&mut self, i: usize) {
        if core::mem::take(&mut self.tabs[i].holds_lock) {
            for (_, holder, _) in &mut self.locks {
                if *holder == Some(i) {
                    *holder = None;
                }
            }
        }
    }

    /// Cognito: GetId, then GetCredentialsForIdentity, each answered at once.
    fn answer(&mut self, i: usize, request: HttpRequest) -> HttpResponse {
        let target = request
            .headers
            .iter()
            .find(|(n, _)| *n == "x-amz-target")
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
        self.requests.push((i, request));
        if target.ends_with("GetId") {
            ok(r#"{"IdentityId":"us-east-1:id"}"#.to_string())
        } else {
            self.creds_served += 1;
            creds_answer(self.now + 60 * MIN, self.creds_served)
        }
    }

    /// One step of tab `i`; whether it did anything.
    fn step(&mut self, i: usize) -> bool {
        match self.tabs[i].state {
            State::Done(_) | State::Parked | State::Closed => return false,
            State::Asking(until) if self.now < until => return false,
            State::Queued => {
                let channel = self.tabs[i].provider.channel().unwrap();
                let lock = self.lock(&channel);
                if lock.1.is_some() || lock.2.first() != Some(&i) {
                    return false;
                }
                lock.1 = Some(i);
                lock.2.remove(0);
                let waited = core::mem::replace(&mut self.tabs[i].waited_for_lock, false);
                self.tabs[i].holds_lock = true;
                let p = &mut self.tabs[i].provider;
                p.on_locked(p.generation(), waited).unwrap();
                self.tabs[i].state = State::Polling;
            }
            State::Asking(_) | State::Polling => {}
        }
        let now = self.now;
        let tab = &mut self.tabs[i];
        let mut step = if matches!(tab.state, State::Asking(_)) {
            tab.provider.resume(tab.provider.generation(), now)
        } else {
            tab.provider.poll(now)
        };
        if step == Step::NeedLogins {
            let g = tab.provider.generation();
            tab.provider
                .set_logins(g, tab.logins.clone(), &tab.storage)
                .unwrap();
            step = tab.provider.poll(now);
        }
        loop {
            let tab = &mut self.tabs[i];
            step = match step {
                Step::Ready(issued) => {
                    tab.state = State::Done(issued);
                    let announcement = tab.provider.take_announcement();
                    self.release(i);
                    if let Some(text) = announcement {
                        self.post(i, text);
                    }
                    return true;
                }
                Step::Ask { until } => {
                    tab.state = State::Asking(until);
                    let want = tab.provider.want().unwrap();
                    self.post(i, want);
                    // An answer may have come at once.
                    if !matches!(self.tabs[i].provider.phase, Phase::Asking { .. }) {
                        self.tabs[i].state = State::Polling;
                    }
                    return true;
                }
                Step::Lock => {
                    tab.state = State::Queued;
                    let channel = tab.provider.channel().unwrap();
                    let lock = self.lock(&channel);
                    let waited = lock.1.is_some() || !lock.2.is_empty();
                    lock.2.push(i);
                    self.tabs[i].waited_for_lock = waited;
                    return true;
                }
                Step::Send(request) if self.park => {
                    self.requests.push((i, request));
                    self.tabs[i].state = State::Parked;
                    return true;
                }
                Step::Send(request) => {
                    let response = self.answer(i, request);
                    let tab = &mut self.tabs[i];
                    let g = tab.provider.generation();
                    tab.provider.on_response(g, response, now, &mut tab.storage)
                }
                other => panic!("tab {i}: {other:?}"),
            };
        }
    }

    /// Runs every tab until none has anything left to do, 10 ms at a time.
    fn run(&mut self) {
        for _ in 0..1000 {
            let mut busy = false;
            for i in 0..self.tabs.len() {
                busy |= self.step(i);
            }
            let waiting = self
                .tabs
                .iter()
                .any(|t| matches!(t.state, State::Asking(_) | State::Queued | State::Polling));
            if !busy && !waiting {
                return;
            }
            self.now += 10;
        }
        panic!(
            "the tabs never settled: {:?}",
            self.tabs.iter().map(|t| &t.state).collect::<Vec<_>>()
        );
    }

    fn issued(&self, i: usize) -> &Issued {
        match &self.tabs[i].state {
            State::Done(issued) => issued,
            other => panic!("tab {i}: {other:?}"),
        }
    }
}

#[test]
fn five_tabs_opened_at_once_make_one_exchange() {
    let mut origin = Origin::new(&["alice"; 5]);
    origin.run();
    assert_eq!(
        origin.requests.len(),
        2,
        "GetId and GetCredentialsForIdentity, once"
    );
    let key = &origin.issued(0).credentials.access_key_id;
    for i in 1..5 {
        assert_eq!(&origin.issued(i).credentials.access_key_id, key, "tab {i}");
    }
    // Every tab but the one that exchanged took them from it.
    let exchanged = origin.requests[0].0;
    for (i, tab) in origin.tabs.iter().enumerate() {
        let expected: &[&str] = if i == exchanged { &[] } else { &["signedIn"] };
        assert_eq!(tab.events, expected, "tab {i}");
    }
    // Fresher credentials later (another tab's refresh) are a refresh here.
    let channel = origin.tabs[0].provider.channel().unwrap();
    let mut fresher = origin.issued(0).clone();
    fresher.credentials.expiration_ms = fresher.credentials.expiration_ms.map(|e| e + MIN);
    let tag = tabs::logins_tag(&logins("alice"));
    let text = tabs::encode(&channel, &tag, &tabs::Message::Have(fresher));
    let tab = &mut origin.tabs[1];
    assert_eq!(
        tab.provider.on_message(&text, origin.now, &mut tab.storage),
        Heard::Adopted { signed_in: false }
    );
}

#[test]
fn a_tab_opened_later_asks_and_exchanges_nothing() {
    let mut origin = Origin::new(&["alice"]);
    origin.run();
    let second = origin.open("alice");
    origin.run();
    assert_eq!(origin.requests.len(), 2);
    assert_eq!(origin.issued(second), origin.issued(0));
    // It asked, was answered, and never queued for the lock.
    assert!(origin
        .locks
        .iter()
        .all(|(_, holder, queue)| holder.is_none() && queue.is_empty()));
}

#[test]
fn nobody_answers_another_user_and_their_credentials_never_cross() {
    let mut origin = Origin::new(&["alice", "bob", "alice", "bob"]);
    origin.run();
    // One exchange per user.
    assert_eq!(origin.requests.len(), 4);
    assert_eq!(origin.issued(0), origin.issued(2));
    assert_eq!(origin.issued(1), origin.issued(3));
    assert_ne!(origin.issued(0).credentials, origin.issued(1).credentials);
    // Two channels, and no message of one names the other.
    let alice = origin.tabs[0].provider.channel().unwrap();
    let bob = origin.tabs[1].provider.channel().unwrap();
    assert_ne!(alice, bob);
    let secret = |i: usize| origin.issued(i).credentials.secret_access_key.clone();
    for (channel, text) in &origin.posted {
        if text.contains(&secret(0)) {
            assert_eq!(channel, &alice);
        }
        if text.contains(&secret(1)) {
            assert_eq!(channel, &bob);
        }
    }
    // Even a message carried to the wrong channel is refused.
    let (_, alices) = origin
        .posted
        .iter()
        .find(|(c, t)| *c == alice && t.contains("\"have\""))
        .cloned()
        .unwrap();
    let bob_tab = &mut origin.tabs[1];
    assert_eq!(
        bob_tab
            .provider
            .on_message(&alices, origin.now, &mut bob_tab.storage),
        Heard::Nothing
    );
}

#[test]
fn a_token_the_pool_never_accepted_gets_nothing_from_the_others() {
    // Same user (`sub`), same channel, but a token whose signature was
    // tampered with: it must go to the pool, which refuses it.
    let mut origin = Origin::new(&["alice"]);
    origin.run();
    let forged = origin.open("alice");
    let token = &mut origin.tabs[forged].logins[0].1;
    token.truncate(token.len() - 4);
    token.push_str("AAAA");
    origin.run();
    assert_eq!(
        origin.requests.len(),
        4,
        "the forged token was exchanged with the pool"
    );
    assert_ne!(origin.issued(forged), origin.issued(0));
    assert!(origin.tabs[forged].events.is_empty());
    // A sign-out still reaches it: it is the same user's.
    let text = origin.tabs[0].provider.signed_out().unwrap();
    let tab = &mut origin.tabs[0];
    tab.provider.clear(&mut tab.storage);
    origin.post_as(0, text);
    assert_eq!(origin.tabs[forged].events, ["signedOut"]);
}

#[test]
fn another_role_for_the_same_user_is_another_channel() {
    let channel = |custom: Option<&str>, basic: Option<&str>| {
        let mut config = config();
        config.custom_role_arn = custom.map(String::from);
        if let Some(role_arn) = basic {
            config.flow = Flow::Basic {
                role_arn: role_arn.into(),
            };
        }
        let mut p = Provider::new(config);
        p.set_logins(0, logins("both"), &MemoryStorage::default())
            .unwrap();
        p.channel().unwrap()
    };
    let admin = "arn:aws:iam::1:role/admin";
    let all = [
        channel(None, None),
        channel(Some(admin), None),
        channel(Some("arn:aws:iam::1:role/user"), None),
        channel(None, Some(admin)),
    ];
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            assert_ne!(a, b);
        }
    }
}

#[test]
fn the_channel_never_names_the_principal() {
    // An opaque login token is its own principal: it must not appear in a
    // lock or channel name.
    let mut p = Provider::new(config());
    let opaque = vec![(
        String::from("graph.facebook.com"),
        String::from("EAAB-secret-token"),
    )];
    p.set_logins(0, opaque, &MemoryStorage::default()).unwrap();
    let channel = p.channel().unwrap();
    assert!(!channel.contains("EAAB"), "{channel}");
    assert!(channel.starts_with(&format!("cognito-sigv4/{POOL}/")));
}

#[test]
fn signing_out_in_one_tab_signs_out_every_tab() {
    let mut origin = Origin::new(&["alice"; 3]);
    origin.run();
    let text = origin.tabs[0].provider.signed_out().unwrap();
    let tab = &mut origin.tabs[0];
    tab.provider.clear(&mut tab.storage);
    origin.post_as(0, text);
    for i in 1..3 {
        let tab = &mut origin.tabs[i];
        assert_eq!(tab.events.last(), Some(&"signedOut"), "tab {i}");
        assert!(
            tab.provider.channel().is_none(),
            "tab {i} still knows the user"
        );
        // Its next get() starts from its logins: nothing cached is handed out.
        assert_eq!(tab.provider.poll(origin.now), Step::NeedLogins);
    }
}

#[test]
fn a_late_answer_after_sign_out_is_dropped() {
    let mut origin = Origin::new(&["alice"; 2]);
    origin.run();
    let have = origin
        .posted
        .iter()
        .find(|(_, t)| t.contains("\"have\""))
        .map(|(_, t)| t.clone())
        .unwrap();
    let tab = &mut origin.tabs[1];
    tab.provider.clear(&mut tab.storage);
    assert_eq!(
        tab.provider.on_message(&have, origin.now, &mut tab.storage),
        Heard::Nothing
    );
    assert_eq!(tab.provider.poll(origin.now), Step::NeedLogins);
}

#[test]
fn a_tab_closed_while_it_holds_the_lock_does_not_block_the_others() {
    let mut origin = Origin::new(&["alice"; 4]);
    // Until one tab holds the lock and has sent its GetId, unanswered.
    origin.park = true;
    for _ in 0..100 {
        for i in 0..4 {
            origin.step(i);
        }
        if !origin.requests.is_empty() {
            break;
        }
        origin.now += 10;
    }
    let holder = origin.requests[0].0;
    assert!(origin.tabs[holder].holds_lock);
    // It closes mid-exchange: the browser releases its lock.
    origin.tabs[holder].state = State::Closed;
    origin.release(holder);
    origin.park = false;
    origin.run();
    // The next in line exchanged in its place, and the rest took its result.
    assert_eq!(
        origin.requests.len(),
        3,
        "the closed tab's GetId, then one exchange"
    );
    let key = origin
        .issued((holder + 1) % 4)
        .credentials
        .access_key_id
        .clone();
    for i in (0..4).filter(|&i| i != holder) {
        assert_eq!(origin.issued(i).credentials.access_key_id, key, "tab {i}");
    }
}

#[test]
fn stale_or_older_credentials_from_another_tab_are_not_taken() {
    let mut origin = Origin::new(&["alice"]);
    origin.run();
    let channel = origin.tabs[0].provider.channel().unwrap();
    let mut old = origin.issued(0).clone();
    old.credentials.expiration_ms = Some(origin.now + MIN);
    let tag = tabs::logins_tag(&logins("alice"));
    let text = tabs::encode(&channel, &tag, &tabs::Message::Have(old));
    let tab = &mut origin.tabs[0];
    assert_eq!(
        tab.provider.on_message(&text, origin.now, &mut tab.storage),
        Heard::Nothing
    );
    // Garbage and other versions are ignored.
    for text in [
        "",
        "{}",
        r#"{"v":"2","channel":"x","type":"want"}"#,
        "not json",
    ] {
        assert_eq!(
            tab.provider.on_message(text, origin.now, &mut tab.storage),
            Heard::Nothing
        );
    }
}

impl Origin {
    /// Posts as tab `from` whose user has just signed out (its channel is gone):
    /// on the channel it had.
    fn post_as(&mut self, from: usize, text: String) {
        let channel = self
            .tabs
            .iter()
            .enumerate()
            .find(|(i, t)| *i != from && t.provider.channel().is_some())
            .and_then(|(_, t)| t.provider.channel())
            .unwrap();
        self.posted.push((channel.clone(), text.clone()));
        for i in 0..self.tabs.len() {
            if i == from || self.tabs[i].provider.channel().as_deref() != Some(channel.as_str()) {
                continue;
            }
            let tab = &mut self.tabs[i];
            if tab.provider.on_message(&text, self.now, &mut tab.storage) == Heard::SignedOut {
                tab.events.push("signedOut");
            }
        }
    }
}

#[test]
fn a_tab_granted_the_lock_before_it_hears_the_holders_post_asks_again() {
    // Tab b waited for the lock behind tab a; a's announcement reaches b
    // only after b holds the lock (a BroadcastChannel and Web Locks keep no
    // order between them).
    let mut origin = Origin::new(&["alice"; 2]);
    let (a, b) = (0, 1);
    let ask = |tab: &mut Tab, now: i64| {
        assert_eq!(tab.provider.poll(now), Step::NeedLogins);
        let g = tab.provider.generation();
        tab.provider
            .set_logins(g, tab.logins.clone(), &tab.storage)
            .unwrap();
        assert!(matches!(tab.provider.poll(now), Step::Ask { .. }));
        assert_eq!(tab.provider.resume(g, now + ASK_MS), Step::Lock);
    };
    ask(&mut origin.tabs[a], origin.now);
    ask(&mut origin.tabs[b], origin.now);
    // a holds the lock (it was free) and exchanges.
    let now = origin.now + ASK_MS;
    let tab = &mut origin.tabs[a];
    tab.provider.on_locked(0, false).unwrap();
    let mut step = tab.provider.poll(now);
    while let Step::Send(request) = step {
        let response = origin.answer(a, request);
        let tab = &mut origin.tabs[a];
        step = tab.provider.on_response(0, response, now, &mut tab.storage);
    }
    let Step::Ready(got) = step else {
        panic!("{step:?}")
    };
    let _late = origin.tabs[a].provider.take_announcement().unwrap();
    assert_eq!(origin.requests.len(), 2);
    // b holds the lock now, having heard nothing: it asks once more, and a answers.
    let tab = &mut origin.tabs[b];
    tab.provider.on_locked(0, true).unwrap();
    assert!(matches!(tab.provider.poll(now), Step::Ask { .. }));
    let want = tab.provider.want().unwrap();
    let tab_a = &mut origin.tabs[a];
    let Heard::Reply(have) = tab_a.provider.on_message(&want, now, &mut tab_a.storage) else {
        panic!("a did not answer");
    };
    let tab = &mut origin.tabs[b];
    assert_eq!(
        tab.provider.on_message(&have, now, &mut tab.storage),
        Heard::Adopted { signed_in: true }
    );
    assert_eq!(tab.provider.resume(0, now + 1), Step::Ready(got));
    assert_eq!(origin.requests.len(), 2, "b exchanged nothing");
    // Had nobody answered, b would have exchanged under the lock it holds.
    let mut c = Tab::new("alice");
    c.provider
        .set_logins(0, c.logins.clone(), &c.storage)
        .unwrap();
    assert!(matches!(c.provider.poll(now), Step::Ask { .. }));
    assert_eq!(c.provider.resume(0, now + ASK_MS), Step::Lock);
    c.provider.on_locked(0, true).unwrap();
    assert!(matches!(c.provider.poll(now + ASK_MS), Step::Ask { .. }));
    assert!(matches!(
        c.provider.resume(0, now + 2 * ASK_MS),
        Step::Send(_)
    ));
}
