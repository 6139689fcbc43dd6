//! Percent-encoding the way SigV4 wants it: RFC 3986 unreserved characters
//! (`A-Z a-z 0-9 - . _ ~`) stay, every other byte becomes `%XX` in upper case.
//! This is part of the canonicalization, the product itself, so it is written
//! here (with the decoding and re-encoding rules S3 and the other services
//! differ on) rather than assembled from `percent-encoding`'s generic sets.

use alloc::{string::String, vec::Vec};
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Which bytes stay as they are: 1 for unreserved, 2 for `/` (kept in
/// paths). A table, because classifying each byte of a 1 KB session token
/// with comparisons was a third of a presignature's time.
const STAYS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') {
            t[b] = 1;
        } else if c == b'/' {
            t[b] = 2;
        }
        b += 1;
    }
    t
};

/// RFC 3986's unreserved characters, which SigV4 never encodes.
pub fn is_unreserved(b: u8) -> bool {
    STAYS[usize::from(b)] & 1 != 0
}

/// Appends `bytes` encoded; `/` is kept when `keep_slash` (for paths).
///
/// Runs of characters that stay are copied whole: a presigned URL carries
/// the session token (about 1 KB) twice, and a char-by-char push made
/// presigning 2.8x slower than signing.
pub fn encode_into(out: &mut String, bytes: &[u8], keep_slash: bool) {
    let keep = if keep_slash { 3 } else { 1 };
    let stays = |b: u8| STAYS[b as usize] & keep != 0;
    let mut rest = bytes;
    while !rest.is_empty() {
        let run = rest.iter().position(|&b| !stays(b)).unwrap_or(rest.len());
        let (plain, after) = rest.split_at_checked(run).unwrap_or((rest, &[]));
        // ASCII only, so always UTF-8.
        out.push_str(core::str::from_utf8(plain).unwrap_or_default());
        if let Some((&b, tail)) = after.split_first() {
            out.push('%');
            out.push(HEX_UPPER[(b >> 4) as usize] as char);
            out.push(HEX_UPPER[(b & 15) as usize] as char);
            rest = tail;
        } else {
            rest = after;
        }
    }
}

pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    encode_into(&mut out, s.as_bytes(), false);
    out
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` leniently: a `%` not followed by two hex digits stays as it is,
/// as URL parsers and AWS front ends treat it. With `plus_as_space`, `+` is a
/// space (query strings are `application/x-www-form-urlencoded`).
pub fn decode(s: &str, plus_as_space: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    decode_into(s.as_bytes(), plus_as_space, &mut out);
    out
}

/// [`decode`], appending to `out`.
pub fn decode_into(bytes: &[u8], plus_as_space: bool, out: &mut Vec<u8>) {
    let mut rest = bytes;
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'%' {
            if let [hi, lo, after @ ..] = tail {
                if let (Some(hi), Some(lo)) = (hex_val(*hi), hex_val(*lo)) {
                    out.push(hi << 4 | lo);
                    rest = after;
                    continue;
                }
            }
        }
        out.push(if plus_as_space && b == b'+' { b' ' } else { b });
        rest = tail;
    }
}

/// True when `s` needs no decoding at all (the common case: plain names).
pub fn is_plain(s: &str, plus_as_space: bool) -> bool {
    !s.bytes().any(|b| b == b'%' || (plus_as_space && b == b'+'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_everything_but_unreserved() {
        assert_eq!(encode("aZ09-._~"), "aZ09-._~");
        assert_eq!(encode("a b/c+d=e&f%"), "a%20b%2Fc%2Bd%3De%26f%25");
        assert_eq!(encode("ሴ"), "%E1%88%B4");
        let mut path = String::new();
        encode_into(&mut path, b"/a b/", true);
        assert_eq!(path, "/a%20b/");
    }

    #[test]
    fn decodes_leniently() {
        assert_eq!(decode("a%20b%2fc", false), b"a b/c");
        assert_eq!(decode("a+b", true), b"a b");
        assert_eq!(decode("a+b", false), b"a+b");
        assert_eq!(decode("%", false), b"%");
        assert_eq!(decode("%4", false), b"%4");
        assert_eq!(decode("%zz%41", false), b"%zzA");
        assert_eq!(decode("%E1%88%B4", false), "ሴ".as_bytes());
    }
}
