//! The trucks a fleet manager should act on now: derated or in the critical band, worst first,
//! with what is needed to act (where the truck is, how long it has been limited, its open service
//! case). Feeds the top of the Fleet view.

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::{Result, Store};
use crate::j1939::health::HealthBand;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ActionTruck {
    pub vehicle_id: i64,
    pub vin: String,
    pub unit_number: Option<String>,
    pub account_name: String,
    pub health_score: Option<u8>,
    pub health_band: Option<HealthBand>,
    pub active_critical: u32,
    /// When the earliest derate still on began; `None` when the engine is not derated.
    pub derate_since: Option<DateTime<Utc>>,
    /// When the oldest active critical fault was first seen.
    pub critical_since: Option<DateTime<Utc>>,
    /// The worst active fault's description ("Engine coolant temperature — above normal").
    pub worst_fault: Option<String>,
    pub location: Option<String>,
    pub location_at: Option<DateTime<Utc>>,
    /// The open service case's reference or status, where one is known.
    pub open_case: Option<String>,
}

/// The first trucks of the list and how many there are in all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NeedsAction {
    pub trucks: Vec<ActionTruck>,
    pub total: u32,
}

/// A truck is on the list while derated or in the critical band; derated trucks come first (they
/// cannot do their job), then the lowest health score, then the most critical faults.
const NEEDS_ACTION: &str = "
    WITH open_faults AS (
        SELECT vehicle_id, min(derate_since) AS derate_since,
               min(CASE WHEN severity = 'critical' THEN first_seen_at END) AS critical_since
          FROM faults WHERE active = 1 AND cleared_at IS NULL GROUP BY vehicle_id
    ), listed AS (
        SELECT v.id, v.vin, v.unit_number, a.name, v.health_score, v.health_band, v.active_critical,
               f.derate_since, f.critical_since, v.location_text, v.location_latitude, v.location_longitude,
               v.location_at
          FROM vehicles v
          JOIN accounts a ON a.id = v.account_id
          LEFT JOIN open_faults f ON f.vehicle_id = v.id
         WHERE f.derate_since IS NOT NULL OR v.health_band = 'critical'
    ), shown AS (
        -- Ranked and cut first, so the worst fault and the case below are looked up for the
        -- trucks shown only.
        SELECT l.*, count(*) OVER () AS total FROM listed l
         ORDER BY l.derate_since IS NULL, l.health_score IS NULL, l.health_score, l.active_critical DESC,
                  l.critical_since, l.vin
         LIMIT ?1
    )
    SELECT l.*,
           (SELECT coalesce(description, 'SPN ' || spn || ' / FMI ' || fmi) FROM faults
             WHERE vehicle_id = l.id AND active = 1 AND cleared_at IS NULL
             ORDER BY derate DESC, CASE severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1 WHEN 'minor' THEN 2 ELSE 3 END,
                      portal_severity_score DESC, first_seen_at
             LIMIT 1),
           (SELECT coalesce(c.reference, c.repair_status, c.status, c.portal_case_id) FROM service_cases c
             WHERE c.vin = l.vin AND c.closed = 0 ORDER BY c.opened_at DESC LIMIT 1)
      FROM shown l
     ORDER BY l.derate_since IS NULL, l.health_score IS NULL, l.health_score, l.active_critical DESC, l.critical_since, l.vin";

impl Store {
    /// The first `limit` trucks that need action now, worst first.
    pub fn needs_action(&self, limit: u32) -> Result<NeedsAction> {
        let mut total = 0;
        let trucks = self
            .conn
            .prepare_cached(NEEDS_ACTION)?
            .query_map([limit], |r| {
                total = r.get(13)?;
                let (text, lat, lon): (Option<String>, Option<f64>, Option<f64>) = (r.get(9)?, r.get(10)?, r.get(11)?);
                Ok(ActionTruck {
                    vehicle_id: r.get(0)?,
                    vin: r.get(1)?,
                    unit_number: r.get(2)?,
                    account_name: r.get(3)?,
                    health_score: r.get(4)?,
                    health_band: r.get(5)?,
                    active_critical: r.get(6)?,
                    derate_since: r.get(7)?,
                    critical_since: r.get(8)?,
                    location: text.or_else(|| Some(format!("{:.4}, {:.4}", lat?, lon?))),
                    location_at: r.get(12)?,
                    worst_fault: r.get(14)?,
                    open_case: r.get(15)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(NeedsAction { trucks, total })
    }
}
