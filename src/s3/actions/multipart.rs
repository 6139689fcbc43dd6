//! Multipart uploads: CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
//! AbortMultipartUpload and ListParts, and the part sizing. The shell
//! (`S3Client.upload`) reads the body part by part, sends a bounded number of
//! parts at once, and aborts on failure.

use super::S3Request;
use crate::error::{num, Error, ErrorCode, Result};
use crate::s3::{malformed, parse_error, url, Bucket};
use crate::sigv4::encode;
use crate::xml;
use alloc::string::String;
use alloc::vec::Vec;

const MIB: u64 = 1024 * 1024;
/// S3's smallest part (all but the last), its largest, and its most parts.
pub const MIN_PART_SIZE: u64 = 5 * MIB;
pub const MAX_PART_SIZE: u64 = 5 * 1024 * MIB;
pub const MAX_PARTS: u64 = 10_000;
/// S3's largest object.
pub const MAX_OBJECT_SIZE: u64 = 5 * 1024 * 1024 * MIB;

/// The part size of an upload of `total` bytes (unknown for a stream): the
/// caller's if S3 takes it, else the smallest S3 takes, grown in whole MiB
/// until the body fits in 10,000 parts. A stream of unknown size gets 5 MiB
/// parts unless told otherwise, so holds at most 48.8 GiB.
pub fn part_size(total: Option<u64>, requested: Option<f64>) -> Result<u64> {
    if total.is_some_and(|t| t > MAX_OBJECT_SIZE) {
        return Err(Error::new(
            ErrorCode::InvalidBody,
            "the body is larger than S3's largest object (5 TiB)",
        ));
    }
    let smallest = match total {
        Some(t) => t.div_ceil(MAX_PARTS).div_ceil(MIB).max(5) * MIB,
        None => MIN_PART_SIZE,
    };
    let Some(requested) = requested else {
        return Ok(smallest);
    };
    // A whole number (no `f64::fract` in no_std), in range.
    let ok = (MIN_PART_SIZE as f64..=MAX_PART_SIZE as f64).contains(&requested)
        && requested == (requested as u64) as f64;
    if !ok {
        return Err(Error::new(
            ErrorCode::InvalidConfig,
            "partSize must be a whole number of bytes from 5 MiB (5242880) to 5 GiB (5368709120)",
        ));
    }
    let requested = requested as u64;
    if requested < smallest {
        let mut message = String::from(
            "partSize is too small for this body: S3 takes at most 10,000 parts, so use at least ",
        );
        message.push_str(&num(smallest));
        message.push_str(" bytes (or leave partSize out)");
        return Err(Error::new(ErrorCode::InvalidConfig, message));
    }
    Ok(requested)
}

/// How many parts `total` bytes make in parts of `size` (at least one: an
/// empty body is one empty part).
pub fn part_count(total: u64, size: u64) -> u64 {
    total.div_ceil(size.max(1)).max(1)
}

/// The byte range `[start, end)` of part `number` (from 1).
pub fn part_range(number: u32, size: u64, total: u64) -> (u64, u64) {
    let start = (u64::from(number).saturating_sub(1))
        .saturating_mul(size)
        .min(total);
    (start, start.saturating_add(size).min(total))
}

fn upload_id_query(out: &mut String, upload_id: &str) {
    out.push_str("uploadId=");
    encode::encode_into(out, upload_id.as_bytes(), false);
}

fn check_upload_id(upload_id: &str) -> Result<()> {
    if upload_id.is_empty() || upload_id.len() > 1024 {
        return Err(Error::new(
            ErrorCode::InvalidConfig,
            "uploadId must be the UploadId S3 gave the upload (from onProgress, or the error of an interrupted upload)",
        ));
    }
    Ok(())
}

/// `CreateMultipartUpload`: starts an upload; the answer holds its UploadId.
pub struct CreateMultipartUpload<'a> {
    pub key: &'a str,
    pub content_type: Option<&'a str>,
}

