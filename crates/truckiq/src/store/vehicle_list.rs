//! The Vehicles table: trucks filtered, sorted and windowed by SQLite, so a fleet of 10 000 costs
//! the window a person sees rather than the whole list on every keystroke.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use rusqlite::types::ToSql;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::csv_out::{CsvOut, spreadsheet_safe};
use super::{Result, Store, StoreError, TruckStatus, sql_text_enum};
use crate::j1939::health::HealthBand;

/// A truck as the Vehicles table shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VehicleListItem {
    pub id: i64,
    pub account_id: i64,
    pub account_name: String,
    pub vin: String,
    pub unit_number: Option<String>,
    pub model_year: Option<u16>,
    pub make: Option<String>,
    pub model: Option<String>,
    /// "PACCAR MX-13"
    pub engine: Option<String>,
    pub odometer_mi: Option<f64>,
    pub engine_hours: Option<f64>,
    pub health_score: Option<u8>,
    pub health_band: Option<HealthBand>,
    pub active_critical: u32,
    pub active_major: u32,
    pub active_faults: u32,
    pub last_synced_at: Option<DateTime<Utc>>,
    /// What the portal says about the truck itself ("not communicating", "in repair").
    pub status: Option<TruckStatus>,
    pub status_since: Option<DateTime<Utc>>,
}

sql_text_enum! {
    /// Trucks with at least one active fault of this tier (or worse).
    pub enum FaultTier {
        Critical => "critical",
        /// Critical or major.
        Major => "major",
    }
}

sql_text_enum! {
    pub enum VehicleSort {
        /// Least healthy first; trucks never read come last either way.
        Health => "health",
        /// Unit numbers compare digits as numbers: "99" before "100", "T-9" before "T-17".
        Unit => "unit",
        Vin => "vin",
        Odometer => "odometer",
        /// Critical, then major, then all active faults.
        Faults => "faults",
    }
}

/// Which trucks, in which order, and which window of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct VehicleQuery {
    /// Part of a VIN or unit number, any case.
    pub search: String,
    pub band: Option<HealthBand>,
    pub tier: Option<FaultTier>,
    pub account_id: Option<i64>,
    /// Only trucks with this status ("in repair" also when a service case is open).
    pub status: Option<TruckStatus>,
    pub sort: VehicleSort,
    pub descending: bool,
    pub offset: u32,
    /// At most [`VehicleQuery::MAX_LIMIT`].
    pub limit: u32,
}

impl VehicleQuery {
    /// A window larger than any screen, small enough that one answer stays cheap.
    pub const MAX_LIMIT: u32 = 1000;
}

impl Default for VehicleQuery {
    fn default() -> Self {
        Self {
            search: String::new(),
            band: None,
            tier: None,
            account_id: None,
            status: None,
            sort: VehicleSort::Health,
            descending: false,
            offset: 0,
            limit: Self::MAX_LIMIT,
        }
    }
}

/// One window of the matching trucks.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VehiclePage {
    /// Every truck in the database, matching or not.
    pub total: u32,
    /// Trucks the filter matches; `rows` is `offset..offset + rows.len()` of them.
    pub matching: u32,
    pub offset: u32,
    pub rows: Vec<VehicleListItem>,
}

const SELECT_ITEM: &str = concat!(
    "
    SELECT v.id, v.account_id, a.name, v.vin, v.unit_number, v.model_year, v.make, v.model,
           trim(coalesce(v.engine_make, '') || ' ' || coalesce(v.engine_model, '')),
           v.odometer_mi, v.engine_hours, v.health_score, v.health_band,
           v.active_critical, v.active_major, v.active_faults, v.last_synced_at, ",
    super::cases::truck_status_sql!(),
    ", v.status_since
      FROM vehicles v JOIN accounts a ON a.id = v.account_id"
);

