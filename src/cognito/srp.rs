//! The SRP-6a of Cognito User Pools' `USER_SRP_AUTH`, sans-IO: the password
//! never leaves the page; the client proves it knows it by a signature over
//! the pool's `PASSWORD_VERIFIER` challenge. The group is RFC 3526's 3072-bit
//! MODP group with g = 2, H is SHA-256, and the details (hex padding, the
//! "Caldera Derived Key" HKDF, the timestamp) are Cognito's, as the AWS SDKs
//! and Amplify compute them: tests/fixtures/srp/vectors.json holds Amplify's
//! answers, which this module reproduces.
//!
//! The caller brings the randomness (128 bytes from a CSPRNG: the shell's
//! `crypto.getRandomValues`), the time, and the big integers ([`Arith`]): the
//! shell's are the platform's `BigInt` (src/wasm/srp_bigint.rs), so that no
//! big-integer crate is in the wasm; natively, num-bigint's ([`NumBigint`],
//! for the tests and the fuzzer). The protocol, and the one modular
//! exponentiation ([`modpow`]), are this module's whatever the integers.

use crate::error::{Error, ErrorCode, Result};
use crate::sigv4::sha256::{hmac, sha256, HmacKey};
use crate::sigv4::time;
use alloc::string::String;
use alloc::vec::Vec;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::{alphabet, Engine};

/// RFC 3526's 3072-bit prime.
const N_HEX: &[u8] = b"FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

/// The non-negative integers SRP computes with, and the four operations it
/// needs of them; the modular exponentiation is [`modpow`]'s, over these.
pub trait Arith {
    type Int;
    /// The integer of big-endian bytes (none: 0).
    fn int(&self, be: &[u8]) -> Self::Int;
    /// Its big-endian bytes (0: none, or zeros).
    fn bytes(&self, v: &Self::Int) -> Vec<u8>;
    fn add(&self, a: &Self::Int, b: &Self::Int) -> Self::Int;
    fn mul(&self, a: &Self::Int, b: &Self::Int) -> Self::Int;
    /// `a mod m`, `m` > 0.
    fn rem(&self, a: &Self::Int, m: &Self::Int) -> Self::Int;
}

/// num-bigint's integers: the core's own, natively (tests, fuzzing).
#[cfg(not(target_arch = "wasm32"))]
pub struct NumBigint;

#[cfg(not(target_arch = "wasm32"))]
impl Arith for NumBigint {
    type Int = num_bigint::BigUint;
    fn int(&self, be: &[u8]) -> Self::Int {
        num_bigint::BigUint::from_bytes_be(be)
    }
    fn bytes(&self, v: &Self::Int) -> Vec<u8> {
        v.to_bytes_be()
    }
    fn add(&self, a: &Self::Int, b: &Self::Int) -> Self::Int {
        a + b
    }
    fn mul(&self, a: &Self::Int, b: &Self::Int) -> Self::Int {
        a * b
    }
    fn rem(&self, a: &Self::Int, m: &Self::Int) -> Self::Int {
        a % m
    }
}

/// `base^exp mod n`, `exp` big-endian: left to right, 4 bits at a time
/// (4 squarings and at most one multiplication by a table entry per hex
/// digit). Not constant-time, as neither num-bigint's nor Amplify's is.
pub fn modpow<M: Arith>(m: &M, base: &M::Int, exp: &[u8], n: &M::Int) -> M::Int {
    let mul = |a: &M::Int, b: &M::Int| m.rem(&m.mul(a, b), n);
    let mut table = Vec::with_capacity(16);
    table.push(m.int(&[1]));
    table.push(m.rem(base, n));
    for i in 2..16 {
        if let (Some(t), Some(b)) = (table.get(i - 1), table.get(1)) {
            let next = mul(t, b);
            table.push(next);
        }
    }
    let mut r = m.int(&[1]);
    for digit in exp.iter().flat_map(|b| [b >> 4, b & 15]) {
        for _ in 0..4 {
            r = mul(&r, &r);
        }
        if let Some(t) = table.get(usize::from(digit)).filter(|_| digit != 0) {
            r = mul(&r, t);
        }
    }
    r
}

