//! SHA-256 and HMAC-SHA-256 from the RustCrypto `sha2` and `hmac` crates, with
//! the one twist signing wants: [`HmacKey`] keeps a keyed MAC whose padded key
//! blocks are hashed once, and clones it per message.

use alloc::string::String;

#[cfg(not(feature = "compact"))]
pub fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}

/// The signer module's (crates/sha256-compact says why).
#[cfg(feature = "compact")]
pub use sha256_compact::sha256;

/// SHA-256 fed piece by piece: a body hashed a slice at a time, never held
/// whole in wasm memory.
#[derive(Clone, Default)]
pub struct Sha256Stream(sha2::Sha256);

impl Sha256Stream {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn update(&mut self, data: &[u8]) {
        sha2::Digest::update(&mut self.0, data);
    }

    /// The digest as lower-case hex.
    pub fn hex(self) -> String {
        let digest: [u8; 32] = sha2::Digest::finalize(self.0).into();
        hex(&digest)
    }
}

/// An HMAC-SHA-256 key with its inner and outer padded blocks already hashed:
/// each MAC under it then costs the message's blocks plus two compressions.
#[derive(Clone)]
pub struct HmacKey(
    #[cfg(not(feature = "compact"))] hmac::Hmac<sha2::Sha256>,
    #[cfg(feature = "compact")] sha256_compact::Hmac,
);

impl HmacKey {
    #[cfg(not(feature = "compact"))]
    pub fn new(key: &[u8]) -> Self {
        use hmac::Mac;
        // HMAC takes keys of any length (longer ones are hashed first), so
        // `new_from_slice` cannot fail; the fallback only avoids a panic path.
        HmacKey(
            hmac::Hmac::new_from_slice(key)
                .unwrap_or_else(|_| hmac::Hmac::new(&Default::default())),
        )
    }

    #[cfg(feature = "compact")]
    pub fn new(key: &[u8]) -> Self {
        HmacKey(sha256_compact::Hmac::new(key))
    }

    #[cfg(not(feature = "compact"))]
    pub fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        use hmac::Mac;
        let mut mac = self.0.clone();
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    #[cfg(feature = "compact")]
    pub fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        self.0.mac(parts)
    }
}

pub fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    HmacKey::new(key).mac(&[data])
}

/// Lower-case hex, as SigV4 wants it everywhere.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    push_hex(&mut out, bytes);
    out
}

const DIGITS: &[u8; 16] = b"0123456789abcdef";

pub fn push_hex(out: &mut String, bytes: &[u8]) {
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
}

/// [`push_hex`] of a digest, through a buffer: pushing its 64 chars one by
/// one was 2% of a signature.
pub fn push_digest_hex(out: &mut String, digest: &[u8; 32]) {
    let mut hex = [0u8; 64];
    hex_into(digest, &mut hex);
    // ASCII digits only, so always UTF-8.
    out.push_str(core::str::from_utf8(&hex).unwrap_or_default());
}

/// A digest as lower-case hex, into a buffer of its own.
pub fn hex_into(digest: &[u8; 32], out: &mut [u8; 64]) {
    let mut rest = out.as_mut_slice();
    for &b in digest {
        if let [hi, lo, tail @ ..] = rest {
            *hi = DIGITS[usize::from(b >> 4)];
            *lo = DIGITS[usize::from(b & 15)];
            rest = tail;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors from FIPS 180-2 and RFC 4231, the standards' own.
    #[test]
    fn sha256_vectors() {
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        let million_a = vec![b'a'; 1_000_000];
        let mut stream = Sha256Stream::new();
        for chunk in million_a.chunks(4099) {
            stream.update(chunk);
        }
        assert_eq!(
            stream.hex(),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
        assert_eq!(
            hex(&sha256(&million_a)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
    }

    #[test]
    fn a_reused_key_macs_each_message_afresh() {
        let key = HmacKey::new(b"Jefe");
        let first = key.mac(&[b"what do ya want ", b"for nothing?"]);
        assert_eq!(key.mac(&[b"what do ya want for nothing?"]), first);
        assert_eq!(
            hex(&first),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn hmac_rfc4231() {
        assert_eq!(
            hex(&hmac(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex(&hmac(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Key longer than a block.
        assert_eq!(
            hex(&hmac(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }
}
