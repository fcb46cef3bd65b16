//! What an incremental read needs from the last one: each truck's change marker, or where the
//! portal's list of changes was left, and how many syncs have read only changes since one last
//! read everything.

use std::collections::{HashMap, HashSet};

use rusqlite::params;

use super::{Result, Store};

/// An account's incremental-read state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncrementalState {
    /// VIN to the marker stored with its faults.
    pub markers: HashMap<String, String>,
    /// Every VIN stored for the account.
    pub vins: HashSet<String>,
    pub incremental_reads: u32,
    /// A person asked for the next sync to read every truck.
    pub full_read_due: bool,
    /// Where the next read of changes starts, on the portal's clock.
    pub changes_since: Option<String>,
}

impl Store {
    pub fn incremental_state(&self, account_id: i64) -> Result<IncrementalState> {
        let (incremental_reads, full_read_due, changes_since) = self
            .conn
            .prepare_cached("SELECT incremental_reads, full_read_due, changes_since FROM accounts WHERE id = ?1")?
            .query_row([account_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let markers = self
            .conn
            .prepare_cached(
                "SELECT vin, portal_timestamp FROM vehicles WHERE account_id = ?1 AND portal_timestamp IS NOT NULL",
            )?
            .query_map([account_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let vins = self
            .conn
            .prepare_cached("SELECT vin FROM vehicles WHERE account_id = ?1")?
            .query_map([account_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(IncrementalState { markers, vins, incremental_reads, full_read_due, changes_since })
    }

    /// After a sync that stored its read: a full one starts the count again. `changes_since`, when
    /// the read says where the next one starts, replaces the stored point.
    pub fn note_read(&self, account_id: i64, full: bool, changes_since: Option<&str>) -> Result<()> {
        let sql = if full {
            "UPDATE accounts SET incremental_reads = 0, full_read_due = 0,
                                 changes_since = coalesce(?2, changes_since) WHERE id = ?1"
        } else {
            "UPDATE accounts SET incremental_reads = incremental_reads + 1,
                                 changes_since = coalesce(?2, changes_since) WHERE id = ?1"
        };
        self.conn.prepare_cached(sql)?.execute(params![account_id, changes_since])?;
        Ok(())
    }

    /// The account's next sync reads every truck, whatever their markers say.
    pub fn request_full_read(&self, account_id: i64) -> Result<bool> {
        Ok(self.conn.prepare_cached("UPDATE accounts SET full_read_due = 1 WHERE id = ?1")?.execute([account_id])? == 1)
    }
}
