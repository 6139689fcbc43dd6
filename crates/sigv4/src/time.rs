//! Epoch milliseconds to the `YYYYMMDDTHHMMSSZ` form SigV4 signs, and the few
//! date forms AWS answers carry (HTTP `Date`, ISO 8601, SigV4's basic form).
//! The time is always handed in by the caller: there is no clock in the core
//! (and no `SystemTime::now()` in wasm).
//!
//! Hand-written, measured against the crates: `time` 0.3's formatting needs
//! std, which the signer-only module does without; `jiff` 1 (no default features,
//! `alloc`) doing `amz_date` and `parse_http_date` took the whole SDK's wasm
//! from 41,585 to 107,415 B gzipped. These ~100 lines are civil-date arithmetic.

use crate::error::{push_num, Error, ErrorCode, Result};
use alloc::string::String;

/// 9999-12-31T23:59:59.999Z: four-digit years only.
const MAX_MS: i64 = 253_402_300_799_999;

/// `20150830T123600Z` for 2015-08-30 12:36:00 UTC.
pub fn amz_date(epoch_ms: i64) -> Result<String> {
    let mut out = String::with_capacity(16);
    push_amz_date(&mut out, epoch_ms)?;
    Ok(out)
}

/// Appends [`amz_date`]'s form of `epoch_ms`.
pub fn push_amz_date(out: &mut String, epoch_ms: i64) -> Result<()> {
    if !(0..=MAX_MS).contains(&epoch_ms) {
        return Err(Error::new(
            ErrorCode::InvalidDate,
            "the signing date must be between 1970 and 9999: pass a Date or epoch milliseconds",
        ));
    }
    let secs = epoch_ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    for (value, width) in [(y, 4), (m, 2), (d, 2)] {
        push_num(out, value as u64, width);
    }
    out.push('T');
    for value in [rem / 3600, rem % 3600 / 60, rem % 60] {
        push_num(out, value as u64, 2);
    }
    out.push('Z');
    Ok(())
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

fn epoch_ms(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    let valid = (1970..=9999).contains(&y)
        && (1..=12).contains(&mo)
        && (1..=31).contains(&d)
        && h < 24
        && mi < 60
        && s < 61;
    valid.then(|| (days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s) * 1000)
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.bytes().try_fold(0i64, |n, b| {
        n.checked_mul(10)?.checked_add(i64::from(b - b'0'))
    })
}

/// `2026-11-21T21:00:00Z` or with fractional seconds (STS `Expiration`), to epoch ms.
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let s = s.trim().strip_suffix('Z')?;
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-');
    let (y, mo, day) = (digits(d.next()?)?, digits(d.next()?)?, digits(d.next()?)?);
    let time = time.split('.').next()?;
    let mut t = time.split(':');
    let (h, mi, sec) = (digits(t.next()?)?, digits(t.next()?)?, digits(t.next()?)?);
    epoch_ms(y, mo, day, h, mi, sec)
}

/// `20150830T123600Z` (SigV4's basic format, in skew answers), to epoch ms.
pub fn parse_amz_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() != 16 || s.as_bytes().get(8) != Some(&b'T') || !s.ends_with('Z') {
        return None;
    }
    let n = |range: core::ops::Range<usize>| digits(s.get(range)?);
    epoch_ms(
        n(0..4)?,
        n(4..6)?,
        n(6..8)?,
        n(9..11)?,
        n(11..13)?,
        n(13..15)?,
    )
}

/// An HTTP `Date` header (`Sun, 06 Nov 1994 08:49:37 GMT`), to epoch ms.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let mut parts = s.split(' ').filter(|p| !p.is_empty()).skip(1);
    let day = digits(parts.next()?)?;
    let month_name = parts.next()?;
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|m| month_name == *m)?;
    let year = digits(parts.next()?)?;
    let mut t = parts.next()?.split(':');
    let (h, mi, sec) = (digits(t.next()?)?, digits(t.next()?)?, digits(t.next()?)?);
    epoch_ms(year, month as i64 + 1, day, h, mi, sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(amz_date(1_440_938_160_000).unwrap(), "20150830T123600Z");
        assert_eq!(amz_date(0).unwrap(), "19700101T000000Z");
        assert_eq!(amz_date(951_782_400_000).unwrap(), "20000229T000000Z");
        assert_eq!(amz_date(MAX_MS).unwrap(), "99991231T235959Z");
        assert_eq!(amz_date(-1).unwrap_err().code, ErrorCode::InvalidDate);
        assert_eq!(
            amz_date(MAX_MS + 1).unwrap_err().code,
            ErrorCode::InvalidDate
        );
    }

    #[test]
    fn parses_service_dates() {
        assert_eq!(
            parse_iso8601("2015-08-30T12:36:00Z"),
            Some(1_440_938_160_000)
        );
        assert_eq!(
            parse_iso8601("2015-08-30T12:36:00.123Z"),
            Some(1_440_938_160_000)
        );
        assert_eq!(
            parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"),
            Some(1_440_938_160_000)
        );
        for bad in [
            "",
            "2015-08-30",
            "2015-13-30T12:36:00Z",
            "x-08-30T12:36:00Z",
            "2015-08-30T12:36Z",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
        for bad in [
            "",
            "Sun, 30 Foo 2015 12:36:00 GMT",
            "Sun, 30 Aug 2015",
            "Sun, xx Aug 2015 12:36:00 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }
}
