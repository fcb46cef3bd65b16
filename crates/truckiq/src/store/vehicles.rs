//! `vehicles` read back: the trucks of an account and how healthy they are.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;

use super::{Result, Store};
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
    /// One query: the table filters and sorts in the window, which stays fast at 10 000+ rows.
    pub fn list_vehicles(&self) -> Result<Vec<VehicleListItem>> {
        let mut stmt = self.conn.prepare_cached(
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
              ORDER BY v.health_score IS NULL, v.health_score, v.unit_number, v.vin",
        )?;
        let rows = stmt.query_map([], |r| {
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
