//! Writing one sync's observations: vehicles upserted, meter history appended, fault episodes
//! opened, extended and closed, all in one transaction so a failed or killed sync leaves the
//! database exactly as it was.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::alerts::{self, Alert, NewAlert};
use super::cases::CaseObservation;
use super::sync_runs::{self, RunEnd, RunStatus};
use super::vehicles::severity_rank;
use super::{Result, SqlTime, Store, StoreError, sql_text_enum};
use crate::j1939::Severity;
use crate::j1939::health::{ActiveFault, Health, HealthBand, assess, health};

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
    /// What the portal says about the truck itself; `None` = nothing (it reports and is in service).
    pub status: Option<TruckStatus>,
    /// Since when, where the portal says (for "not communicating": its last report).
    pub status_since: Option<DateTime<Utc>>,
    /// The portal's own change marker for the truck (PACCAR Solutions' `timestamp`), kept so the
    /// next sync can skip a truck that has not changed.
    pub portal_timestamp: Option<String>,
}

sql_text_enum! {
    /// What a portal says about a truck apart from its faults.
    pub enum TruckStatus {
        /// Its telematics device has stopped reporting.
        NotCommunicating => "not_communicating",
        /// It is at a service location.
        InRepair => "in_repair",
    }
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

/// What a sync learnt of a vehicle's faults.
#[derive(Debug, Clone, PartialEq)]
pub enum ObservedFaults {
    /// Read in full: what is not listed has cleared.
    Read(Vec<FaultObservation>),
    /// Could not be read: the stored faults stay as they are, and the run is partial.
    Unread,
    /// Not read because the portal marks the truck unchanged since its faults were last read: the
    /// open episodes are seen again as they are.
    Unchanged,
    /// Only the faults reported since the last read: these are stored as they are now, and the
    /// truck's other open episodes are seen again as they are.
    Changed(Vec<FaultObservation>),
}

impl ObservedFaults {
    pub fn read(&self) -> Option<&[FaultObservation]> {
        match self {
            ObservedFaults::Read(faults) => Some(faults),
            ObservedFaults::Unread | ObservedFaults::Unchanged | ObservedFaults::Changed(_) => None,
        }
    }
}

/// `None` is a read that failed.
impl From<Option<Vec<FaultObservation>>> for ObservedFaults {
    fn from(faults: Option<Vec<FaultObservation>>) -> Self {
        faults.map_or(ObservedFaults::Unread, ObservedFaults::Read)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct VehicleObservation {
    pub vehicle: VehicleSnapshot,
    pub faults: ObservedFaults,
}

/// A vehicle that moved to another health band.
#[derive(Debug, Clone, PartialEq)]
pub struct BandChange {
    pub vehicle_id: i64,
    pub vin: String,
    pub unit_number: Option<String>,
    pub from: HealthBand,
    pub health: Health,
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
    /// Active faults on the vehicles read this time, by tier.
    pub active: HashMap<Severity, usize>,
    pub band_changes: Vec<BandChange>,
    /// Trucks the portal reports as not communicating that it did not before.
    pub stopped_communicating: Vec<StoppedCommunicating>,
    /// Trucks whose rows could not be stored (VIN, why): set aside, keeping what was stored.
    pub set_aside: Vec<(String, String)>,
}

impl SyncOutcome {
    /// Adds one truck's part of a sync.
    fn merge(&mut self, one: SyncOutcome) {
        self.vehicles += one.vehicles;
        self.new_vehicles += one.new_vehicles;
        self.readings_added += one.readings_added;
        self.opened.extend(one.opened);
        self.extended += one.extended;
        self.closed += one.closed;
        for (tier, n) in one.active {
            *self.active.entry(tier).or_default() += n;
        }
        self.band_changes.extend(one.band_changes);
        self.stopped_communicating.extend(one.stopped_communicating);
        self.set_aside.extend(one.set_aside);
    }
}

/// A truck that has just gone silent.
#[derive(Debug, Clone, PartialEq)]
pub struct StoppedCommunicating {
    pub vehicle_id: i64,
    pub vin: String,
    pub unit_number: Option<String>,
    /// Its last report, where the portal says.
    pub since: Option<DateTime<Utc>>,
}

/// A fault episode seen active and critical for the first time.
#[derive(Debug, Clone, PartialEq)]
pub struct CriticalEpisode {
    pub fault_id: i64,
    pub vehicle_id: i64,
    pub vin: String,
    pub unit_number: Option<String>,
    pub source_address: u8,
    pub spn: u32,
    pub fmi: u8,
    pub description: Option<String>,
    pub portal_severity_text: Option<String>,
    pub derate: bool,
}

/// One run's results, to be stored with its alerts and its run record in one transaction.
#[derive(Debug)]
pub struct SyncRecord<'a> {
    pub account_id: i64,
    pub run_id: i64,
    pub now: DateTime<Utc>,
    pub observed: &'a [VehicleObservation],
    /// List rows the portal showed that could not be read.
    pub list_problems: u32,
    /// What the read could not make sense of first: the page, the row and the field.
    pub first_problem: Option<&'a str>,
    /// Where the HTML of the first page with an unreadable row was kept.
    pub problem_page: Option<&'a str>,
    /// Service cases the read brought (new and changed ones); `None`: not read.
    pub cases: Option<&'a [CaseObservation]>,
    /// Where cases were read: how long a critical fault may stay active with no open case before
    /// it is flagged.
    pub case_alert_after: chrono::TimeDelta,
}

impl SyncRecord<'_> {
    /// A run that read no truck and no case: what the delivery benchmark and tests record to raise
    /// alerts the way a sync run does, in its transaction.
    pub fn nothing_observed(account_id: i64, run_id: i64, now: DateTime<Utc>) -> Self {
        SyncRecord {
            account_id,
            run_id,
            now,
            observed: &[],
            list_problems: 0,
            first_problem: None,
            problem_page: None,
            cases: None,
            case_alert_after: chrono::TimeDelta::hours(4),
        }
    }
}

/// What the alert rules look at once a sync has been applied.
#[derive(Debug)]
pub struct SyncFacts<'a> {
    /// No earlier run of this account stored anything.
    pub first_sync: bool,
    pub outcome: &'a SyncOutcome,
    pub new_critical: &'a [CriticalEpisode],
    /// Critical episodes active longer than allowed on trucks with no open service case, noted now.
    pub without_case: &'a [CriticalEpisode],
    pub run_id: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordedSync {
    pub status: RunStatus,
    pub outcome: SyncOutcome,
    pub alerts: Vec<Alert>,
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
        let outcome = apply(&tx, account_id, now, observed)?;
        tx.commit()?;
        Ok(outcome)
    }

    /// Stores a run's results, the alerts `compose` makes of them, the messages `dispatch` queues
    /// about those for the alert channels, and the run's end, all in one transaction: a run killed
    /// half-way leaves no trace but its "in progress" record, and no alert without its messages.
    pub fn record_sync(
        &mut self,
        record: &SyncRecord<'_>,
        compose: impl FnOnce(&SyncFacts<'_>) -> Vec<NewAlert>,
        dispatch: &dyn super::Dispatch,
    ) -> Result<RecordedSync> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let first_sync: bool = tx
            .prepare_cached(
                "SELECT NOT EXISTS (SELECT 1 FROM sync_runs WHERE account_id = ?1 AND status IN ('completed', 'partial'))",
            )?
            .query_row([record.account_id], |r| r.get(0))?;
        let outcome = apply(&tx, record.account_id, record.now, record.observed)?;
        let without_case = match record.cases {
            Some(cases) => {
                super::cases::upsert(&tx, record.account_id, &SqlTime::from(record.now), cases)?;
                note_without_case(&tx, record.account_id, record.now - record.case_alert_after, record.now)?
            }
            None => Vec::new(),
        };
        let new_critical = note_critical_episodes(&tx, record.account_id, record.now)?;
        let facts = SyncFacts {
            first_sync,
            outcome: &outcome,
            new_critical: &new_critical,
            without_case: &without_case,
            run_id: record.run_id,
        };
        let alerts =
            compose(&facts).iter().map(|alert| alerts::insert(&tx, alert, record.now)).collect::<Result<Vec<_>>>()?;
        super::outbox::enqueue(&tx, &alerts, dispatch, record.now)?;
        let unread = record.observed.iter().filter(|o| o.faults == ObservedFaults::Unread).count();
        let vehicles_failed = unread + outcome.set_aside.len();
        let status =
            if vehicles_failed > 0 || record.list_problems > 0 { RunStatus::Partial } else { RunStatus::Completed };
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let end = RunEnd {
            vehicles: count(outcome.vehicles),
            faults: count(outcome.active.values().sum()),
            vehicles_failed: count(vehicles_failed),
            faults_opened: count(outcome.opened.len()),
            faults_closed: count(outcome.closed),
            error_kind: (status == RunStatus::Partial).then_some(crate::failure::FailureReason::Partial),
            error_message: (status == RunStatus::Partial).then(|| {
                let first = record.first_problem.map(|p| format!(". The first: {p}")).unwrap_or_default();
                let set_aside = match outcome.set_aside.first() {
                    Some((vin, why)) => format!(
                        "; {} truck(s) set aside, their rows refused by the database (the first, {vin}: {why})",
                        outcome.set_aside.len()
                    ),
                    None => String::new(),
                };
                format!(
                    "{vehicles_failed} vehicle(s) could not be read and kept their stored faults; {} list row(s) unreadable{set_aside}{first}",
                    record.list_problems
                )
            }),
            html_path: (status == RunStatus::Partial).then(|| record.problem_page.map(str::to_owned)).flatten(),
            ..RunEnd::default()
        };
        sync_runs::finish(&tx, record.run_id, status, record.now, &end)?;
        alerts::resolve_account_problems(&tx, record.account_id, record.now)?;
        tx.commit()?;
        Ok(RecordedSync { status, outcome, alerts })
    }
}