impl CreateMultipartUpload<'_> {
    pub fn request(&self, bucket: &Bucket<'_>) -> Result<S3Request> {
        let mut r = S3Request::new(
            "CreateMultipartUpload",
            "POST",
            url(bucket, Some(self.key), "uploads=")?,
        );
        if let Some(t) = self.content_type {
            r.headers.push(("content-type", t.into()));
        }
        Ok(r)
    }

    /// The UploadId of the answer.
    pub fn parse(answer: &str) -> Result<String> {
        xml::text(answer, "UploadId")
            .filter(|id| !id.is_empty() && xml::clean(answer))
            .ok_or_else(|| malformed("CreateMultipartUpload"))
    }
}

/// `UploadPart`: one part's bytes; the answer's ETag header names the part.
pub struct UploadPart<'a> {
    pub key: &'a str,
    pub upload_id: &'a str,
    /// 1 to 10,000.
    pub part_number: u32,
}

impl UploadPart<'_> {
    pub fn request(&self, bucket: &Bucket<'_>) -> Result<S3Request> {
        check_upload_id(self.upload_id)?;
        let mut query = String::from("partNumber=");
        query.push_str(&num(u64::from(self.part_number)));
        query.push('&');
        upload_id_query(&mut query, self.upload_id);
        Ok(S3Request::new(
            "UploadPart",
            "PUT",
            url(bucket, Some(self.key), &query)?,
        ))
    }

    /// The part's ETag, from the answer's header. Pages read it only if the
    /// bucket's CORS rule exposes it.
    pub fn etag(header: Option<String>) -> Result<String> {
        header.filter(|e| !e.is_empty()).ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidConfig,
                "S3 answered UploadPart without an ETag this page can read: add `ETag` to ExposeHeaders in the bucket's CORS configuration",
            )
        })
    }
}

/// One uploaded part: what CompleteMultipartUpload lists and ListParts answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub number: u32,
    pub etag: String,
    pub size: u64,
}

/// `CompleteMultipartUpload`: joins the parts, in order, into the object.
pub struct CompleteMultipartUpload<'a> {
    pub key: &'a str,
    pub upload_id: &'a str,
    pub parts: &'a [Part],
}

impl CompleteMultipartUpload<'_> {
    pub fn request(&self, bucket: &Bucket<'_>) -> Result<S3Request> {
        check_upload_id(self.upload_id)?;
        let mut query = String::new();
        upload_id_query(&mut query, self.upload_id);
        let mut r = S3Request::new(
            "CompleteMultipartUpload",
            "POST",
            url(bucket, Some(self.key), &query)?,
        );
        r.headers.push(("content-type", "application/xml".into()));
        Ok(r)
    }

    /// The request's XML body: every part by number and ETag, in order.
    pub fn body(&self) -> String {
        let mut out = String::with_capacity(64 + self.parts.len() * 96);
        out.push_str("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
        for part in self.parts {
            out.push_str("<Part><PartNumber>");
            out.push_str(&num(u64::from(part.number)));
            out.push_str("</PartNumber><ETag>");
            xml::push_escaped(&mut out, &part.etag);
            out.push_str("</ETag></Part>");
        }
        out.push_str("</CompleteMultipartUpload>");
        out
    }

    /// The object's ETag. S3 may answer 200 and still fail: the error is then
    /// in the body, sent once the parts are joined.
    pub fn parse(answer: &str) -> Result<String> {
        if !xml::all(answer, "Error").is_empty() {
            return Err(parse_error(200, answer, "CompleteMultipartUpload"));
        }
        if !xml::clean(answer) {
            return Err(malformed("CompleteMultipartUpload"));
        }
        match xml::all(answer, "CompleteMultipartUploadResult").len() {
            1 => Ok(xml::text(answer, "ETag").unwrap_or_default()),
            _ => Err(malformed("CompleteMultipartUpload")),
        }
    }
}

impl CompleteMultipartUpload<'_> {
    /// Whether a failed CompleteMultipartUpload is worth sending again: S3
    /// may answer 200 and put a transient error (InternalError, SlowDown) in
    /// the body once the parts are being joined; the AWS SDKs retry those.
    /// Errors of the request itself (InvalidPart, NoSuchUpload, …) are not.
    pub fn retryable(e: &Error) -> bool {
        e.status == Some(200)
            && matches!(
                e.name(),
                "InternalError" | "SlowDown" | "ServiceUnavailable" | "RequestTimeout"
            )
    }
}

