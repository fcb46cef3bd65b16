//! When an account's data is stale: one rule, used by the window, the tray, the CLI and the
//! scheduler's `stale_data` alert.

use chrono::{DateTime, Utc};

/// The limit when Settings name none.
pub const DEFAULT_STALE_AFTER_HOURS: u32 = 23;
/// The limits a person may choose: an hour to a month.
pub const STALE_AFTER_HOURS_RANGE: std::ops::RangeInclusive<u32> = 1..=720;

/// An enabled account is stale once `limit_hours` have passed since its last *successful* sync
/// (a failed run brings no new data), or since it was added if it never had one. A disabled
/// account is not synced on purpose, so it is never stale.
pub fn is_stale(
    enabled: bool,
    last_success: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
    limit_hours: u32,
) -> bool {
    enabled && now - last_success.unwrap_or(created_at) >= chrono::Duration::hours(i64::from(limit_hours))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(hours: i64) -> DateTime<Utc> {
        "2026-11-23T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + chrono::Duration::hours(hours)
    }

    #[test]
    fn stale_counts_from_the_last_success_or_from_when_the_account_was_added() {
        assert!(!is_stale(true, Some(t(0)), t(-100), t(22), 23));
        assert!(is_stale(true, Some(t(0)), t(-100), t(23), 23), "exactly the limit");
        assert!(!is_stale(true, None, t(0), t(5), 23), "just added, never synced yet");
        assert!(is_stale(true, None, t(0), t(30), 23), "never synced in 30 h");
        assert!(!is_stale(false, None, t(0), t(300), 23), "paused on purpose");
        assert!(is_stale(true, Some(t(0)), t(0), t(2), 1), "the limit comes from Settings");
    }
}
