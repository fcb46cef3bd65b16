//! Fault episodes across the fleet, filtered as the Faults view asks, and written out as CSV.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::csv_out::{CsvOut, spreadsheet_safe};
use super::vehicles::{EPISODE_COLUMNS, FaultEpisode, episode_from_row};
use super::{Result, Store, TruckStatus, sql_text_enum};
use crate::j1939::{Severity, reference};

/// Which episodes to list; every field narrows the list, `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct FaultFilter {
    /// Part of a unit number or VIN, any case.
    pub search: String,
    pub severity: Option<Severity>,
    /// Only faults active at the last sync.
    pub active_only: bool,
    pub spn: Option<u32>,
    pub fmi: Option<u8>,
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

sql_text_enum! {
    pub enum FaultSort {
        /// Active first, worst tier first, then the latest reported.
        Severity => "severity",
        /// By unit number (digits as numbers), then VIN.
        Truck => "truck",
        /// By SPN, then FMI.
        Code => "code",
        /// By when the portal last reported the fault.
        LastReported => "last_reported",
    }
}

/// Which episodes, in which order, and which window of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct FaultQuery {
    pub filter: FaultFilter,
    pub sort: FaultSort,
    pub descending: bool,
    pub offset: u32,
    /// At most [`FaultQuery::MAX_LIMIT`].
    pub limit: u32,
}

impl FaultQuery {
    /// A window larger than any screen, small enough that one answer stays cheap.
    pub const MAX_LIMIT: u32 = 1000;

    /// The first `limit` episodes matching `filter`, worst first.
    pub fn first(filter: FaultFilter, limit: u32) -> Self {
        Self { filter, limit, ..Self::default() }
    }
}

impl Default for FaultQuery {
    fn default() -> Self {
        Self { filter: FaultFilter::default(), sort: FaultSort::Severity, descending: false, offset: 0, limit: 100 }
    }
}

/// A window of the filtered list and how many match in all.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FaultPage {
    pub total: u32,
    /// `faults` is `offset..offset + faults.len()` of the matching episodes.
    pub offset: u32,
    pub faults: Vec<FaultListItem>,
}

/// A source address that has faults, named, for the Faults view's picker.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FaultSource {
    pub address: u8,
    /// "Engine #1 (SA 0)", or "SA n" when the address is not a common one.
    pub name: String,
    pub faults: u32,
}

const FILTER_SQL: &str = "
      FROM faults f JOIN vehicles v ON v.id = f.vehicle_id JOIN accounts a ON a.id = v.account_id
     WHERE (?1 IS NULL OR f.severity = ?1)
       AND (?2 = 0 OR (f.active = 1 AND f.cleared_at IS NULL))
       AND (?3 IS NULL OR f.spn = ?3)
       AND (?4 IS NULL OR f.source_address = ?4)
       AND (?5 IS NULL OR f.last_seen_at >= ?5)
       AND (?6 IS NULL OR f.first_seen_at <= ?6)
       AND (?7 IS NULL OR f.fmi = ?7)
       AND (?8 = '' OR instr(upper(concat_ws(' ', v.unit_number, v.vin)), ?8) > 0)";

/// ORDER BY for a sort. Ties fall back to the episode id, so a window never overlaps or skips the
/// next one.
fn order_by(sort: FaultSort, descending: bool) -> String {
    let dir = if descending { "DESC" } else { "ASC" };
    let worst_first = "CASE f.severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1 WHEN 'minor' THEN 2 ELSE 3 END";
    match sort {
        // Ascending is the natural reading here: active and worst first, latest first within.
        FaultSort::Severity => format!(
            "(f.active = 1 AND f.cleared_at IS NULL) {}, {worst_first} {dir}, f.last_seen_at DESC, f.id DESC",
            if descending { "ASC" } else { "DESC" }
        ),
        FaultSort::Truck => format!(
            "v.unit_number IS NULL, v.unit_number COLLATE {} {dir}, v.vin {dir}, {worst_first}, f.id",
            super::NATURAL
        ),
        FaultSort::Code => format!("f.spn {dir}, f.fmi {dir}, f.last_seen_at DESC, f.id"),
        FaultSort::LastReported => format!("f.last_seen_at {dir}, f.id {dir}"),
    }
}

impl Store {
    /// The window of matching episodes `query` asks for, in its order, with the full count.
    pub fn list_faults(&self, query: &FaultQuery) -> Result<FaultPage> {
        self.fault_window(
            &query.filter,
            &order_by(query.sort, query.descending),
            query.offset,
            query.limit.min(FaultQuery::MAX_LIMIT),
        )
    }

    fn fault_window(&self, filter: &FaultFilter, order: &str, offset: u32, limit: u32) -> Result<FaultPage> {
        let search = filter.search.trim().to_uppercase();
        let args = params![
            filter.severity,
            filter.active_only,
            filter.spn,
            filter.source_address,
            filter.since,
            filter.until,
            filter.fmi,
            search
        ];
        let total: u32 =
            self.conn.prepare_cached(&format!("SELECT count(*) {FILTER_SQL}"))?.query_row(args, |r| r.get(0))?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT f.vehicle_id, v.vin, v.unit_number, a.name, v.status, v.status_since, {EPISODE_COLUMNS}
             {FILTER_SQL}
             ORDER BY {order}
             LIMIT {limit} OFFSET {offset}"
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
        Ok(FaultPage { total, offset, faults })
    }

    /// The source addresses that have faults, with their names, most faults first.
    pub fn fault_sources(&self) -> Result<Vec<FaultSource>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT source_address, count(*) FROM faults GROUP BY source_address ORDER BY count(*) DESC, source_address",
        )?;
        let sources = stmt
            .query_map([], |r| {
                let address: u8 = r.get(0)?;
                Ok(FaultSource { address, name: reference::source_label(address), faults: r.get(1)? })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(sources)
    }

    /// Writes every episode matching `filter` as CSV (a header row, then one row per episode).
    pub fn export_faults_csv(&self, filter: &FaultFilter, out: impl std::io::Write) -> Result<u32> {
        let page = self.fault_window(filter, &order_by(FaultSort::Severity, false), 0, u32::MAX)?;
        let mut csv = CsvOut::new(
            out,
            &[
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
            ],
        )?;
        let time = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S").to_string();
        for item in &page.faults {
            let f = &item.episode;
            // Every text column is someone else's words (the portal's, or a name a person typed):
            // each is kept from running as a formula. The rest are our numbers.
            csv.row([
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
            ])?;
        }
        csv.finish()?;
        Ok(page.total)
    }
}