fn apply(
    tx: &Transaction<'_>,
    account_id: i64,
    now: DateTime<Utc>,
    observed: &[VehicleObservation],
) -> Result<SyncOutcome> {
    // Every row of a sync carries the same time: format it once, not once per row.
    let now = SqlTime::from(now);
    // All trucks at once first. A savepoint per truck would cost every sync (each re-journals the
    // pages the last one touched: inserts ran at 90 000 rows/s instead of 240 000), so it is only
    // the way through a sync in which the database refused a row.
    tx.execute_batch("SAVEPOINT trucks")?;
    let outcome = match apply_trucks(tx, account_id, &now, observed, false) {
        Err(StoreError::Sqlite(error)) if is_row_refused(&error) => {
            tx.execute_batch("ROLLBACK TO trucks")?;
            apply_trucks(tx, account_id, &now, observed, true)?
        }
        other => other?,
    };
    tx.execute_batch("RELEASE trucks")?;
    Ok(outcome)
}

/// Applies every truck; `one_by_one`, each in a savepoint of its own, so that a row the database
/// refuses sets that truck aside (its stored data as it was) instead of failing every sync from
/// now on.
fn apply_trucks(
    tx: &Transaction<'_>,
    account_id: i64,
    now: &SqlTime,
    observed: &[VehicleObservation],
    one_by_one: bool,
) -> Result<SyncOutcome> {
    let mut outcome = SyncOutcome::default();
    for observation in observed {
        let observation = tidy(observation);
        if !one_by_one {
            apply_vehicle(tx, account_id, now, &observation, &mut outcome)?;
            continue;
        }
        tx.execute_batch("SAVEPOINT truck")?;
        let mut one = SyncOutcome::default();
        match apply_vehicle(tx, account_id, now, &observation, &mut one) {
            Ok(()) => {
                tx.execute_batch("RELEASE truck")?;
                outcome.merge(one);
            }
            Err(StoreError::Sqlite(error)) if is_row_refused(&error) => {
                tx.execute_batch("ROLLBACK TO truck; RELEASE truck")?;
                tracing::warn!(vin = %observation.vehicle.vin, %error, "a truck's rows could not be stored; set aside");
                outcome.set_aside.push((observation.vehicle.vin.clone(), error.to_string()));
            }
            Err(error) => return Err(error),
        }
    }
    Ok(outcome)
}