fn is_zero(be: &[u8]) -> bool {
    trimmed(be).is_empty()
}

/// Big-endian bytes without their leading zeros.
fn trimmed(be: &[u8]) -> &[u8] {
    be.get(be.iter().take_while(|b| **b == 0).count()..)
        .unwrap_or_default()
}

/// Bytes of hex digits (an odd count reads as if led by a 0).
pub(crate) fn hex_bytes(hex: &[u8]) -> Option<Vec<u8>> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(hex.len() / 2 + 1);
    let (first, rest) = hex.split_at(hex.len() % 2);
    if let Some(&c) = first.first() {
        out.push(digit(c)?);
    }
    for pair in rest.chunks_exact(2) {
        if let [high, low] = pair {
            out.push(digit(*high)? << 4 | digit(*low)?);
        }
    }
    Some(out)
}

/// Big-endian bytes as the SDKs hash them: without leading zeros (0 as one
/// 0 byte), then with a 0 byte in front when the first has its high bit set
/// (so it reads as positive).
fn padded(be: &[u8]) -> Vec<u8> {
    match trimmed(be) {
        [] => [0].into(),
        bytes @ [0x80..=0xff, ..] => [&[0u8][..], bytes].concat(),
        bytes => bytes.to_vec(),
    }
}

fn hex_to_bytes(hex: &str, what: &str) -> Result<Vec<u8>> {
    (!hex.is_empty() && hex.len() <= 2048)
        .then(|| hex_bytes(hex.as_bytes()))
        .flatten()
        .ok_or_else(|| unusable(what))
}

fn unusable(what: &str) -> Error {
    Error::new(
        ErrorCode::Malformed,
        [
            "the PASSWORD_VERIFIER challenge's ",
            what,
            " is not usable: the answer is not from Cognito, or was damaged",
        ]
        .concat(),
    )
}

/// The client's side of one SRP sign-in: its secret `a` and public `A`
/// (big-endian), and its integers.
pub struct SrpClient<M: Arith> {
    math: M,
    a: Vec<u8>,
    big_a: Vec<u8>,
}

/// What Cognito's `PASSWORD_VERIFIER` challenge gives.
pub struct PasswordVerifier<'a> {
    pub salt_hex: &'a str,
    pub srp_b_hex: &'a str,
    pub secret_block: &'a str,
    pub user_id_for_srp: &'a str,
}

/// The answer to `PASSWORD_VERIFIER`: RespondToAuthChallenge's fields.
pub struct PasswordClaim {
    /// `USERNAME`: the challenge's USER_ID_FOR_SRP.
    pub username: String,
    pub secret_block: String,
    pub timestamp: String,
    pub signature: String,
}

impl<M: Arith> SrpClient<M> {
    /// `random`: at least 32 bytes from a CSPRNG (Amplify uses 128).
    pub fn new(math: M, random: &[u8]) -> Result<SrpClient<M>> {
        if random.len() < 32 {
            return Err(Error::new(
                ErrorCode::InvalidConfig,
                "SRP needs at least 32 random bytes",
            ));
        }
        let n = math.int(&hex_bytes(N_HEX).unwrap_or_default());
        let big_a = math.bytes(&modpow(&math, &math.int(&[2]), random, &n));
        if is_zero(&big_a) {
            return Err(Error::new(
                ErrorCode::InvalidConfig,
                "these random bytes make SRP's A zero: draw new ones",
            ));
        }
        Ok(SrpClient {
            math,
            a: random.to_vec(),
            big_a,
        })
    }

