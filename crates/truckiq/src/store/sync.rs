//! Writing one sync's observations: vehicles upserted, meter history appended, fault episodes
//! opened, extended and closed, all in one transaction so a failed or killed sync leaves the
//! database exactly as it was.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::{Result, Store};
use crate::j1939::Severity;

/// A vehicle as the portal showed it this time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VehicleSnapshot {
    pub vin: String,
    pub unit_number: Option<String>,
    pub model_year: Option<u16>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub engine_make: Option<String>,
    pub engine_model: Option<String>,
    pub odometer_mi: Option<f64>,
    pub engine_hours: Option<f64>,
    pub location_text: Option<String>,
}

/// A fault the portal listed for a vehicle.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultObservation {
    pub source_address: u8,
    pub spn: u32,
    pub fmi: u8,
    pub description: Option<String>,
    pub severity: Severity,
    pub portal_severity_text: Option<String>,
    pub portal_severity_score: Option<u8>,
    pub derate: bool,
    pub active: bool,
    /// When the portal says the fault was first seen; `None` = now.
    pub first_seen: Option<DateTime<Utc>>,
    pub occurrences: Option<u32>,
    pub raw_json: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VehicleObservation {
    pub vehicle: VehicleSnapshot,
    /// `None` when the vehicle's diagnostics could not be read: its faults are left untouched.
    pub faults: Option<Vec<FaultObservation>>,
}

/// What one sync changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncOutcome {
    pub vehicles: usize,
    pub new_vehicles: usize,
    pub readings_added: usize,
    /// Ids of the fault episodes this sync opened (new faults and recurrences).
    pub opened: Vec<i64>,
    pub extended: usize,
    pub closed: usize,
}

type FaultKey = (u8, u32, u8);

impl Store {
    /// Applies one sync of `account_id` as seen at `now`, in a single immediate transaction.
    pub fn apply_sync(
        &mut self,
        account_id: i64,
        now: DateTime<Utc>,
        observed: &[VehicleObservation],
    ) -> Result<SyncOutcome> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut outcome = SyncOutcome::default();
        for observation in observed {
            let (vehicle_id, new) = upsert_vehicle(&tx, account_id, now, &observation.vehicle)?;
            outcome.vehicles += 1;
            outcome.new_vehicles += usize::from(new);
            outcome.readings_added += usize::from(append_reading(&tx, vehicle_id, now, &observation.vehicle)?);
            if let Some(faults) = &observation.faults {
                apply_faults(&tx, vehicle_id, now, faults, &mut outcome)?;
            }
        }
        tx.commit()?;
        Ok(outcome)
    }
}

fn upsert_vehicle(
    tx: &Transaction<'_>,
    account_id: i64,
    now: DateTime<Utc>,
    v: &VehicleSnapshot,
) -> Result<(i64, bool)> {
    let existing: Option<i64> = tx
        .prepare_cached("SELECT id FROM vehicles WHERE account_id = ?1 AND vin = ?2")?
        .query_row(params![account_id, v.vin], |r| r.get(0))
        .optional()?;
    // A field the portal left empty this time keeps its stored value (COALESCE).
    tx.prepare_cached(
        "INSERT INTO vehicles (account_id, vin, unit_number, model_year, make, model, engine_make, engine_model,
                               odometer_mi, engine_hours, location_text, location_at, first_seen_at, last_seen_at,
                               last_synced_at, write_source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, CASE WHEN ?11 IS NULL THEN NULL ELSE ?12 END, ?12, ?12, ?12, 'sync')
         ON CONFLICT (account_id, vin) DO UPDATE SET
             unit_number = COALESCE(excluded.unit_number, unit_number),
             model_year = COALESCE(excluded.model_year, model_year),
             make = COALESCE(excluded.make, make),
             model = COALESCE(excluded.model, model),
             engine_make = COALESCE(excluded.engine_make, engine_make),
             engine_model = COALESCE(excluded.engine_model, engine_model),
             odometer_mi = COALESCE(excluded.odometer_mi, odometer_mi),
             engine_hours = COALESCE(excluded.engine_hours, engine_hours),
             location_text = COALESCE(excluded.location_text, location_text),
             location_at = COALESCE(excluded.location_at, location_at),
             last_seen_at = excluded.last_seen_at,
             last_synced_at = excluded.last_synced_at,
             write_source = 'sync'",
    )?
    .execute(params![
        account_id,
        v.vin,
        v.unit_number,
        v.model_year,
        v.make,
        v.model,
        v.engine_make,
        v.engine_model,
        v.odometer_mi,
        v.engine_hours,
        v.location_text,
        now
    ])?;
    let id = match existing {
        Some(id) => id,
        None => tx.last_insert_rowid(),
    };
    Ok((id, existing.is_none()))
}

