//! The upload machine driven natively as the shell drives it: a body of
//! scripted length (or a stream of scripted chunks), and an S3 that answers
//! each request as a test says.

use super::upload::{Payload, Plan, Step, Upload};
use super::Output;
use crate::error::{Error, ErrorCode};
use crate::s3::{Bucket, Part, PartsPage};
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};

const MIB: u64 = 1024 * 1024;

fn bucket() -> Bucket<'static> {
    Bucket {
        region: "us-east-1",
        bucket: "b-1",
        endpoint: "",
        force_path_style: false,
    }
}

/// What S3 answers: `None` fails the request (the shell keeps its error).
type Answer = fn(&str, u32) -> Option<Output>;

fn s3_ok(operation: &str, slot: u32) -> Option<Output> {
    Some(match operation {
        "CreateMultipartUpload" => Output::UploadId("up-1".into()),
        "ListParts" => Output::Parts(PartsPage::default()),
        "CompleteMultipartUpload" => Output::Etag(Some("\"whole\"".into())),
        "AbortMultipartUpload" => Output::Nothing,
        "UploadPart" => Output::Etag(Some(["p", &slot.to_string()].concat())),
        _ => Output::Etag(Some("\"put\"".into())),
    })
}

/// The body: its length, or a stream that gives at most `chunk` bytes a read
/// and ends after `len`.
struct Body {
    len: u64,
    stream: bool,
    at: u64,
}

/// Done (ETag, uploadId, parts) or failed (the machine's error, uploadId).
type Outcome = Result<(Option<String>, Option<String>, u32), (Option<Error>, Option<String>)>;

#[derive(Debug, Default)]
struct Run {
    /// Every step in order, in short: "read 0-5242880", "send UploadPart 1", …
    log: Vec<String>,
    most_in_flight: usize,
    /// Reads asked while `concurrency` parts were in flight.
    reads_while_full: usize,
    progress: Vec<(u64, Option<String>)>,
    complete_body: Option<String>,
    abort_had_signal: Option<bool>,
    outcome: Option<Outcome>,
}

