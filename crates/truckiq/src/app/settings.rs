//! Preferences a person changes in Settings; each applies from the next run or notification.

use super::{App, AppError, Result};
use crate::secrets::Sensitive;
use crate::sync::alerts::{NOTIFICATION_PREFS_KEY, NotificationPrefs, QuietHours};
use crate::sync::{SyncSettings, proxy};

impl App {
    /// The sync preferences, with the stale-data limit in effect filled in for the form. The
    /// proxy's password is never among them: only whether one is saved.
    pub async fn sync_settings(&self) -> Result<SyncSettings> {
        let mut settings = self.engine.sync_settings().await?;
        settings.stale_after_hours = Some(settings.stale_after_hours());
        settings.case_alert_hours = Some(settings.case_alert_hours.unwrap_or(crate::sync::DEFAULT_CASE_ALERT_HOURS));
        Ok(settings)
    }

    /// Saves the sync preferences after checking them; they apply from the next run. A proxy
    /// password (typed, or pasted inside the address) goes to the keychain; the saved one is kept
    /// only while the proxy and its user name stay the same.
    pub async fn set_sync_settings(
        &self,
        settings: SyncSettings,
        proxy_password: Option<Sensitive<String>>,
    ) -> Result<()> {
        let stored = self.engine.sync_settings().await?;
        let (settings, change) =
            proxy::plan_change(&stored, settings, proxy_password).map_err(AppError::InvalidInput)?;
        Ok(self.engine.store_sync_settings(settings, change).await?)
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
