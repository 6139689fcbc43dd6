//! Identifiers: deterministic ones (identity pool ids, IdentityIds) derived by
//! hashing, so they survive restarts like AWS's stored ones do, and random ones
//! (request ids, credentials).

use rand::distributions::{Distribution, Uniform};
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

/// Formats 16 bytes as a lowercase 8-4-4-4-12 UUID.
fn uuid_shaped(b: &[u8; 16]) -> String {
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A UUID-shaped string that depends only on `parts` (joined unambiguously).
pub fn stable_uuid(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    let digest = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    uuid_shaped(&b)
}

pub fn random_uuid() -> String {
    let mut b = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut b);
    uuid_shaped(&b)
}

/// Request ids as AWS prints them (a UUID).
pub fn request_id() -> String {
    random_uuid()
}

/// `len` characters drawn uniformly from `alphabet`.
pub fn random_from(alphabet: &[u8], len: usize) -> String {
    let pick = Uniform::from(0..alphabet.len());
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| char::from(alphabet[pick.sample(&mut rng)]))
        .collect()
}

pub const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
pub const SECRET_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Random bytes, base64 (standard alphabet): session tokens.
pub fn random_base64(bytes: usize) -> String {
    use base64::Engine;
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill(&mut b[..]);
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_uuid_is_stable_and_separates_parts() {
        let a = stable_uuid(&["pool", "sub"]);
        assert_eq!(a, stable_uuid(&["pool", "sub"]));
        assert_ne!(a, stable_uuid(&["poo", "lsub"]));
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
    }

    #[test]
    fn random_strings_use_the_alphabet() {
        let s = random_from(UPPER_ALNUM, 16);
        assert_eq!(s.len(), 16);
        assert!(s.bytes().all(|c| UPPER_ALNUM.contains(&c)));
        assert_ne!(random_uuid(), random_uuid());
    }
}