/// Drives `m` to its end, answering in the order requests were sent unless
/// `answer` says otherwise; `cancel_after` cancels once that many steps ran.
fn drive(m: &mut Upload, body: &mut Body, answer: Answer, cancel_after: Option<usize>) -> Run {
    let b = bucket();
    let mut run = Run::default();
    let mut in_flight: Vec<(u32, &'static str)> = Vec::new();
    let concurrency = 2;
    for step_no in 0..100_000 {
        if cancel_after == Some(step_no) {
            run.log.push("cancel".into());
            m.cancel();
        }
        match m.poll(&b) {
            Step::Read { start, end } => {
                if in_flight.iter().filter(|(s, _)| *s > 0).count() >= concurrency {
                    run.reads_while_full += 1;
                }
                run.log
                    .push(["read ", &start.to_string(), "-", &end.to_string()].concat());
                if body.stream {
                    let got = (end - start).min(body.len - body.at);
                    body.at += got;
                    match got {
                        0 if start > 0 => m.on_read(None, true),
                        n => m.on_read(Some(n), body.at == body.len && n < end - start),
                    }
                } else {
                    assert!(end <= body.len, "read past the body");
                    m.on_read(Some(end - start), false);
                }
            }
            Step::Send(send) => {
                let r = send.request.expect("a request");
                run.log
                    .push(["send ", r.operation, " ", &send.slot.to_string()].concat());
                match (&send.payload, r.operation) {
                    (Payload::Text(t), _) => run.complete_body = Some(t.clone()),
                    (Payload::Read, "UploadPart" | "PutObject") => {}
                    (Payload::None, _) => {}
                    (p, op) => panic!("{op} with {p:?}"),
                }
                if r.operation == "AbortMultipartUpload" {
                    run.abort_had_signal = Some(send.signal);
                }
                in_flight.push((send.slot, r.operation));
                let parts = in_flight.iter().filter(|(s, _)| *s > 0).count();
                run.most_in_flight = run.most_in_flight.max(parts);
            }
            Step::Wait => {
                assert!(
                    !in_flight.is_empty(),
                    "a wait with nothing in flight would hang"
                );
                let (slot, operation) = in_flight.remove(0);
                m.on_answer(slot, answer(operation, slot));
            }
            Step::Progress {
                loaded, upload_id, ..
            } => run.progress.push((loaded, upload_id)),
            Step::Done {
                etag,
                upload_id,
                parts,
            } => {
                run.outcome = Some(Ok((etag, upload_id, parts)));
                return run;
            }
            Step::Fail { error, upload_id } => {
                run.outcome = Some(Err((error, upload_id)));
                return run;
            }
        }
    }
    panic!(
        "the upload never ended: {:?}",
        &run.log[run.log.len() - 20..]
    );
}

fn plan(total: Option<u64>) -> Plan {
    Plan {
        total,
        part_size: None,
        concurrency: 2,
        ..Plan::default()
    }
}

fn blob(len: u64) -> Body {
    Body {
        len,
        stream: false,
        at: 0,
    }
}

fn stream(len: u64) -> Body {
    Body {
        len,
        stream: true,
        at: 0,
    }
}

fn sends(run: &Run) -> Vec<&str> {
    run.log
        .iter()
        .filter(|l| l.starts_with("send "))
        .map(String::as_str)
        .collect()
}

#[test]
fn a_body_of_one_part_is_one_put() {
    let mut m = Upload::new("k".into(), plan(Some(1000))).unwrap();
    let run = drive(&mut m, &mut blob(1000), s3_ok, None);
    assert_eq!(run.log, ["read 0-1000", "send PutObject 0"]);
    assert_eq!(run.outcome, Some(Ok((Some("\"put\"".into()), None, 1))));
    assert_eq!(run.progress, [(1000, None)]);
}

#[test]
fn put_object_sends_up_to_its_limit_in_one_put() {
    let mut p = plan(Some(10 * MIB));
    p.one_put_up_to = 16 * MIB;
    let mut m = Upload::new("k".into(), p).unwrap();
    let run = drive(&mut m, &mut blob(10 * MIB), s3_ok, None);
    assert_eq!(run.log, ["read 0-10485760", "send PutObject 0"]);
}

#[test]
fn parts_go_two_at_a_time_and_are_completed_in_order() {
    let total = 23 * MIB;
    let mut m = Upload::new("k".into(), plan(Some(total))).unwrap();
    let run = drive(&mut m, &mut blob(total), s3_ok, None);
    assert_eq!(run.most_in_flight, 2);
    assert_eq!(
        run.reads_while_full, 0,
        "a part read while no slot was free"
    );
    let body = run.complete_body.as_deref().unwrap();
    let numbers: Vec<usize> = (1..=5)
        .map(|n| {
            body.find(&["<ETag>p", &n.to_string(), "<"].concat())
                .unwrap()
        })
        .collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{body}");
    assert_eq!(
        run.outcome,
        Some(Ok((Some("\"whole\"".into()), Some("up-1".into()), 5)))
    );
    // Progress: the id first, then each part, and the whole before Complete.
    assert_eq!(run.progress.first(), Some(&(0, Some("up-1".into()))));
    assert_eq!(run.progress.last().unwrap().0, total);
    assert!(run.progress.windows(2).all(|w| w[0].0 <= w[1].0));
    assert_eq!(sends(&run)[0], "send CreateMultipartUpload 0");
    assert_eq!(sends(&run).last(), Some(&"send CompleteMultipartUpload 0"));
}

fn resumed(operation: &str, slot: u32) -> Option<Output> {
    let part = |number: u32, size: u64| Part {
        number,
        etag: ["old", &number.to_string()].concat(),
        size,
    };
    match operation {
        // Two pages: parts 1 and 2 as they should be, part 3 cut short.
        "ListParts" if slot == 0 => Some(Output::Parts(PartsPage {
            parts: vec![part(1, 5 * MIB)],
            next: Some(1),
        })),
        _ => s3_ok(operation, slot),
    }
}

#[test]
fn a_resume_sends_only_the_parts_s3_lacks() {
    static PAGE: AtomicU32 = AtomicU32::new(0);
    fn pages(operation: &str, slot: u32) -> Option<Output> {
        let part = |number: u32, size: u64| Part {
            number,
            etag: ["old", &number.to_string()].concat(),
            size,
        };
        if operation != "ListParts" {
            return s3_ok(operation, slot);
        }
        let page = PAGE.fetch_add(1, Ordering::Relaxed) + 1;
        Some(Output::Parts(match page {
            1 => PartsPage {
                parts: vec![part(1, 5 * MIB)],
                next: Some(1),
            },
            _ => PartsPage {
                parts: vec![part(2, 5 * MIB), part(3, MIB)],
                next: None,
            },
        }))
    }
    let total = 23 * MIB;
    let mut p = plan(Some(total));
    p.resume = Some("up-9".into());
    let mut m = Upload::new("k".into(), p).unwrap();
    let run = drive(&mut m, &mut blob(total), pages, None);
    assert_eq!(
        sends(&run),
        [
            "send ListParts 0",
            "send ListParts 0",
            "send UploadPart 3",
            "send UploadPart 4",
            "send UploadPart 5",
            "send CompleteMultipartUpload 0"
        ]
    );
    // Part 1 was read before the id (as every first part); 2 never was.
    assert!(!run.log.contains(&"read 5242880-10485760".to_string()));
    let body = run.complete_body.unwrap();
    assert!(body.contains(">old1<") && body.contains(">old2<") && body.contains(">p3<"));
    assert_eq!(
        run.outcome,
        Some(Ok((Some("\"whole\"".into()), Some("up-9".into()), 5)))
    );
}

#[test]
fn a_list_parts_marker_that_does_not_move_on_stops_the_listing() {
    let mut p = plan(Some(12 * MIB));
    p.resume = Some("up-9".into());
    let mut m = Upload::new("k".into(), p).unwrap();
    let run = drive(&mut m, &mut blob(12 * MIB), resumed, None);
    let lists = sends(&run)
        .iter()
        .filter(|s| s.contains("ListParts"))
        .count();
    // The first page says next 1 (after 0: moves on), the second says 1 again.
    assert_eq!(lists, 2);
    assert!(matches!(run.outcome, Some(Ok(_))));
}

fn part_2_fails(operation: &str, slot: u32) -> Option<Output> {
    match (operation, slot) {
        ("UploadPart", 2) => None,
        _ => s3_ok(operation, slot),
    }
}

#[test]
fn a_part_that_fails_stops_the_reads_and_aborts_the_upload() {
    let total = 40 * MIB;
    let mut m = Upload::new("k".into(), plan(Some(total))).unwrap();
    let run = drive(&mut m, &mut blob(total), part_2_fails, None);
    let reads = run.log.iter().filter(|l| l.starts_with("read")).count();
    assert!(reads <= 3, "{:?}", run.log);
    assert_eq!(sends(&run).last(), Some(&"send AbortMultipartUpload 0"));
    assert_eq!(run.abort_had_signal, Some(false));
    // The shell's error is the outcome; the parts are gone: no uploadId.
    assert!(matches!(run.outcome, Some(Err((None, None)))));
}

#[test]
fn an_abort_that_fails_leaves_the_upload_id_on_the_error() {
    fn fails(operation: &str, slot: u32) -> Option<Output> {
        match operation {
            "AbortMultipartUpload" => None,
            _ => part_2_fails(operation, slot),
        }
    }
    let mut m = Upload::new("k".into(), plan(Some(40 * MIB))).unwrap();
    let run = drive(&mut m, &mut blob(40 * MIB), fails, None);
    assert!(matches!(run.outcome, Some(Err((None, Some(id)))) if id == "up-1"));
}

#[test]
fn parts_left_for_a_resume_are_not_aborted() {
    let mut p = plan(Some(40 * MIB));
    p.leave_parts = true;
    let mut m = Upload::new("k".into(), p).unwrap();
    let run = drive(&mut m, &mut blob(40 * MIB), part_2_fails, None);
    assert!(!sends(&run).contains(&"send AbortMultipartUpload 0"));
    assert!(matches!(run.outcome, Some(Err((None, Some(id)))) if id == "up-1"));
}

#[test]
fn a_cancel_reads_nothing_more_and_aborts() {
    let mut m = Upload::new("k".into(), plan(Some(40 * MIB))).unwrap();
    // Read 1, Create, its answer, progress, send 1, read 2: then the cancel.
    let run = drive(&mut m, &mut blob(40 * MIB), s3_ok, Some(7));
    let at = run.log.iter().position(|l| l == "cancel").unwrap();
    assert!(
        !run.log[at..].iter().any(|l| l.starts_with("read")),
        "{:?}",
        run.log
    );
    assert_eq!(sends(&run).last(), Some(&"send AbortMultipartUpload 0"));
    assert!(matches!(run.outcome, Some(Err((None, None)))));
}

#[test]
fn a_cancel_before_anything_sends_nothing() {
    let mut m = Upload::new("k".into(), plan(Some(40 * MIB))).unwrap();
    let run = drive(&mut m, &mut blob(40 * MIB), s3_ok, Some(0));
    assert_eq!(run.log, ["cancel"]);
    assert!(matches!(run.outcome, Some(Err((None, None)))));
}

#[test]
fn a_part_without_a_readable_etag_says_to_expose_it() {
    fn no_etag(operation: &str, slot: u32) -> Option<Output> {
        match operation {
            "UploadPart" => Some(Output::Etag(None)),
            _ => s3_ok(operation, slot),
        }
    }
    let mut m = Upload::new("k".into(), plan(Some(12 * MIB))).unwrap();
    let run = drive(&mut m, &mut blob(12 * MIB), no_etag, None);
    assert_eq!(sends(&run).last(), Some(&"send AbortMultipartUpload 0"));
    let Some(Err((Some(ref e), None))) = run.outcome else {
        panic!("{:?}", run.outcome)
    };
    assert_eq!(e.code, ErrorCode::InvalidConfig);
    assert!(e.message.contains("ExposeHeaders"));
}

#[test]
fn a_complete_that_fails_aborts() {
    fn fails(operation: &str, slot: u32) -> Option<Output> {
        match operation {
            "CompleteMultipartUpload" => None,
            _ => s3_ok(operation, slot),
        }
    }
    let mut m = Upload::new("k".into(), plan(Some(12 * MIB))).unwrap();
    let run = drive(&mut m, &mut blob(12 * MIB), fails, None);
    assert_eq!(sends(&run).last(), Some(&"send AbortMultipartUpload 0"));
    assert!(matches!(run.outcome, Some(Err((None, None)))));
}

#[test]
fn a_failed_create_ends_without_an_abort() {
    fn fails(operation: &str, slot: u32) -> Option<Output> {
        match operation {
            "CreateMultipartUpload" => None,
            _ => s3_ok(operation, slot),
        }
    }
    let mut m = Upload::new("k".into(), plan(Some(12 * MIB))).unwrap();
    let run = drive(&mut m, &mut blob(12 * MIB), fails, None);
    assert_eq!(sends(&run), ["send CreateMultipartUpload 0"]);
    assert!(matches!(run.outcome, Some(Err((None, None)))));
}

#[test]
fn a_short_stream_is_one_put() {
    let mut m = Upload::new("k".into(), plan(None)).unwrap();
    let run = drive(&mut m, &mut stream(3000), s3_ok, None);
    assert_eq!(run.log, ["read 0-5242880", "send PutObject 0"]);
    assert_eq!(run.outcome, Some(Ok((Some("\"put\"".into()), None, 1))));
}

#[test]
fn a_stream_goes_in_parts_until_it_ends() {
    let mut m = Upload::new("k".into(), plan(None)).unwrap();
    let run = drive(&mut m, &mut stream(11 * MIB), s3_ok, None);
    let parts = sends(&run)
        .iter()
        .filter(|s| s.contains("UploadPart"))
        .count();
    assert_eq!(parts, 3);
    assert_eq!(
        run.outcome,
        Some(Ok((Some("\"whole\"".into()), Some("up-1".into()), 3)))
    );
    // A stream of exactly one part: a multipart upload of one part (its end
    // is seen only by the next read).
    let mut m = Upload::new("k".into(), plan(None)).unwrap();
    let run = drive(&mut m, &mut stream(5 * MIB), s3_ok, None);
    assert!(matches!(run.outcome, Some(Ok((_, Some(_), 1)))));
}

#[test]
fn a_stream_longer_than_ten_thousand_parts_is_refused_not_cut() {
    let mut m = Upload::new("k".into(), plan(None)).unwrap();
    let run = drive(&mut m, &mut stream(10_000 * 5 * MIB + 1), s3_ok, None);
    let Some(Err((Some(ref e), None))) = run.outcome else {
        panic!("{:?}", run.outcome)
    };
    assert_eq!(e.code, ErrorCode::InvalidBody);
    assert_eq!(sends(&run).last(), Some(&"send AbortMultipartUpload 0"));
    // Exactly 10,000 parts of it fit.
    let mut m = Upload::new("k".into(), plan(None)).unwrap();
    let run = drive(&mut m, &mut stream(10_000 * 5 * MIB), s3_ok, None);
    assert!(matches!(run.outcome, Some(Ok((_, _, 10_000)))));
}

#[test]
fn a_read_that_fails_ends_the_upload() {
    let mut m = Upload::new("k".into(), plan(Some(12 * MIB))).unwrap();
    assert!(matches!(m.poll(&bucket()), Step::Read { .. }));
    m.on_read_failed();
    assert!(matches!(
        m.poll(&bucket()),
        Step::Fail {
            error: None,
            upload_id: None
        }
    ));
}

#[test]
fn driven_out_of_order_it_says_so_and_does_not_trap() {
    let mut m = Upload::new("k".into(), plan(Some(12 * MIB))).unwrap();
    assert!(matches!(m.poll(&bucket()), Step::Read { .. }));
    // Polled again before the read's answer.
    let Step::Fail { error: Some(e), .. } = m.poll(&bucket()) else {
        panic!()
    };
    assert_eq!(e.code, ErrorCode::InvalidConfig);
    // An answer nobody asked for is ignored or refused, never a trap.
    m.on_answer(9, Some(Output::Nothing));
    m.on_read(Some(5), true);
    let _ = m.poll(&bucket());
}

#[test]
fn a_part_size_too_small_is_refused_up_front() {
    let mut p = plan(Some(10 * MIB));
    p.part_size = Some(1000.0);
    assert_eq!(
        Upload::new("k".into(), p).unwrap_err().code,
        ErrorCode::InvalidConfig
    );
}

#[test]
fn a_resume_skips_thousands_of_parts_in_a_loop() {
    static PAGE: AtomicU32 = AtomicU32::new(0);
    fn pages(operation: &str, slot: u32) -> Option<Output> {
        if operation != "ListParts" {
            return s3_ok(operation, slot);
        }
        let page = PAGE.fetch_add(1, Ordering::Relaxed);
        let parts = (page * 1000 + 1..=page * 1000 + 1000)
            .map(|number| Part {
                number,
                etag: ["old", &number.to_string()].concat(),
                size: 5 * MIB,
            })
            .collect();
        Some(Output::Parts(PartsPage {
            parts,
            next: (page < 2).then_some((page + 1) * 1000),
        }))
    }
    let total = 3000 * 5 * MIB + 1;
    let mut p = plan(Some(total));
    p.resume = Some("up-9".into());
    let mut m = Upload::new("k".into(), p).unwrap();
    let run = drive(&mut m, &mut blob(total), pages, None);
    assert_eq!(
        sends(&run),
        [
            "send ListParts 0",
            "send ListParts 0",
            "send ListParts 0",
            "send UploadPart 3001",
            "send CompleteMultipartUpload 0"
        ]
    );
    let reads = run.log.iter().filter(|l| l.starts_with("read")).count();
    assert_eq!(reads, 2, "the first part (read before the id) and the last");
    assert!(matches!(run.outcome, Some(Ok((_, _, 3001)))));
}
