//! What an incremental read needs from the last one: each truck's change marker, and how many
//! syncs have skipped unchanged trucks since one last read them all.

use std::collections::HashMap;

use rusqlite::params;

use super::{Result, Store};

/// An account's incremental-read state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncrementalState {
    /// VIN to the marker stored with its faults.
    pub markers: HashMap<String, String>,
    pub incremental_reads: u32,
    /// A person asked for the next sync to read every truck.
    pub full_read_due: bool,
}

impl Store {
    pub fn incremental_state(&self, account_id: i64) -> Result<IncrementalState> {
        let (incremental_reads, full_read_due) = self
            .conn
            .prepare_cached("SELECT incremental_reads, full_read_due FROM accounts WHERE id = ?1")?
            .query_row([account_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let markers = self
            .conn
            .prepare_cached(
                "SELECT vin, portal_timestamp FROM vehicles WHERE account_id = ?1 AND portal_timestamp IS NOT NULL",
            )?
            .query_map([account_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(IncrementalState { markers, incremental_reads, full_read_due })
    }

    /// After a sync that stored its read: a full one starts the count again.
    pub fn note_read(&self, account_id: i64, full: bool) -> Result<()> {
        let sql = if full {
            "UPDATE accounts SET incremental_reads = 0, full_read_due = 0 WHERE id = ?1"
        } else {
            "UPDATE accounts SET incremental_reads = incremental_reads + 1 WHERE id = ?1"
        };
        self.conn.prepare_cached(sql)?.execute(params![account_id])?;
        Ok(())
    }

    /// The account's next sync reads every truck, whatever their markers say.
    pub fn request_full_read(&self, account_id: i64) -> Result<bool> {
        Ok(self.conn.prepare_cached("UPDATE accounts SET full_read_due = 1 WHERE id = ?1")?.execute([account_id])? == 1)
    }
}
