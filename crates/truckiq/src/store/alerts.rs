//! `alerts`: what TruckIQ tells the fleet manager about, kept until they deal with it.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::sql_enum::sql_text_enum;
use super::{Result, Store};
use crate::ids::{AccountUid, AlertUid};
use crate::j1939::Severity;

/// A daily span in local time, in minutes after midnight; it may cross midnight (22:00-06:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QuietHours {
    pub start_minute: u16,
    pub end_minute: u16,
}

impl QuietHours {
    pub fn contains(self, minute_of_day: u16) -> bool {
        if self.start_minute <= self.end_minute {
            (self.start_minute..self.end_minute).contains(&minute_of_day)
        } else {
            minute_of_day >= self.start_minute || minute_of_day < self.end_minute
        }
    }
}

/// A fault code (SPN and FMI) as a mute names it, on every truck.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MutedCode {
    pub spn: u32,
    pub fmi: u8,
}

/// A fault code muted on one truck only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MutedTruckCode {
    pub vehicle: MutedVehicle,
    pub code: MutedCode,
}

/// A truck as a mute names it: by account identity and VIN, which, unlike row ids, are never
/// given to another truck.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MutedVehicle {
    pub account: AccountUid,
    pub vin: String,
}

/// What an alert is about, as far as mutes are concerned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertSubject {
    pub code: Option<MutedCode>,
    pub vehicle: Option<MutedVehicle>,
}

sql_text_enum! {
    pub enum AlertKind {
        /// A fault episode seen active and critical for the first time.
        NewCriticalFault => "new_critical_fault",
        /// The one summary raised instead of per-fault alerts when an account is first synced.
        FirstSync => "first_sync",
        /// A vehicle moved to another health band.
        RiskChange => "risk_change",
        SyncFailed => "sync_failed",
        /// No successful sync for too long.
        StaleData => "stale_data",
        /// A scheduled run stopped at a verification step only a person can finish.
        MfaNeeded => "mfa_needed",
        /// A truck whose telematics device stopped reporting, as the portal says.
        NotCommunicating => "not_communicating",
        /// A critical fault active for hours on a truck with no open service case.
        CriticalWithoutCase => "critical_without_case",
        /// An alert channel that could not be reached for a day (or refused what was sent): shown in
        /// the window only, never pushed.
        ChannelFailing => "channel_failing",
    }
}

/// An alert about to be recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    pub kind: AlertKind,
    pub severity: Severity,
    pub account_id: Option<i64>,
    pub vehicle_id: Option<i64>,
    pub fault_id: Option<i64>,
    pub sync_run_id: Option<i64>,
    pub channel_id: Option<i64>,
    pub title: String,
    pub message: String,
}

impl NewAlert {
    /// Good news is not an alarm: a truck getting better, or a first sync's summary, is kept in
    /// the list already read.
    pub fn arrives_read(&self) -> bool {
        matches!(self.kind, AlertKind::RiskChange | AlertKind::FirstSync) && self.severity == Severity::Info
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub id: i64,
    pub uid: AlertUid,
    pub kind: AlertKind,
    pub severity: Severity,
    pub account_id: Option<i64>,
    pub vehicle_id: Option<i64>,
    pub fault_id: Option<i64>,
    pub sync_run_id: Option<i64>,
    /// The channel a `channel_failing` alert is about.
    pub channel_id: Option<i64>,
    pub title: String,
    pub message: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Hidden from the unread list until then.
    pub snoozed_until: Option<DateTime<Utc>>,
}

const ALERT_COLUMNS: &str = "id, uid, kind, severity, account_id, vehicle_id, fault_id, sync_run_id, channel_id, \
                             title, message, created_at, read_at, acknowledged_at, snoozed_until";

fn alert_from_row(row: &Row<'_>) -> rusqlite::Result<Alert> {
    Ok(Alert {
        id: row.get(0)?,
        uid: row.get(1)?,
        kind: row.get(2)?,
        severity: row.get(3)?,
        account_id: row.get(4)?,
        vehicle_id: row.get(5)?,
        fault_id: row.get(6)?,
        sync_run_id: row.get(7)?,
        channel_id: row.get(8)?,
        title: row.get(9)?,
        message: row.get(10)?,
        created_at: row.get(11)?,
        read_at: row.get(12)?,
        acknowledged_at: row.get(13)?,
        snoozed_until: row.get(14)?,
    })
}

/// Records `alert` on `conn` (a connection or an open transaction) and returns it as stored.
pub(super) fn insert(conn: &Connection, alert: &NewAlert, now: DateTime<Utc>) -> Result<Alert> {
    let uid = AlertUid::new();
    conn.prepare_cached(
        "INSERT INTO alerts (uid, kind, severity, account_id, vehicle_id, fault_id, sync_run_id, channel_id, title,
                             message, created_at, read_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        uid,
        alert.kind,
        alert.severity,
        alert.account_id,
        alert.vehicle_id,
        alert.fault_id,
        alert.sync_run_id,
        alert.channel_id,
        alert.title,
        alert.message,
        now,
        alert.arrives_read().then_some(now)
    ])?;
    Ok(Alert {
        id: conn.last_insert_rowid(),
        uid,
        kind: alert.kind,
        severity: alert.severity,
        account_id: alert.account_id,
        vehicle_id: alert.vehicle_id,
        fault_id: alert.fault_id,
        sync_run_id: alert.sync_run_id,
        channel_id: alert.channel_id,
        title: alert.title.clone(),
        message: alert.message.clone(),
        created_at: now,
        read_at: alert.arrives_read().then_some(now),
        acknowledged_at: None,
        snoozed_until: None,
    })
}

