//! Epoch milliseconds to the `YYYYMMDDTHHMMSSZ` form SigV4 signs. The time is
//! always handed in by the caller: there is no clock in the core (and no
//! `SystemTime::now()` in wasm).

use alloc::string::String;
use crate::error::{push_num, Error, ErrorCode, Result};

/// 9999-12-31T23:59:59.999Z: four-digit years only.
const MAX_MS: i64 = 253_402_300_799_999;

/// `20150830T123600Z` for 2015-08-30 12:36:00 UTC.
pub fn amz_date(epoch_ms: i64) -> Result<String> {
    if !(0..=MAX_MS).contains(&epoch_ms) {
        return Err(Error::new(
            ErrorCode::InvalidDate,
            "the signing date must be between 1970 and 9999: pass a Date or epoch milliseconds",
        ));
    }
    let secs = epoch_ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    let mut out = String::with_capacity(16);
    for (value, width) in [(y, 4), (m, 2), (d, 2)] {
        push_num(&mut out, value as u64, width);
    }
    out.push('T');
    for value in [rem / 3600, rem % 3600 / 60, rem % 60] {
        push_num(&mut out, value as u64, 2);
    }
    out.push('Z');
    Ok(out)
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
        assert_eq!(amz_date(MAX_MS + 1).unwrap_err().code, ErrorCode::InvalidDate);
    }
}
