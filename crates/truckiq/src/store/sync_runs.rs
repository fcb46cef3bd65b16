//! `sync_runs`: one row per attempt to sync an account, kept as history.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use ts_rs::TS;

use super::sql_enum::sql_text_enum;
use super::{Result, Store};
use crate::failure::FailureReason;

sql_text_enum! {
    /// Who asked for a run.
    pub enum RunTrigger {
        Manual => "manual",
        Scheduled => "scheduled",
    }
}

sql_text_enum! {
    pub enum RunStatus {
        Pending => "pending",
        InProgress => "in_progress",
        Completed => "completed",
        /// Finished, but some vehicles' diagnostics could not be read; those kept their old data.
        Partial => "partial",
        Failed => "failed",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub id: i64,
    pub trigger: RunTrigger,
    pub status: RunStatus,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub vehicles_count: u32,
    pub faults_count: u32,
    pub error_kind: Option<FailureReason>,
    pub error_message: Option<String>,
    pub attempt: u32,
    /// Vehicles whose diagnostics could not be read (they kept their stored faults).
    pub vehicles_failed: u32,
    pub faults_opened: u32,
    pub faults_closed: u32,
    /// A screenshot and the page's HTML, kept when the portal's pages no longer matched the profile.
    pub screenshot_path: Option<String>,
    pub html_path: Option<String>,
}

/// The `SELECT` list [`RunSummary::from_row_at`] reads, for a `sync_runs` table aliased `r`.
pub(super) const RUN_COLUMNS: &str = "r.id, r.trigger, r.status, r.started_at, r.finished_at, r.vehicles_count, \
     r.faults_count, r.error_kind, r.error_message, r.attempt, r.vehicles_failed, r.faults_opened, r.faults_closed, \
     r.screenshot_path, r.html_path";

impl RunSummary {
    /// Reads a run from `row` starting at column `first`; `None` when the run id there is NULL
    /// (a LEFT JOIN that found no run).
    pub(super) fn from_row_at(row: &Row<'_>, first: usize) -> rusqlite::Result<Option<Self>> {
        let Some(id) = row.get::<_, Option<i64>>(first)? else {
            return Ok(None);
        };
        Ok(Some(Self {
            id,
            trigger: row.get(first + 1)?,
            status: row.get(first + 2)?,
            started_at: row.get(first + 3)?,
            finished_at: row.get(first + 4)?,
            vehicles_count: row.get(first + 5)?,
            faults_count: row.get(first + 6)?,
            error_kind: row.get(first + 7)?,
            error_message: row.get(first + 8)?,
            attempt: row.get(first + 9)?,
            vehicles_failed: row.get(first + 10)?,
            faults_opened: row.get(first + 11)?,
            faults_closed: row.get(first + 12)?,
            screenshot_path: row.get(first + 13)?,
            html_path: row.get(first + 14)?,
        }))
    }
}

/// How a run ended.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunEnd {
    pub vehicles: u32,
    pub faults: u32,
    pub vehicles_failed: u32,
    pub faults_opened: u32,
    pub faults_closed: u32,
    pub error_kind: Option<FailureReason>,
    pub error_message: Option<String>,
    pub screenshot_path: Option<String>,
    pub html_path: Option<String>,
}

pub(super) fn finish(
    conn: &Connection,
    run_id: i64,
    status: RunStatus,
    now: DateTime<Utc>,
    end: &RunEnd,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE sync_runs SET status = ?2, finished_at = ?3, vehicles_count = ?4, faults_count = ?5,
             vehicles_failed = ?6, faults_opened = ?7, faults_closed = ?8, error_kind = ?9, error_message = ?10,
             screenshot_path = ?11, html_path = ?12
         WHERE id = ?1",
    )?
    .execute(params![
        run_id,
        status,
        now,
        end.vehicles,
        end.faults,
        end.vehicles_failed,
        end.faults_opened,
        end.faults_closed,
        end.error_kind,
        end.error_message,
        end.screenshot_path,
        end.html_path
    ])?;
    Ok(())
}

impl Store {
    /// Records that a run of `account_id` has started and returns its id.
    pub fn start_run(&self, account_id: i64, trigger: RunTrigger, attempt: u32, now: DateTime<Utc>) -> Result<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO sync_runs (account_id, trigger, status, started_at, attempt)
                 VALUES (?1, ?2, 'in_progress', ?3, ?4)",
            )?
            .execute(params![account_id, trigger, now, attempt])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Ends a run that stored nothing (it failed before or while reading the portal).
    pub fn end_run(&self, run_id: i64, status: RunStatus, now: DateTime<Utc>, end: &RunEnd) -> Result<()> {
        finish(&self.conn, run_id, status, now, end)
    }

    /// Marks runs a killed process left in progress as failed; returns how many there were. Their
    /// data was written in one transaction, so it is either all stored or not at all.
    pub fn mark_interrupted_runs(&self, now: DateTime<Utc>) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE sync_runs SET status = 'failed', finished_at = ?1, error_kind = 'interrupted',
                 error_message = 'TruckIQ stopped while this run was in progress; nothing from it was kept'
             WHERE status IN ('pending', 'in_progress')",
            [now],
        )?)
    }

    /// When `account_id` last finished a run that stored data (completed or partial).
    pub fn last_success_at(&self, account_id: i64) -> Result<Option<DateTime<Utc>>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT max(finished_at) FROM sync_runs WHERE account_id = ?1 AND status IN ('completed', 'partial')",
            )?
            .query_row([account_id], |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// An account's runs, newest first.
    pub fn runs(&self, account_id: i64, limit: u32) -> Result<Vec<RunSummary>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {RUN_COLUMNS} FROM sync_runs r WHERE r.account_id = ?1 ORDER BY r.started_at DESC, r.id DESC LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![account_id, limit], |row| RunSummary::from_row_at(row, 0))?;
        Ok(rows.filter_map(|r| r.transpose()).collect::<rusqlite::Result<_>>()?)
    }

    /// Failed runs across all accounts that started after `since`.
    pub fn failed_runs_since(&self, since: DateTime<Utc>) -> Result<u32> {
        Ok(self
            .conn
            .prepare_cached("SELECT count(*) FROM sync_runs WHERE status = 'failed' AND started_at > ?1")?
            .query_row([since], |r| r.get(0))?)
    }
}
