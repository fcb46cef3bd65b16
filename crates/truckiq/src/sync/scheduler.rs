//! The background scheduler: syncs each account when it is due (overdue ones at once) and raises
//! `stale_data` for accounts without fresh data, until told to stop. The rules are in [`super::schedule`]; this is only the loop around them.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::engine::SyncEngine;
use super::schedule::{AccountTimes, Due, earliest, next_due};
use crate::portal::run::RunMode;
use crate::store::{RunTrigger, ScheduleRow};

/// The longest the scheduler sleeps, so accounts added or edited meanwhile are picked up.
const MAX_SLEEP: Duration = Duration::from_secs(60);

pub fn times(row: &ScheduleRow) -> AccountTimes {
    AccountTimes {
        interval: Duration::from_secs(u64::from(row.sync_interval_minutes) * 60),
        enabled: row.enabled,
        paused: row.paused,
        last_run_started: row.last_run_started,
        last_success: row.last_success,
    }
}

/// Runs until `stop` is cancelled, then cancels the runs it started.
pub async fn run_scheduler(engine: SyncEngine, stop: CancellationToken) {
    tracing::info!("scheduler started");
    loop {
        let now = engine.clock().now();
        let dues = match engine.read(|store| store.schedule_rows()).await {
            Ok(rows) => rows.iter().map(|row| (row.id, next_due(&times(row), now))).collect::<Vec<_>>(),
            Err(error) => {
                tracing::error!(%error, "scheduler cannot read the accounts");
                Vec::new()
            }
        };
        for &(account_id, due) in &dues {
            if due == Due::Now && !engine.is_running(account_id) {
                tracing::info!(account_id, "scheduled sync");
                // Runs in the background; single flight stops the next tick from starting another.
                drop(engine.sync(account_id, RunTrigger::Scheduled, RunMode::Scheduled));
            }
        }
        // Stale data is noticed here too, so the app warns without anyone running `check-stale`;
        // each stale spell raises its alert once.
        if let Err(error) = engine.check_stale(None).await {
            tracing::warn!(%error, "scheduler cannot check for stale data");
        }
        let wait = earliest(dues.iter().map(|(_, due)| *due).filter(|due| *due != Due::Now), now)
            .and_then(|at| (at - now).to_std().ok())
            .map_or(MAX_SLEEP, |wait| wait.min(MAX_SLEEP));
        tokio::select! {
            () = engine.clock().sleep(wait.max(Duration::from_secs(1))) => {}
            () = stop.cancelled() => break,
        }
    }
    engine.cancel_all();
    tracing::info!("scheduler stopped");
}
