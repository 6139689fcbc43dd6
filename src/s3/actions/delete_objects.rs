//! `DeleteObjects`: up to 1,000 keys in one request; S3 answers per key.

use super::S3Request;
use crate::error::{Error, ErrorCode, Result};
use crate::s3::{malformed, parse_error, url, Bucket};
use crate::xml;
use alloc::string::String;
use alloc::vec::Vec;
use base64::{engine::general_purpose::STANDARD, Engine};

/// S3's most keys per DeleteObjects.
pub const MAX_DELETE_KEYS: usize = 1000;

pub struct DeleteObjects<'a> {
    pub keys: &'a [String],
}

/// A key S3 did not delete: its error code and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteError {
    pub key: String,
    pub code: String,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deleted {
    pub deleted: Vec<String>,
    pub errors: Vec<DeleteError>,
}

impl DeleteObjects<'_> {
    /// Whether `key` can travel in the XML body: XML 1.0 has no form, raw or
    /// as a character reference, for control characters other than tab, line
    /// feed and carriage return (S3 answers MalformedXML for the whole
    /// batch). Such keys are deleted one by one, by DeleteObject.
    pub fn fits_xml(key: &str) -> bool {
        key.chars().all(|c| {
            (c >= ' ' || matches!(c, '\t' | '\n' | '\r')) && !matches!(c, '\u{FFFE}' | '\u{FFFF}')
        })
    }

    /// The request and its XML body. S3 wants a checksum of the body: its
    /// SHA-256 (`x-amz-checksum-sha256`), which it takes instead of Content-MD5.
    pub fn request(&self, bucket: &Bucket<'_>) -> Result<(S3Request, String)> {
        if self.keys.is_empty() || self.keys.len() > MAX_DELETE_KEYS {
            return Err(Error::new(
                ErrorCode::InvalidConfig,
                "deleteObjects takes 1 to 1000 keys per call",
            ));
        }
        let mut body = String::from("<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
        for key in self.keys {
            // Checked as url() checks any key (empty, dot segments).
            url(bucket, Some(key), "")?;
            body.push_str("<Object><Key>");
            xml::push_escaped(&mut body, key);
            body.push_str("</Key></Object>");
        }
        body.push_str("</Delete>");
        let mut r = S3Request::new("DeleteObjects", "POST", url(bucket, None, "delete=")?);
        r.headers.push(("content-type", "application/xml".into()));
        r.headers.push((
            "x-amz-checksum-sha256",
            STANDARD.encode(crate::sigv4::sha256::sha256(body.as_bytes())),
        ));
        Ok((r, body))
    }

    pub fn parse(answer: &str) -> Result<Deleted> {
        const OP: &str = "DeleteObjects";
        if !xml::clean(answer) {
            return Err(malformed(OP));
        }
        let Some(doc) = xml::all(answer, "DeleteResult").first().copied() else {
            return Err(match xml::all(answer, "Error").is_empty() {
                true => malformed(OP),
                false => parse_error(200, answer, OP),
            });
        };
        let mut out = Deleted::default();
        for item in xml::all(doc, "Deleted") {
            out.deleted
                .push(xml::text(item, "Key").ok_or_else(|| malformed(OP))?);
        }
        for item in xml::all(doc, "Error") {
            out.errors.push(DeleteError {
                key: xml::text(item, "Key").ok_or_else(|| malformed(OP))?,
                code: xml::text(item, "Code").unwrap_or_default(),
                message: xml::text(item, "Message").unwrap_or_default(),
            });
        }
        Ok(out)
    }
}
