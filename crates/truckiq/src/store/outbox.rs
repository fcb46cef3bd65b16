//! `outbox`: the messages each channel is to be sent, written in the transaction that raises their
//! alerts, and the log of every attempt to send them. The delivery worker claims what is due, sends
//! it outside any transaction, and records the answer in a short one that first checks it still
//! holds the lease.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde::Serialize;
use ts_rs::TS;
use uuid::Uuid;

use super::alerts::{self, Alert, AlertSubject, MutedCode, MutedVehicle, NewAlert};
use super::channels::{self, Channel, channel_from_row};
use super::lease;
use super::sql_enum::sql_text_enum;
use super::{Result, Store};
use crate::ids::AccountUid;

/// The truck an alert is about, as a message describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct TruckFacts {
    pub vin: String,
    pub unit_number: Option<String>,
    pub model_year: Option<i64>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub location: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub located_at: Option<DateTime<Utc>>,
}

/// The fault an alert is about.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultFacts {
    pub source_address: u8,
    pub spn: u32,
    pub fmi: u8,
    /// The portal's own wording of the fault.
    pub description: Option<String>,
    /// The portal's urgency ("Stop Engine Immediately").
    pub portal_severity_text: Option<String>,
    pub derate: bool,
}

/// A newly raised alert with what a message about it says.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertFacts {
    pub alert: Alert,
    pub account: Option<(AccountUid, String)>,
    pub truck: Option<TruckFacts>,
    pub fault: Option<FaultFacts>,
}

impl AlertFacts {
    /// What a mute can match it by.
    pub fn subject(&self) -> AlertSubject {
        AlertSubject {
            code: self.fault.as_ref().map(|f| MutedCode { spn: f.spn, fmi: f.fmi }),
            vehicle: match (&self.account, &self.truck) {
                (Some((account, _)), Some(truck)) => Some(MutedVehicle { account: *account, vin: truck.vin.clone() }),
                _ => None,
            },
        }
    }
}

/// One message for one channel, as the delivery rules decided it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedMessage {
    pub channel_id: i64,
    /// The idempotency key: the alert's uid, or a new one for a digest.
    pub key: Uuid,
    pub urgent: bool,
    /// The generic webhook body (JSON).
    pub event: String,
    pub alert_ids: Vec<i64>,
    pub not_before: DateTime<Utc>,
    pub give_up_at: DateTime<Utc>,
}

/// Decides what each channel is sent about alerts just raised: the delivery rules, handed to the
/// store so the messages are written in the alerts' own transaction.
pub trait Dispatch {
    fn plan(&self, channels: &[Channel], alerts: &[AlertFacts]) -> Vec<PlannedMessage>;
}

/// For stores no channel is ever added to (benchmarks, tests of other things).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoChannels;

impl Dispatch for NoChannels {
    fn plan(&self, _: &[Channel], _: &[AlertFacts]) -> Vec<PlannedMessage> {
        Vec::new()
    }
}

fn facts_from_row(alert: Alert, r: &Row<'_>) -> rusqlite::Result<AlertFacts> {
    let account = match (r.get::<_, Option<AccountUid>>(0)?, r.get::<_, Option<String>>(1)?) {
        (Some(uid), Some(name)) => Some((uid, name)),
        _ => None,
    };
    let truck = r.get::<_, Option<String>>(2)?.map(|vin| -> rusqlite::Result<TruckFacts> {
        Ok(TruckFacts {
            vin,
            unit_number: r.get(3)?,
            model_year: r.get(4)?,
            make: r.get(5)?,
            model: r.get(6)?,
            location: r.get(7)?,
            latitude: r.get(8)?,
            longitude: r.get(9)?,
            located_at: r.get(10)?,
        })
    });
    let fault = r.get::<_, Option<u32>>(12)?.map(|spn| -> rusqlite::Result<FaultFacts> {
        Ok(FaultFacts {
            source_address: r.get(11)?,
            spn,
            fmi: r.get(13)?,
            description: r.get(14)?,
            portal_severity_text: r.get(15)?,
            derate: r.get(16)?,
        })
    });
    Ok(AlertFacts { alert, account, truck: truck.transpose()?, fault: fault.transpose()? })
}

fn alert_facts(conn: &Connection, alerts: &[Alert]) -> Result<Vec<AlertFacts>> {
    let mut stmt = conn.prepare_cached(
        "SELECT acc.uid, acc.name,
                v.vin, v.unit_number, v.model_year, v.make, v.model, v.location_text, v.location_latitude,
                v.location_longitude, v.location_at,
                f.source_address, f.spn, f.fmi, f.description, f.portal_severity_text, f.derate
           FROM alerts a
           LEFT JOIN accounts acc ON acc.id = a.account_id
           LEFT JOIN vehicles v ON v.id = a.vehicle_id
           LEFT JOIN faults f ON f.id = a.fault_id
          WHERE a.id = ?1",
    )?;
    alerts.iter().map(|alert| Ok(stmt.query_row([alert.id], |r| facts_from_row(alert.clone(), r))?)).collect()
}

