//! Service cases: a truck's visits to a service provider, kept by VIN so that the same truck read
//! from two accounts has one repair history. The published case names no faults; a case covers the
//! truck's fault episodes it overlaps in time ([`covers`]), and the window says "linked by time".

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};
use serde::Serialize;
use ts_rs::TS;

use super::vehicles::FaultEpisode;
use super::{Result, SqlTime, Store};

/// The one rule for "in repair", as SQL over a `vehicles` row aliased `v`: the portal says so, or
/// the truck has an open service case from any account. Fleet and Vehicles read status only
/// through it.
macro_rules! truck_status_sql {
    () => {
        "CASE WHEN v.status = 'in_repair'
                OR EXISTS (SELECT 1 FROM service_cases c WHERE c.vin = v.vin AND c.closed = 0)
              THEN 'in_repair' ELSE v.status END"
    };
}
pub(super) use truck_status_sql;

/// A service case as a connector read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseObservation {
    pub portal_case_id: String,
    pub vin: String,
    pub reference: Option<String>,
    pub status: Option<String>,
    pub repair_status: Option<String>,
    pub complaint: Option<String>,
    pub closed: bool,
    pub opened_at: Option<DateTime<Utc>>,
    /// When the truck stopped being operational, and when it was again.
    pub downtime_at: Option<DateTime<Utc>>,
    pub uptime_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A case as the vehicle page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ServiceCase {
    pub id: i64,
    /// The account it was read from.
    pub account_name: String,
    pub reference: Option<String>,
    pub status: Option<String>,
    pub repair_status: Option<String>,
    pub complaint: Option<String>,
    pub closed: bool,
    pub opened_at: Option<DateTime<Utc>>,
    pub downtime_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Days the truck has been down (or was, for a closed case): from its downtime, else the
    /// opening, to its uptime, else the closing, else now.
    pub days_down: Option<f64>,
    /// This truck's fault episodes the case covers, linked by time ([`covers`]).
    pub fault_ids: Vec<i64>,
}

/// Whether a case open from `opened` to `closed` (still open: `None`) covers a fault episode seen
/// from `first_seen` to `cleared`: the fault was active when the case opened, or first seen while
/// it was open. Both are the two spans overlapping.
pub fn covers(
    opened: DateTime<Utc>,
    closed: Option<DateTime<Utc>>,
    first_seen: DateTime<Utc>,
    cleared: Option<DateTime<Utc>>,
) -> bool {
    cleared.is_none_or(|cleared| cleared >= opened) && closed.is_none_or(|closed| first_seen <= closed)
}

/// Days between `from` and `to`, never negative.
fn days(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_minutes().max(0) as f64 / (24.0 * 60.0)
}

/// Stores what a sync read of the account's cases, in the sync's transaction.
pub(super) fn upsert(tx: &Transaction<'_>, account_id: i64, now: &SqlTime, cases: &[CaseObservation]) -> Result<()> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO service_cases (account_id, portal_case_id, vin, reference, status, repair_status, complaint,
                                    closed, opened_at, downtime_at, uptime_at, closed_at, updated_at,
                                    first_synced_at, last_synced_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)
         ON CONFLICT (account_id, portal_case_id) DO UPDATE SET
             vin = excluded.vin, reference = excluded.reference, status = excluded.status,
             repair_status = excluded.repair_status, complaint = excluded.complaint, closed = excluded.closed,
             opened_at = excluded.opened_at, downtime_at = excluded.downtime_at, uptime_at = excluded.uptime_at,
             closed_at = excluded.closed_at, updated_at = excluded.updated_at, last_synced_at = excluded.last_synced_at",
    )?;
    for c in cases {
        upsert.execute(params![
            account_id,
            c.portal_case_id,
            c.vin,
            c.reference,
            c.status,
            c.repair_status,
            c.complaint,
            c.closed,
            c.opened_at,
            c.downtime_at,
            c.uptime_at,
            c.closed_at,
            c.updated_at,
            now
        ])?;
    }
    Ok(())
}

