//! `deleteObjects`: any number of keys, 1,000 per DeleteObjects request, and
//! one by one (DeleteObject) the keys XML 1.0 cannot carry. Every request is
//! built, and every key checked, before anything is sent; S3's answer for
//! each key is kept, and a request that fails stops the rest with what the
//! earlier ones did.

use super::s3::{Kind, S3Op};
use super::{Call, Failure, Head, Machine, Need, Output, Signing};
use crate::error::{Error, Result};
use crate::s3::{
    Bucket, DeleteError, DeleteObject, DeleteObjects, Deleted, S3Request, MAX_DELETE_KEYS,
};
use crate::sigv4::Credentials;
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

/// One request to send: a batch and its XML body, or a key alone.
enum Request {
    Batch(S3Request, String),
    Single(S3Request, String),
}

/// The host of one of S3's own URLs (built canonical by `s3::url`).
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    String::from(rest.split(['/', '?']).next().unwrap_or(""))
}

pub struct DeleteObjectsOp {
    pending: VecDeque<Request>,
    /// The request in flight, and the key it deletes alone.
    current: Option<(S3Op, Option<String>)>,
    done: Deleted,
    now_seed: (i64, u64),
}

impl DeleteObjectsOp {
    /// Every request for `keys`; a key S3 cannot take is an error before anything is sent.
    pub fn new(bucket: &Bucket<'_>, keys: Vec<String>, now_ms: i64, seed: u64) -> Result<Self> {
        let (batched, alone): (Vec<String>, Vec<String>) =
            keys.into_iter().partition(|k| DeleteObjects::fits_xml(k));
        let mut pending = VecDeque::new();
        for batch in batched.chunks(MAX_DELETE_KEYS) {
            let (r, body) = (DeleteObjects { keys: batch }).request(bucket)?;
            pending.push_back(Request::Batch(r, body));
        }
        for key in alone {
            let r = DeleteObject { key: &key }.request(bucket)?;
            pending.push_back(Request::Single(r, key));
        }
        Ok(DeleteObjectsOp {
            pending,
            current: None,
            done: Deleted::default(),
            now_seed: (now_ms, seed),
        })
    }

    fn start(&mut self, signing: &Signing) -> bool {
        let Some(next) = self.pending.pop_front() else {
            return false;
        };
        let call = |r: &S3Request| {
            let headers = r
                .headers
                .iter()
                .map(|(n, v)| (String::from(*n), v.clone()))
                .collect();
            let (now, seed) = self.now_seed;
            Call::new(
                signing,
                r.method.into(),
                r.url.clone(),
                host_of(&r.url),
                headers,
                super::Body::Empty,
                false,
                now,
                seed,
            )
        };
        self.current = Some(match next {
            Request::Batch(r, body) => (
                S3Op::new(call(&r).with_text(body), r.operation, Kind::Delete),
                None,
            ),
            Request::Single(r, key) => (S3Op::new(call(&r), r.operation, Kind::Nothing), Some(key)),
        });
        true
    }

    fn output(&mut self, failure: Option<Error>) -> Need {
        Need::Done(Output::Deleted(core::mem::take(&mut self.done), failure))
    }
}

impl Machine for DeleteObjectsOp {
    fn poll(&mut self, signing: &mut Signing, now_ms: i64) -> Need {
        loop {
            if self.current.is_none() {
                self.now_seed.0 = now_ms;
                self.now_seed.1 = self.now_seed.1.rotate_left(7) ^ 0x9e37_79b9;
                if !self.start(signing) {
                    return self.output(None);
                }
            }
            let Some((op, alone)) = self.current.as_mut() else {
                return self.output(None);
            };
            match op.poll(signing, now_ms) {
                Need::Done(Output::Deleted(d, _)) => {
                    self.done.deleted.extend(d.deleted);
                    self.done.errors.extend(d.errors);
                }
                Need::Done(_) => self.done.deleted.extend(alone.take()),
                // S3's answer for a key alone is that key's, as a batch would give it.
                Need::Fail(e) if alone.is_some() && e.status.is_some() => {
                    self.done.errors.push(DeleteError {
                        key: alone.take().unwrap_or_default(),
                        code: String::from(e.name()),
                        message: e.message,
                    });
                }
                Need::Fail(e) => {
                    self.current = None;
                    return self.output(Some(e));
                }
                need => return need,
            }
            self.current = None;
        }
    }

    fn on_credentials(&mut self, keys: Credentials) {
        if let Some((op, _)) = self.current.as_mut() {
            op.on_credentials(keys)
        }
    }

    fn on_head(&mut self, head: Head, now_ms: i64) {
        if let Some((op, _)) = self.current.as_mut() {
            op.on_head(head, now_ms)
        }
    }

