//! `settings`: small preferences as JSON values under a key. Unknown or unreadable values fall
//! back to their defaults (and say so in the log) rather than stopping the app.

use chrono::Utc;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Result, Store, StoreError};

impl Store {
    /// The value under `key`, or `T::default()` when there is none or it cannot be read.
    pub fn setting<T: DeserializeOwned + Default>(&self, key: &str) -> Result<T> {
        let text: Option<String> = self
            .conn
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        Ok(match text.map(|t| serde_json::from_str(&t)) {
            Some(Ok(value)) => value,
            Some(Err(error)) => {
                tracing::warn!(key, %error, "ignoring an unreadable setting; using its default");
                T::default()
            }
            None => T::default(),
        })
    }

    pub fn set_setting<T: Serialize>(&self, key: &str, value: &T) -> Result<()> {
        let text = serde_json::to_string(value).map_err(|e| StoreError::Output(format!("setting {key}: {e}")))?;
        self.conn
            .prepare_cached(
                "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            )?
            .execute(params![key, text, Utc::now()])?;
        Ok(())
    }
}