/// Appends a meter reading when odometer or engine hours differ from the last one recorded.
fn append_reading(tx: &Transaction<'_>, vehicle_id: i64, now: DateTime<Utc>, v: &VehicleSnapshot) -> Result<bool> {
    if v.odometer_mi.is_none() && v.engine_hours.is_none() {
        return Ok(false);
    }
    let last: Option<(Option<f64>, Option<f64>)> = tx
        .prepare_cached(
            "SELECT odometer_mi, engine_hours FROM vehicle_readings WHERE vehicle_id = ?1 ORDER BY recorded_at DESC, id DESC LIMIT 1",
        )?
        .query_row([vehicle_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let changed = match last {
        None => true,
        Some((odometer, hours)) => {
            (v.odometer_mi.is_some() && v.odometer_mi != odometer)
                || (v.engine_hours.is_some() && v.engine_hours != hours)
        }
    };
    if changed {
        tx.prepare_cached(
            "INSERT INTO vehicle_readings (vehicle_id, recorded_at, odometer_mi, engine_hours, write_source)
             VALUES (?1, ?2, ?3, ?4, 'sync')",
        )?
        .execute(params![vehicle_id, now, v.odometer_mi, v.engine_hours])?;
    }
    Ok(changed)
}

fn apply_faults(
    tx: &Transaction<'_>,
    vehicle_id: i64,
    now: DateTime<Utc>,
    faults: &[FaultObservation],
    outcome: &mut SyncOutcome,
) -> Result<()> {
    let mut open: HashMap<FaultKey, i64> = tx
        .prepare_cached("SELECT source_address, spn, fmi, id FROM faults WHERE vehicle_id = ?1 AND cleared_at IS NULL")?
        .query_map([vehicle_id], |r| Ok(((r.get(0)?, r.get(1)?, r.get(2)?), r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for f in faults {
        match open.remove(&(f.source_address, f.spn, f.fmi)) {
            Some(id) => {
                tx.prepare_cached(
                    "UPDATE faults SET last_seen_at = ?2, active = ?3, severity = ?4, portal_severity_text = ?5,
                         portal_severity_score = ?6, derate = ?7, description = COALESCE(?8, description),
                         occurrence_count = COALESCE(?9, occurrence_count), raw_json = COALESCE(?10, raw_json),
                         write_source = 'sync'
                     WHERE id = ?1",
                )?
                .execute(params![
                    id,
                    now,
                    f.active,
                    f.severity,
                    f.portal_severity_text,
                    f.portal_severity_score,
                    f.derate,
                    f.description,
                    f.occurrences,
                    f.raw_json
                ])?;
                outcome.extended += 1;
            }
            None => {
                tx.prepare_cached(
                    "INSERT INTO faults (vehicle_id, source_address, spn, fmi, description, severity, portal_severity_text,
                                         portal_severity_score, derate, active, first_seen_at, last_seen_at,
                                         occurrence_count, raw_json, write_source)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'sync')",
                )?
                .execute(params![
                    vehicle_id,
                    f.source_address,
                    f.spn,
                    f.fmi,
                    f.description,
                    f.severity,
                    f.portal_severity_text,
                    f.portal_severity_score,
                    f.derate,
                    f.active,
                    f.first_seen.unwrap_or(now),
                    now,
                    f.occurrences.unwrap_or(1),
                    f.raw_json
                ])?;
                outcome.opened.push(tx.last_insert_rowid());
            }
        }
    }
    // Read successfully and no longer listed: the fault has cleared. The row stays as history.
    for id in open.into_values() {
        tx.prepare_cached("UPDATE faults SET active = 0, cleared_at = ?2, write_source = 'sync' WHERE id = ?1")?
            .execute(params![id, now])?;
        outcome.closed += 1;
    }
    Ok(())
}