/// `AbortMultipartUpload`: drops the upload and its parts.
pub struct AbortMultipartUpload<'a> {
    pub key: &'a str,
    pub upload_id: &'a str,
}

impl AbortMultipartUpload<'_> {
    pub fn request(&self, bucket: &Bucket<'_>) -> Result<S3Request> {
        check_upload_id(self.upload_id)?;
        let mut query = String::new();
        upload_id_query(&mut query, self.upload_id);
        Ok(S3Request::new(
            "AbortMultipartUpload",
            "DELETE",
            url(bucket, Some(self.key), &query)?,
        ))
    }
}

/// `ListParts`: the parts of an upload so far (to resume it), a page at a time.
pub struct ListParts<'a> {
    pub key: &'a str,
    pub upload_id: &'a str,
    /// The page after this part number (0: the first page).
    pub after: u32,
}

/// A page of ListParts.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PartsPage {
    pub parts: Vec<Part>,
    /// The `after` of the next page, if there is one.
    pub next: Option<u32>,
}

impl ListParts<'_> {
    pub fn request(&self, bucket: &Bucket<'_>) -> Result<S3Request> {
        check_upload_id(self.upload_id)?;
        let mut query = String::new();
        if self.after > 0 {
            query.push_str("part-number-marker=");
            query.push_str(&num(u64::from(self.after)));
            query.push('&');
        }
        upload_id_query(&mut query, self.upload_id);
        Ok(S3Request::new(
            "ListParts",
            "GET",
            url(bucket, Some(self.key), &query)?,
        ))
    }

    pub fn parse(answer: &str) -> Result<PartsPage> {
        let bad = || malformed("ListParts");
        if !xml::clean(answer) || xml::all(answer, "ListPartsResult").len() != 1 {
            return Err(bad());
        }
        let mut parts = Vec::new();
        for part in xml::all(answer, "Part") {
            let field = |name: &str| xml::text(part, name).ok_or_else(bad);
            let number = field("PartNumber")?.parse::<u32>().map_err(|_| bad())?;
            let size = field("Size")?.parse::<u64>().map_err(|_| bad())?;
            let etag = field("ETag")?;
            if !(1..=MAX_PARTS as u32).contains(&number) || etag.is_empty() {
                return Err(bad());
            }
            parts.push(Part { number, etag, size });
        }
        let truncated = xml::text(answer, "IsTruncated").as_deref() == Some("true");
        let next = match truncated {
            true => {
                let marker = xml::text(answer, "NextPartNumberMarker")
                    .and_then(|m| m.parse::<u32>().ok())
                    .ok_or_else(bad)?;
                Some(marker)
            }
            false => None,
        };
        Ok(PartsPage { parts, next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket() -> Bucket<'static> {
        Bucket {
            region: "us-east-1",
            bucket: "b-1",
            ..Bucket::default()
        }
    }

    #[test]
    fn part_sizes_fit_s3s_limits() {
        assert_eq!(part_size(Some(64 * MIB), None).unwrap(), 5 * MIB);
        assert_eq!(part_size(None, None).unwrap(), 5 * MIB);
        assert_eq!(part_size(Some(0), None).unwrap(), 5 * MIB);
        // 100 GiB in 10,000 parts: 10.24 MiB, rounded up to 11 MiB.
        let big = 100 * 1024 * MIB;
        let size = part_size(Some(big), None).unwrap();
        assert_eq!(size, 11 * MIB);
        assert!(part_count(big, size) <= MAX_PARTS);
        // The largest object fits too.
        let size = part_size(Some(MAX_OBJECT_SIZE), None).unwrap();
        assert!(part_count(MAX_OBJECT_SIZE, size) <= MAX_PARTS && size <= MAX_PART_SIZE);
        assert_eq!(
            part_size(Some(64 * MIB), Some((8 * MIB) as f64)).unwrap(),
            8 * MIB
        );
        for bad in [
            0.0,
            (5 * MIB - 1) as f64,
            (5 * MIB) as f64 + 0.5,
            f64::NAN,
            6e9,
        ] {
            let e = part_size(Some(64 * MIB), Some(bad)).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidConfig, "{bad}");
            assert!(e.message.contains("5 MiB"), "{}", e.message);
        }
        let e = part_size(Some(big), Some((5 * MIB) as f64)).unwrap_err();
        assert!(
            e.message.contains("at least 11534336 bytes"),
            "{}",
            e.message
        );
        let e = part_size(Some(MAX_OBJECT_SIZE + 1), None).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidBody);
    }

    #[test]
    fn parts_cover_the_body_once() {
        let (total, size) = (12 * MIB + 7, 5 * MIB);
        assert_eq!(part_count(total, size), 3);
        assert_eq!(part_range(1, size, total), (0, 5 * MIB));
        assert_eq!(part_range(2, size, total), (5 * MIB, 10 * MIB));
        assert_eq!(part_range(3, size, total), (10 * MIB, total));
        assert_eq!(part_count(0, size), 1);
        assert_eq!(part_range(1, size, 0), (0, 0));
        assert_eq!(part_count(10 * MIB, size), 2);
    }

    #[test]
    fn requests() {
        let b = bucket();
        let key = "cognito-test/us-east-1:abc/big file.bin";
        let create = CreateMultipartUpload {
            key,
            content_type: Some("video/mp4"),
        }
        .request(&b)
        .unwrap();
        assert_eq!(
            (create.method, create.url.as_str()),
            ("POST", "https://b-1.s3.us-east-1.amazonaws.com/cognito-test/us-east-1%3Aabc/big%20file.bin?uploads=")
        );
        assert_eq!(create.headers, [("content-type", "video/mp4".into())]);
        let id = "2~abc+/=";
        let part = UploadPart {
            key: "k",
            upload_id: id,
            part_number: 7,
        }
        .request(&b)
        .unwrap();
        assert_eq!(
            (part.method, part.url.as_str()),
            (
                "PUT",
                "https://b-1.s3.us-east-1.amazonaws.com/k?partNumber=7&uploadId=2~abc%2B%2F%3D"
            )
        );
        let abort = AbortMultipartUpload {
            key: "k",
            upload_id: id,
        }
        .request(&b)
        .unwrap();
        assert_eq!(abort.method, "DELETE");
        assert!(abort.url.ends_with("/k?uploadId=2~abc%2B%2F%3D"));
        let list = ListParts {
            key: "k",
            upload_id: id,
            after: 1000,
        }
        .request(&b)
        .unwrap();
        assert!(list
            .url
            .ends_with("/k?part-number-marker=1000&uploadId=2~abc%2B%2F%3D"));
        let e = UploadPart {
            key: "k",
            upload_id: "",
            part_number: 1,
        }
        .request(&b)
        .unwrap_err();
        assert!(e.message.contains("uploadId"));
    }

    #[test]
    fn complete_body_lists_parts_escaped() {
        let parts = [
            Part {
                number: 1,
                etag: "\"a1\"".into(),
                size: 5,
            },
            Part {
                number: 2,
                etag: "<&>".into(),
                size: 1,
            },
        ];
        let c = CompleteMultipartUpload {
            key: "k",
            upload_id: "u",
            parts: &parts,
        };
        assert_eq!(
            c.body(),
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
<Part><PartNumber>1</PartNumber><ETag>&quot;a1&quot;</ETag></Part>\
<Part><PartNumber>2</PartNumber><ETag>&lt;&amp;&gt;</ETag></Part></CompleteMultipartUpload>"
        );
        let r = c.request(&bucket()).unwrap();
        assert_eq!(r.method, "POST");
        assert!(r.url.ends_with("/k?uploadId=u"));
    }

    #[test]
    fn complete_retries_only_transient_errors_inside_a_200() {
        let error = |code: &str| {
            let body = ["<Error><Code>", code, "</Code><Message>m</Message></Error>"].concat();
            CompleteMultipartUpload::parse(&body).unwrap_err()
        };
        assert!(CompleteMultipartUpload::retryable(&error("InternalError")));
        assert!(CompleteMultipartUpload::retryable(&error("SlowDown")));
        assert!(!CompleteMultipartUpload::retryable(&error("InvalidPart")));
        assert!(!CompleteMultipartUpload::retryable(&error("NoSuchUpload")));
        // The same code in a 500 is the transport's to retry, not this.
        let e = crate::s3::parse_error(500, "<Error><Code>InternalError</Code></Error>", "C");
        assert!(!CompleteMultipartUpload::retryable(&e));
    }

    #[test]
    fn answers() {
        let created = "<?xml version=\"1.0\"?><InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket><Key>k</Key><UploadId>VXBsb2Fk&amp;1</UploadId></InitiateMultipartUploadResult>";
        assert_eq!(CreateMultipartUpload::parse(created).unwrap(), "VXBsb2Fk&1");
        for bad in [
            "",
            "<UploadId></UploadId>",
            "<UploadId>a&#0;</UploadId>",
            "not xml",
        ] {
            assert_eq!(
                CreateMultipartUpload::parse(bad).unwrap_err().code,
                ErrorCode::Malformed,
                "{bad}"
            );
        }
        let done = "<CompleteMultipartUploadResult><Location>x</Location><Bucket>b</Bucket><Key>k</Key><ETag>&quot;3858f62230ac3c915f300c664312c11f-9&quot;</ETag></CompleteMultipartUploadResult>";
        assert_eq!(
            CompleteMultipartUpload::parse(done).unwrap(),
            "\"3858f62230ac3c915f300c664312c11f-9\""
        );
        // A 200 whose body is an error.
        let failed = "<?xml version=\"1.0\"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>";
        let e = CompleteMultipartUpload::parse(failed).unwrap_err();
        assert_eq!((e.name(), e.status), ("InternalError", Some(200)));
        assert_eq!(
            CompleteMultipartUpload::parse("").unwrap_err().code,
            ErrorCode::Malformed
        );
        assert!(UploadPart::etag(None)
            .unwrap_err()
            .message
            .contains("ExposeHeaders"));
        assert_eq!(UploadPart::etag(Some("\"e\"".into())).unwrap(), "\"e\"");
    }

    #[test]
    fn parts_pages() {
        let page = "<ListPartsResult><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>\
<PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>2</NextPartNumberMarker><MaxParts>2</MaxParts>\
<IsTruncated>true</IsTruncated>\
<Part><PartNumber>1</PartNumber><LastModified>2025-01-01T00:00:00.000Z</LastModified><ETag>&quot;e1&quot;</ETag><Size>5242880</Size></Part>\
<Part><PartNumber>2</PartNumber><ETag>\"e2\"</ETag><Size>10</Size></Part></ListPartsResult>";
        let p = ListParts::parse(page).unwrap();
        assert_eq!(
            p,
            PartsPage {
                parts: alloc::vec![
                    Part {
                        number: 1,
                        etag: "\"e1\"".into(),
                        size: 5242880
                    },
                    Part {
                        number: 2,
                        etag: "\"e2\"".into(),
                        size: 10
                    },
                ],
                next: Some(2),
            }
        );
        let last = "<ListPartsResult><IsTruncated>false</IsTruncated></ListPartsResult>";
        assert_eq!(ListParts::parse(last).unwrap(), PartsPage::default());
        for bad in [
            "",
            "<ListPartsResult><IsTruncated>true</IsTruncated></ListPartsResult>",
            "<ListPartsResult><Part><PartNumber>0</PartNumber><ETag>e</ETag><Size>1</Size></Part></ListPartsResult>",
            "<ListPartsResult><Part><PartNumber>1</PartNumber><Size>1</Size></Part></ListPartsResult>",
            "<ListPartsResult><Part><PartNumber>1</PartNumber><ETag>e</ETag><Size>-1</Size></Part></ListPartsResult>",
        ] {
            assert_eq!(ListParts::parse(bad).unwrap_err().code, ErrorCode::Malformed, "{bad}");
        }
    }
}