// Search looks through what a person knows a truck by, in the order they say it ("2016 Kenworth
// T680", "Cummins X15"), plus its unit and VIN: `search_text`, upper case, kept by triggers (V14).
const FILTER_SQL: &str = concat!(
    "
     WHERE (?1 = '' OR instr(v.search_text, ?1) > 0)
       AND (?2 IS NULL OR v.health_band = ?2)
       AND (?3 IS NULL OR v.active_critical > 0 OR (?3 = 'major' AND v.active_major > 0))
       AND (?4 IS NULL OR v.account_id = ?4)
       AND (?5 IS NULL OR ",
    super::cases::truck_status_sql!(),
    " = ?5)"
);

/// ORDER BY for a sort. Unknowns (never read, no unit, no odometer) come last in both directions;
/// ties fall back to the VIN so a window never overlaps or skips the next one.
fn order_by(sort: VehicleSort, descending: bool) -> String {
    let dir = if descending { "DESC" } else { "ASC" };
    match sort {
        VehicleSort::Health => format!("v.health_score IS NULL, v.health_score {dir}, v.vin"),
        VehicleSort::Unit => format!("v.unit_number IS NULL, v.unit_number COLLATE {} {dir}, v.vin", super::NATURAL),
        VehicleSort::Vin => format!("v.vin {dir}"),
        VehicleSort::Odometer => format!("v.odometer_mi IS NULL, v.odometer_mi {dir}, v.vin"),
        VehicleSort::Faults => {
            format!("v.active_critical {dir}, v.active_major {dir}, v.active_faults {dir}, v.vin")
        }
    }
}

fn item_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<VehicleListItem> {
    let engine: String = r.get(8)?;
    Ok(VehicleListItem {
        id: r.get(0)?,
        account_id: r.get(1)?,
        account_name: r.get(2)?,
        vin: r.get(3)?,
        unit_number: r.get(4)?,
        model_year: r.get(5)?,
        make: r.get(6)?,
        model: r.get(7)?,
        engine: (!engine.is_empty()).then_some(engine),
        odometer_mi: r.get(9)?,
        engine_hours: r.get(10)?,
        health_score: r.get(11)?,
        health_band: r.get(12)?,
        active_critical: r.get(13)?,
        active_major: r.get(14)?,
        active_faults: r.get(15)?,
        last_synced_at: r.get(16)?,
        status: r.get(17)?,
        status_since: r.get(18)?,
    })
}

impl Store {
    /// The window of trucks `query` asks for, with how many match and how many there are.
    pub fn list_vehicles(&self, query: &VehicleQuery) -> Result<VehiclePage> {
        let search = query.search.trim().to_uppercase();
        let limit = query.limit.min(VehicleQuery::MAX_LIMIT);
        // ?1–?5 narrow (FILTER_SQL), ?6 and ?7 window the rows (vehicle_rows).
        let filter: [&dyn ToSql; 5] = [&search, &query.band, &query.tier, &query.account_id, &query.status];
        let total: u32 = self.conn.prepare_cached("SELECT count(*) FROM vehicles")?.query_row([], |r| r.get(0))?;
        // Nothing to narrow by: every truck matches, and the filtered count would scan them again.
        let unfiltered = search.is_empty()
            && query.band.is_none()
            && query.tier.is_none()
            && query.account_id.is_none()
            && query.status.is_none();
        let matching: u32 = if unfiltered {
            total
        } else {
            self.conn
                .prepare_cached(&format!("SELECT count(*) FROM vehicles v {FILTER_SQL}"))?
                .query_row(&filter[..], |r| r.get(0))?
        };
        let rows = self.vehicle_rows(&search, query, limit)?;
        Ok(VehiclePage { total, matching, offset: query.offset, rows })
    }

    /// The trucks `query` matches from its offset, in its order; `search` already upper case.
    fn vehicle_rows(&self, search: &str, query: &VehicleQuery, limit: u32) -> Result<Vec<VehicleListItem>> {
        let args: [&dyn ToSql; 7] =
            [&search, &query.band, &query.tier, &query.account_id, &query.status, &limit, &query.offset];
        Ok(self
            .conn
            .prepare_cached(&format!(
                "{SELECT_ITEM} {FILTER_SQL} ORDER BY {} LIMIT ?6 OFFSET ?7",
                order_by(query.sort, query.descending)
            ))?
            .query_map(&args[..], item_from_row)?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Writes every truck `query` matches (its offset and limit ignored), in its order, as CSV: a
    /// header row, then one row per truck. Returns how many.
    pub fn export_vehicles_csv(&self, query: &VehicleQuery, out: impl std::io::Write) -> Result<u32> {
        let all = VehicleQuery { offset: 0, ..query.clone() };
        let rows = self.vehicle_rows(&query.search.trim().to_uppercase(), &all, u32::MAX)?;
        let mut csv = CsvOut::new(
            out,
            &[
                "vin",
                "unit",
                "account",
                "year",
                "make",
                "model",
                "engine",
                "odometer_mi",
                "engine_hours",
                "health_score",
                "health_band",
                "active_critical",
                "active_major",
                "active_faults",
                "status",
                "last_synced_utc",
            ],
        )?;
        let text = |value: Option<&str>| spreadsheet_safe(value.unwrap_or_default());
        let number = |value: Option<String>| value.unwrap_or_default();
        for v in &rows {
            // The portal's words and the names people typed are kept from running as formulas.
            csv.row([
                spreadsheet_safe(&v.vin),
                text(v.unit_number.as_deref()),
                spreadsheet_safe(&v.account_name),
                number(v.model_year.map(|y| y.to_string())),
                text(v.make.as_deref()),
                text(v.model.as_deref()),
                text(v.engine.as_deref()),
                number(v.odometer_mi.map(|m| format!("{m:.0}"))),
                number(v.engine_hours.map(|h| format!("{h:.0}"))),
                number(v.health_score.map(|s| s.to_string())),
                v.health_band.map(|b| b.as_str().to_owned()).unwrap_or_default(),
                v.active_critical.to_string(),
                v.active_major.to_string(),
                v.active_faults.to_string(),
                v.status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
                v.last_synced_at.map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_default(),
            ])?;
        }
        csv.finish()?;
        u32::try_from(rows.len()).map_err(|_| StoreError::Output("too many trucks for one CSV".into()))
    }

    /// One truck as the list shows it; `None` if it is gone.
    pub fn vehicle_item(&self, vehicle_id: i64) -> Result<Option<VehicleListItem>> {
        Ok(self
            .conn
            .prepare_cached(&format!("{SELECT_ITEM} WHERE v.id = ?1"))?
            .query_row([vehicle_id], item_from_row)
            .optional()?)
    }
}