/// A constraint the schema puts on a value: the row is wrong, not the database.
fn is_row_refused(error: &rusqlite::Error) -> bool {
    matches!(error.sqlite_error_code(), Some(rusqlite::ErrorCode::ConstraintViolation))
}

/// Portal values the schema cannot hold are dropped (a year of 3000 is no year, a severity score
/// of 180 no score, an SPN past 19 bits no fault code), and a fault the page lists twice is one
/// fault: its rows merge (active if either is, the worst tier, the most occurrences, the earliest
/// first sighting), so one truck keeps one open episode per code.
fn tidy(observation: &VehicleObservation) -> std::borrow::Cow<'_, VehicleObservation> {
    let v = &observation.vehicle;
    let year_wrong = v.model_year.is_some_and(|y| !(1950..=2100).contains(&y));
    let meter_wrong = |m: Option<f64>| m.is_some_and(|m| !m.is_finite() || m < 0.0);
    let faults = match &observation.faults {
        ObservedFaults::Read(f) | ObservedFaults::Changed(f) => Some(f),
        ObservedFaults::Unread | ObservedFaults::Unchanged => None,
    };
    let mut codes = std::collections::HashSet::new();
    let twice = faults.is_some_and(|f| !f.iter().all(|f| codes.insert((f.source_address, f.spn, f.fmi))));
    let fault_wrong = faults.is_some_and(|f| f.iter().any(|f| !is_code(f) || value_wrong(f)));
    if !(year_wrong || meter_wrong(v.odometer_mi) || meter_wrong(v.engine_hours) || twice || fault_wrong) {
        return std::borrow::Cow::Borrowed(observation);
    }
    let mut tidied = observation.clone();
    let t = &mut tidied.vehicle;
    t.model_year = t.model_year.filter(|_| !year_wrong);
    t.odometer_mi = t.odometer_mi.filter(|m| !meter_wrong(Some(*m)));
    t.engine_hours = t.engine_hours.filter(|h| !meter_wrong(Some(*h)));
    if let ObservedFaults::Read(faults) | ObservedFaults::Changed(faults) = &mut tidied.faults {
        faults.retain(is_code);
        for fault in faults.iter_mut() {
            fault.portal_severity_score = fault.portal_severity_score.filter(|s| *s <= 100);
            fault.raw_json = fault.raw_json.take().filter(|raw| is_json(raw));
        }
        *faults = merge_repeats(std::mem::take(faults));
    }
    std::borrow::Cow::Owned(tidied)
}