/// Cases shown on a truck's page: every open one, and the latest closed ones up to this many.
const CLOSED_SHOWN: u32 = 3;

impl Store {
    /// The truck's cases from every account (open first, newest first), each with the episodes of
    /// `faults` it covers.
    pub fn truck_cases(&self, vin: &str, faults: &[FaultEpisode], now: DateTime<Utc>) -> Result<Vec<ServiceCase>> {
        let cases = self
            .conn
            .prepare_cached(
                "SELECT c.id, a.name, c.reference, c.status, c.repair_status, c.complaint, c.closed, c.opened_at,
                        c.downtime_at, c.uptime_at, c.closed_at
                   FROM service_cases c JOIN accounts a ON a.id = c.account_id
                  WHERE c.vin = ?1
                    AND (c.closed = 0 OR c.id IN (SELECT id FROM service_cases WHERE vin = ?1 AND closed = 1
                                                   ORDER BY opened_at DESC LIMIT ?2))
                  ORDER BY c.closed, c.opened_at DESC, c.id DESC",
            )?
            .query_map(params![vin, CLOSED_SHOWN], |r| {
                let time = |i: usize| r.get::<_, Option<DateTime<Utc>>>(i);
                let (opened_at, downtime_at, uptime_at, closed_at) = (time(7)?, time(8)?, time(9)?, time(10)?);
                let closed: bool = r.get(6)?;
                let down_from = downtime_at.or(opened_at);
                let down_to = uptime_at.or(closed_at).unwrap_or(now);
                Ok(ServiceCase {
                    id: r.get(0)?,
                    account_name: r.get(1)?,
                    reference: r.get(2)?,
                    status: r.get(3)?,
                    repair_status: r.get(4)?,
                    complaint: r.get(5)?,
                    closed,
                    opened_at,
                    downtime_at,
                    closed_at,
                    days_down: down_from.map(|from| days(from, down_to)),
                    fault_ids: opened_at
                        .map(|opened| {
                            let closed = if closed { closed_at.or(Some(now)) } else { None };
                            faults
                                .iter()
                                .filter(|f| covers(opened, closed, f.first_seen_at, f.cleared_at))
                                .map(|f| f.id)
                                .collect()
                        })
                        .unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(cases)
    }

    /// The days the trucks with an open case have been down in all, as of `now` (each truck once,
    /// from its earliest open case).
    pub fn open_case_downtime(&self, now: DateTime<Utc>) -> Result<f64> {
        let starts: Vec<(String, Option<DateTime<Utc>>)> = self
            .conn
            .prepare_cached("SELECT vin, coalesce(downtime_at, opened_at) FROM service_cases WHERE closed = 0")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut by_truck: std::collections::HashMap<String, Option<DateTime<Utc>>> = std::collections::HashMap::new();
        for (vin, start) in starts {
            let earliest = by_truck.entry(vin).or_insert(start);
            *earliest = match (*earliest, start) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Ok(by_truck.values().flatten().map(|start| days(*start, now)).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + hour * 3600, 0).unwrap_or_default()
    }

    #[test]
    fn a_case_covers_faults_active_when_it_opened_or_first_seen_while_it_was_open() {
        let (opened, closed) = (at(10), Some(at(20)));
        assert!(covers(opened, closed, at(2), None), "active since before, still active");
        assert!(covers(opened, closed, at(2), Some(at(12))), "active when it opened, cleared in the shop");
        assert!(covers(opened, closed, at(15), Some(at(16))), "first seen while it was open");
        assert!(!covers(opened, closed, at(2), Some(at(9))), "cleared before the case opened");
        assert!(!covers(opened, closed, at(21), None), "first seen after it closed");
        assert!(covers(opened, None, at(500), None), "an open case covers what appears while it is open");
        assert_eq!(days(at(0), at(36)), 1.5);
        assert_eq!(days(at(36), at(0)), 0.0, "never negative");
    }
}
