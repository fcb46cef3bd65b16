//! The local SQLite database: opening it, migrating it, and one query module per table.

mod accounts;
mod alerts;
mod cases;
mod channels;
mod csv_out;
mod faults;
mod fleet;
mod grants;
mod incremental;
mod lease;
mod needs_action;
mod outbox;
mod pool;
mod settings;
mod sql_enum;
mod sync;
mod sync_runs;
mod trend;
mod vehicle_list;
mod vehicles;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension};

pub use accounts::{AccountSummary, MIN_SYNC_INTERVAL_MINUTES, NewAccount, PortalKind, ScheduleRow};
pub use alerts::{
    Alert, AlertAction, AlertKind, AlertSubject, MutedCode, MutedTruckCode, MutedVehicle, NewAlert, QuietHours,
};
pub use cases::{CaseObservation, ServiceCase, covers};
pub use channels::{Channel, ChannelKind, ChannelRules, ChannelSettings, EmailSettings, NewChannel, SmtpSecurity};
pub use faults::{FaultFilter, FaultListItem, FaultPage, FaultQuery, FaultSort, FaultSource};
pub use fleet::{FleetSummary, FrequentFault};
pub use grants::{Grant, NewGrant};
pub use incremental::IncrementalState;
pub use needs_action::{ActionTruck, NeedsAction};
pub use outbox::{
    AlertFacts, Attempt, AttemptEntry, AttemptOutcome, AttemptRecord, DELIVERY_LEASE, DeliveryStatus, Dispatch,
    DueMessage, FaultFacts, NoChannels, OutboxEntry, PlannedMessage, TruckFacts,
};
pub use pool::{Database, READERS};
pub(crate) use sql_enum::sql_text_enum;
pub use sync::{
    BandChange, CriticalEpisode, FaultObservation, ObservedFaults, RecordedSync, StoppedCommunicating, SyncFacts,
    SyncOutcome, SyncRecord, TruckStatus, VehicleObservation, VehicleSnapshot,
};
pub use sync_runs::{RunEnd, RunStatus, RunSummary, RunTrigger};
pub use trend::{MAX_TREND_DAYS, TrendPoint};
pub use vehicle_list::{FaultTier, VehicleListItem, VehiclePage, VehicleQuery, VehicleSort};
pub use vehicles::{FaultEpisode, MeterReading, VehicleDetail};

mod embedded {
    refinery::embed_migrations!("../../migrations");
}

/// The collation that compares runs of digits as numbers ("99" < "100"), for unit numbers.
const NATURAL: &str = "digits_as_numbers";

/// How long a writer waits for another connection's lock before giving up with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data folder {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "cannot bring the database {path} up to date: {source}. \
         If it was written by a newer TruckIQ, update TruckIQ; your data has not been changed"
    )]
    Migrate {
        path: PathBuf,
        #[source]
        source: refinery::Error,
    },
    #[error("{0}")]
    Invalid(String),
    /// Writing what a query read (an export) failed, or a value could not be encoded: nothing the
    /// person entered was wrong.
    #[error("{0}")]
    Output(String),
    /// The task running a database call stopped (a bug): nothing the person entered was wrong.
    #[error("a database task stopped unexpectedly: {0}")]
    Crashed(String),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// One connection to the TruckIQ database, configured and migrated.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, applies connection settings and runs any
    /// pending migrations. Parent folders are created.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|source| StoreError::CreateDir { path: parent.to_path_buf(), source })?;
        }
        let open_err = |source| StoreError::Open { path: path.clone(), source };
        let mut conn = Connection::open(&path).map_err(open_err)?;
        configure(&conn).map_err(open_err)?;
        // Foreign keys are off while migrating: rebuilding a table (the only way SQLite changes a
        // CHECK) drops it, and with them on that would delete every row that refers to it. They
        // are checked once the migrations are done, then switched on for good.
        conn.execute_batch("PRAGMA foreign_keys = OFF").map_err(open_err)?;
        embedded::migrations::runner()
            .run(&mut conn)
            .map_err(|source| StoreError::Migrate { path: path.clone(), source })?;
        let broken: Option<String> = conn
            .query_row("SELECT \"table\" FROM pragma_foreign_key_check LIMIT 1", [], |r| r.get(0))
            .optional()
            .map_err(open_err)?;
        if let Some(table) = broken {
            return Err(StoreError::Invalid(format!(
                "the database {} has rows in {table} that refer to nothing; it was not changed further",
                path.display()
            )));
        }
        conn.execute_batch("PRAGMA foreign_keys = ON").map_err(open_err)?;
        Ok(Self { conn, path })
    }

    /// Opens a read-only connection to a database [`Store::open`] has created and migrated: the
    /// same settings, and `query_only`, so a write through it fails instead of racing the writer.
    pub fn open_reader(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let open_err = |source| StoreError::Open { path: path.clone(), source };
        let conn = Connection::open(&path).map_err(open_err)?;
        configure(&conn).and_then(|()| conn.execute_batch("PRAGMA query_only = ON")).map_err(open_err)?;
        Ok(Self { conn, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Raw access for tests and tools that inspect the schema itself.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// A time as text in exactly the form rusqlite writes a `DateTime<Utc>` ("%F %T%.f%:z"), made once
/// and bound many times: formatting a time per row was a tenth of a large sync's cost.
/// In one fixed form and always UTC, so these texts order as their times do.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct SqlTime(String);

impl From<chrono::DateTime<chrono::Utc>> for SqlTime {
    fn from(time: chrono::DateTime<chrono::Utc>) -> Self {
        Self(time.format("%F %T%.f%:z").to_string())
    }
}

impl SqlTime {
    pub(crate) fn into_text(self) -> String {
        self.0
    }
}

impl rusqlite::types::ToSql for SqlTime {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.0.as_str().into())
    }
}

/// Settings every connection needs: WAL so the UI can read while a sync writes, `synchronous=NORMAL`
/// (durable at checkpoints, safe against corruption in WAL mode), foreign keys (off by default in
/// SQLite), a busy timeout instead of failing at once on a locked database, and the collation
/// unit numbers sort by.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(%mode, "SQLite refused WAL mode; continuing with {mode}");
    }
    conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?;
    conn.create_collation(NATURAL, |a: &str, b: &str| alphanumeric_sort::compare_str(a, b))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_time_is_exactly_what_rusqlite_writes_and_reads_back() {
        let conn = Connection::open_in_memory().unwrap();
        let time: chrono::DateTime<chrono::Utc> = "2026-11-23T10:59:01.123456Z".parse().unwrap();
        let (ours, theirs): (String, String) = conn
            .query_row("SELECT ?1, ?2", rusqlite::params![SqlTime::from(time), time], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!(ours, theirs);
        let back: chrono::DateTime<chrono::Utc> =
            conn.query_row("SELECT ?1", [SqlTime::from(time)], |r| r.get(0)).unwrap();
        assert_eq!(back, time);
    }
}