    fn on_text(&mut self, text: String, now_ms: i64) {
        if let Some((op, _)) = self.current.as_mut() {
            op.on_text(text, now_ms)
        }
    }

    fn on_failure(&mut self, failure: Failure, now_ms: i64) {
        if let Some((op, _)) = self.current.as_mut() {
            op.on_failure(failure, now_ms)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use alloc::string::ToString;
    use alloc::vec;

    const NOW: i64 = 1_440_938_160_000;

    fn drive(
        m: &mut DeleteObjectsOp,
        s: &mut Signing,
        answer: &mut dyn FnMut(&super::super::Attempt) -> (u16, String),
    ) -> (Deleted, Option<Error>) {
        let mut last = None;
        for _ in 0..100 {
            match m.poll(s, NOW) {
                Need::Credentials => {
                    m.on_credentials(Credentials::new("AKID", "secret", None).unwrap())
                }
                Need::Send(a) => {
                    let (status, text) = answer(&a);
                    last = Some(text);
                    m.on_head(
                        Head {
                            status,
                            ..Head::default()
                        },
                        NOW,
                    );
                }
                Need::ReadText { .. } => m.on_text(last.take().unwrap_or_default(), NOW),
                Need::Discard => {}
                Need::Done(Output::Deleted(d, f)) => return (d, f),
                other => panic!("{other:?}"),
            }
        }
        panic!("no end")
    }

    fn bucket() -> Bucket<'static> {
        Bucket {
            region: "us-east-1",
            bucket: "b-1",
            ..Bucket::default()
        }
    }

    #[test]
    fn batches_and_keys_alone_merge_their_answers() {
        let mut s = Signing::new(Some("us-east-1".into()), Some("s3".into()), 0, None);
        let mut keys: Vec<String> = (0..1500).map(|i| i.to_string()).collect();
        keys.push("ctl\u{1}key".into());
        keys.push("denied\u{2}".into());
        let mut m = DeleteObjectsOp::new(&bucket(), keys, NOW, 1).unwrap();
        let mut sent = Vec::new();
        let (d, failure) = drive(&mut m, &mut s, &mut |a| {
            sent.push((
                a.method.clone(),
                a.url.clone(),
                a.body.as_ref().map_or(0, |b| b.matches("<Key>").count()),
            ));
            match a.body.as_deref() {
                Some(body) => {
                    let keys: Vec<&str> = body
                        .split("<Key>")
                        .skip(1)
                        .map(|k| k.split("</Key>").next().unwrap())
                        .collect();
                    let doc: String = keys
                        .iter()
                        .map(|k| ["<Deleted><Key>", k, "</Key></Deleted>"].concat())
                        .collect();
                    (200, ["<DeleteResult>", &doc, "</DeleteResult>"].concat())
                }
                None if a.url.contains("denied") => (
                    403,
                    "<Error><Code>AccessDenied</Code><Message>no</Message></Error>".into(),
                ),
                None => (204, String::new()),
            }
        });
        assert!(failure.is_none());
        assert_eq!(
            sent.iter().map(|s| s.2).collect::<Vec<_>>(),
            [1000, 500, 0, 0]
        );
        assert_eq!(sent[2].0, "DELETE");
        assert_eq!(d.deleted.len(), 1501);
        assert_eq!(
            d.errors,
            [DeleteError {
                key: "denied\u{2}".into(),
                code: "AccessDenied".into(),
                message: d.errors[0].message.clone()
            }]
        );
    }

    #[test]
    fn a_bad_key_sends_nothing_and_a_failed_batch_keeps_what_came_before() {
        let keys = vec!["a".to_string(), "b/../c".to_string()];
        assert_eq!(
            DeleteObjectsOp::new(&bucket(), keys, NOW, 1)
                .err()
                .map(|e| e.code),
            Some(ErrorCode::InvalidConfig)
        );
        let mut s = Signing::new(Some("us-east-1".into()), Some("s3".into()), 0, None);
        let keys: Vec<String> = (0..2500).map(|i| i.to_string()).collect();
        let mut m = DeleteObjectsOp::new(&bucket(), keys, NOW, 1).unwrap();
        let mut n = 0;
        let (d, failure) = drive(&mut m, &mut s, &mut |_| {
            n += 1;
            match n {
                1 => (
                    200,
                    "<DeleteResult><Deleted><Key>0</Key></Deleted></DeleteResult>".into(),
                ),
                _ => (500, "<Error><Code>InternalError</Code></Error>".into()),
            }
        });
        assert_eq!(d.deleted, ["0"]);
        assert_eq!(failure.map(|e| e.status), Some(Some(500)));
        assert_eq!(n, 2, "the third batch is not sent");
    }
}
