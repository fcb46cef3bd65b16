//! When to sync and how to retry: pure rules over times handed in, so they are tested without
//! sleeping and the scheduler and the CLI apply the same ones.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Retrying a run that failed for a reason that may pass (network, timeout, rate limit, an
/// expired session).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Runs per sync request, the first included.
    pub max_attempts: u32,
    /// Wait before the second attempt; each later wait doubles, plus random jitter.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// The longest `Retry-After` waited out; a portal asking for more ends the request and the
    /// account is tried again at its next scheduled time.
    pub longest_rate_limit_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            first_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(10 * 60),
            longest_rate_limit_wait: Duration::from_secs(15 * 60),
        }
    }
}

impl RetryPolicy {
    /// The wait before the next attempt: what the portal asked for when it rate-limited us (within
    /// reason), else the backoff's. `None` = do not retry.
    pub fn wait(&self, retry_after: Option<Duration>, backoff: Option<Duration>) -> Option<Duration> {
        match retry_after {
            Some(asked) if asked > self.longest_rate_limit_wait => None,
            Some(asked) => Some(asked.max(backoff.unwrap_or_default())),
            None => backoff,
        }
    }
}

/// What the scheduler knows about one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountTimes {
    pub interval: Duration,
    pub enabled: bool,
    pub paused: bool,
    /// Start of the latest run, whatever its outcome.
    pub last_run_started: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    Now,
    At(DateTime<Utc>),
    /// Disabled, or paused until a person acts.
    Never,
}

/// When the scheduler should next run an account: at once if it never ran or is overdue (e.g.
/// the computer was off), else one interval after its latest run started. Counting from the
/// latest run, failed ones included, keeps a broken portal from being hit at every tick; retries
/// of a failure happen within the run request, by [`RetryPolicy`].
pub fn next_due(account: &AccountTimes, now: DateTime<Utc>) -> Due {
    if !account.enabled || account.paused {
        return Due::Never;
    }
    let Some(started) = account.last_run_started else {
        return Due::Now;
    };
    let due = started + chrono::Duration::from_std(account.interval).unwrap_or(chrono::Duration::hours(4));
    if due <= now { Due::Now } else { Due::At(due) }
}

/// Whether a sync asked for by hand (the CLI without `--force`, e.g. from cron) should skip an
/// account that completed a sync within its interval. Failed accounts are always tried.
pub fn recently_synced(account: &AccountTimes, now: DateTime<Utc>) -> bool {
    account.last_success.is_some_and(|done| {
        now.signed_duration_since(done).to_std().is_ok_and(|age| age < account.interval) || done > now // a clock moved backwards: do not hammer the portal
    })
}

/// The earliest time any of `dues` comes up, for the scheduler's sleep.
pub fn earliest(dues: impl IntoIterator<Item = Due>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    dues.into_iter()
        .filter_map(|due| match due {
            Due::Now => Some(now),
            Due::At(at) => Some(at),
            Due::Never => None,
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(minutes: i64) -> DateTime<Utc> {
        "2026-11-23T08:00:00Z".parse::<DateTime<Utc>>().unwrap() + chrono::Duration::minutes(minutes)
    }

    fn account(last_run: Option<i64>, last_success: Option<i64>) -> AccountTimes {
        AccountTimes {
            interval: Duration::from_secs(4 * 3600),
            enabled: true,
            paused: false,
            last_run_started: last_run.map(t),
            last_success: last_success.map(t),
        }
    }

    #[test]
    fn never_synced_or_overdue_runs_now_else_one_interval_after_the_last_run() {
        assert_eq!(next_due(&account(None, None), t(0)), Due::Now);
        assert_eq!(next_due(&account(Some(0), Some(1)), t(60)), Due::At(t(240)));
        assert_eq!(next_due(&account(Some(0), Some(1)), t(240)), Due::Now, "due exactly now");
        assert_eq!(next_due(&account(Some(0), None), t(24 * 60)), Due::Now, "overdue after a night off");
    }

    #[test]
    fn paused_or_disabled_accounts_never_run_on_their_own() {
        let paused = AccountTimes { paused: true, ..account(None, None) };
        assert_eq!(next_due(&paused, t(0)), Due::Never);
        let disabled = AccountTimes { enabled: false, ..account(Some(0), None) };
        assert_eq!(next_due(&disabled, t(1000)), Due::Never);
    }

    #[test]
    fn a_recent_success_is_skipped_unless_forced_and_failures_are_not() {
        assert!(recently_synced(&account(Some(0), Some(10)), t(60)));
        assert!(!recently_synced(&account(Some(0), Some(10)), t(300)));
        assert!(!recently_synced(&account(Some(50), None), t(60)), "never succeeded");
        assert!(recently_synced(&account(Some(0), Some(90)), t(60)), "clock went backwards");
    }

    #[test]
    fn rate_limits_are_waited_as_told_within_reason() {
        let policy = RetryPolicy::default();
        let backoff = Some(Duration::from_secs(30));
        assert_eq!(policy.wait(None, backoff), backoff);
        assert_eq!(policy.wait(Some(Duration::from_secs(120)), backoff), Some(Duration::from_secs(120)));
        assert_eq!(policy.wait(Some(Duration::from_secs(5)), backoff), backoff, "never sooner than the backoff");
        assert_eq!(policy.wait(Some(Duration::from_secs(3600)), backoff), None, "an hour: try at the next schedule");
        assert_eq!(policy.wait(None, None), None, "attempts used up");
    }

    #[test]
    fn the_scheduler_sleeps_until_the_earliest_due_account() {
        assert_eq!(earliest([Due::At(t(30)), Due::Never, Due::At(t(10))], t(0)), Some(t(10)));
        assert_eq!(earliest([Due::At(t(30)), Due::Now], t(5)), Some(t(5)));
        assert_eq!(earliest([Due::Never], t(0)), None);
    }
}
