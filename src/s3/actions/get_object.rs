//! `GetObject`: an object's bytes, or a range of them.

use super::S3Request;
use crate::error::Result;
use crate::s3::{url, Bucket};

/// Which bytes to read.
#[derive(Clone, Copy, Debug)]
pub enum Range<'a> {
    /// A `Range` header as the caller wrote it (`bytes=0-99`).
    Header(&'a str),
    /// From `start` to `end` inclusive, or to the end of the object.
    Bytes { start: u64, end: Option<u64> },
}

pub struct GetObject<'a> {
    pub key: &'a str,
    pub range: Option<Range<'a>>,
}

impl GetObject<'_> {
    pub fn request(&self, bucket: &Bucket<'_>) -> Result<S3Request> {
        let mut r = S3Request::new("GetObject", "GET", url(bucket, Some(self.key), "")?);
        match self.range {
            Some(Range::Header(h)) => r.headers.push(("range", h.into())),
            Some(Range::Bytes { start, end }) => {
                let end = end.map(crate::error::num).unwrap_or_default();
                r.headers.push((
                    "range",
                    ["bytes=", &crate::error::num(start), "-", &end].concat(),
                ));
            }
            None => {}
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let b = Bucket {
            region: "us-east-1",
            bucket: "b-1",
            ..Bucket::default()
        };
        let r = GetObject {
            key: "k",
            range: Some(Range::Bytes {
                start: 0,
                end: Some(9),
            }),
        }
        .request(&b)
        .unwrap();
        assert_eq!((r.method, r.headers[0].1.as_str()), ("GET", "bytes=0-9"));
        let r = GetObject {
            key: "k",
            range: Some(Range::Bytes {
                start: 5,
                end: None,
            }),
        }
        .request(&b)
        .unwrap();
        assert_eq!(r.headers[0].1, "bytes=5-");
    }
}
