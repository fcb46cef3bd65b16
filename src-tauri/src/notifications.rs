//! Desktop notifications: one for each alert that deserves one (see `should_notify`), saying what
//! happened, and a click on it opens the window on what it is about.

use std::sync::Arc;

use tauri::{AppHandle, Emitter as _};
use tauri_plugin_notification::NotificationExt as _;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;
use truckiq::app::App;
use truckiq::store::{Alert, AlertKind, AlertSubject};
use truckiq::sync::alerts::{NotificationPrefs, should_notify};

use crate::events::ALERT_EVENT;

/// The notification's extra field that holds its route.
const ROUTE_KEY: &str = "route";

/// A desktop notification: what it says and the window route a click on it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
    pub route: String,
}

/// The notification for `alert`, if it gets one now (worth one, outside quiet hours, not muted).
pub fn notification_for(
    alert: &Alert,
    subject: &AlertSubject,
    prefs: &NotificationPrefs,
    minute_of_day: u16,
) -> Option<Notice> {
    should_notify(alert, subject, prefs, minute_of_day).then(|| Notice {
        title: alert.title.clone(),
        body: without_markup(&alert.message),
        route: route_for(alert),
    })
}

/// Notification servers read a body's `<b>`, `<a href>` and `<img>` as markup; a body made from
/// portal text must show as the text it is.
fn without_markup(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Where a click on an alert's notification leads: the truck it is about, the accounts for a
/// sign-in or sync problem, the trucks a first sync found, else the alerts.
fn route_for(alert: &Alert) -> String {
    match (alert.kind, alert.vehicle_id) {
        (AlertKind::NewCriticalFault | AlertKind::RiskChange | AlertKind::CriticalWithoutCase, Some(vehicle)) => {
            format!("#/vehicles/{vehicle}")
        }
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

/// The preferences and what the alert is about, read from the database.
async fn judge_context(app: &App, alert: &Alert) -> (NotificationPrefs, AlertSubject) {
    let prefs = app.notification_prefs().await;
    let subject = app.alert_subject(alert.id).await;
    match (prefs, subject) {
        (Ok(prefs), Ok(subject)) => (prefs, subject),
        (Err(error), _) | (_, Err(error)) => {
            tracing::warn!(%error, "notification preferences unreadable; notifying as by default");
            (NotificationPrefs::default(), AlertSubject::default())
        }
    }
}

fn local_minute_of_day() -> u16 {
    use chrono::Timelike as _;
    let now = chrono::Local::now();
    u16::try_from(now.hour() * 60 + now.minute()).unwrap_or(0)
}

/// Sends every committed alert to the window and, where it deserves one, to the desktop, until
/// `stop` is cancelled.
pub fn start(handle: &AppHandle, app: &Arc<App>, stop: &CancellationToken) {
    open_on_click(handle);
    let (mut alerts, handle, app, stop) =
        (app.engine().subscribe_alerts(), handle.clone(), Arc::clone(app), stop.clone());
    tauri::async_runtime::spawn(async move {
        loop {
            let alert = tokio::select! {
                alert = alerts.recv() => alert,
                () = stop.cancelled() => break,
            };
            match alert {
                Ok(alert) => {
                    let _ = handle.emit(ALERT_EVENT, &alert);
                    crate::tray::refresh(&handle).await;
                    let (prefs, subject) = judge_context(&app, &alert).await;
                    if let Some(notice) = notification_for(&alert, &subject, &prefs, local_minute_of_day()) {
                        show(&handle, alert.id, notice);
                    }
                }
                Err(RecvError::Lagged(missed)) => tracing::warn!(missed, "alerts arrived faster than shown"),
                Err(RecvError::Closed) => break,
            }
        }
    });
}

fn show(handle: &AppHandle, alert_id: i64, notice: Notice) {
    let shown = handle
        .notification()
        .builder()
        .id(i32::try_from(alert_id).unwrap_or_default())
        .title(notice.title)
        .body(notice.body)
        .extra(ROUTE_KEY, notice.route)
        .show();
    // The alert is stored either way; a desktop without a notification service only loses the pop-up.
    if let Err(error) = shown {
        tracing::warn!(%error, "could not show a desktop notification");
    }
}

#[cfg(test)]
mod tests {
    use truckiq::ids::AccountUid;
    use truckiq::j1939::Severity;
    use truckiq::store::{MutedCode, MutedVehicle};

    use super::*;

    fn alert(kind: AlertKind, severity: Severity) -> Alert {
        Alert {
            id: 1,
            uid: truckiq::ids::AlertUid::new(),
            kind,
            severity,
            account_id: Some(1),
            vehicle_id: Some(2),
            fault_id: Some(3),
            sync_run_id: Some(4),
            channel_id: None,
            title: "Critical fault on Unit 1042 (1XKYD49X0NJ123456)".into(),
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
        let truck = MutedVehicle { account: AccountUid::new(), vin: "1XKYD49X0NJ123456".into() };
        let subject = AlertSubject { code: Some(MutedCode { spn: 100, fmi: 1 }), vehicle: Some(truck.clone()) };
        let notice = notification_for(&critical, &subject, &prefs, 600).unwrap();
        assert!(notice.title.contains("Unit 1042") && notice.title.contains("1XKYD49X0NJ123456"));
        assert!(notice.body.starts_with("SPN 100 FMI 1"));
        assert_eq!(notice.route, "#/vehicles/2", "a click opens the truck");
        let nothing = AlertSubject::default();
        assert_eq!(notification_for(&alert(AlertKind::RiskChange, Severity::Info), &nothing, &prefs, 600), None);
        let failed = notification_for(&alert(AlertKind::SyncFailed, Severity::Major), &nothing, &prefs, 600).unwrap();
        assert_eq!(failed.route, "#/accounts");
        let stale = notification_for(&alert(AlertKind::StaleData, Severity::Major), &nothing, &prefs, 600).unwrap();
        assert_eq!(stale.route, "#/accounts");
        let uncased = alert(AlertKind::CriticalWithoutCase, Severity::Major);
        assert_eq!(notification_for(&uncased, &subject, &prefs, 600).unwrap().route, "#/vehicles/2");
        let hostile =
            Alert { message: "SPN 1 FMI 2: <a href=\"https://evil.example\">Fix</a> & go".into(), ..critical.clone() };
        let body = notification_for(&hostile, &subject, &prefs, 600).unwrap().body;
        assert_eq!(
            body, "SPN 1 FMI 2: &lt;a href=\"https://evil.example\"&gt;Fix&lt;/a&gt; &amp; go",
            "text, not markup"
        );
        let muted = NotificationPrefs { muted_vehicles: vec![truck], ..prefs };
        assert_eq!(notification_for(&critical, &subject, &muted, 600), None);
    }
}
