//! Wall-clock time in the formats AWS puts on the wire.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// Seconds since the epoch, now, as the devstack's clock reads it: the
/// system's, moved by `DEVSTACK_CLOCK_OFFSET_SECS` (a server whose clock is
/// off, for the SDK's skew correction: every time check, token and `Date`).
pub fn now_secs() -> u64 {
    let real = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    real.saturating_add_signed(offset_secs())
}

fn offset_secs() -> i64 {
    static OFFSET: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *OFFSET.get_or_init(|| {
        std::env::var("DEVSTACK_CLOCK_OFFSET_SECS")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    })
}

/// `Tue, 14 Nov 2023 22:13:20 GMT`, the `Date` header, by this clock.
pub fn http_date(secs: u64) -> String {
    let fmt = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    datetime(secs).format(fmt).unwrap_or_default()
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
        assert_eq!(http_date(1_700_000_000), "Tue, 14 Nov 2023 22:13:20 GMT");
    }
}
