//! Alerts: reading, acknowledging, snoozing, and muting what a notification was about.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use ts_rs::TS;

use super::{App, AppError, Result};
use crate::store::{Alert, AlertAction, AlertSubject, MutedTruckCode};
use crate::sync::alerts::{NOTIFICATION_PREFS_KEY, NotificationPrefs};

/// What a person can do with alerts.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AlertActionRequest {
    Read,
    Acknowledge,
    /// Back as unread at `until`, which is in the next 30 days. The window works out "tomorrow
    /// morning" in the person's own time zone.
    Snooze {
        until: DateTime<Utc>,
    },
    /// Back as unread now.
    Unsnooze,
}

/// What a mute silences.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MuteScope {
    /// The alert's fault code on its truck only.
    CodeOnTruck,
    /// The alert's fault code on every truck.
    Code,
    /// Everything about the alert's truck.
    Vehicle,
}

/// The longest snooze: an alert put away for longer is one nobody will see again.
const MAX_SNOOZE_DAYS: i64 = 30;

/// The most alerts one list returns.
const MAX_ALERTS: u32 = 5_000;

impl App {
    /// Alerts, unread first, newest first.
    pub async fn list_alerts(&self, limit: Option<u32>) -> Result<Vec<Alert>> {
        let limit = limit.unwrap_or(500).min(MAX_ALERTS);
        self.read(move |store| store.alerts(limit)).await
    }

    /// What an alert is about, as mutes match it.
    pub async fn alert_subject(&self, alert_id: i64) -> Result<AlertSubject> {
        self.read(move |store| store.alert_subject(alert_id)).await
    }

    /// Applies `action` to the alerts; returns how many changed.
    pub async fn act_on_alerts(&self, alert_ids: Vec<i64>, action: AlertActionRequest) -> Result<usize> {
        let now = self.engine.clock().now();
        let action = match action {
            AlertActionRequest::Read => AlertAction::Read,
            AlertActionRequest::Acknowledge => AlertAction::Acknowledge,
            AlertActionRequest::Snooze { until }
                if until > now && until <= now + chrono::Duration::days(MAX_SNOOZE_DAYS) =>
            {
                AlertAction::SnoozeUntil(until)
            }
            AlertActionRequest::Snooze { until } => {
                return Err(AppError::invalid(format!(
                    "an alert can be snoozed until a time in the next {MAX_SNOOZE_DAYS} days, not {until}"
                )));
            }
            AlertActionRequest::Unsnooze => AlertAction::Unsnooze,
        };
        self.write(move |store| store.act_on_alerts(&alert_ids, action, now)).await
    }

    /// Stops desktop notifications like this alert's (alerts are still kept); returns the new
    /// preferences. Unmuting is saving the preferences without the entry.
    pub async fn mute_alert(&self, alert_id: i64, scope: MuteScope) -> Result<NotificationPrefs> {
        self.write(move |store| {
            if store.alert(alert_id)?.is_none() {
                return Ok(Err(AppError::not_found(format!("alert {alert_id} is gone"))));
            }
            let subject = store.alert_subject(alert_id)?;
            let mut prefs: NotificationPrefs = store.setting(NOTIFICATION_PREFS_KEY)?;
            match scope {
                MuteScope::CodeOnTruck => {
                    let (Some(code), Some(vehicle)) = (subject.code, subject.vehicle) else {
                        return Ok(Err(AppError::invalid("this alert is not about a fault code on a truck")));
                    };
                    let muted = MutedTruckCode { vehicle, code };
                    if !prefs.muted_truck_codes.contains(&muted) {
                        prefs.muted_truck_codes.push(muted);
                    }
                }
                MuteScope::Code => {
                    let Some(code) = subject.code else {
                        return Ok(Err(AppError::invalid("this alert is not about a fault code")));
                    };
                    if !prefs.muted_codes.contains(&code) {
                        prefs.muted_codes.push(code);
                    }
                }
                MuteScope::Vehicle => {
                    let Some(vehicle) = subject.vehicle else {
                        return Ok(Err(AppError::invalid("this alert is not about a truck")));
                    };
                    if !prefs.muted_vehicles.contains(&vehicle) {
                        prefs.muted_vehicles.push(vehicle);
                    }
                }
            }
            store.set_setting(NOTIFICATION_PREFS_KEY, &prefs)?;
            Ok(Ok(prefs))
        })
        .await?
    }
}
