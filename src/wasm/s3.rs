//! S3 for JS: s3.js asks for URLs and hands answers back; signing and fetch
//! happen through AwsClient like any other request.

use super::{body_text, fail, input, output, result, Fields};
use crate::s3::{self, Bucket, ListParams};
use alloc::string::String;

fn bucket<'a>(f: &mut Fields<'a>) -> Bucket<'a> {
    Bucket {
        region: f.next(),
        bucket: f.next(),
        endpoint: f.next(),
        force_path_style: f.next() == "1",
    }
}

/// Input `region\nbucket\nendpoint\npathStyle(1|0)\nkey`; output the object's URL.
#[no_mangle]
pub extern "C" fn s3_object_url() -> i32 {
    let (_, text) = input(0);
    let mut f = Fields::new(&text);
    let b = bucket(&mut f);
    // The key last: the one field that may hold line breaks.
    result(s3::url(&b, Some(f.rest()), ""))
}

/// Input `region\nbucket\nendpoint\npathStyle\nmaxKeys\nprefix\ndelimiter\ncontinuationToken\nstartAfter`
/// (`maxKeys` empty for S3's default); output the ListObjectsV2 URL.
#[no_mangle]
pub extern "C" fn s3_list_url() -> i32 {
    let (_, text) = input(0);
    let mut f = Fields::new(&text);
    let b = bucket(&mut f);
    let max_keys = f.next().parse().ok();
    let p = ListParams {
        max_keys,
        prefix: f.next(),
        delimiter: f.next(),
        continuation_token: f.next(),
        start_after: f.next(),
    };
    result(s3::url(&b, None, &s3::list_query(&p)))
}

/// Input: the answer's `body_len` bytes. Output, NUL-separated (keys may hold
/// line breaks; XML cannot carry NUL): `nextContinuationToken`, the object
/// count, `key size etag lastModified` per object, then the common prefixes.
#[no_mangle]
pub extern "C" fn s3_parse_list(body_len: usize) -> i32 {
    let (body, _) = input(body_len);
    match s3::parse_list(&body_text(body)) {
        Ok(l) => {
            let mut out = String::with_capacity(64 * (l.objects.len() + 1));
            out.push_str(l.next_continuation_token.as_deref().unwrap_or(""));
            out.push('\0');
            crate::error::push_num(&mut out, l.objects.len() as u64, 0);
            for o in &l.objects {
                for field in [
                    &o.key,
                    &crate::error::num(o.size),
                    &o.etag,
                    &o.last_modified,
                ] {
                    out.push('\0');
                    out.push_str(field);
                }
            }
            for prefix in &l.prefixes {
                out.push('\0');
                out.push_str(prefix);
            }
            output(out)
        }
        Err(e) => fail(e),
    }
}

/// Input: the error answer's `body_len` bytes, then the operation's name.
/// Always the typed error (`!len`), named by S3's `Code`.
#[no_mangle]
pub extern "C" fn s3_error(status: u32, body_len: usize) -> i32 {
    let (body, operation) = input(body_len);
    fail(s3::parse_error(
        u16::try_from(status).unwrap_or(0),
        &body_text(body),
        &operation,
    ))
}
