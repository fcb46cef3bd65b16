//! When to try a message again. Pure: the worker hands in the time, the attempt count and the
//! randomness, so the schedule is tested without waiting.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

/// The wait after the first failed attempt; each later one doubles.
pub const FIRST_RETRY: Duration = Duration::from_secs(10);
/// The longest wait between two attempts.
pub const LONGEST_RETRY: Duration = Duration::from_secs(30 * 60);
/// The longest `Retry-After` honoured as asked; a receiver asking for more is tried at this.
pub const LONGEST_RETRY_AFTER: Duration = Duration::from_secs(6 * 60 * 60);

/// When to try again after `attempts` failed attempts (this one included), or `None` to give up:
/// exponential back-off with "equal jitter" (half fixed, half random, `jitter` in [0, 1)), never
/// sooner than the receiver's `Retry-After`, and one last try at `give_up_at`.
pub fn next_attempt_at(
    now: DateTime<Utc>,
    attempts: u32,
    retry_after: Option<Duration>,
    give_up_at: DateTime<Utc>,
    jitter: f64,
) -> Option<DateTime<Utc>> {
    if now >= give_up_at {
        return None;
    }
    let doubling = 2u32.saturating_pow(attempts.saturating_sub(1).min(16));
    let backoff = FIRST_RETRY.saturating_mul(doubling).min(LONGEST_RETRY);
    let jittered = backoff.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0));
    let wait = retry_after.map_or(jittered, |asked| asked.min(LONGEST_RETRY_AFTER).max(jittered));
    let at = now + TimeDelta::from_std(wait).unwrap_or(TimeDelta::MAX);
    Some(at.min(give_up_at))
}

/// A `Retry-After` header: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when: DateTime<Utc> = httpdate::parse_http_date(value).ok()?.into();
    Some((when - now).to_std().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    const NOW: &str = "2026-12-03T10:00:00Z";
    const DAY_LATER: &str = "2026-12-04T10:00:00Z";

    #[test]
    fn the_wait_doubles_with_jitter_up_to_its_cap() {
        let next = |n, jitter| next_attempt_at(at(NOW), n, None, at(DAY_LATER), jitter).unwrap() - at(NOW);
        assert_eq!(next(1, 0.0), TimeDelta::seconds(5));
        assert_eq!(next(1, 0.999_999).num_seconds(), 9);
        assert_eq!(next(2, 0.0), TimeDelta::seconds(10));
        assert_eq!(next(4, 0.0), TimeDelta::seconds(40));
        assert_eq!(next(30, 0.0), TimeDelta::minutes(15), "capped at 30 min before jitter");
        assert_eq!(next(30, 1.0), TimeDelta::minutes(30));
    }

    #[test]
    fn retry_after_is_honoured_within_reason() {
        let next = |asked| next_attempt_at(at(NOW), 1, Some(asked), at(DAY_LATER), 0.0).unwrap() - at(NOW);
        assert_eq!(next(Duration::from_secs(120)), TimeDelta::minutes(2));
        assert_eq!(next(Duration::from_secs(1)), TimeDelta::seconds(5), "never sooner than the back-off");
        assert_eq!(next(Duration::from_secs(100 * 3600)), TimeDelta::hours(6));
    }

    #[test]
    fn the_last_try_is_at_the_deadline_and_then_it_gives_up() {
        let deadline = at("2026-12-03T10:00:03Z");
        assert_eq!(next_attempt_at(at(NOW), 1, None, deadline, 0.0), Some(deadline));
        assert_eq!(next_attempt_at(deadline, 9, None, deadline, 0.0), None);
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = at("2015-10-21T07:28:00Z");
        assert_eq!(parse_retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:30:00 GMT", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
