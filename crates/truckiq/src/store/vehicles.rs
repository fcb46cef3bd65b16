//! One truck read back for its page: fault episodes explained, health reasons, meter history.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension as _;
use serde::Serialize;
use ts_rs::TS;

use super::cases::ServiceCase;
use super::vehicle_list::VehicleListItem;
use super::{Result, Store};
use crate::j1939::Severity;
use crate::j1939::health::{ActiveFault, health, rule as health_rule};
use crate::j1939::reference;

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
    /// Since when the engine has been derated by this fault, while it is.
    pub derate_since: Option<DateTime<Utc>>,
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
    /// How the score is made, in one sentence.
    pub health_rule: String,
    /// Active faults first (worst tier first), then inactive and cleared ones, newest first.
    pub faults: Vec<FaultEpisode>,
    pub readings: Vec<MeterReading>,
    /// Its service cases from every account that has the VIN, open first.
    pub cases: Vec<ServiceCase>,
}

/// The episode columns [`episode_from_row`] reads, for a `faults` table aliased `f`.
pub(super) const EPISODE_COLUMNS: &str = "f.id, f.source_address, f.spn, f.fmi, f.description, f.severity, \
     f.portal_severity_text, f.derate, f.active AND f.cleared_at IS NULL, f.occurrence_count, f.first_seen_at, \
     f.last_seen_at, f.cleared_at, f.derate_since";

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
        derate_since: r.get(first + 13)?,
        active: r.get(first + 8)?,
        occurrence_count: r.get(first + 9)?,
        first_seen_at: r.get(first + 10)?,
        last_seen_at: r.get(first + 11)?,
        cleared_at: r.get(first + 12)?,
    })
}

/// 0 for the worst tier: sorts worst first.
pub(super) fn severity_rank(severity: Severity) -> u8 {
    match severity {
        Severity::Critical => 0,
        Severity::Major => 1,
        Severity::Minor => 2,
        Severity::Info => 3,
    }
}

impl Store {
    /// The truck with this VIN, for a `truckiq://vehicle/{vin}` link: the most recently synced one
    /// when two portal accounts both list it.
    pub fn vehicle_id_by_vin(&self, vin: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id FROM vehicles WHERE vin = ?1 COLLATE NOCASE
                  ORDER BY last_synced_at IS NULL, last_synced_at DESC, id LIMIT 1",
            )?
            .query_row([vin], |r| r.get(0))
            .optional()?)
    }

    /// One truck with every fault episode it ever had and its meter history; `None` if it is gone.
    pub fn vehicle_detail(&self, vehicle_id: i64, now: DateTime<Utc>) -> Result<Option<VehicleDetail>> {
        let Some(vehicle) = self.vehicle_item(vehicle_id)? else {
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
        let cases = self.truck_cases(&vehicle.vin, &faults, now)?;
        Ok(Some(VehicleDetail {
            vehicle,
            location,
            health_reasons,
            health_rule: health_rule(),
            faults,
            readings,
            cases,
        }))
    }
}
