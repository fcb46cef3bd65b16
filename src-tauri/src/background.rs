//! What the app does while it runs, window open or not: the scheduler, a desktop notification for
//! each alert that deserves one, and progress events for the window.

use serde::Serialize;
use tauri::{AppHandle, Emitter as _, Manager as _};
use tauri_plugin_notification::NotificationExt as _;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;
use truckiq::demo::DemoPortal;
use truckiq::portal::extract::Progress;
use truckiq::store::{Alert, AlertKind};
use truckiq::sync::alerts::{NOTIFICATION_PREFS_KEY, NotificationPrefs, should_notify};
use truckiq::sync::scheduler::run_scheduler;
use truckiq::sync::{SyncEngine, SyncEvent};
use ts_rs::TS;

use crate::commands::{DEMO_TICK, DEMO_VEHICLES};
use crate::state::AppState;

/// Event names the window listens to.
pub const ALERT_EVENT: &str = "alert";
pub const SYNC_EVENT: &str = "sync-progress";
/// Asks the window to show a route ("#/vehicles/12"); sent when a notification is clicked.
pub const NAVIGATE_EVENT: &str = "navigate";

/// The notification's extra field that holds its route.
const ROUTE_KEY: &str = "route";

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

/// One step of a sync, for the window's progress bar.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SyncProgress {
    pub account_id: i64,
    pub step: SyncStep,
    pub done: Option<u32>,
    pub total: Option<u32>,
    /// What went wrong, for `retrying` and `failed`.
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
    let (account_id, step, done, total, message) = match event {
        SyncEvent::Started { account_id, .. } => (*account_id, SyncStep::Started, None, None, None),
        SyncEvent::Progress { account_id, progress } => match progress {
            Progress::SigningIn => (*account_id, SyncStep::SigningIn, None, None, None),
            Progress::WaitingForPerson => (*account_id, SyncStep::WaitingForPerson, None, None, None),
            Progress::ListingVehicles { found, .. } => (*account_id, SyncStep::Listing, None, count(*found), None),
            Progress::ReadingDiagnostics { done, total } => {
                (*account_id, SyncStep::Reading, count(*done), count(*total), None)
            }
        },
        SyncEvent::Retrying { account_id, wait, error, .. } => (
            *account_id,
            SyncStep::Retrying,
            None,
            None,
            Some(format!("{error}; trying again in {} s", wait.as_secs())),
        ),
        SyncEvent::Finished { account_id, result: Ok(report) } => {
            (*account_id, SyncStep::Finished, count(report.outcome.vehicles), count(report.outcome.vehicles), None)
        }
        SyncEvent::Finished { account_id, result: Err(error) } => {
            (*account_id, SyncStep::Failed, None, None, Some(error.to_string()))
        }
    };
    SyncProgress { account_id, step, done, total, message }
}

/// A desktop notification: what it says and the window route a click on it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
    pub route: String,
}

/// The notification for `alert`, if it gets one now (see `should_notify`: worth one, outside quiet
/// hours, not muted).
pub fn notification_for(
    alert: &Alert,
    code: Option<(u32, u8)>,
    prefs: &NotificationPrefs,
    minute_of_day: u16,
) -> Option<Notice> {
    should_notify(alert, code, prefs, minute_of_day).then(|| Notice {
        title: alert.title.clone(),
        body: alert.message.clone(),
        route: route_for(alert),
    })
}

/// Where a click on an alert's notification leads: the truck it is about, the accounts for a
/// sign-in or sync problem, the trucks a first sync found, else the alerts.
fn route_for(alert: &Alert) -> String {
    match (alert.kind, alert.vehicle_id) {
        (AlertKind::NewCriticalFault | AlertKind::RiskChange, Some(vehicle)) => format!("#/vehicles/{vehicle}"),
        (AlertKind::SyncFailed | AlertKind::MfaNeeded | AlertKind::StaleData, _) => "#/accounts".to_owned(),
        (AlertKind::FirstSync, _) => "#/vehicles".to_owned(),
        _ => "#/alerts".to_owned(),
    }
}