/// Whether a fault's SPN and FMI can be a J1939 code at all (19 and 5 bits).
fn is_code(fault: &FaultObservation) -> bool {
    fault.spn <= 524_287 && fault.fmi <= 31
}

/// A value of the fault the schema refuses: a severity score past 100, `raw_json` that is not JSON.
fn value_wrong(fault: &FaultObservation) -> bool {
    fault.portal_severity_score.is_some_and(|s| s > 100) || fault.raw_json.as_deref().is_some_and(|raw| !is_json(raw))
}

fn is_json(text: &str) -> bool {
    serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

/// One observation per fault code, in first-listed order.
fn merge_repeats(faults: Vec<FaultObservation>) -> Vec<FaultObservation> {
    let mut merged: Vec<FaultObservation> = Vec::with_capacity(faults.len());
    for fault in faults {
        let key = (fault.source_address, fault.spn, fault.fmi);
        match merged.iter_mut().find(|m| (m.source_address, m.spn, m.fmi) == key) {
            Some(kept) => {
                if severity_rank(fault.severity) < severity_rank(kept.severity) {
                    kept.severity = fault.severity;
                    kept.portal_severity_text = fault.portal_severity_text.clone().or(kept.portal_severity_text.take());
                }
                kept.active |= fault.active;
                kept.derate |= fault.derate;
                kept.occurrences = kept.occurrences.max(fault.occurrences);
                kept.first_seen = match (kept.first_seen, fault.first_seen) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                kept.description = kept.description.take().or(fault.description);
            }
            None => merged.push(fault),
        }
    }
    merged
}

/// One truck of a sync: its row, meter reading, fault episodes and what changed.
fn apply_vehicle(
    tx: &Transaction<'_>,
    account_id: i64,
    now: &SqlTime,
    observation: &VehicleObservation,
    outcome: &mut SyncOutcome,
) -> Result<()> {
    {
        // Changes over the stored episodes come to a full list, read like any other.
        let merged;
        let faults = match &observation.faults {
            ObservedFaults::Changed(changes) => {
                merged = ObservedFaults::Read(over_stored(tx, account_id, &observation.vehicle.vin, changes)?);
                &merged
            }
            faults => faults,
        };
        // Health only changes when the faults were read; otherwise the stored one stays.
        let active: Option<Vec<ActiveFault<'_>>> = faults.read().map(|faults| {
            faults
                .iter()
                .filter(|f| f.active)
                .map(|f| ActiveFault {
                    spn: f.spn,
                    fmi: f.fmi,
                    severity: f.severity,
                    derate: f.derate,
                    description: f.description.as_deref(),
                })
                .collect()
        });
        for fault in active.iter().flatten() {
            *outcome.active.entry(fault.severity).or_default() += 1;
        }
        let assessed = active.as_deref().map(Assessed::of);
        // The change marker is kept only with the faults it vouches for.
        let marker = match faults {
            ObservedFaults::Unread => None,
            ObservedFaults::Read(_) | ObservedFaults::Unchanged | ObservedFaults::Changed(_) => {
                observation.vehicle.portal_timestamp.as_deref()
            }
        };
        let stored = upsert_vehicle(tx, account_id, now, &observation.vehicle, marker, assessed.as_ref())?;
        outcome.vehicles += 1;
        outcome.new_vehicles += usize::from(stored.new);
        outcome.readings_added += usize::from(append_reading(tx, stored.id, now, &observation.vehicle)?);
        match faults {
            ObservedFaults::Read(faults) => apply_faults(tx, stored.id, stored.new, now, faults, outcome)?,
            ObservedFaults::Unchanged => see_again(tx, stored.id, now, outcome)?,
            ObservedFaults::Unread | ObservedFaults::Changed(_) => {}
        }
        let silent = Some(TruckStatus::NotCommunicating);
        if !stored.new && observation.vehicle.status == silent && stored.status != silent {
            outcome.stopped_communicating.push(StoppedCommunicating {
                vehicle_id: stored.id,
                vin: observation.vehicle.vin.clone(),
                unit_number: observation.vehicle.unit_number.clone(),
                since: observation.vehicle.status_since,
            });
        }
        if let (Some(from), Some(active), Some(Assessed { band, .. })) = (stored.band, active.as_deref(), assessed)
            && from != band
        {
            outcome.band_changes.push(BandChange {
                vehicle_id: stored.id,
                vin: observation.vehicle.vin.clone(),
                unit_number: observation.vehicle.unit_number.clone(),
                from,
                health: health(active),
            });
        }
    }
    Ok(())
}