/// An account's sync stored its trucks: the alerts that said it could not (a failed sync, a
/// refused password, a person needed, stale data) are resolved, acknowledged by the run itself.
pub(super) fn resolve_account_problems(conn: &Connection, account_id: i64, now: DateTime<Utc>) -> Result<usize> {
    Ok(conn
        .prepare_cached(
            "UPDATE alerts SET read_at = coalesce(read_at, ?2), acknowledged_at = ?2, snoozed_until = NULL
              WHERE account_id = ?1 AND acknowledged_at IS NULL
                AND kind IN ('sync_failed', 'mfa_needed', 'stale_data')",
        )?
        .execute(params![account_id, now])?)
}

/// What a person did with an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertAction {
    /// Seen: no longer counted as unread.
    Read,
    /// Dealt with: read, and done.
    Acknowledge,
    /// Out of the way until then, then unread again.
    SnoozeUntil(DateTime<Utc>),
    /// Back from a snooze now, unread.
    Unsnooze,
}

impl Store {
    /// Unread first, then newest first.
    pub fn alerts(&self, limit: u32) -> Result<Vec<Alert>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ALERT_COLUMNS} FROM alerts ORDER BY read_at IS NOT NULL, created_at DESC, id DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map([limit], alert_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn alert(&self, id: i64) -> Result<Option<Alert>> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = ?1"))?;
        Ok(rusqlite::OptionalExtension::optional(stmt.query_row([id], alert_from_row))?)
    }

    /// Applies `action` to the alerts `ids`; returns how many exist.
    pub fn act_on_alerts(&self, ids: &[i64], action: AlertAction, now: DateTime<Utc>) -> Result<usize> {
        let (sql, at) = match action {
            AlertAction::Read => ("UPDATE alerts SET read_at = coalesce(read_at, ?2) WHERE id = ?1", now),
            AlertAction::Acknowledge => (
                "UPDATE alerts SET read_at = coalesce(read_at, ?2), acknowledged_at = ?2, snoozed_until = NULL WHERE id = ?1",
                now,
            ),
            // Unread again when it comes back: that is the point of a snooze.
            AlertAction::SnoozeUntil(until) => {
                ("UPDATE alerts SET read_at = NULL, snoozed_until = ?2 WHERE id = ?1", until)
            }
            AlertAction::Unsnooze => {
                ("UPDATE alerts SET read_at = NULL, snoozed_until = NULL WHERE id = ?1 AND snoozed_until > ?2", now)
            }
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut changed = 0;
        for id in ids {
            changed += stmt.execute(params![id, at])?;
        }
        Ok(changed)
    }

    /// What a mute can match an alert by: its fault code and its truck, when it is about them.
    pub fn alert_subject(&self, alert_id: i64) -> Result<AlertSubject> {
        let subject = self
            .conn
            .prepare_cached(
                "SELECT f.spn, f.fmi, acc.uid, v.vin
                   FROM alerts a
                   LEFT JOIN faults f ON f.id = a.fault_id
                   LEFT JOIN vehicles v ON v.id = a.vehicle_id
                   LEFT JOIN accounts acc ON acc.id = v.account_id
                  WHERE a.id = ?1",
            )?
            .query_row([alert_id], |r| {
                let code = match (r.get(0)?, r.get(1)?) {
                    (Some(spn), Some(fmi)) => Some(MutedCode { spn, fmi }),
                    _ => None,
                };
                let vehicle = match (r.get(2)?, r.get(3)?) {
                    (Some(account), Some(vin)) => Some(MutedVehicle { account, vin }),
                    _ => None,
                };
                Ok(AlertSubject { code, vehicle })
            });
        Ok(rusqlite::OptionalExtension::optional(subject)?.unwrap_or_default())
    }

    /// Whether `account_id` already had an alert of `kind` raised after `since`, acknowledged or
    /// not: a condition that persists is reported once, and dealing with its alert does not bring it
    /// back at the next check.
    pub fn has_alert_since(&self, account_id: i64, kind: AlertKind, since: Option<DateTime<Utc>>) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM alerts WHERE account_id = ?1 AND kind = ?2
                                 AND (?3 IS NULL OR created_at > ?3))",
            )?
            .query_row(params![account_id, kind, since], |r| r.get(0))?)
    }
}