/// Writes what `dispatch` decides each enabled channel is sent about `alerts`, on `conn` (the open
/// transaction that raised them). Returns how many messages were queued.
pub(super) fn enqueue(
    conn: &Connection,
    alerts: &[Alert],
    dispatch: &dyn Dispatch,
    now: DateTime<Utc>,
) -> Result<usize> {
    let channels = channels::enabled(conn)?;
    if channels.is_empty() || alerts.is_empty() {
        return Ok(0);
    }
    let facts = alert_facts(conn, alerts)?;
    let planned = dispatch.plan(&channels, &facts);
    let mut message = conn.prepare_cached(
        "INSERT INTO outbox (channel_id, message_key, urgent, event, created_at, next_attempt_at, give_up_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut carries = conn.prepare_cached("INSERT INTO outbox_alerts (outbox_id, alert_id) VALUES (?1, ?2)")?;
    for m in &planned {
        message.execute(params![
            m.channel_id,
            m.key.hyphenated().to_string(),
            m.urgent,
            m.event,
            now,
            m.not_before,
            m.give_up_at
        ])?;
        let id = conn.last_insert_rowid();
        for alert_id in &m.alert_ids {
            carries.execute(params![id, alert_id])?;
        }
    }
    Ok(planned.len())
}

sql_text_enum! {
    pub enum DeliveryStatus {
        Pending => "pending",
        Delivered => "delivered",
        /// Given up: refused, or still failing at its deadline.
        Failed => "failed",
    }
}

sql_text_enum! {
    pub enum AttemptOutcome {
        Delivered => "delivered",
        /// Failed for a reason that may pass; tried again later.
        Retry => "retry",
        Failed => "failed",
    }
}

/// A message the worker is to send now.
#[derive(Debug, Clone, PartialEq)]
pub struct DueMessage {
    pub id: i64,
    pub channel: Channel,
    pub key: Uuid,
    pub urgent: bool,
    pub event: String,
    /// Attempts made before this one.
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub give_up_at: DateTime<Utc>,
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub outcome: AttemptOutcome,
    /// The HTTP status or SMTP reply code, when the other side answered.
    pub status: Option<u16>,
    pub answer: String,
    pub duration_ms: u32,
    /// For a retry: when.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// An attempt at outbox message `id`, and the alert to raise if it gave up.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptRecord {
    pub id: i64,
    pub attempt: Attempt,
    pub failing: Option<NewAlert>,
}

/// A message as the outbox and the delivery log show it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub id: i64,
    pub channel_id: i64,
    pub channel_name: String,
    pub key: String,
    pub urgent: bool,
    /// The message's title (the alert's, or the digest's).
    pub title: String,
    pub alerts: u32,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub last_answer: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The lease the delivery worker holds while it sends.
pub const DELIVERY_LEASE: &str = "outbox-delivery";

const ENTRY_COLUMNS: &str = "o.id, o.channel_id, c.name, o.message_key, o.urgent, o.event ->> '$.data.title', \
     (SELECT count(*) FROM outbox_alerts oa WHERE oa.outbox_id = o.id), o.status, o.attempts, o.created_at, \
     o.next_attempt_at, o.last_answer, o.finished_at";

fn entry_from_row(r: &Row<'_>) -> rusqlite::Result<OutboxEntry> {
    Ok(OutboxEntry {
        id: r.get(0)?,
        channel_id: r.get(1)?,
        channel_name: r.get(2)?,
        key: r.get(3)?,
        urgent: r.get(4)?,
        title: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
        alerts: r.get(6)?,
        status: r.get(7)?,
        attempts: r.get(8)?,
        created_at: r.get(9)?,
        next_attempt_at: r.get(10)?,
        last_answer: r.get(11)?,
        finished_at: r.get(12)?,
    })
}

/// The attempts of one message, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AttemptEntry {
    pub at: DateTime<Utc>,
    pub outcome: AttemptOutcome,
    pub status: Option<u16>,
    pub answer: String,
    pub duration_ms: u32,
}

