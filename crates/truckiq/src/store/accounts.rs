//! `accounts`: the portal logins TruckIQ syncs. Secrets are in the keychain, never here.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;
use ts_rs::TS;

use super::sql_enum::sql_text_enum;
use super::sync_runs::{RUN_COLUMNS, RunSummary};
use super::{Result, Store, StoreError};
use crate::ids::AccountUid;

sql_text_enum! {
    /// Which portal layout (or API) an account signs in to.
    pub enum PortalKind {
        /// The TruckTech+ pages the integration spec v1 describes: e-mail login, `/vehicles`.
        TruckTech => "trucktech",
        /// The Decisiv SRM pages the integration spec v2 describes: `#auth_key` login, `/assets`.
        DecisivSrm => "decisiv_srm",
        /// Decisiv SRM Gateway API over OAuth2.
        DecisivApi => "decisiv_api",
        /// PACCAR Solutions (paccarsolutions.com): a single-page app over its JSON API gateway.
        PaccarSolutions => "paccar_solutions",
    }
}

/// What a person enters to add an account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub name: String,
    pub portal_kind: PortalKind,
    pub base_url: String,
    pub username: String,
    pub sync_interval_minutes: u32,
}

/// An account as the UI and `truckiq status` show it, with its most recent sync run.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountSummary {
    pub id: i64,
    /// Its identity outside this database: keychain entries, browser profile, kept pages, mutes.
    pub uid: AccountUid,
    pub name: String,
    pub portal_kind: PortalKind,
    /// What the portal is called everywhere ([`PortalKind::label`]).
    pub portal_label: String,
    pub base_url: String,
    pub username: String,
    pub sync_interval_minutes: u32,
    pub enabled: bool,
    pub paused_reason: Option<String>,
    /// Its own portal profile file, when it does not read with its kind's profile.
    pub profile_file: Option<String>,
    /// A Decisiv API account: the grant that reads it, and which SRM account it is.
    pub grant_id: Option<i64>,
    pub srm_account_id: Option<String>,
    /// Whether TruckIQ ticks the portal's "trust this device" and keeps its browser profile
    /// between runs (V12).
    pub trust_device: bool,
    pub created_at: DateTime<Utc>,
    pub last_run: Option<RunSummary>,
    /// When a sync of it last completed (fully or partly).
    pub last_success_at: Option<DateTime<Utc>>,
    /// No fresh data for longer than Settings allow ([`crate::sync::staleness`]); filled in by the
    /// application layer, which knows the limit and the time.
    pub stale: bool,
    /// Its secrets may still be under TruckIQ 0.1's row-number names in the keychain.
    #[serde(skip)]
    #[ts(skip)]
    pub legacy_keychain: bool,
}

/// What the scheduler reads about an account.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleRow {
    pub id: i64,
    pub name: String,
    pub sync_interval_minutes: u32,
    pub enabled: bool,
    pub paused: bool,
    pub created_at: DateTime<Utc>,
    pub last_run_started: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
}

/// The shortest sync interval we allow: portals lock out clients that poll harder.
pub const MIN_SYNC_INTERVAL_MINUTES: u32 = 15;

