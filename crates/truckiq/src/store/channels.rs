//! `channels`: where alerts are pushed besides the window (webhooks, Slack, Teams, Discord, ntfy,
//! e-mail), and which alerts each one gets. What would let someone else post to a channel (its URL,
//! token, signing secret or SMTP password) is in the keychain under the channel's uid, never here.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::alerts::{AlertKind, QuietHours};
use super::sql_enum::sql_text_enum;
use super::{Result, Store, StoreError};
use crate::ids::{AccountUid, ChannelUid};
use crate::j1939::Severity;

sql_text_enum! {
    pub enum ChannelKind {
        /// Any HTTPS endpoint: TruckIQ's own JSON body, signed (docs/webhooks.md).
        Webhook => "webhook",
        /// A Slack incoming webhook.
        Slack => "slack",
        /// A Microsoft Teams Workflows webhook ("When a Teams webhook request is received").
        Teams => "teams",
        Discord => "discord",
        /// An ntfy topic (ntfy.sh or a server of one's own).
        Ntfy => "ntfy",
        Email => "email",
    }
}

impl ChannelKind {
    /// Reached through a URL kept in the keychain (every kind but e-mail).
    pub fn has_url(self) -> bool {
        self != ChannelKind::Email
    }
}

sql_text_enum! {
    /// How the SMTP connection is protected.
    pub enum SmtpSecurity {
        /// Plain first, then STARTTLS, which must succeed before anything is sent (port 587).
        Starttls => "starttls",
        /// TLS from the first byte (port 465).
        Tls => "tls",
        /// No encryption: only for a relay on this computer (127.0.0.1 or localhost).
        None => "none",
    }
}

// `sql_text_enum!` declares the derives; Default cannot be added to them.
#[allow(clippy::derivable_impls)]
impl Default for SmtpSecurity {
    fn default() -> Self {
        SmtpSecurity::Starttls
    }
}

/// The SMTP server and the addresses of an e-mail channel. Its password is in the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EmailSettings {
    pub server: String,
    pub port: u16,
    #[serde(default)]
    pub security: SmtpSecurity,
    /// Signs in with this user and the keychain's password; none for a relay that needs no sign-in.
    #[serde(default)]
    pub username: Option<String>,
    pub from: String,
    pub to: Vec<String>,
}

/// What is not secret about reaching a channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ChannelSettings {
    pub email: Option<EmailSettings>,
}

/// Which alerts a channel is sent, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ChannelRules {
    pub kinds: Vec<AlertKind>,
    pub tiers: Vec<Severity>,
    /// Only these accounts' alerts; empty means every account.
    pub accounts: Vec<AccountUid>,
    /// Alerts raised then wait until they end (local time).
    pub quiet_hours: Option<QuietHours>,
    /// Critical alerts go at once through quiet hours and mutes.
    pub urgent_through: bool,
}

impl Default for ChannelRules {
    /// What a fleet manager wants pushed: anything that needs a person, not good news.
    fn default() -> Self {
        Self {
            kinds: vec![
                AlertKind::NewCriticalFault,
                AlertKind::CriticalWithoutCase,
                AlertKind::RiskChange,
                AlertKind::NotCommunicating,
                AlertKind::SyncFailed,
                AlertKind::MfaNeeded,
                AlertKind::StaleData,
            ],
            tiers: vec![Severity::Critical, Severity::Major],
            accounts: Vec::new(),
            quiet_hours: None,
            urgent_through: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    pub id: i64,
    pub uid: ChannelUid,
    pub name: String,
    pub kind: ChannelKind,
    /// Where it goes, as can be shown (a URL's scheme and host, or the recipients).
    pub target: String,
    pub settings: ChannelSettings,
    pub rules: ChannelRules,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
}

/// A channel about to be added; its secrets are saved to the keychain by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct NewChannel {
    pub uid: ChannelUid,
    pub name: String,
    pub kind: ChannelKind,
    pub target: String,
    pub settings: ChannelSettings,
    pub rules: ChannelRules,
}

const CHANNEL_COLUMNS: &str = "id, uid, name, kind, target, settings, rules, enabled, created_at";

fn json<T: serde::de::DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(e)))
}

pub(super) fn channel_from_row(row: &Row<'_>) -> rusqlite::Result<Channel> {
    Ok(Channel {
        id: row.get(0)?,
        uid: row.get(1)?,
        name: row.get(2)?,
        kind: row.get(3)?,
        target: row.get(4)?,
        settings: json(row, 5)?,
        rules: json(row, 6)?,
        enabled: row.get(7)?,
        created_at: row.get(8)?,
    })
}

/// The enabled channels, on `conn` (a connection or an open transaction).
pub(super) fn enabled(conn: &rusqlite::Connection) -> Result<Vec<Channel>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {CHANNEL_COLUMNS} FROM channels WHERE enabled = 1 ORDER BY id"))?;
    let rows = stmt.query_map([], channel_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn encode<T: Serialize>(what: &str, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Output(format!("channel {what}: {e}")))
}

impl Store {
    pub fn insert_channel(&self, channel: &NewChannel, now: DateTime<Utc>) -> Result<Channel> {
        let name = channel.name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("the channel name is empty".into()));
        }
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO channels (uid, name, kind, target, settings, rules, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                channel.uid,
                name,
                channel.kind,
                channel.target,
                encode("settings", &channel.settings)?,
                encode("rules", &channel.rules)?,
                now
            ]);
        match inserted {
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => {
                return Err(StoreError::Invalid(format!(
                    "a channel named {name:?} already exists; choose another name"
                )));
            }
            other => other?,
        };
        self.channel(self.conn.last_insert_rowid())?
            .ok_or_else(|| StoreError::Invalid("the channel just added is gone".into()))
    }

    pub fn channels(&self) -> Result<Vec<Channel>> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {CHANNEL_COLUMNS} FROM channels ORDER BY name"))?;
        let rows = stmt.query_map([], channel_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn channel(&self, id: i64) -> Result<Option<Channel>> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {CHANNEL_COLUMNS} FROM channels WHERE id = ?1"))?;
        Ok(stmt.query_row([id], channel_from_row).optional()?)
    }

    /// The channel named `name` (as typed in the CLI), or else the one whose id that is.
    pub fn channel_by_name(&self, name: &str) -> Result<Option<Channel>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels WHERE name = ?1 OR CAST(id AS TEXT) = ?1 \
             ORDER BY name = ?1 DESC LIMIT 1"
        ))?;
        Ok(stmt.query_row([name.trim()], channel_from_row).optional()?)
    }

    pub fn set_channel_rules(&self, id: i64, rules: &ChannelRules, enabled: bool) -> Result<bool> {
        Ok(self.conn.prepare_cached("UPDATE channels SET rules = ?2, enabled = ?3 WHERE id = ?1")?.execute(params![
            id,
            encode("rules", rules)?,
            enabled
        ])? == 1)
    }

    /// Removes a channel with its outbox and delivery log; its keychain entries are the caller's.
    pub fn remove_channel(&self, id: i64) -> Result<bool> {
        Ok(self.conn.prepare_cached("DELETE FROM channels WHERE id = ?1")?.execute([id])? == 1)
    }
}