    /// `SRP_A` as InitiateAuth sends it: lower-case hex, unpadded.
    pub fn public_a_hex(&self) -> String {
        let hex = crate::sigv4::sha256::hex(trimmed(&self.big_a));
        String::from(hex.strip_prefix('0').unwrap_or(&hex))
    }

    /// The answer to the challenge, signed at `now_ms`. `pool_id` is the
    /// UserPoolId (`region_Name`; the part after `_` is hashed).
    pub fn answer(
        &self,
        pool_id: &str,
        password: &str,
        challenge: &PasswordVerifier<'_>,
        now_ms: i64,
    ) -> Result<PasswordClaim> {
        let m = &self.math;
        let n_bytes = hex_bytes(N_HEX).unwrap_or_default();
        let n = m.int(&n_bytes);
        let pool_name = pool_id.split_once('_').map_or(pool_id, |(_, name)| name);
        let user = challenge.user_id_for_srp;
        if user.is_empty() {
            return Err(unusable("USER_ID_FOR_SRP"));
        }
        // B as given (hashed so), and mod N.
        let b_bytes = hex_to_bytes(challenge.srp_b_hex, "SRP_B")?;
        let b = m.rem(&m.int(&b_bytes), &n);
        if is_zero(&m.bytes(&b)) {
            return Err(unusable("SRP_B"));
        }
        let salt = hex_to_bytes(challenge.salt_hex, "SALT")?;
        let secret_block = GeneralPurpose::new(
            &alphabet::STANDARD,
            GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
        )
        .decode(challenge.secret_block.replace('-', "+").replace('_', "/"))
        .map_err(|_| unusable("SECRET_BLOCK"))?;

        let k = sha256(&[padded(&n_bytes), padded(&[2])].concat());
        let u = sha256(&[padded(&self.big_a), padded(&b_bytes)].concat());
        if is_zero(&u) {
            return Err(unusable("SRP_B"));
        }
        // The password enters only hashed with the user and pool names.
        let identity = sha256([pool_name, user, ":", password].concat().as_bytes());
        // x hashes the padded salt's hex followed by that hash's hex: as bytes, the two concatenated.
        let x = sha256(&[&padded(&salt)[..], &identity].concat());
        // S = (B - k g^x)^(a + u x) mod N, B already taken mod N, and
        // -k as (N - 1) k (N is odd: N - 1 is N with its last bit cleared).
        let mut n_minus_1 = n_bytes.clone();
        if let Some(last) = n_minus_1.last_mut() {
            *last &= 0xfe;
        }
        let minus_k = m.mul(&m.int(&k), &m.int(&n_minus_1));
        let gx = modpow(m, &m.int(&[2]), &x, &n);
        let base = m.rem(&m.add(&b, &m.mul(&m.rem(&minus_k, &n), &gx)), &n);
        let exp = m.add(&m.int(&self.a), &m.mul(&m.int(&u), &m.int(&x)));
        let s = m.bytes(&modpow(m, &base, &m.bytes(&exp), &n));
        // HKDF-SHA256(ikm = S, salt = u, info = "Caldera Derived Key"), 16 bytes.
        let prk = hmac(&padded(&u), &padded(&s));
        let okm = hmac(&prk, b"Caldera Derived Key\x01");
        let key = okm.get(..16).unwrap_or(&okm);
        let timestamp = timestamp(now_ms)?;
        let signature = HmacKey::new(key).mac(&[
            pool_name.as_bytes(),
            user.as_bytes(),
            &secret_block,
            timestamp.as_bytes(),
        ]);
        Ok(PasswordClaim {
            username: user.into(),
            secret_block: challenge.secret_block.into(),
            timestamp,
            signature: base64::engine::general_purpose::STANDARD.encode(signature),
        })
    }
}