impl Store {
    /// Adds an account and returns its id. Names are unique; a duplicate is a clear error.
    pub fn insert_account(&self, account: &NewAccount) -> Result<i64> {
        validate(account)?;
        self.name_free(&account.name, None)?;
        let now = Utc::now();
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO accounts (name, portal_kind, base_url, username, sync_interval_minutes,
                                       created_at, updated_at, uid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
            )?
            .execute(params![
                account.name.trim(),
                account.portal_kind,
                account.base_url.trim(),
                account.username.trim(),
                account.sync_interval_minutes,
                now,
                AccountUid::new()
            ]);
        inserted.map_err(|e| name_taken(e, &account.name))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// All accounts, by name, each with its latest run (if any).
    pub fn list_accounts(&self) -> Result<Vec<AccountSummary>> {
        let mut stmt =
            self.conn.prepare_cached(&format!("{} ORDER BY a.name COLLATE NOCASE, a.id", summary_select()))?;
        let rows = stmt.query_map([], summary_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn account(&self, id: i64) -> Result<Option<AccountSummary>> {
        let mut stmt = self.conn.prepare_cached(&format!("{} WHERE a.id = ?1", summary_select()))?;
        Ok(stmt.query_row([id], summary_from_row).optional()?)
    }

    /// Every account with the times the scheduler decides by.
    pub fn schedule_rows(&self) -> Result<Vec<ScheduleRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.name, a.sync_interval_minutes, a.enabled, a.paused_reason IS NOT NULL, a.created_at,
                    (SELECT max(started_at) FROM sync_runs WHERE account_id = a.id),
                    (SELECT max(finished_at) FROM sync_runs WHERE account_id = a.id AND status IN ('completed', 'partial'))
               FROM accounts a ORDER BY a.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ScheduleRow {
                id: r.get(0)?,
                name: r.get(1)?,
                sync_interval_minutes: r.get(2)?,
                enabled: r.get(3)?,
                paused: r.get(4)?,
                created_at: r.get(5)?,
                last_run_started: r.get(6)?,
                last_success: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Looks an account up by its name, ignoring case.
    pub fn account_by_name(&self, name: &str) -> Result<Option<AccountSummary>> {
        let mut stmt = self.conn.prepare_cached(&format!("{} WHERE a.name = ?1 COLLATE NOCASE", summary_select()))?;
        Ok(stmt.query_row([name.trim()], summary_from_row).optional()?)
    }

    /// The demo's account on `kind`, if there is one (by its flag, never by its name).
    pub fn demo_account(&self, kind: PortalKind) -> Result<Option<AccountSummary>> {
        let sql = format!("{} WHERE a.demo = 1 AND a.portal_kind = ?1 ORDER BY a.id LIMIT 1", summary_select());
        Ok(self.conn.prepare_cached(&sql)?.query_row([kind], summary_from_row).optional()?)
    }

    /// How many accounts are the person's own, not the demo's.
    pub fn own_account_count(&self) -> Result<u32> {
        Ok(self.conn.prepare_cached("SELECT count(*) FROM accounts WHERE demo = 0")?.query_row([], |r| r.get(0))?)
    }

    /// Every demo account.
    pub fn demo_account_ids(&self) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM accounts WHERE demo = 1 ORDER BY id")?;
        Ok(stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?)
    }

    /// Marks an account the demo made as the demo's.
    pub fn mark_demo(&self, id: i64) -> Result<()> {
        self.conn.prepare_cached("UPDATE accounts SET demo = 1 WHERE id = ?1")?.execute([id])?;
        Ok(())
    }

    /// `name`, or the first of "`name` (demo)", "`name` (demo 2)", … no account has.
    pub fn free_name(&self, name: &str) -> Result<String> {
        let taken = |candidate: &str| -> Result<bool> { Ok(self.account_by_name(candidate)?.is_some()) };
        if !taken(name)? {
            return Ok(name.to_owned());
        }
        for n in 1..1000 {
            let candidate = if n == 1 { format!("{name} (demo)") } else { format!("{name} (demo {n})") };
            if !taken(&candidate)? {
                return Ok(candidate);
            }
        }
        Err(StoreError::Invalid(format!("no free name like {name:?}")))
    }

    /// Changes what a person can edit about an account. A new portal address or username makes
    /// the saved portal session meaningless: the caller clears it.
    pub fn update_account(&self, id: i64, account: &NewAccount) -> Result<bool> {
        validate(account)?;
        self.name_free(&account.name, Some(id))?;
        let updated = self
            .conn
            .prepare_cached(
                "UPDATE accounts SET name = ?2, portal_kind = ?3, base_url = ?4, username = ?5,
                                     sync_interval_minutes = ?6, updated_at = ?7
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                account.name.trim(),
                account.portal_kind,
                account.base_url.trim(),
                account.username.trim(),
                account.sync_interval_minutes,
                Utc::now()
            ]);
        Ok(updated.map_err(|e| name_taken(e, &account.name))? > 0)
    }

    pub fn set_trust_device(&self, id: i64, trust: bool) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE accounts SET trust_device = ?2, updated_at = ?3 WHERE id = ?1")?
            .execute(params![id, trust, Utc::now()])?;
        Ok(())
    }

    /// Stops (`Some(reason)`) or resumes (`None`) scheduled syncing of an account.
    pub fn set_paused(&self, id: i64, reason: Option<&str>) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE accounts SET paused_reason = ?2, updated_at = ?3 WHERE id = ?1")?
            .execute(params![id, reason, Utc::now()])?;
        Ok(())
    }

