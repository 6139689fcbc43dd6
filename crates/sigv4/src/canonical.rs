//! The canonical request, written once per signature into buffers the signer
//! keeps ([`Scratch`]): once they have grown, a signature allocates nothing
//! but its output, whatever the number of headers or query pairs.
//!
//! Byte-wise throughout, slicing only by `get`: `str::split`/`find` and
//! indexing link panic paths, and a panic path links core::fmt's formatting
//! into the signer module (measured: 2.7 KB of its code before this module).

use crate::{encode, headers};
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;

/// Buffers reused by every signature of one [`Signer`](crate::Signer).
#[derive(Clone, Default)]
pub(crate) struct Scratch {
    /// The canonical request, then the string to sign from `sts_at`.
    pub text: String,
    pub sts_at: usize,
    /// The query's names and values re-encoded (and the presigning
    /// parameters), each pair's `[start, end of name, end]` in `pairs`.
    pub query: String,
    pub pairs: Vec<[usize; 3]>,
    /// One name, value or S3 path segment decoded.
    pub decoded: Vec<u8>,
    /// The request's headers in canonical order: see [`HeaderSet`].
    pub order: Vec<usize>,
    /// The signed-headers list, `a;b;c`.
    pub list: String,
    /// `YYYYMMDDTHHMMSSZ`.
    pub date: String,
    /// The credential scope, `date/region/service/aws4_request`.
    pub scope: String,
    /// The presigning parameters, as the URL carries them.
    pub params: String,
    /// The last signature, lower-case hex.
    pub signature: String,
}

/// The headers of one request: the caller's, as given (any case, repeats),
/// and the signer's own (lower-case names; an empty name is absent). Entry
/// `i` is the caller's `i`, then ours.
pub(crate) struct HeaderSet<'a> {
    pub caller: &'a [(&'a str, &'a str)],
    pub ours: [(&'static str, &'a str); 4],
}

impl<'a> HeaderSet<'a> {
    fn get(&self, i: usize) -> (&'a str, &'a str) {
        match self.caller.get(i) {
            Some(&pair) => pair,
            None => self
                .ours
                .get(i.wrapping_sub(self.caller.len()))
                .copied()
                .unwrap_or(("", "")),
        }
    }

    /// Fills `order` with the caller's headers that `replaced` does not name
    /// and ours, sorted by lower-case name; repeats stay in the order given.
    pub fn sort(&self, replaced: &[&str], order: &mut Vec<usize>) {
        order.clear();
        for (i, (name, _)) in self.caller.iter().enumerate() {
            if !replaced.iter().any(|r| r.eq_ignore_ascii_case(name)) {
                order.push(i);
            }
        }
        for (k, (name, _)) in self.ours.iter().enumerate() {
            if !name.is_empty() {
                order.push(self.caller.len() + k);
            }
        }
        insertion_sort(order, |&a, &b| {
            cmp_caseless(self.get(a).0, self.get(b).0) == Ordering::Less
        });
    }

    /// Each name once, with the entries of `order` that carry it.
    pub fn groups<'s>(&'s self, order: &'s [usize]) -> Groups<'s, 'a> {
        Groups {
            set: self,
            rest: order,
        }
    }

    /// Appends the canonical values of `group`, joined with `,`.
    pub fn push_values(&self, group: &[usize], out: &mut String) {
        for (k, &i) in group.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            match self.caller.get(i) {
                Some((_, value)) => headers::canonical_value(value, out),
                // Ours are canonical already (the session token is checked
                // printable without spaces): copied, not scanned, a 1 KB
                // token was a quarter of a signature's time.
                None => out.push_str(self.get(i).1),
            }
        }
    }

    /// Whether the group starting with entry `first` is signed: ours always.
    pub fn is_signed(&self, first: usize) -> bool {
        first >= self.caller.len() || is_signed(self.get(first).0)
    }
}

pub(crate) struct Groups<'s, 'a> {
    set: &'s HeaderSet<'a>,
    rest: &'s [usize],
}

impl<'s, 'a> Iterator for Groups<'s, 'a> {
    /// The name, whether it is signed, and the group's entries.
    type Item = (&'a str, bool, &'s [usize]);

    fn next(&mut self) -> Option<Self::Item> {
        let first = *self.rest.first()?;
        let name = self.set.get(first).0;
        // The first entry is the name's own: compared from the second on.
        let len = self
            .rest
            .iter()
            .skip(1)
            .position(|&i| !self.set.get(i).0.eq_ignore_ascii_case(name))
            .map_or(self.rest.len(), |n| n + 1);
        let (group, rest) = self.rest.split_at_checked(len)?;
        self.rest = rest;
        Some((name, self.set.is_signed(first), group))
    }
}

/// Whether the signer signs a header of this name.
pub(crate) fn is_signed(name: &str) -> bool {
    headers::is_signable(name) || name.eq_ignore_ascii_case("host")
}

/// Header names and methods are tokens (ASCII), checked before they get here.
pub(crate) fn push_lower(out: &mut String, name: &str) {
    if !name.bytes().any(|b| b.is_ascii_uppercase()) {
        return out.push_str(name);
    }
    for b in name.bytes() {
        out.push(char::from(b.to_ascii_lowercase()));
    }
}

