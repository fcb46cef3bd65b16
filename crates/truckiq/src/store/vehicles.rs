//! `vehicles` read back: the trucks of an account and how healthy they are.

use rusqlite::params;

use super::{Result, Store};
use crate::j1939::health::HealthBand;

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
