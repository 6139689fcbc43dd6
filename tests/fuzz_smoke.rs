//! The `sign_request` fuzz target's checks (fuzz/fuzz_targets/common.rs) over the
//! committed seed corpus (fuzz/seeds/) and over pseudo-random mutations of it:
//! a fast, deterministic stand-in for `cargo +nightly fuzz run sign_request`.
//! Set FUZZ_SMOKE_ITERS to change the number of mutated inputs (default 20000)
//! and FUZZ_SMOKE_SEED to explore other mutations.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../fuzz/fuzz_targets/common.rs"]
mod common;

use std::path::{Path, PathBuf};

fn seeds() -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let data = std::fs::read(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
            (p, data)
        })
        .collect();
    out.sort();
    out
}

/// Runs one input; on a panic, says which input (escaped) before failing.
fn run(label: &str, data: &[u8]) {
    if let Err(panic) = std::panic::catch_unwind(|| common::check(data)) {
        eprintln!(
            "fuzz_smoke: {label} failed on input {:?}",
            data.escape_ascii().to_string()
        );
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn seeds_never_panic() {
    let seeds = seeds();
    assert!(
        seeds.len() >= 20,
        "expected the committed seed corpus in fuzz/seeds, found {}",
        seeds.len()
    );
    for (path, data) in &seeds {
        run(&path.display().to_string(), data);
    }
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Bytes worth inserting: URL and header syntax, controls, the line separator
/// (which shifts fields), and bytes that break UTF-8.
const INTERESTING: &[u8] = b"%/.#?:[]@ &=+~-_\n\r\t\x00\x7f\xff\xc3\xa9\xe2\x80\x8009afAFsSxX";
const TOKENS: &[&[u8]] = &[
    b"%",
    b"%2F",
    b"%zz",
    b"%E1%88%B4",
    b"..",
    b"/./",
    b"//",
    b"[::1]",
    b":65535",
    b":99999",
    b"?",
    b"#",
    b"X-Amz-Signature=",
    b"https://",
    b"http://",
    b"\xe2\x82\xac",
    b"\xf0\x9f\x98\x80",
    b"NaN",
    b"-0",
    b"604800",
    b"1e309",
    b"253402300799999",
    b"s3",
    b"x-amz-content-sha256:",
    b"UNSIGNED-PAYLOAD",
    b"STREAMING-",
];

fn mutate(rng: &mut XorShift, seeds: &[(PathBuf, Vec<u8>)], out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(&seeds[rng.below(seeds.len())].1);
    for _ in 0..1 + rng.below(4) {
        let len = out.len();
        match rng.below(8) {
            // Flip a bit.
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            // Overwrite with an interesting byte.
            1 if len > 0 => {
                let i = rng.below(len);
                out[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            // Insert an interesting byte.
            2 => {
                let i = rng.below(len + 1);
                out.insert(i, INTERESTING[rng.below(INTERESTING.len())]);
            }
            // Insert a token.
            3 => {
                let i = rng.below(len + 1);
                let t = TOKENS[rng.below(TOKENS.len())];
                out.splice(i..i, t.iter().copied());
            }
            // Delete a range.
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(16));
                out.drain(i..i + n);
            }
            // Duplicate a range.
            5 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(32));
                let piece = out[i..i + n].to_vec();
                let at = rng.below(len + 1);
                out.splice(at..at, piece);
            }
            // Splice in a piece of another seed.
            6 => {
                let other = &seeds[rng.below(seeds.len())].1;
                if !other.is_empty() {
                    let i = rng.below(other.len());
                    let n = 1 + rng.below((other.len() - i).min(64));
                    let at = rng.below(len + 1);
                    out.splice(at..at, other[i..i + n].iter().copied());
                }
            }
            // Truncate.
            _ if len > 0 => out.truncate(rng.below(len)),
            _ => {}
        }
    }
}

/// Four fixed streams of mutations, one thread each: deterministic on any machine,
/// and about twice as fast on two cores. A failure names the stream and index.
const STREAMS: u64 = 4;

#[test]
fn mutated_seeds_never_panic() {
    let seeds = seeds();
    let iters: u64 = std::env::var("FUZZ_SMOKE_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let seed: u64 = std::env::var("FUZZ_SMOKE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_CAFE_F00D_D00D);
    std::thread::scope(|scope| {
        for stream in 0..STREAMS {
            let seeds = &seeds;
            scope.spawn(move || {
                let mut rng = XorShift((seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15)) | 1);
                let mut data = Vec::new();
                for i in 0..iters.div_ceil(STREAMS) {
                    mutate(&mut rng, seeds, &mut data);
                    run(
                        &format!("mutation #{i} of stream {stream} (FUZZ_SMOKE_SEED={seed})"),
                        &data,
                    );
                }
            });
        }
    });
}