/// A click on one of our notifications brings the window up on the page it is about.
fn open_on_click(app: &AppHandle) {
    let handle = app.clone();
    let _ = app.notification().on_action(move |performed| {
        if performed.action_id() != "tap" {
            tracing::debug!(action = performed.action_id(), "notification action ignored");
            return;
        }
        let route = performed.notification().and_then(|n| n.extra().get(ROUTE_KEY)).and_then(|r| r.as_str());
        tracing::info!(?route, "notification clicked");
        crate::window::open(&handle, route);
    });
}

/// The preferences and the fault code an alert is judged by, read from the database.
async fn judge_context(engine: &SyncEngine, alert: &Alert) -> (NotificationPrefs, Option<(u32, u8)>) {
    let id = alert.id;
    engine
        .db(move |store| Ok((store.setting(NOTIFICATION_PREFS_KEY)?, store.alert_fault_code(id)?)))
        .await
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "notification preferences unreadable; notifying as by default");
            (NotificationPrefs::default(), None)
        })
}

fn local_minute_of_day() -> u16 {
    use chrono::Timelike as _;
    let now = chrono::Local::now();
    u16::try_from(now.hour() * 60 + now.minute()).unwrap_or(0)
}

/// Starts the scheduler and the forwarders; all stop when `stop` is cancelled.
pub fn start(app: &AppHandle, engine: &SyncEngine, stop: &CancellationToken) {
    open_on_click(app);
    tauri::async_runtime::spawn(run_scheduler(engine.clone(), stop.clone()));

    let (mut alerts, handle, stopping, judge) = (engine.subscribe_alerts(), app.clone(), stop.clone(), engine.clone());
    tauri::async_runtime::spawn(async move {
        loop {
            let alert = tokio::select! {
                alert = alerts.recv() => alert,
                () = stopping.cancelled() => break,
            };
            match alert {
                Ok(alert) => {
                    let _ = handle.emit(ALERT_EVENT, &alert);
                    let (prefs, code) = judge_context(&judge, &alert).await;
                    if let Some(notice) = notification_for(&alert, code, &prefs, local_minute_of_day()) {
                        let shown = handle
                            .notification()
                            .builder()
                            .id(i32::try_from(alert.id).unwrap_or_default())
                            .title(notice.title)
                            .body(notice.body)
                            .extra(ROUTE_KEY, notice.route)
                            .show();
                        // The alert is stored either way; a desktop without a notification
                        // service only loses the pop-up.
                        if let Err(error) = shown {
                            tracing::warn!(%error, "could not show a desktop notification");
                        }
                    }
                }
                Err(RecvError::Lagged(missed)) => tracing::warn!(missed, "alerts arrived faster than shown"),
                Err(RecvError::Closed) => break,
            }
        }
    });

    let (mut events, handle, stopping) = (engine.subscribe_events(), app.clone(), stop.clone());
    tauri::async_runtime::spawn(async move {
        loop {
            let event = tokio::select! {
                event = events.recv() => event,
                () = stopping.cancelled() => break,
            };
            match event {
                Ok(event) => {
                    let progress = progress_of(&event);
                    handle.state::<RunningSyncs>().record(&progress);
                    let _ = handle.emit(SYNC_EVENT, &progress);
                    if progress.step.ends_run() {
                        crate::tray::refresh(&handle).await;
                    }
                }
                Err(RecvError::Lagged(_)) => {} // progress is superseded by the next step anyway
                Err(RecvError::Closed) => break,
            }
        }
    });
}

