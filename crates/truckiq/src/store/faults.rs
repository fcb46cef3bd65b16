//! Fault episodes across the fleet, filtered as the Faults view asks, and written out as CSV.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::vehicles::{EPISODE_COLUMNS, FaultEpisode, episode_from_row};
use super::{Result, Store, StoreError, TruckStatus};
use crate::j1939::Severity;

/// Which episodes to list; every field narrows the list, `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct FaultFilter {
    pub severity: Option<Severity>,
    /// Only faults active at the last sync.
    pub active_only: bool,
    pub spn: Option<u32>,
    pub source_address: Option<u8>,
    /// Episodes seen on or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Episodes that started on or before this time.
    pub until: Option<DateTime<Utc>>,
}

/// A fault episode with the truck it is on.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FaultListItem {
    pub vehicle_id: i64,
    pub vin: String,
    pub unit_number: Option<String>,
    pub account_name: String,
    /// What the portal says about the truck itself ("not communicating": its faults are as last
    /// reported).
    pub truck_status: Option<TruckStatus>,
    pub truck_status_since: Option<DateTime<Utc>>,
    #[serde(flatten)]
    #[ts(flatten)]
    pub episode: FaultEpisode,
}

/// A page of the filtered list and how many there are in all.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FaultPage {
    pub total: u32,
    pub faults: Vec<FaultListItem>,
}

const FILTER_SQL: &str = "
      FROM faults f JOIN vehicles v ON v.id = f.vehicle_id JOIN accounts a ON a.id = v.account_id
     WHERE (?1 IS NULL OR f.severity = ?1)
       AND (?2 = 0 OR (f.active = 1 AND f.cleared_at IS NULL))
       AND (?3 IS NULL OR f.spn = ?3)
       AND (?4 IS NULL OR f.source_address = ?4)
       AND (?5 IS NULL OR f.last_seen_at >= ?5)
       AND (?6 IS NULL OR f.first_seen_at <= ?6)";

impl Store {
    /// Matching episodes, worst and newest first, at most `limit` of them, with the full count.
    pub fn list_faults(&self, filter: &FaultFilter, limit: u32) -> Result<FaultPage> {
        let args =
            params![filter.severity, filter.active_only, filter.spn, filter.source_address, filter.since, filter.until];
        let total: u32 =
            self.conn.prepare_cached(&format!("SELECT count(*) {FILTER_SQL}"))?.query_row(args, |r| r.get(0))?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT f.vehicle_id, v.vin, v.unit_number, a.name, v.status, v.status_since, {EPISODE_COLUMNS}
             {FILTER_SQL}
             ORDER BY f.active DESC,
                      CASE f.severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1 WHEN 'minor' THEN 2 ELSE 3 END,
                      f.last_seen_at DESC, f.id DESC
             LIMIT {limit}"
        ))?;
        let faults = stmt
            .query_map(args, |r| {
                Ok(FaultListItem {
                    vehicle_id: r.get(0)?,
                    vin: r.get(1)?,
                    unit_number: r.get(2)?,
                    account_name: r.get(3)?,
                    truck_status: r.get(4)?,
                    truck_status_since: r.get(5)?,
                    episode: episode_from_row(r, 6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(FaultPage { total, faults })
    }

    /// Writes every episode matching `filter` as CSV (a header row, then one row per episode).
    pub fn export_faults_csv(&self, filter: &FaultFilter, out: impl std::io::Write) -> Result<u32> {
        let page = self.list_faults(filter, u32::MAX)?;
        let csv_error = |e: csv::Error| StoreError::Output(format!("cannot write the CSV: {e}"));
        let mut writer = csv::Writer::from_writer(out);
        writer
            .write_record([
                "vin",
                "unit",
                "account",
                "source_address",
                "source",
                "spn",
                "fmi",
                "description",
                "severity",
                "active",
                "derate",
                "occurrences",
                "first_seen_utc",
                "last_seen_utc",
                "cleared_utc",
            ])
            .map_err(csv_error)?;
        let time = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S").to_string();
        for item in &page.faults {
            let f = &item.episode;
            writer
                // Every text column is someone else's words (the portal's, or a name a person
                // typed): each is kept from running as a formula. The rest are our numbers.
                .write_record([
                    spreadsheet_safe(&item.vin),
                    spreadsheet_safe(item.unit_number.as_deref().unwrap_or_default()),
                    spreadsheet_safe(&item.account_name),
                    f.source_address.to_string(),
                    spreadsheet_safe(&f.source_name),
                    f.spn.to_string(),
                    f.fmi.to_string(),
                    spreadsheet_safe(&f.description),
                    f.severity.to_string(),
                    f.active.to_string(),
                    f.derate.to_string(),
                    f.occurrence_count.to_string(),
                    time(f.first_seen_at),
                    time(f.last_seen_at),
                    f.cleared_at.map(time).unwrap_or_default(),
                ])
                .map_err(csv_error)?;
        }
        writer.flush().map_err(|e| StoreError::Output(format!("cannot write the CSV: {e}")))?;
        Ok(page.total)
    }
}

/// Text that starts like a formula would run as one in a spreadsheet: "=", "+", "-", "@", and a
/// tab or carriage return, which spreadsheets skip before reading a formula (OWASP's list). A
/// leading apostrophe keeps it text.
fn spreadsheet_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_from_portal_text_stay_text() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        for formula in ["+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"] {
            assert!(spreadsheet_safe(formula).starts_with('\''), "{formula:?}");
        }
        assert_eq!(spreadsheet_safe("DEF Quality"), "DEF Quality");
        assert_eq!(spreadsheet_safe(""), "");
    }
}
