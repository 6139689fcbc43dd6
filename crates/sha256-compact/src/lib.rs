//! SHA-256 (FIPS 180-4) and HMAC-SHA-256 (RFC 2104), for the signer-only
//! module (`cognito-sigv4/signer`, through crates/sigv4's `compact` feature).
//! The whole SDK uses RustCrypto's `sha2` and `hmac`; the tests below hold
//! this one against them.
//!
//! Why written out: in a no_std module, sha2 + hmac + digest cost 878 B gz
//! more than this (signer module 20,036 -> 19,158 B gz, measured 2026-12-06):
//! their generic block buffers and length checks bring panic paths, and those
//! link core::fmt's integer formatting, its digit table and source paths,
//! which the module otherwise does without. Its own crate so that Cargo can
//! build it at opt-level 3 while the module is "z" (Cargo.toml): at "z" it
//! hashed 2.5x slower. At 3, in the wasm (Node, median of 9 interleaved
//! rounds): 1,700 B in 8.94 µs against sha2's compact rounds' 8.04; a GET
//! signature 14.65 µs against 14.18, a POST of 1 KB 20.09 against 19.12.

#![cfg_attr(not(test), no_std)]

/// The round constants: the first 32 bits of the fractional parts of the
/// cube roots of the first 64 primes.
const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// The initial state: the first 32 bits of the fractional parts of the
/// square roots of the first 8 primes.
const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// SHA-256, fed piece by piece.
#[derive(Clone)]
pub struct Sha256 {
    state: [u32; 8],
    block: [u8; 64],
    filled: usize,
    length: u64,
}

impl Default for Sha256 {
    fn default() -> Self {
        Sha256 {
            state: H0,
            block: [0; 64],
            filled: 0,
            length: 0,
        }
    }
}

/// Copies as many bytes as both have (no length check that could panic).
fn copy(to: &mut [u8], from: &[u8]) {
    for (t, f) in to.iter_mut().zip(from) {
        *t = *f;
    }
}

impl Sha256 {
    pub fn update(&mut self, mut data: &[u8]) {
        self.length = self.length.wrapping_add(data.len() as u64);
        if self.filled > 0 {
            let take = (64 - self.filled).min(data.len());
            copy(self.block.get_mut(self.filled..).unwrap_or_default(), data);
            self.filled += take;
            data = data.get(take..).unwrap_or_default();
            if self.filled < 64 {
                return;
            }
            compress(&mut self.state, &self.block);
            self.filled = 0;
        }
        let mut blocks = data.chunks_exact(64);
        for block in &mut blocks {
            if let Ok(block) = block.try_into() {
                compress(&mut self.state, block);
            }
        }
        let rest = blocks.remainder();
        copy(&mut self.block, rest);
        self.filled = rest.len();
    }

    pub fn finish(mut self) -> [u8; 32] {
        let bits = self.length.wrapping_mul(8);
        let tail = self.block.get_mut(self.filled..).unwrap_or_default();
        tail.fill(0);
        if let Some(first) = tail.first_mut() {
            *first = 0x80;
        }
        if self.filled >= 56 {
            compress(&mut self.state, &self.block);
            self.block = [0; 64];
        }
        copy(
            self.block.get_mut(56..).unwrap_or_default(),
            &bits.to_be_bytes(),
        );
        compress(&mut self.state, &self.block);
        let mut out = [0; 32];
        for (bytes, word) in out.chunks_exact_mut(4).zip(self.state) {
            copy(bytes, &word.to_be_bytes());
        }
        out
    }
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::default();
    hash.update(data);
    hash.finish()
}

fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
    // The whole schedule first, then the rounds: in the wasm, 10% faster
    // than a ring of 16 words extended round by round.
    let mut w = [0u32; 64];
    for (word, bytes) in w.iter_mut().zip(block.chunks_exact(4)) {
        if let [a, b, c, d] = *bytes {
            *word = u32::from_be_bytes([a, b, c, d]);
        }
    }
    for i in 16..64 {
        let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
        let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16]
            .wrapping_add(s0)
            .wrapping_add(w[i - 7])
            .wrapping_add(s1);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for (k, w) in K.iter().zip(w) {
        let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let ch = (e & f) ^ (!e & g);
        let t1 = h
            .wrapping_add(s1)
            .wrapping_add(ch)
            .wrapping_add(*k)
            .wrapping_add(w);
        let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(maj);
        h = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = s.wrapping_add(v);
    }
}

/// HMAC-SHA-256 under one key: the hashes after its inner and outer padded
/// blocks, cloned per message.
#[derive(Clone)]
pub struct Hmac {
    inner: Sha256,
    outer: Sha256,
}

impl Hmac {
    pub fn new(key: &[u8]) -> Self {
        let mut block = [0u8; 64];
        if key.len() > 64 {
            copy(&mut block, &sha256(key));
        } else {
            copy(&mut block, key);
        }
        let keyed = |pad: u8| {
            let mut hash = Sha256::default();
            hash.update(&block.map(|b| b ^ pad));
            hash
        };
        Hmac {
            inner: keyed(0x36),
            outer: keyed(0x5c),
        }
    }

    /// The MAC of the concatenated `parts`.
    pub fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut inner = self.inner.clone();
        for part in parts {
            inner.update(part);
        }
        let mut outer = self.outer.clone();
        outer.update(&inner.finish());
        outer.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::Mac;
    use sha2::Digest;

    /// Every length around the block and padding edges, fed whole and in
    /// pieces, against RustCrypto's.
    #[test]
    fn matches_sha2_and_hmac() {
        let data: [u8; 300] = core::array::from_fn(|i| (i * 131 % 251) as u8);
        for len in 0..data.len() {
            let msg = &data[..len];
            let want: [u8; 32] = sha2::Sha256::digest(msg).into();
            assert_eq!(sha256(msg), want, "length {len}");
            for cut in [1, 3, 63, 64, 65] {
                let mut hash = Sha256::default();
                for piece in msg.chunks(cut) {
                    hash.update(piece);
                }
                assert_eq!(hash.finish(), want, "length {len} in pieces of {cut}");
            }
            // Keys shorter, as long as and longer than a block.
            for key in [&data[..20], &data[..64], &data[..131]] {
                let mut theirs = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
                theirs.update(msg);
                let want: [u8; 32] = theirs.finalize().into_bytes().into();
                let (a, b) = msg.split_at(len / 2);
                assert_eq!(
                    Hmac::new(key).mac(&[a, b]),
                    want,
                    "length {len}, key {}",
                    key.len()
                );
            }
        }
    }

    #[test]
    fn fips_180_vectors() {
        let hex = |d: [u8; 32]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(
            hex(sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }
}