/// `Tue Dec 3 01:05:00 UTC 2026`: English names, the day unpadded.
pub fn timestamp(epoch_ms: i64) -> Result<String> {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    // `20261203T010500Z`, already checked to be a date between 1970 and 9999.
    let d = time::amz_date(epoch_ms)?;
    let part = |a: usize, b: usize| d.get(a..b).unwrap_or("0");
    let month: usize = part(4, 6).parse().unwrap_or(1);
    let day = part(6, 8).trim_start_matches('0');
    let weekday = DAYS
        .get((epoch_ms.div_euclid(86_400_000).rem_euclid(7)) as usize)
        .unwrap_or(&"Thu");
    let month = MONTHS.get(month.saturating_sub(1)).unwrap_or(&"Jan");
    Ok([
        weekday,
        " ",
        month,
        " ",
        day,
        " ",
        part(9, 11),
        ":",
        part(11, 13),
        ":",
        part(13, 15),
        " UTC ",
        part(0, 4),
    ]
    .concat())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{self, Value};

    #[test]
    fn reproduces_amplifys_vectors() {
        let doc = json::parse(include_str!("../../tests/fixtures/srp/vectors.json")).unwrap();
        let cases = doc.as_array().unwrap();
        assert!(cases.len() >= 6);
        for case in cases {
            let f = |name: &str| case.get(name).and_then(Value::as_str).unwrap();
            let client = SrpClient::new(NumBigint, &hex_bytes(f("a").as_bytes()).unwrap()).unwrap();
            assert_eq!(client.public_a_hex(), f("A"));
            let ms = case.get("ms").and_then(Value::as_f64).unwrap() as i64;
            let claim = client
                .answer(
                    f("poolId"),
                    f("password"),
                    &PasswordVerifier {
                        salt_hex: f("salt"),
                        srp_b_hex: f("B"),
                        secret_block: f("secretBlock"),
                        user_id_for_srp: f("userIdForSrp"),
                    },
                    ms,
                )
                .unwrap();
            assert_eq!(claim.timestamp, f("timestamp"));
            assert_eq!(claim.signature, f("signature"), "{}", f("userIdForSrp"));
            assert_eq!(claim.username, f("userIdForSrp"));
            assert_eq!(claim.secret_block, f("secretBlock"));
        }
    }

    #[test]
    fn unusable_challenges_are_malformed_and_never_quote_the_password() {
        let client = SrpClient::new(NumBigint, &[7u8; 128]).unwrap();
        let n_hex = core::str::from_utf8(N_HEX).unwrap();
        for (salt, b, block, user, what) in [
            ("ab", "0", "YQ==", "u", "SRP_B"),
            ("ab", n_hex, "YQ==", "u", "SRP_B"),
            ("ab", "xyz", "YQ==", "u", "SRP_B"),
            ("ab", "", "YQ==", "u", "SRP_B"),
            ("", "12", "YQ==", "u", "SALT"),
            ("ab", "12", "not base64!", "u", "SECRET_BLOCK"),
            ("ab", "12", "YQ==", "", "USER_ID_FOR_SRP"),
        ] {
            let e = client
                .answer(
                    "us-east-1_P",
                    "hunter2hunter2",
                    &PasswordVerifier {
                        salt_hex: salt,
                        srp_b_hex: b,
                        secret_block: block,
                        user_id_for_srp: user,
                    },
                    0,
                )
                .err()
                .unwrap();
            assert_eq!(e.code, ErrorCode::Malformed, "{what}");
            assert!(e.message.contains(what), "{}", e.message);
            assert!(!e.message.contains("hunter2"));
        }
        assert_eq!(
            SrpClient::new(NumBigint, &[1; 8]).err().unwrap().code,
            ErrorCode::InvalidConfig
        );
    }

    #[test]
    fn timestamps_name_the_day_unpadded() {
        assert_eq!(timestamp(0).unwrap(), "Thu Jan 1 00:00:00 UTC 1970");
        assert_eq!(
            timestamp(1_767_582_245_000).unwrap(),
            "Mon Jan 5 03:04:05 UTC 2026"
        );
        assert!(timestamp(-1).is_err());
    }
}
