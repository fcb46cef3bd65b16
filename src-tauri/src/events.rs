//! The events the window listens to, with their payloads. The names are exported to TypeScript
//! (`ui/src/bindings/commands.ts`), so both sides spell them the same.

use serde::Serialize;
use truckiq::connector::Progress;
use truckiq::failure::FailureReason;
use truckiq::sync::SyncEvent;
use ts_rs::TS;

/// An alert was committed (payload: `Alert`).
pub const ALERT_EVENT: &str = "alert";
/// A sync moved on (payload: [`SyncProgress`]).
pub const SYNC_EVENT: &str = "sync-progress";
/// Asks the window to show a route ("#/vehicles/12"); sent when a notification is clicked.
pub const NAVIGATE_EVENT: &str = "navigate";

/// One step of a sync, for the window's progress bar.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    pub account_id: i64,
    pub step: SyncStep,
    pub done: Option<u32>,
    pub total: Option<u32>,
    /// Why, for `retrying` and `failed`.
    pub reason: Option<FailureReason>,
    /// What went wrong, in words, for `retrying` and `failed`.
    pub message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncStep {
    Started,
    SigningIn,
    WaitingForPerson,
    Listing,
    Reading,
    Retrying,
    Finished,
    Failed,
}

impl SyncStep {
    /// The last step of a run, whichever way it went.
    pub fn ends_run(self) -> bool {
        matches!(self, SyncStep::Finished | SyncStep::Failed)
    }
}

fn count(n: usize) -> Option<u32> {
    u32::try_from(n).ok()
}

pub fn progress_of(event: &SyncEvent) -> SyncProgress {
    let step = |account_id: &i64, step, done, total| SyncProgress {
        account_id: *account_id,
        step,
        done,
        total,
        reason: None,
        message: None,
    };
    match event {
        SyncEvent::Started { account_id, .. } => step(account_id, SyncStep::Started, None, None),
        SyncEvent::Progress { account_id, progress } => match progress {
            Progress::SigningIn => step(account_id, SyncStep::SigningIn, None, None),
            Progress::WaitingForPerson => step(account_id, SyncStep::WaitingForPerson, None, None),
            Progress::ListingVehicles { found, .. } => step(account_id, SyncStep::Listing, None, count(*found)),
            Progress::ReadingDiagnostics { done, total } => {
                step(account_id, SyncStep::Reading, count(*done), count(*total))
            }
        },
        SyncEvent::Retrying { account_id, wait, error, .. } => SyncProgress {
            reason: Some(error.reason()),
            message: Some(format!("{error}; trying again in {} s", wait.as_secs())),
            ..step(account_id, SyncStep::Retrying, None, None)
        },
        SyncEvent::Finished { account_id, result: Ok(report) } => {
            let trucks = count(report.outcome.vehicles);
            step(account_id, SyncStep::Finished, trucks, trucks)
        }
        SyncEvent::Finished { account_id, result: Err(error) } => SyncProgress {
            reason: Some(error.reason()),
            message: Some(error.to_string()),
            ..step(account_id, SyncStep::Failed, None, None)
        },
    }
}

/// The latest step of each sync still going. A window opened in the middle of a run (they come and
/// go: closing one lets it go) starts from this, not from nothing.
#[derive(Default)]
pub struct RunningSyncs(std::sync::Mutex<std::collections::BTreeMap<i64, SyncProgress>>);

impl RunningSyncs {
    pub fn record(&self, progress: &SyncProgress) {
        let mut running = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if progress.step.ends_run() {
            running.remove(&progress.account_id);
        } else {
            running.insert(progress.account_id, progress.clone());
        }
    }

    pub fn snapshot(&self) -> Vec<SyncProgress> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).values().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use truckiq::sync::SyncError;

    use super::*;

    #[test]
    fn progress_events_carry_counts_and_typed_failures() {
        let reading =
            SyncEvent::Progress { account_id: 7, progress: Progress::ReadingDiagnostics { done: 3, total: 40 } };
        assert_eq!(
            progress_of(&reading),
            SyncProgress {
                account_id: 7,
                step: SyncStep::Reading,
                done: Some(3),
                total: Some(40),
                reason: None,
                message: None
            }
        );
        let timeout = SyncError::from(truckiq::portal::error::ConnectorError::Timeout("timed out".into()));
        let retry = SyncEvent::Retrying { account_id: 7, attempt: 1, wait: Duration::from_secs(30), error: timeout };
        let retrying = progress_of(&retry);
        assert_eq!(retrying.message.as_deref(), Some("timed out; trying again in 30 s"));
        assert_eq!(retrying.reason, Some(FailureReason::Timeout));
        let failed = progress_of(&SyncEvent::Finished { account_id: 7, result: Err(SyncError::Cancelled) });
        assert_eq!((failed.step, failed.reason), (SyncStep::Failed, Some(FailureReason::Cancelled)));
        let json = serde_json::to_value(&failed).unwrap();
        assert_eq!((json["step"].as_str(), json["reason"].as_str()), (Some("failed"), Some("cancelled")));
    }

    #[test]
    fn running_syncs_keep_the_latest_step_until_the_run_ends() {
        let running = RunningSyncs::default();
        let step =
            |account_id, step| SyncProgress { account_id, step, done: None, total: None, reason: None, message: None };
        running.record(&step(1, SyncStep::SigningIn));
        running.record(&step(2, SyncStep::Started));
        running.record(&step(1, SyncStep::WaitingForPerson));
        assert_eq!(running.snapshot(), vec![step(1, SyncStep::WaitingForPerson), step(2, SyncStep::Started)]);
        running.record(&step(1, SyncStep::Finished));
        running.record(&step(2, SyncStep::Failed));
        assert_eq!(running.snapshot(), vec![], "a finished or failed run is no longer going");
    }
}
