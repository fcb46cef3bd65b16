//! Preferences a person changes in Settings; each applies from the next run or notification.

use super::{App, AppError, Result};
use crate::sync::alerts::{NOTIFICATION_PREFS_KEY, NotificationPrefs, QuietHours};
use crate::sync::{SYNC_SETTINGS_KEY, SyncSettings};

impl App {
    /// The sync preferences, with the stale-data limit in effect filled in for the form.
    pub async fn sync_settings(&self) -> Result<SyncSettings> {
        let mut settings: SyncSettings = self.read(|store| store.setting(SYNC_SETTINGS_KEY)).await?;
        settings.stale_after_hours = Some(settings.stale_after_hours());
        settings.case_alert_hours = Some(settings.case_alert_hours.unwrap_or(crate::sync::DEFAULT_CASE_ALERT_HOURS));
        Ok(settings)
    }

    /// Saves the sync preferences after checking them; they apply from the next run.
    pub async fn set_sync_settings(&self, settings: SyncSettings) -> Result<()> {
        settings.check().map_err(AppError::InvalidInput)?;
        self.write(move |store| store.set_setting(SYNC_SETTINGS_KEY, &settings)).await
    }

    pub async fn notification_prefs(&self) -> Result<NotificationPrefs> {
        self.read(|store| store.setting(NOTIFICATION_PREFS_KEY)).await
    }

    pub async fn set_notification_prefs(&self, prefs: NotificationPrefs) -> Result<()> {
        let valid = |q: &QuietHours| q.start_minute < 1440 && q.end_minute < 1440;
        if !prefs.quiet_hours.as_ref().is_none_or(valid) {
            return Err(AppError::invalid("quiet hours must be times of day (00:00 to 23:59)"));
        }
        self.write(move |store| store.set_setting(NOTIFICATION_PREFS_KEY, &prefs)).await
    }
}
