//! Decisiv SRM API grants: one OAuth authorization shared by the accounts it reaches.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension as _, Row, params};

use super::{Result, Store};

/// A grant as stored: everything but its tokens, which are in the keychain under `uid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: i64,
    pub uid: uuid::Uuid,
    pub client_id: String,
    pub login_url: String,
    pub api_url: String,
    pub created_at: DateTime<Utc>,
    pub refused_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewGrant {
    pub uid: uuid::Uuid,
    pub client_id: String,
    pub login_url: String,
    pub api_url: String,
}

fn grant_from_row(row: &Row<'_>) -> rusqlite::Result<Grant> {
    let uid: String = row.get(1)?;
    Ok(Grant {
        id: row.get(0)?,
        uid: uid
            .parse()
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e)))?,
        client_id: row.get(2)?,
        login_url: row.get(3)?,
        api_url: row.get(4)?,
        created_at: row.get(5)?,
        refused_at: row.get(6)?,
    })
}

const GRANT_COLUMNS: &str = "id, uid, client_id, login_url, api_url, created_at, refused_at";

impl Store {
    pub fn insert_grant(&self, grant: &NewGrant) -> Result<i64> {
        self.conn
            .prepare_cached(
                "INSERT INTO api_grants (uid, client_id, login_url, api_url, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                grant.uid.to_string(),
                grant.client_id.trim(),
                grant.login_url,
                grant.api_url,
                Utc::now()
            ])?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn grant(&self, id: i64) -> Result<Option<Grant>> {
        let sql = format!("SELECT {GRANT_COLUMNS} FROM api_grants WHERE id = ?1");
        Ok(self.conn.prepare_cached(&sql)?.query_row([id], grant_from_row).optional()?)
    }

    /// Marks the grant refused: a person must authorize again.
    pub fn set_grant_refused(&self, id: i64, at: DateTime<Utc>) -> Result<()> {
        self.conn.prepare_cached("UPDATE api_grants SET refused_at = ?2 WHERE id = ?1")?.execute(params![id, at])?;
        Ok(())
    }

    /// Links an account to the grant that reads it and the SRM account it is.
    pub fn set_account_grant(&self, account_id: i64, grant_id: i64, srm_account_id: &str) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE accounts SET grant_id = ?2, srm_account_id = ?3 WHERE id = ?1")?
            .execute(params![account_id, grant_id, srm_account_id])?;
        Ok(())
    }

    /// Pauses (`Some(reason)`) or resumes (`None`) every account the grant serves.
    pub fn pause_grant_accounts(&self, grant_id: i64, reason: &str) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE accounts SET paused_reason = ?2, updated_at = ?3 WHERE grant_id = ?1")?
            .execute(params![grant_id, reason, Utc::now()])?;
        Ok(())
    }

    /// After a new authorization: the grant is usable, and its accounts resume.
    pub fn grant_authorized_again(&self, grant_id: i64) -> Result<()> {
        self.conn.prepare_cached("UPDATE api_grants SET refused_at = NULL WHERE id = ?1")?.execute([grant_id])?;
        self.conn
            .prepare_cached("UPDATE accounts SET paused_reason = NULL, updated_at = ?2 WHERE grant_id = ?1")?
            .execute(params![grant_id, Utc::now()])?;
        Ok(())
    }

    /// Points a grant and its accounts at a new authorization server and API (the demo's, whose
    /// ports change at every start).
    pub fn move_grant(&self, grant_id: i64, login_url: &str, api_url: &str) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE api_grants SET login_url = ?2, api_url = ?3 WHERE id = ?1")?
            .execute(params![grant_id, login_url, api_url])?;
        self.conn
            .prepare_cached("UPDATE accounts SET base_url = ?2, updated_at = ?3 WHERE grant_id = ?1")?
            .execute(params![grant_id, api_url, Utc::now()])?;
        Ok(())
    }

    /// Deletes a grant no account uses any more; returns whether it did.
    pub fn delete_unused_grant(&self, id: i64) -> Result<bool> {
        let deleted = self.conn.execute(
            "DELETE FROM api_grants WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM accounts WHERE grant_id = ?1)",
            [id],
        )?;
        Ok(deleted > 0)
    }
}