/// A demo account from an earlier run points at a simulator that is gone: start a new one for it,
/// so the demo fleet keeps syncing while the app runs.
pub fn revive_demo(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let Some(state) = app.try_state::<AppState>() else { return };
        let Ok(engine) = state.engine() else { return };
        match truckiq::demo::demo_account(engine).await {
            Ok(Some(_)) => {}
            Ok(None) => return,
            Err(error) => return tracing::warn!(%error, "cannot look for the demo account"),
        }
        let mut demo = state.demo.lock().await;
        if demo.is_some() {
            return;
        }
        match DemoPortal::start(DEMO_VEHICLES, Some(DEMO_TICK)).await {
            Ok(portal) => match portal.attach(engine, true).await {
                Ok(_) => *demo = Some(portal),
                Err(error) => tracing::warn!(%error, "the demo account could not be attached to its portal"),
            },
            Err(error) => tracing::warn!(%error, "the demo portal could not start"),
        }
    });
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use truckiq::j1939::Severity;
    use truckiq::sync::SyncError;

    use super::*;

    fn alert(kind: AlertKind, severity: Severity) -> Alert {
        Alert {
            id: 1,
            kind,
            severity,
            account_id: Some(1),
            vehicle_id: Some(2),
            fault_id: Some(3),
            sync_run_id: Some(4),
            title: "Critical fault on unit 1042 (1XKYD49X0NJ123456)".into(),
            message: "SPN 100 FMI 1: Engine Oil Pressure. Stop Engine Immediately.".into(),
            created_at: chrono::Utc::now(),
            read_at: None,
            acknowledged_at: None,
            snoozed_until: None,
        }
    }

    #[test]
    fn critical_faults_notify_with_the_truck_and_the_code_unless_muted() {
        let prefs = NotificationPrefs::default();
        let critical = alert(AlertKind::NewCriticalFault, Severity::Critical);
        let notice = notification_for(&critical, Some((100, 1)), &prefs, 600).unwrap();
        assert!(notice.title.contains("unit 1042") && notice.title.contains("1XKYD49X0NJ123456"));
        assert!(notice.body.starts_with("SPN 100 FMI 1"));
        assert_eq!(notice.route, "#/vehicles/2", "a click opens the truck");
        assert_eq!(notification_for(&alert(AlertKind::RiskChange, Severity::Info), None, &prefs, 600), None);
        let failed = notification_for(&alert(AlertKind::SyncFailed, Severity::Major), None, &prefs, 600).unwrap();
        assert_eq!(failed.route, "#/accounts");
        let muted = NotificationPrefs { muted_vehicles: vec![2], ..prefs };
        assert_eq!(notification_for(&critical, Some((100, 1)), &muted, 600), None);
    }

    #[test]
    fn progress_events_carry_counts_and_failures() {
        let reading =
            SyncEvent::Progress { account_id: 7, progress: Progress::ReadingDiagnostics { done: 3, total: 40 } };
        assert_eq!(
            progress_of(&reading),
            SyncProgress { account_id: 7, step: SyncStep::Reading, done: Some(3), total: Some(40), message: None }
        );
        let retry =
            SyncEvent::Retrying { account_id: 7, attempt: 1, wait: Duration::from_secs(30), error: "timed out".into() };
        assert_eq!(progress_of(&retry).message.as_deref(), Some("timed out; trying again in 30 s"));
        let failed = SyncEvent::Finished { account_id: 7, result: Err(SyncError::Cancelled) };
        assert_eq!(progress_of(&failed).step, SyncStep::Failed);
    }

    #[test]
    fn running_syncs_keep_the_latest_step_until_the_run_ends() {
        let running = RunningSyncs::default();
        let step = |account_id, step| SyncProgress { account_id, step, done: None, total: None, message: None };
        running.record(&step(1, SyncStep::SigningIn));
        running.record(&step(2, SyncStep::Started));
        running.record(&step(1, SyncStep::WaitingForPerson));
        assert_eq!(running.snapshot(), vec![step(1, SyncStep::WaitingForPerson), step(2, SyncStep::Started)]);
        running.record(&step(1, SyncStep::Finished));
        running.record(&step(2, SyncStep::Failed));
        assert_eq!(running.snapshot(), vec![], "a finished or failed run is no longer going");
    }
}