/// Open episodes on the account's vehicles that are active and critical and were never noted
/// before; notes them now so they are reported exactly once.
fn note_critical_episodes(tx: &Transaction<'_>, account_id: i64, now: DateTime<Utc>) -> Result<Vec<CriticalEpisode>> {
    note_episodes(tx, account_id, now, "f.critical_noted_at IS NULL", "critical_noted_at", None)
}

/// Active critical episodes first seen before `since` on the account's trucks that have no open
/// service case (from any account), not flagged before; flags them now, once each.
fn note_without_case(
    tx: &Transaction<'_>,
    account_id: i64,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<CriticalEpisode>> {
    let unattended = "f.no_case_noted_at IS NULL AND f.first_seen_at <= ?2
        AND NOT EXISTS (SELECT 1 FROM service_cases c WHERE c.vin = v.vin AND c.closed = 0)";
    note_episodes(tx, account_id, now, unattended, "no_case_noted_at", Some(since))
}

/// The account's open, active, critical episodes that also match `condition` (with `?2` bound to
/// `since`), each marked in `noted` at `now` so that it is reported once.
fn note_episodes(
    tx: &Transaction<'_>,
    account_id: i64,
    now: DateTime<Utc>,
    condition: &str,
    noted: &str,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<CriticalEpisode>> {
    let sql = format!(
        "SELECT f.id, f.vehicle_id, v.vin, v.unit_number, f.source_address, f.spn, f.fmi, f.description,
                f.portal_severity_text, f.derate
           FROM faults f JOIN vehicles v ON v.id = f.vehicle_id
          WHERE v.account_id = ?1 AND f.active = 1 AND f.severity = 'critical' AND f.cleared_at IS NULL
            AND {condition}
          ORDER BY v.unit_number, v.vin, f.spn, f.fmi"
    );
    let mut select = tx.prepare_cached(&sql)?;
    let rows = match since {
        Some(since) => select.query_map(params![account_id, since], episode)?,
        None => select.query_map(params![account_id], episode)?,
    };
    let episodes = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut mark = tx.prepare_cached(&format!("UPDATE faults SET {noted} = ?2 WHERE id = ?1"))?;
    for episode in &episodes {
        mark.execute(params![episode.fault_id, now])?;
    }
    Ok(episodes)
}

fn episode(r: &rusqlite::Row<'_>) -> rusqlite::Result<CriticalEpisode> {
    Ok(CriticalEpisode {
        fault_id: r.get(0)?,
        vehicle_id: r.get(1)?,
        vin: r.get(2)?,
        unit_number: r.get(3)?,
        source_address: r.get(4)?,
        spn: r.get(5)?,
        fmi: r.get(6)?,
        description: r.get(7)?,
        portal_severity_text: r.get(8)?,
        derate: r.get(9)?,
    })
}

/// What a vehicle's active faults come to, stored with it whenever its diagnostics were read.
struct Assessed {
    score: u8,
    band: HealthBand,
    critical: u32,
    major: u32,
    minor: u32,
    total: u32,
}

impl Assessed {
    fn of(active: &[ActiveFault<'_>]) -> Self {
        let (score, band) = assess(active);
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let tier = |tier: Severity| count(active.iter().filter(|f| f.severity == tier).count());
        Self {
            score,
            band,
            critical: tier(Severity::Critical),
            major: tier(Severity::Major),
            minor: tier(Severity::Minor),
            total: count(active.len()),
        }
    }
}

struct StoredVehicle {
    id: i64,
    new: bool,
    /// The band and status before this sync.
    band: Option<HealthBand>,
    status: Option<TruckStatus>,
}

fn upsert_vehicle(
    tx: &Transaction<'_>,
    account_id: i64,
    now: &SqlTime,
    v: &VehicleSnapshot,
    marker: Option<&str>,
    assessed: Option<&Assessed>,
) -> Result<StoredVehicle> {
    let existing: Option<(i64, Option<HealthBand>, Option<TruckStatus>)> = tx
        .prepare_cached("SELECT id, health_band, status FROM vehicles WHERE account_id = ?1 AND vin = ?2")?
        .query_row(params![account_id, v.vin], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    // A field the portal left empty this time keeps its stored value (COALESCE).
    tx.prepare_cached(
        "INSERT INTO vehicles (account_id, vin, unit_number, model_year, make, model, engine_make, engine_model,
                               odometer_mi, engine_hours, location_text, location_at, first_seen_at, last_seen_at,
                               last_synced_at, health_score, health_band, active_critical, active_major,
                               active_faults, active_minor, status, status_since, portal_timestamp, write_source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, CASE WHEN ?11 IS NULL THEN NULL ELSE ?12 END, ?12, ?12, ?12,
                 ?13, ?14, coalesce(?15, 0), coalesce(?16, 0), coalesce(?17, 0), coalesce(?18, 0),
                 ?19, CASE WHEN ?19 IS NULL THEN NULL ELSE coalesce(?20, ?12) END, ?21, 'sync')
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
             health_score = COALESCE(excluded.health_score, health_score),
             health_band = COALESCE(excluded.health_band, health_band),
             active_critical = COALESCE(?15, active_critical),
             active_major = COALESCE(?16, active_major),
             active_faults = COALESCE(?17, active_faults),
             active_minor = COALESCE(?18, active_minor),
             -- The status is what the portal says now; its start stays while it lasts, unless the
             -- portal says when it began.
             status_since = CASE WHEN excluded.status IS NULL THEN NULL
                                 WHEN excluded.status IS status THEN coalesce(?20, status_since)
                                 ELSE excluded.status_since END,
             status = excluded.status,
             portal_timestamp = COALESCE(excluded.portal_timestamp, portal_timestamp),
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
        now,
        assessed.map(|a| a.score),
        assessed.map(|a| a.band),
        assessed.map(|a| a.critical),
        assessed.map(|a| a.major),
        assessed.map(|a| a.total),
        assessed.map(|a| a.minor),
        v.status,
        v.status_since,
        marker
    ])?;
    Ok(match existing {
        Some((id, band, status)) => StoredVehicle { id, new: false, band, status },
        None => StoredVehicle { id: tx.last_insert_rowid(), new: true, band: None, status: None },
    })
}

/// Appends a meter reading when odometer or engine hours differ from the last one recorded.
fn append_reading(tx: &Transaction<'_>, vehicle_id: i64, now: &SqlTime, v: &VehicleSnapshot) -> Result<bool> {
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

/// A truck the portal marks unchanged: its open episodes are seen again, as they are.
/// A truck's open episodes as stored, with `changes` over them by fault code.
fn over_stored(
    tx: &Transaction<'_>,
    account_id: i64,
    vin: &str,
    changes: &[FaultObservation],
) -> Result<Vec<FaultObservation>> {
    let mut faults: HashMap<FaultKey, FaultObservation> = tx
        .prepare_cached(
            "SELECT f.source_address, f.spn, f.fmi, f.description, f.severity, f.portal_severity_text,
                    f.portal_severity_score, f.derate, f.active, f.occurrence_count, f.raw_json
               FROM faults f JOIN vehicles v ON v.id = f.vehicle_id
              WHERE v.account_id = ?1 AND v.vin = ?2 AND f.cleared_at IS NULL",
        )?
        .query_map(params![account_id, vin], |r| {
            let fault = FaultObservation {
                source_address: r.get(0)?,
                spn: r.get(1)?,
                fmi: r.get(2)?,
                description: r.get(3)?,
                severity: r.get(4)?,
                portal_severity_text: r.get(5)?,
                portal_severity_score: r.get(6)?,
                derate: r.get(7)?,
                active: r.get(8)?,
                // Only a new episode takes its start from the observation.
                first_seen: None,
                occurrences: r.get(9)?,
                raw_json: r.get(10)?,
            };
            Ok(((fault.source_address, fault.spn, fault.fmi), fault))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for change in changes {
        faults.insert((change.source_address, change.spn, change.fmi), change.clone());
    }
    let mut faults: Vec<FaultObservation> = faults.into_values().collect();
    faults.sort_by_key(|f| (f.source_address, f.spn, f.fmi));
    Ok(faults)
}

fn see_again(tx: &Transaction<'_>, vehicle_id: i64, now: &SqlTime, outcome: &mut SyncOutcome) -> Result<()> {
    outcome.extended += tx
        .prepare_cached("UPDATE faults SET last_seen_at = ?2 WHERE vehicle_id = ?1 AND cleared_at IS NULL")?
        .execute(params![vehicle_id, now])?;
    let mut active = tx.prepare_cached(
        "SELECT severity, count(*) FROM faults WHERE vehicle_id = ?1 AND cleared_at IS NULL AND active = 1 GROUP BY severity",
    )?;
    for row in active.query_map([vehicle_id], |r| Ok((r.get::<_, Severity>(0)?, r.get::<_, i64>(1)?)))? {
        let (severity, count) = row?;
        *outcome.active.entry(severity).or_default() += usize::try_from(count).unwrap_or_default();
    }
    Ok(())
}

fn apply_faults(
    tx: &Transaction<'_>,
    vehicle_id: i64,
    new_vehicle: bool,
    now: &SqlTime,
    faults: &[FaultObservation],
    outcome: &mut SyncOutcome,
) -> Result<()> {
    // A vehicle inserted just now has no episodes to look up.
    let mut open: HashMap<FaultKey, (i64, bool, Severity)> = if new_vehicle {
        HashMap::new()
    } else {
        tx.prepare_cached(
            "SELECT source_address, spn, fmi, id, active, severity FROM faults
              WHERE vehicle_id = ?1 AND cleared_at IS NULL",
        )?
        .query_map([vehicle_id], |r| Ok(((r.get(0)?, r.get(1)?, r.get(2)?), (r.get(3)?, r.get(4)?, r.get(5)?))))?
        .collect::<rusqlite::Result<_>>()?
    };
    for f in faults {
        match open.remove(&(f.source_address, f.spn, f.fmi)) {
            Some((id, active, severity)) => {
                // `active` and `severity` are in the partial indexes on open faults: naming them in
                // the SET rewrites those entries even when the value stays, as it does for most.
                let common: [&dyn rusqlite::ToSql; 8] = [
                    &id,
                    now,
                    &f.portal_severity_text,
                    &f.portal_severity_score,
                    &f.derate,
                    &f.description,
                    &f.occurrences,
                    &f.raw_json,
                ];
                macro_rules! extend {
                    ($rest:literal) => {
                        concat!(
                            "UPDATE faults SET last_seen_at = ?2, portal_severity_text = ?3,
                                 portal_severity_score = ?4, derate = ?5,
                                 derate_since = CASE WHEN ?5 THEN COALESCE(derate_since, ?2) END,
                                 description = COALESCE(?6, description),
                                 occurrence_count = COALESCE(?7, occurrence_count), raw_json = COALESCE(?8, raw_json),
                                 write_source = 'sync'",
                            $rest
                        )
                    };
                }
                if (active, severity) == (f.active, f.severity) {
                    tx.prepare_cached(extend!(" WHERE id = ?1"))?.execute(&common[..])?;
                } else {
                    let changed: [&dyn rusqlite::ToSql; 2] = [&f.active, &f.severity];
                    tx.prepare_cached(extend!(", active = ?9, severity = ?10 WHERE id = ?1"))?
                        .execute(&[&common[..], &changed[..]].concat()[..])?;
                }
                outcome.extended += 1;
            }
            None => {
                // Never first seen after the sync that saw it: a portal whose clock runs ahead
                // (the demo's does, on purpose) would show a fault that began in the future.
                let first_seen = f.first_seen.map(SqlTime::from).filter(|t| t <= now).unwrap_or_else(|| now.clone());
                tx.prepare_cached(
                    "INSERT INTO faults (vehicle_id, source_address, spn, fmi, description, severity, portal_severity_text,
                                         portal_severity_score, derate, derate_since, active, first_seen_at, last_seen_at,
                                         occurrence_count, raw_json, write_source)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, CASE WHEN ?9 THEN ?11 END, ?10, ?11, ?12, ?13, ?14,
                             'sync')",
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
                    first_seen,
                    now,
                    f.occurrences.unwrap_or(1),
                    f.raw_json
                ])?;
                outcome.opened.push(tx.last_insert_rowid());
            }
        }
    }
    // Read successfully and no longer listed: the fault has cleared. The row stays as history.
    for (id, _, _) in open.into_values() {
        tx.prepare_cached("UPDATE faults SET active = 0, cleared_at = ?2, write_source = 'sync' WHERE id = ?1")?
            .execute(params![id, now])?;
        outcome.closed += 1;
    }
    Ok(())
}
