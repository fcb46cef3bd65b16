//! `vehicles` read back: the trucks of an account and how healthy they are.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;

use super::{Result, Store};
use crate::j1939::Severity;
use crate::j1939::health::{ActiveFault, HealthBand, health};
use crate::j1939::reference;

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
}

#[derive(Debug, Clone, PartialEq)]
pub struct VehicleHealthRow {
    pub id: i64,
    pub vin: String,
    pub unit_number: Option<String>,
    pub health_score: Option<u8>,
    pub health_band: Option<HealthBand>,
    pub active_faults: u32,
}

impl Store {
    /// Every truck of every account with its health and active fault counts, least healthy first.
    /// One query; the window filters and sorts (at 10 000 trucks this misses the page-load and
    /// keystroke targets: see docs/BENCHMARKS.md).
    pub fn list_vehicles(&self) -> Result<Vec<VehicleListItem>> {
        self.list_vehicles_where("1", [])
    }

    fn list_vehicles_where(&self, condition: &str, args: impl rusqlite::Params) -> Result<Vec<VehicleListItem>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT v.id, v.account_id, a.name, v.vin, v.unit_number, v.model_year, v.make, v.model,
                    trim(coalesce(v.engine_make, '') || ' ' || coalesce(v.engine_model, '')),
                    v.odometer_mi, v.engine_hours, v.health_score, v.health_band,
                    coalesce(c.critical, 0), coalesce(c.major, 0), coalesce(c.total, 0), v.last_synced_at
               FROM vehicles v
               JOIN accounts a ON a.id = v.account_id
               LEFT JOIN (SELECT vehicle_id, sum(severity = 'critical') AS critical, sum(severity = 'major') AS major,
                                 count(*) AS total
                            FROM faults WHERE active = 1 AND cleared_at IS NULL GROUP BY vehicle_id) c
                      ON c.vehicle_id = v.id
              WHERE {condition}
              ORDER BY v.health_score IS NULL, v.health_score, v.unit_number, v.vin"
        ))?;
        let rows = stmt.query_map(args, |r| {
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
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// An account's vehicles, least healthy first.
    pub fn vehicles_by_health(&self, account_id: i64, limit: u32) -> Result<Vec<VehicleHealthRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT v.id, v.vin, v.unit_number, v.health_score, v.health_band,
                    (SELECT count(*) FROM faults f WHERE f.vehicle_id = v.id AND f.active = 1 AND f.cleared_at IS NULL)
               FROM vehicles v WHERE v.account_id = ?1
              ORDER BY v.health_score IS NULL, v.health_score, v.unit_number, v.vin LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![account_id, limit], |r| {
            Ok(VehicleHealthRow {
                id: r.get(0)?,
                vin: r.get(1)?,
                unit_number: r.get(2)?,
                health_score: r.get(3)?,
                health_band: r.get(4)?,
                active_faults: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// One fault episode as the vehicle page shows it, explained with the J1939 reference tables.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FaultEpisode {
    pub id: i64,
    pub source_address: u8,
    /// "Engine #1 (SA 0)", or "SA n" when the address is not a common one.
    pub source_name: String,
    pub spn: u32,
    pub fmi: u8,
    /// What the FMI means, from the J1939 reference table.
    pub fmi_meaning: String,
    /// The portal's own description, else one made from the SPN table and the FMI.
    pub description: String,
    pub severity: Severity,
    pub portal_severity_text: Option<String>,
    pub derate: bool,
    pub active: bool,
    pub occurrence_count: u32,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub cleared_at: Option<DateTime<Utc>>,
}

/// Odometer and engine hours at one sync, for the meter chart.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MeterReading {
    pub recorded_at: DateTime<Utc>,
    pub odometer_mi: Option<f64>,
    pub engine_hours: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VehicleDetail {
    pub vehicle: VehicleListItem,
    pub location: Option<String>,
    /// The health score's reasons, worst first.
    pub health_reasons: Vec<String>,
    /// Active faults first (worst tier first), then inactive and cleared ones, newest first.
    pub faults: Vec<FaultEpisode>,
    pub readings: Vec<MeterReading>,
}

/// The episode columns [`episode_from_row`] reads, for a `faults` table aliased `f`.
pub(super) const EPISODE_COLUMNS: &str = "f.id, f.source_address, f.spn, f.fmi, f.description, f.severity, \
     f.portal_severity_text, f.derate, f.active AND f.cleared_at IS NULL, f.occurrence_count, f.first_seen_at, \
     f.last_seen_at, f.cleared_at";

/// Reads an episode from `row` starting at column `first` (see [`EPISODE_COLUMNS`]), explaining
/// the code with the J1939 reference tables.
pub(super) fn episode_from_row(r: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<FaultEpisode> {
    let (sa, spn, fmi): (u8, u32, u8) = (r.get(first + 1)?, r.get(first + 2)?, r.get(first + 3)?);
    let description: Option<String> = r.get(first + 4)?;
    Ok(FaultEpisode {
        id: r.get(first)?,
        source_address: sa,
        source_name: reference::source_label(sa),
        spn,
        fmi,
        fmi_meaning: reference::fmi_meaning(fmi).to_owned(),
        description: description.unwrap_or_else(|| reference::describe_fault(spn, fmi)),
        severity: r.get(first + 5)?,
        portal_severity_text: r.get(first + 6)?,
        derate: r.get(first + 7)?,
        active: r.get(first + 8)?,
        occurrence_count: r.get(first + 9)?,
        first_seen_at: r.get(first + 10)?,
        last_seen_at: r.get(first + 11)?,
        cleared_at: r.get(first + 12)?,
    })
}

fn severity_rank(severity: Severity) -> u8 {
    match severity {
        Severity::Critical => 0,
        Severity::Major => 1,
        Severity::Minor => 2,
        Severity::Info => 3,
    }
}

impl Store {
    /// One truck with every fault episode it ever had and its meter history; `None` if it is gone.
    pub fn vehicle_detail(&self, vehicle_id: i64) -> Result<Option<VehicleDetail>> {
        let Some(vehicle) = self.list_vehicles_where("v.id = ?1", params![vehicle_id])?.into_iter().next() else {
            return Ok(None);
        };
        let location: Option<String> = self
            .conn
            .prepare_cached("SELECT location_text FROM vehicles WHERE id = ?1")?
            .query_row([vehicle_id], |r| r.get(0))?;
        let mut faults: Vec<FaultEpisode> = self
            .conn
            .prepare_cached(&format!(
                "SELECT {EPISODE_COLUMNS} FROM faults f WHERE f.vehicle_id = ?1 ORDER BY f.last_seen_at DESC, f.id DESC"
            ))?
            .query_map([vehicle_id], |r| episode_from_row(r, 0))?
            .collect::<rusqlite::Result<_>>()?;
        // Stable: within a group the newest stays first.
        faults.sort_by_key(|f| (!f.active, if f.active { severity_rank(f.severity) } else { 0 }));
        let active: Vec<ActiveFault<'_>> = faults
            .iter()
            .filter(|f| f.active && f.cleared_at.is_none())
            .map(|f| ActiveFault {
                spn: f.spn,
                fmi: f.fmi,
                severity: f.severity,
                derate: f.derate,
                description: Some(f.description.as_str()),
            })
            .collect();
        let health_reasons = health(&active).reasons;
        let readings = self
            .conn
            .prepare_cached(
                "SELECT recorded_at, odometer_mi, engine_hours FROM vehicle_readings WHERE vehicle_id = ?1
                  ORDER BY recorded_at, id",
            )?
            .query_map([vehicle_id], |r| {
                Ok(MeterReading { recorded_at: r.get(0)?, odometer_mi: r.get(1)?, engine_hours: r.get(2)? })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Some(VehicleDetail { vehicle, location, health_reasons, faults, readings }))
    }
}
