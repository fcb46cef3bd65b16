//! The fleet at a glance: trucks by health band, active faults by tier, the most common active
//! faults, and when data last arrived. Feeds the Fleet view and the tray.

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::{Result, Store};
use crate::j1939::reference;

#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FleetSummary {
    pub trucks: u32,
    pub good: u32,
    pub attention: u32,
    pub critical: u32,
    /// Trucks whose diagnostics have not been read yet.
    pub unknown: u32,
    pub active_critical: u32,
    pub active_major: u32,
    pub active_minor: u32,
    /// The latest successful sync of any account.
    pub last_success: Option<DateTime<Utc>>,
    /// Accounts without fresh data for longer than Settings allow; filled in by the application
    /// layer, which knows the limit and the time.
    pub stale_accounts: u32,
    /// The active faults on the most trucks, most common first.
    pub top_faults: Vec<FrequentFault>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FrequentFault {
    pub spn: u32,
    pub fmi: u8,
    pub description: String,
    pub trucks: u32,
}

impl Store {
    pub fn fleet_summary(&self, top: u32) -> Result<FleetSummary> {
        let mut summary = self
            .conn
            .prepare_cached(
                "SELECT count(*), coalesce(sum(health_band = 'good'), 0), coalesce(sum(health_band = 'attention'), 0),
                    coalesce(sum(health_band = 'critical'), 0), coalesce(sum(health_band IS NULL), 0)
               FROM vehicles",
            )?
            .query_row([], |r| {
                Ok(FleetSummary {
                    trucks: r.get(0)?,
                    good: r.get(1)?,
                    attention: r.get(2)?,
                    critical: r.get(3)?,
                    unknown: r.get(4)?,
                    ..FleetSummary::default()
                })
            })?;
        (summary.active_critical, summary.active_major, summary.active_minor) = self
            .conn
            .prepare_cached(
                "SELECT coalesce(sum(severity = 'critical'), 0), coalesce(sum(severity = 'major'), 0),
                        coalesce(sum(severity = 'minor'), 0)
                   FROM faults WHERE active = 1 AND cleared_at IS NULL",
            )?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        summary.last_success = self
            .conn
            .prepare_cached("SELECT max(finished_at) FROM sync_runs WHERE status IN ('completed', 'partial')")?
            .query_row([], |r| r.get(0))?;
        summary.top_faults = self
            .conn
            .prepare_cached(
                "SELECT spn, fmi, max(description), count(DISTINCT vehicle_id) AS trucks
                   FROM faults WHERE active = 1 AND cleared_at IS NULL
                  GROUP BY spn, fmi ORDER BY trucks DESC, spn, fmi LIMIT ?1",
            )?
            .query_map([top], |r| {
                let (spn, fmi): (u32, u8) = (r.get(0)?, r.get(1)?);
                let description: Option<String> = r.get(2)?;
                Ok(FrequentFault {
                    spn,
                    fmi,
                    description: description.unwrap_or_else(|| reference::describe_fault(spn, fmi)),
                    trucks: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(summary)
    }
}