impl Store {
    /// Records `alert` and queues what the channels are sent about it, in one transaction.
    pub fn insert_alert(&mut self, alert: &NewAlert, now: DateTime<Utc>, dispatch: &dyn Dispatch) -> Result<Alert> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let stored = alerts::insert(&tx, alert, now)?;
        enqueue(&tx, std::slice::from_ref(&stored), dispatch, now)?;
        tx.commit()?;
        Ok(stored)
    }

    /// Up to `limit` pending messages whose time has come, the urgent and the oldest first.
    pub fn due_messages(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<DueMessage>> {
        let columns = "o.id, o.message_key, o.urgent, o.event, o.attempts, o.created_at, o.give_up_at";
        let channel_columns = "c.id, c.uid, c.name, c.kind, c.target, c.settings, c.rules, c.enabled, c.created_at";
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {channel_columns}, {columns}
               FROM outbox o JOIN channels c ON c.id = o.channel_id
              WHERE o.status = 'pending' AND o.next_attempt_at <= ?1
              ORDER BY o.urgent DESC, o.next_attempt_at, o.id
              LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![now, limit], |r| {
            let key: String = r.get(10)?;
            Ok(DueMessage {
                channel: channel_from_row(r)?,
                id: r.get(9)?,
                key: Uuid::parse_str(&key).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(10, rusqlite::types::Type::Text, Box::new(e))
                })?,
                urgent: r.get(11)?,
                event: r.get(12)?,
                attempts: r.get(13)?,
                created_at: r.get(14)?,
                give_up_at: r.get(15)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// When the next pending message is due, if any is.
    pub fn next_delivery_at(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(self
            .conn
            .prepare_cached("SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending'")?
            .query_row([], |r| r.get(0))?)
    }

    /// Records attempts by `holder`, with the "channel failing" alerts of those that gave up, all
    /// in one transaction, only while `holder` still has the delivery lease: a worker that slept
    /// past its lease may have been replaced, and must not overwrite what the new one recorded.
    /// Returns the alerts raised, or `None` when the lease was lost (nothing was recorded).
    pub fn record_attempts(&mut self, holder: &str, records: &[AttemptRecord]) -> Result<Option<Vec<Alert>>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let Some(latest) = records.iter().map(|r| r.attempt.at).max() else { return Ok(Some(Vec::new())) };
        if !lease::holds(&tx, DELIVERY_LEASE, holder, latest)? {
            return Ok(None);
        }
        let mut raised = Vec::new();
        for AttemptRecord { id, attempt, failing } in records {
            let (status, next, finished) = match attempt.outcome {
                AttemptOutcome::Delivered => (DeliveryStatus::Delivered, None, Some(attempt.at)),
                AttemptOutcome::Retry => (DeliveryStatus::Pending, attempt.next_attempt_at, None),
                AttemptOutcome::Failed => (DeliveryStatus::Failed, None, Some(attempt.at)),
            };
            tx.prepare_cached(
                "UPDATE outbox SET status = ?2, attempts = attempts + 1,
                                   next_attempt_at = coalesce(?3, next_attempt_at), last_answer = ?4, finished_at = ?5
                  WHERE id = ?1 AND status = 'pending'",
            )?
            .execute(params![id, status, next, attempt.answer, finished])?;
            tx.prepare_cached(
                "INSERT INTO delivery_attempts (outbox_id, at, outcome, status, answer, duration_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                id,
                attempt.at,
                attempt.outcome,
                attempt.status,
                attempt.answer,
                attempt.duration_ms
            ])?;
            // One at a time per channel (a unique index): a channel already said to be failing is
            // not said to be again until a person has dealt with it.
            if let Some(alert) = failing
                && !failing_already(&tx, alert.channel_id)?
            {
                raised.push(alerts::insert(&tx, alert, attempt.at)?);
            }
        }
        tx.commit()?;
        Ok(Some(raised))
    }

    /// The outbox, newest first: `pending_only` for what is still to be sent.
    pub fn outbox(&self, pending_only: bool, limit: u32) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox o JOIN channels c ON c.id = o.channel_id
              WHERE NOT ?1 OR o.status = 'pending'
              ORDER BY o.created_at DESC, o.id DESC LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![pending_only, limit], entry_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One channel's delivery log: its messages, newest first.
    pub fn channel_deliveries(&self, channel_id: i64, limit: u32) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM outbox o JOIN channels c ON c.id = o.channel_id
              WHERE o.channel_id = ?1 ORDER BY o.created_at DESC, o.id DESC LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![channel_id, limit], entry_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn delivery_attempts(&self, outbox_id: i64) -> Result<Vec<AttemptEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, outcome, status, answer, duration_ms FROM delivery_attempts WHERE outbox_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([outbox_id], |r| {
            Ok(AttemptEntry {
                at: r.get(0)?,
                outcome: r.get(1)?,
                status: r.get(2)?,
                answer: r.get(3)?,
                duration_ms: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn failing_already(conn: &Connection, channel_id: Option<i64>) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM alerts WHERE kind = 'channel_failing' AND channel_id = ?1
                                                  AND acknowledged_at IS NULL)",
        )?
        .query_row([channel_id], |r| r.get(0))
        .optional()?
        .unwrap_or(false))
}