pub(crate) fn cmp_caseless(a: &str, b: &str) -> Ordering {
    fn lower(s: &str) -> impl Iterator<Item = u8> + '_ {
        s.bytes().map(|b| b.to_ascii_lowercase())
    }
    lower(a).cmp(lower(b))
}

/// Stable, and one small function: the lists are short, and the standard
/// library's sorts are several KB of wasm each.
fn insertion_sort<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    for i in 1..v.len() {
        let mut j = i;
        while let Some([a, b]) = j.checked_sub(1).and_then(|k| v.get_mut(k..=j)) {
            if !less(b, a) {
                break;
            }
            core::mem::swap(a, b);
            j -= 1;
        }
    }
}

/// The canonical URI: for S3 the path as sent, each segment decoded and encoded
/// again so that it is encoded exactly once; for every other service the path
/// with `.`/`..`/empty segments removed and encoded a second time.
pub(crate) fn push_uri(out: &mut String, path: &str, s3: bool, decoded: &mut Vec<u8>) {
    let bytes = path.as_bytes();
    if s3 {
        if bytes.first() != Some(&b'/') {
            out.push('/');
        }
        // Segment by segment, so that an encoded slash (`%2F`) stays encoded.
        for (i, segment) in bytes.split(|&b| b == b'/').enumerate() {
            if i > 0 {
                out.push('/');
            }
            if segment.iter().all(|&b| encode::is_unreserved(b)) {
                encode::encode_into(out, segment, false);
            } else {
                decoded.clear();
                encode::decode_into(segment, false, decoded);
                encode::encode_into(out, decoded, false);
            }
        }
        return;
    }
    let root = out.len();
    for segment in bytes.split(|&b| b == b'/') {
        match segment {
            b"" | b"." => {}
            // Back to the `/` before the last segment written (encoded, so
            // without a `/` of its own).
            b".." => {
                let last = out
                    .as_bytes()
                    .get(root..)
                    .and_then(|written| written.iter().rposition(|&b| b == b'/'));
                out.truncate(root + last.unwrap_or(0));
            }
            segment => {
                out.push('/');
                encode::encode_into(out, segment, false);
            }
        }
    }
    let trailing = bytes.ends_with(b"/")
        || bytes.ends_with(b"/.")
        || bytes.ends_with(b"/..")
        || path == "."
        || path == "..";
    if out.len() == root || trailing {
        out.push('/');
    }
}

/// The canonical query: the URL's pairs decoded as a form (`+` is a space,
/// bad UTF-8 replaced, as URLSearchParams and AWS do) and encoded again, with
/// `params` (pairs already encoded, `&`-joined), sorted by name then value.
pub(crate) fn push_query(
    out: &mut String,
    query: Option<&str>,
    params: &str,
    scratch: &mut Scratch,
) {
    let Scratch {
        query: buf,
        pairs,
        decoded,
        ..
    } = scratch;
    buf.clear();
    pairs.clear();
    fn pieces(s: &str) -> impl Iterator<Item = &[u8]> {
        s.as_bytes().split(|&b| b == b'&').filter(|p| !p.is_empty())
    }
    for (piece, again) in pieces(query.unwrap_or(""))
        .map(|p| (p, true))
        .chain(pieces(params).map(|p| (p, false)))
    {
        let (name, value) = match piece.iter().position(|&b| b == b'=') {
            Some(i) => (piece.get(..i), piece.get(i + 1..)),
            None => (Some(piece), None),
        };
        let start = buf.len();
        for (k, part) in [name, value].into_iter().enumerate() {
            let part = part.unwrap_or_default();
            if k == 1 {
                pairs.push([start, buf.len(), 0]);
            }
            if again {
                reencode_into(buf, part, decoded);
            } else {
                // Cut at ASCII bytes out of a str: always UTF-8.
                buf.push_str(core::str::from_utf8(part).unwrap_or_default());
            }
        }
        if let Some(pair) = pairs.last_mut() {
            pair[2] = buf.len();
        }
    }
    let part = |s: usize, e: usize| buf.get(s..e).unwrap_or("");
    insertion_sort(pairs, |a, b| {
        (part(a[0], a[1]), part(a[1], a[2])) < (part(b[0], b[1]), part(b[1], b[2]))
    });
    for (i, &[start, mid, end]) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(part(start, mid));
        out.push('=');
        out.push_str(part(mid, end));
    }
}

/// A query name or value, decoded as a form and encoded again.
fn reencode_into(out: &mut String, part: &[u8], decoded: &mut Vec<u8>) {
    if !part.iter().any(|&b| b == b'%' || b == b'+') {
        encode::encode_into(out, part, false);
        return;
    }
    decoded.clear();
    encode::decode_into(part, true, decoded);
    // Bad UTF-8 becomes U+FFFD, as `String::from_utf8_lossy` does, with the
    // `from_utf8` already linked in instead of its own 1 KB of wasm.
    let mut rest = decoded.as_slice();
    loop {
        match core::str::from_utf8(rest) {
            Ok(valid) => return encode::encode_into(out, valid.as_bytes(), false),
            Err(e) => {
                let (valid, bad) = rest
                    .split_at_checked(e.valid_up_to())
                    .unwrap_or((rest, &[]));
                encode::encode_into(out, valid, false);
                out.push_str("%EF%BF%BD");
                rest = bad
                    .get(e.error_len().unwrap_or(bad.len()).max(1)..)
                    .unwrap_or(&[]);
            }
        }
    }
}