    /// Includes (`true`) or leaves out (`false`) the account in scheduled syncs.
    pub fn set_enabled(&self, id: i64, enabled: bool) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE accounts SET enabled = ?2, updated_at = ?3 WHERE id = ?1")?
            .execute(params![id, enabled, Utc::now()])?;
        Ok(())
    }

    /// Reads the account with its own profile file (`Some(path)`), or with its kind's (`None`).
    pub fn set_profile_file(&self, id: i64, path: Option<&str>) -> Result<()> {
        let path = path.map(str::trim).filter(|p| !p.is_empty());
        self.conn
            .prepare_cached("UPDATE accounts SET profile_file = ?2, updated_at = ?3 WHERE id = ?1")?
            .execute(params![id, path, Utc::now()])?;
        Ok(())
    }

    /// Points an account at another portal address (e.g. the demo simulator's new port).
    pub fn set_base_url(&self, id: i64, base_url: &str) -> Result<()> {
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
            return Err(StoreError::Invalid(format!("the portal address {base_url:?} must start with https://")));
        }
        self.conn
            .prepare_cached("UPDATE accounts SET base_url = ?2, updated_at = ?3 WHERE id = ?1")?
            .execute(params![id, base_url.trim(), Utc::now()])?;
        Ok(())
    }

    /// Names are found ignoring case (`truckiq sync --account acme`), so two may not differ only in
    /// case; the unique index catches exact repeats.
    fn name_free(&self, name: &str, except: Option<i64>) -> Result<()> {
        let taken: bool = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM accounts WHERE name = ?1 COLLATE NOCASE AND id IS NOT ?2)")?
            .query_row(params![name.trim(), except], |r| r.get(0))?;
        if taken { Err(already_exists(name)) } else { Ok(()) }
    }

    /// The account's secrets are under its identity now (moved, or entered again).
    pub fn clear_legacy_keychain(&self, id: i64) -> Result<()> {
        self.conn.prepare_cached("UPDATE accounts SET legacy_keychain = 0 WHERE id = ?1")?.execute([id])?;
        Ok(())
    }

    /// Deletes an account with its vehicles, faults, runs and alerts. Returns whether it existed.
    pub fn delete_account(&self, id: i64) -> Result<bool> {
        Ok(self.conn.execute("DELETE FROM accounts WHERE id = ?1", [id])? > 0)
    }
}

fn summary_select() -> String {
    format!(
        "SELECT a.id, a.name, a.portal_kind, a.base_url, a.username, a.sync_interval_minutes, a.enabled,
                a.paused_reason, a.created_at, a.uid, a.legacy_keychain, a.profile_file,
                a.grant_id, a.srm_account_id, a.trust_device,
                (SELECT max(finished_at) FROM sync_runs WHERE account_id = a.id AND status IN ('completed', 'partial')),
                {RUN_COLUMNS}
           FROM accounts a
           LEFT JOIN sync_runs r ON r.id = (
                 SELECT id FROM sync_runs WHERE account_id = a.id ORDER BY started_at DESC, id DESC LIMIT 1)"
    )
}

fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<AccountSummary> {
    let portal_kind: PortalKind = row.get(2)?;
    Ok(AccountSummary {
        id: row.get(0)?,
        name: row.get(1)?,
        portal_kind,
        portal_label: portal_kind.label().to_owned(),
        base_url: row.get(3)?,
        username: row.get(4)?,
        sync_interval_minutes: row.get(5)?,
        enabled: row.get(6)?,
        paused_reason: row.get(7)?,
        created_at: row.get(8)?,
        uid: row.get(9)?,
        legacy_keychain: row.get(10)?,
        profile_file: row.get(11)?,
        grant_id: row.get(12)?,
        srm_account_id: row.get(13)?,
        trust_device: row.get(14)?,
        last_success_at: row.get(15)?,
        stale: false,
        last_run: RunSummary::from_row_at(row, 16)?,
    })
}

fn already_exists(name: &str) -> StoreError {
    StoreError::Invalid(format!("an account named {:?} already exists; choose another name", name.trim()))
}

/// A unique-name violation as the clear error a person can act on; anything else as it is.
fn name_taken(error: rusqlite::Error, name: &str) -> StoreError {
    match error {
        rusqlite::Error::SqliteFailure(e, _) if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => {
            already_exists(name)
        }
        other => other.into(),
    }
}

fn validate(account: &NewAccount) -> Result<()> {
    let problem = if account.name.trim().is_empty() {
        Some("the account name is empty".to_owned())
    } else if account.username.trim().is_empty() {
        Some("the username is empty".to_owned())
    } else if !(account.base_url.starts_with("https://") || account.base_url.starts_with("http://")) {
        Some(format!("the portal address {:?} must start with https://", account.base_url))
    } else if account.sync_interval_minutes < MIN_SYNC_INTERVAL_MINUTES {
        Some(format!(
            "the sync interval must be at least {MIN_SYNC_INTERVAL_MINUTES} minutes (got {})",
            account.sync_interval_minutes
        ))
    } else {
        None
    };
    problem.map_or(Ok(()), |p| Err(StoreError::Invalid(p)))
}
