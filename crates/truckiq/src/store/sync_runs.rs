//! `sync_runs`: one row per attempt to sync an account, kept as history.

use chrono::{DateTime, Utc};
use rusqlite::Row;
use serde::Serialize;
use ts_rs::TS;

use super::sql_enum::sql_text_enum;

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
    pub error_kind: Option<String>,
    pub error_message: Option<String>,
}

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
        }))
    }
}
