//! `leases`: work only one process may do at a time, such as delivering the outbox, which both the
//! app and `truckiq sync` (from cron) do on one database. A lease runs out by itself, so a process
//! that died holding one holds nothing a moment later.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, Store};

/// Whether `holder` has lease `name` at `now`.
pub(super) fn holds(conn: &Connection, name: &str, holder: &str, now: DateTime<Utc>) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM leases WHERE name = ?1 AND holder = ?2 AND expires_at > ?3)")?
        .query_row(params![name, holder, now], |r| r.get(0))?)
}

impl Store {
    /// Takes lease `name` for `holder` until `until`, or renews it: one statement, so two
    /// processes asking at once cannot both get it. False while someone else's has not run out.
    pub fn take_lease(&self, name: &str, holder: &str, now: DateTime<Utc>, until: DateTime<Utc>) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached(
                "INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?4)
                 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                  WHERE leases.expires_at <= ?3 OR leases.holder = excluded.holder
                 RETURNING holder",
            )?
            .query_row(params![name, holder, now, until], |r| r.get::<_, String>(0))
            .optional()?
            .is_some())
    }

    /// Gives lease `name` up, if `holder` has it, so the next process need not wait for it to run out.
    pub fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
        self.conn
            .prepare_cached("DELETE FROM leases WHERE name = ?1 AND holder = ?2")?
            .execute(params![name, holder])?;
        Ok(())
    }
}
