//! Wall-clock time in the formats AWS puts on the wire.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// Seconds since the epoch, now.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub fn to_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

pub fn from_secs(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn datetime(secs: u64) -> OffsetDateTime {
    i64::try_from(secs)
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// `2024-01-31T12:00:00Z`, as STS writes `Expiration`.
pub fn iso8601(secs: u64) -> String {
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    datetime(secs).format(fmt).unwrap_or_default()
}

/// `20240131T120000Z`, the SigV4 `x-amz-date` form.
pub fn amz_date(secs: u64) -> String {
    let fmt = format_description!("[year][month][day]T[hour][minute][second]Z");
    datetime(secs).format(fmt).unwrap_or_default()
}

/// Parses the SigV4 `x-amz-date` form; `None` for anything else.
pub fn parse_amz_date(s: &str) -> Option<u64> {
    let fmt = format_description!("[year][month][day]T[hour][minute][second]Z");
    let t = PrimitiveDateTime::parse(s, fmt).ok()?.assume_utc();
    u64::try_from(t.unix_timestamp()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        assert_eq!(iso8601(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(amz_date(1_700_000_000), "20231114T221320Z");
        assert_eq!(parse_amz_date("20231114T221320Z"), Some(1_700_000_000));
        assert_eq!(parse_amz_date("2023-11-14T22:13:20Z"), None);
        assert_eq!(parse_amz_date(""), None);
    }
}
