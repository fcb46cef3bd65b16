//! The fleet at a glance: trucks by health band, active faults by tier, the most common active
//! faults, and when data last arrived. Feeds the Fleet view and the tray.

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use rusqlite::OptionalExtension as _;

use super::{NeedsAction, Result, Store};
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
    /// Trucks whose telematics device has stopped reporting, and trucks in repair, as the portal says.
    pub not_communicating: u32,
    /// Trucks in repair: the portal says so, or a service case is open.
    pub in_repair: u32,
    /// Days down in all, over the trucks with an open service case.
    pub downtime_days: f64,
    /// The latest successful sync of any account.
    pub last_success: Option<DateTime<Utc>>,
    /// Accounts without fresh data for longer than Settings allow; filled in by the application
    /// layer, which knows the limit and the time.
    pub stale_accounts: u32,
    /// The active faults on the most trucks, most common first.
    pub top_faults: Vec<FrequentFault>,
    /// Derated and critical trucks, worst first (the first `top`; none asked for with `top` 0).
    pub needs_action: NeedsAction,
    /// Alerts nobody has read, snoozed ones not counted until their snooze ends.
    pub unread_alerts: u32,
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
    pub fn fleet_summary(&self, top: u32, now: DateTime<Utc>) -> Result<FleetSummary> {
        // Tiers from the counts kept on each truck (V3, V5): one pass over the trucks, not the faults.
        let mut summary = self
            .conn
            .prepare_cached(concat!(
                "SELECT count(*), coalesce(sum(health_band = 'good'), 0), coalesce(sum(health_band = 'attention'), 0),
                        coalesce(sum(health_band = 'critical'), 0),
                        coalesce(sum(health_band IS NULL), 0),
                        coalesce(sum(active_critical), 0), coalesce(sum(active_major), 0), coalesce(sum(active_minor), 0),
                        coalesce(sum(status = 'not_communicating'), 0), coalesce(sum(status = 'in_repair'), 0)
                   FROM (SELECT v.health_band, v.active_critical, v.active_major, v.active_minor, ",
                super::cases::truck_status_sql!(),
                " AS status FROM vehicles v)"
            ))?
            .query_row([], |r| {
                Ok(FleetSummary {
                    trucks: r.get(0)?,
                    good: r.get(1)?,
                    attention: r.get(2)?,
                    critical: r.get(3)?,
                    unknown: r.get(4)?,
                    active_critical: r.get(5)?,
                    active_major: r.get(6)?,
                    active_minor: r.get(7)?,
                    not_communicating: r.get(8)?,
                    in_repair: r.get(9)?,
                    ..FleetSummary::default()
                })
            })?;
        summary.downtime_days = self.open_case_downtime(now)?;
        // The tray asks for counts only (`top` 0) after every run and alert: no list for it.
        if top > 0 {
            summary.needs_action = self.needs_action(top)?;
        }
        summary.unread_alerts = self
            .conn
            .prepare_cached(
                "SELECT count(*) FROM alerts
                  WHERE read_at IS NULL AND acknowledged_at IS NULL AND (snoozed_until IS NULL OR snoozed_until <= ?1)",
            )?
            .query_row([now], |r| r.get(0))?;
        summary.last_success = self
            .conn
            .prepare_cached("SELECT max(finished_at) FROM sync_runs WHERE status IN ('completed', 'partial')")?
            .query_row([], |r| r.get(0))?;
        // Grouped in the order of `faults_open_by_code`; the few descriptions are looked up after.
        let codes: Vec<(u32, u8, u32)> = self
            .conn
            .prepare_cached(
                "SELECT spn, fmi, count(DISTINCT vehicle_id) AS trucks
                   FROM faults WHERE active = 1 AND cleared_at IS NULL
                  GROUP BY spn, fmi ORDER BY trucks DESC, spn, fmi LIMIT ?1",
            )?
            .query_map([top], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut describe = self.conn.prepare_cached(
            "SELECT description FROM faults
              WHERE spn = ?1 AND fmi = ?2 AND active = 1 AND cleared_at IS NULL AND description IS NOT NULL LIMIT 1",
        )?;
        summary.top_faults = codes
            .into_iter()
            .map(|(spn, fmi, trucks)| {
                let described: Option<String> =
                    describe.query_row(rusqlite::params![spn, fmi], |r| r.get(0)).optional()?;
                Ok(FrequentFault {
                    spn,
                    fmi,
                    description: described.unwrap_or_else(|| reference::describe_fault(spn, fmi)),
                    trucks,
                })
            })
            .collect::<rusqlite::Result<_>>()?;
        Ok(summary)
    }
}
