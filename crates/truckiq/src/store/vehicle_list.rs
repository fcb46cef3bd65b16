//! The Vehicles table: trucks filtered, sorted and windowed by SQLite, so a fleet of 10 000 costs
//! the window a person sees rather than the whole list on every keystroke.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use rusqlite::types::ToSql;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Result, Store, TruckStatus, sql_text_enum};
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
// T680", "Cummins X15"), plus its unit and VIN.
const FILTER_SQL: &str = concat!(
    "
     WHERE (?1 = '' OR instr(upper(concat_ws(' ', v.model_year, v.make, v.model, v.engine_make, v.engine_model,
                                            v.unit_number, v.vin)), ?1) > 0)
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
        // ?1–?5 narrow (FILTER_SQL), ?6 and ?7 window the rows.
        let args: [&dyn ToSql; 7] =
            [&search, &query.band, &query.tier, &query.account_id, &query.status, &limit, &query.offset];
        let filter = &args[..5];
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
                .query_row(filter, |r| r.get(0))?
        };
        let rows = self
            .conn
            .prepare_cached(&format!(
                "{SELECT_ITEM} {FILTER_SQL} ORDER BY {} LIMIT ?6 OFFSET ?7",
                order_by(query.sort, query.descending)
            ))?
            .query_map(&args[..], item_from_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(VehiclePage { total, matching, offset: query.offset, rows })
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
