//! Service cases: the repair visits Decisiv's Asset Management records for the fleet's trucks.
//! A truck that is out of service (PACCAR Solutions shows it `IN_REPAIR`) always has an open case;
//! an active critical or derating fault usually gets one some hours later, and a share never does.
//! Cases move through the shop's stages on the fleet clock and close, and some closed ones exist
//! from the start.
//!
//! Cases only read the trucks. Every decision here comes from its own random stream, salted apart
//! from the fleet's, so adding cases left the trucks and faults of every seed, and their evolution
//! over ticks, as they were.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::catalog::{CATALOG, Urgency};
use super::{Fault, HUBS, Vehicle, pick_weighted};
use crate::scenario::roll;

/// Salts the case stream (see the module comment).
const CASES_SALT: u64 = 0xCA5E_5EED_D3C1_5117;

/// Share of critical or derating fault activations nobody opens a case for: the fleet has not
/// acted yet. TruckIQ alerts on exactly these trucks, so the simulator must have some.
pub const UNATTENDED_SHARE: f64 = 0.35;

/// How long after a fault fires its case opens, when it gets one.
pub const OPENS_AFTER_HOURS: (i64, i64) = (2, 36);

/// Past visits start at least this many days ago. A visit lasts at most 4¼ days, so each ends
/// before any fault a truck lists today (at most 20 days old at generation) and before today's case.
const HISTORY_FROM_DAYS: i64 = 31;

/// Where a case is in the shop. `status` and `repair_status` are Decisiv's wording for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStage {
    /// Opened; the truck is on its way to the service provider.
    DropOff,
    /// Arrived at the provider, repair order opened.
    CheckIn,
    Diagnosing,
    /// Estimate sent; waiting for the fleet to authorize it.
    Authorization,
    Repair,
    /// Repaired and working again; waiting for the driver.
    PickUp,
    Closed,
}

impl CaseStage {
    /// `status`: the stage as Decisiv names it.
    pub fn status(self) -> &'static str {
        match self {
            CaseStage::DropOff => "Drop-off",
            CaseStage::CheckIn => "Check-in",
            CaseStage::Diagnosing => "Diagnosing",
            CaseStage::Authorization | CaseStage::Repair => "Repair",
            CaseStage::PickUp => "Pick-up",
            CaseStage::Closed => "Closed",
        }
    }

    /// `repair_status`; an out-of-service truck's long repair waits on parts.
    pub fn repair_status(self, waiting_for_parts: bool) -> &'static str {
        match self {
            CaseStage::DropOff | CaseStage::CheckIn => "Pending",
            CaseStage::Diagnosing => "Diagnosing",
            CaseStage::Authorization => "Hold (auth)",
            CaseStage::Repair if waiting_for_parts => "Hold (parts)",
            CaseStage::Repair => "In progress",
            CaseStage::PickUp | CaseStage::Closed => "Complete",
        }
    }
}

/// Why the simulator opened the case. Ground truth only: the published case has no link to
/// faults, so the API shows none of this except in the complaint's words.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CaseReason {
    /// The truck is out of service; the case stays open while it is.
    OutOfService,
    /// An active critical or derating fault (its activation: id and when it last fired).
    Fault { fault_id: u64, spn: u32, fmi: u8, triggered_at: DateTime<Utc> },
    /// A visit closed before the simulation started.
    History,
}

/// A dealer that takes the fleet's trucks in: one per freight hub.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceProvider {
    pub id: String,
    pub name: String,
    pub city: String,
    pub state: String,
    pub latitude: f64,
    pub longitude: f64,
    /// Its `external_reference` SRM account (7 characters, as published).
    pub srm_account: String,
}

/// Every provider trucks are sent to, in hub order; stable across seeds.
pub fn service_providers() -> Vec<ServiceProvider> {
    HUBS.iter()
        .map(|(place, latitude, longitude)| {
            let (city, state) = split_place(place);
            let name = format!("{city} Truck Center");
            let hash = Sha256::new().chain_update("service_provider").chain_update([0]).chain_update(&name).finalize();
            let mut bytes = [0u8; 16];
            bytes.copy_from_slice(&hash[..16]);
            let number = u32::from_be_bytes([hash[16], hash[17], hash[18], hash[19]]) % 100_000;
            ServiceProvider {
                id: uuid::Builder::from_random_bytes(bytes).into_uuid().to_string(),
                name,
                city: city.to_owned(),
                state: state.to_owned(),
                latitude: *latitude,
                longitude: *longitude,
                srm_account: format!("SP{number:05}"),
            }
        })
        .collect()
}

fn split_place(place: &str) -> (&str, &str) {
    place.split_once(", ").unwrap_or((place, ""))
}

/// Where a truck broke down, for cases opened by a stop-engine fault.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    /// `latitude,longitude`, as Decisiv's published example writes it.
    pub location: String,
    pub city: String,
    pub state: String,
}

/// A service case as Decisiv's Asset Management holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    pub id: String,
    /// The case number people see in Decisiv's UI.
    pub reference_number: u64,
    /// The truck's index in [`super::Fleet::vehicles`].
    pub vehicle_index: usize,
    pub asset_id: String,
    pub vin: String,
    pub unit_number: String,
    pub reason: CaseReason,
    pub complaint: String,
    pub stage: CaseStage,
    pub status: &'static str,
    pub repair_status: &'static str,
    /// Given at check-in.
    pub ro_number: Option<String>,
    pub service_provider: ServiceProvider,
    pub breakdown: Option<Breakdown>,
    /// The odometer when the case opened.
    pub odometer_mi: f64,
    pub started_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    /// When anything the API shows about the case last changed.
    pub updated_at: DateTime<Utc>,
    pub asset_downtime: DateTime<Utc>,
    pub asset_arrived: Option<DateTime<Utc>>,
    pub asset_checked_in: Option<DateTime<Utc>>,
    /// When the truck worked again (at pick-up).
    pub asset_uptime: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// The id of its case summary.
    pub summary_id: String,
    /// The case summary's text, rewritten at every stage.
    pub summary: String,
    /// What the provider does about it, for the summary.
    #[serde(skip)]
    repair: String,
    #[serde(skip)]
    pending_ro_number: String,
    /// Stages still to come, latest first (so the next one pops off the end).
    #[serde(skip)]
    plan: Vec<(CaseStage, DateTime<Utc>)>,
    /// Fault activations this case took care of: none of them opens another case.
    #[serde(skip)]
    covered: Vec<(u64, DateTime<Utc>)>,
}

impl Case {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }

    pub fn is_closed(&self) -> bool {
        !self.is_open()
    }

    /// Applies the stages due by `until`. `seen_at` is when the change shows (the tick's time);
    /// `None` while generating, where each change shows from when it happened.
    fn advance(&mut self, until: DateTime<Utc>, seen_at: Option<DateTime<Utc>>) {
        while let Some(&(stage, at)) = self.plan.last() {
            if at > until {
                break;
            }
            self.plan.pop();
            self.enter(stage, at);
            self.updated_at = seen_at.unwrap_or(at);
        }
    }

    fn enter(&mut self, stage: CaseStage, at: DateTime<Utc>) {
        match stage {
            CaseStage::CheckIn => {
                self.asset_arrived = Some(at);
                self.ro_number = Some(self.pending_ro_number.clone());
            }
            CaseStage::Diagnosing => self.asset_checked_in = Some(at),
            CaseStage::PickUp => self.asset_uptime = Some(at),
            CaseStage::Closed => self.closed_at = Some(at),
            CaseStage::DropOff | CaseStage::Authorization | CaseStage::Repair => {}
        }
        self.stage = stage;
        self.status = stage.status();
        // Only an out-of-service truck's plan stops at Repair: its repair is the long one.
        let waiting_for_parts = self.plan.is_empty() && self.reason == CaseReason::OutOfService;
        self.repair_status = stage.repair_status(waiting_for_parts);
        self.summary = self.summary_text();
    }

    fn summary_text(&self) -> String {
        let unit = &self.unit_number;
        let provider = &self.service_provider.name;
        let complaint = &self.complaint;
        let repair = &self.repair;
        match (self.stage, self.repair_status) {
            (CaseStage::DropOff, _) => {
                format!("Case opened for unit {unit}: {complaint}. Unit on its way to {provider}.")
            }
            (CaseStage::CheckIn, _) => {
                format!("Unit {unit} arrived at {provider} for: {complaint}. Check-in under way.")
            }
            (CaseStage::Diagnosing, _) => {
                format!("Unit {unit} checked in at {provider}. Technician diagnosing: {complaint}.")
            }
            (CaseStage::Authorization, _) => format!(
                "Diagnosis complete on unit {unit}. Estimate sent to the fleet to {}. On hold for authorization.",
                to_do(repair)
            ),
            (CaseStage::Repair, "Hold (parts)") => {
                format!("Repair authorized on unit {unit} to {}. Waiting on parts at {provider}.", to_do(repair))
            }
            (CaseStage::Repair, _) => format!("Repair authorized on unit {unit}, under way: {}.", to_do(repair)),
            (CaseStage::PickUp, _) => format!("Unit {unit} repaired at {provider}: {repair}. Ready for pick-up."),
            (CaseStage::Closed, _) => {
                format!("Unit {unit} was seen at {provider} for: {complaint}. {repair}. Unit returned to service.")
            }
        }
    }

    /// A truck back in service ends its out-of-service case: picked up now, closed a few hours on.
    fn release(&mut self, rng: &mut ChaCha8Rng, now: DateTime<Utc>) {
        if self.plan.is_empty() && self.stage < CaseStage::PickUp {
            self.plan = vec![(CaseStage::Closed, now + minutes(rng, 30, 12 * 60)), (CaseStage::PickUp, now)];
        }
    }
}

/// What opens a case, before it gets its number and schedule.
struct Visit {
    reason: CaseReason,
    complaint: String,
    repair: String,
    started_at: DateTime<Utc>,
    downtime: DateTime<Utc>,
    odometer_mi: f64,
    broke_down: bool,
}

fn minutes(rng: &mut ChaCha8Rng, low: i64, high: i64) -> Duration {
    Duration::minutes(rng.random_range(low..high))
}

fn new_uuid(rng: &mut ChaCha8Rng) -> String {
    let mut bytes = [0u8; 16];
    rng.fill(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}

fn open(rng: &mut ChaCha8Rng, providers: &[ServiceProvider], index: usize, vehicle: &Vehicle, visit: Visit) -> Case {
    // Trucks go to the provider at their hub; `providers` has one per hub, in hub order.
    let hub = HUBS.iter().position(|(place, ..)| *place == vehicle.location).unwrap_or(0);
    let provider = providers[hub].clone();
    let breakdown = visit.broke_down.then(|| {
        let (city, state) = split_place(vehicle.location);
        Breakdown {
            location: format!("{:.6},{:.6}", vehicle.latitude, vehicle.longitude),
            city: city.to_owned(),
            state: state.to_owned(),
        }
    });
    // The shop's pace: arrival within hours, a repair of hours to two days, pick-up within a day.
    let mut at = visit.started_at;
    let mut plan = Vec::new();
    let out_of_service = visit.reason == CaseReason::OutOfService;
    for (stage, low, high) in [
        (CaseStage::CheckIn, 60, 8 * 60),
        (CaseStage::Diagnosing, 15, 2 * 60),
        (CaseStage::Authorization, 60, 8 * 60),
        (CaseStage::Repair, 30, 12 * 60),
        (CaseStage::PickUp, 2 * 60, 48 * 60),
        (CaseStage::Closed, 30, 24 * 60),
    ] {
        // An out-of-service truck stays in repair while it is out of service (see `release`).
        if out_of_service && stage >= CaseStage::PickUp {
            break;
        }
        at += minutes(rng, low, high);
        plan.push((stage, at));
    }
    plan.reverse();
    let mut case = Case {
        id: new_uuid(rng),
        reference_number: 0,
        vehicle_index: index,
        asset_id: vehicle.asset_id.clone(),
        vin: vehicle.vin.clone(),
        unit_number: vehicle.unit_number.clone(),
        reason: visit.reason,
        complaint: visit.complaint,
        stage: CaseStage::DropOff,
        status: "",
        repair_status: "",
        ro_number: None,
        service_provider: provider,
        breakdown,
        odometer_mi: visit.odometer_mi.round().max(0.0),
        started_at: visit.started_at,
        created_at: visit.started_at,
        updated_at: visit.started_at,
        asset_downtime: visit.downtime.min(visit.started_at),
        asset_arrived: None,
        asset_checked_in: None,
        asset_uptime: None,
        closed_at: None,
        summary_id: new_uuid(rng),
        summary: String::new(),
        repair: visit.repair,
        pending_ro_number: format!("RO{}", rng.random_range(100_000..1_000_000)),
        plan,
        covered: Vec::new(),
    };
    case.enter(CaseStage::DropOff, visit.started_at);
    case
}

/// A fault activation that can open a case: active, and stop-engine or derating.
fn qualifies(fault: &Fault) -> bool {
    fault.active && (fault.urgency == Urgency::StopEngine || fault.derate)
}

fn key(fault: &Fault) -> (u64, DateTime<Utc>) {
    (fault.id, fault.last_triggered)
}

/// How long after it fired this activation gets a case, or `None` if nobody acts on it. A stable
/// roll per activation, so the answer does not depend on how the clock is ticked.
pub fn case_delay(seed: u64, fault: &Fault) -> Option<Duration> {
    let r = roll(seed ^ CASES_SALT, "case", &format!("{}@{}", fault.id, fault.last_triggered.timestamp()));
    if r < UNATTENDED_SHARE {
        return None;
    }
    let (low, high) = OPENS_AFTER_HOURS;
    let share = (r - UNATTENDED_SHARE) / (1.0 - UNATTENDED_SHARE);
    Some(Duration::minutes(low * 60 + (share * ((high - low) * 60) as f64) as i64))
}

fn fault_visit(fault: &Fault, started_at: DateTime<Utc>, odometer_mi: f64) -> Visit {
    let lamp = match fault.urgency {
        Urgency::StopEngine => "red stop lamp on, engine shut down",
        Urgency::SeekService if fault.derate => "engine derated, check engine lamp on",
        _ => "check engine lamp on",
    };
    Visit {
        reason: CaseReason::Fault {
            fault_id: fault.id,
            spn: fault.spn,
            fmi: fault.fmi,
            triggered_at: fault.last_triggered,
        },
        complaint: format!("Driver reports {lamp}: {} (SPN {} FMI {})", fault.description, fault.spn, fault.fmi),
        repair: repair_for(fault.spn).to_owned(),
        started_at,
        downtime: fault.last_triggered,
        odometer_mi,
        // A stop-engine code leaves the truck at the roadside.
        broke_down: fault.urgency == Urgency::StopEngine,
    }
}

const OUT_OF_SERVICE: &[(&str, &str)] = &[
    ("Collision damage to the right front; unit towed in", "Replaced the bumper, hood and right headlamp assembly"),
    ("Engine overhaul scheduled after high oil consumption", "Rebuilt the engine's lower end and replaced the liners"),
    ("Clutch slipping under load", "Replaced the clutch and the flywheel"),
    ("Annual DOT inspection failed: brakes out of adjustment", "Replaced the brake shoes and slack adjusters"),
    ("Cab heater and A/C inoperative", "Replaced the HVAC blend door actuator and recharged the A/C"),
];

const MAINTENANCE: &[(&str, &str)] = &[
    ("PM A service due", "Changed the oil and filters and greased the chassis"),
    ("PM B service with DOT inspection", "Completed the PM B service and the annual inspection"),
    ("Steer tires worn past limit", "Replaced both steer tires and aligned the front axle"),
    ("Air leak at the rear axle", "Replaced a leaking brake chamber diaphragm"),
    ("Alternator not charging", "Replaced the alternator and tested the batteries"),
    ("Windshield cracked", "Replaced the windshield"),
];

/// What a provider does about a code, in the words a summary uses.
fn repair_for(spn: u32) -> &'static str {
    match spn {
        3216 | 3226 => "Replaced the NOx sensor and cleared the codes",
        4364 | 5246 => "Cleaned the SCR catalyst, replaced the DEF doser and cleared the inducement",
        1761 => "Refilled the DEF tank and replaced the tank level sensor",
        3364 => "Drained the DEF tank and refilled it with fresh fluid",
        3361 => "Replaced the DEF dosing unit",
        3251 | 3719 => "Ran a parked regeneration and cleaned the DPF",
        27 => "Replaced the EGR valve actuator",
        100 => "Replaced the oil pressure sensor and checked the oil pump",
        98 => "Topped up the engine oil and repaired a leaking oil pan gasket",
        110 | 111 => "Replaced a leaking coolant hose and refilled the coolant",
        157 => "Replaced the fuel filters and the rail pressure sensor",
        641 => "Replaced the VGT actuator",
        102 => "Repaired a charge air cooler leak",
        97 => "Drained the fuel water separator and replaced the filter",
        789 | 790 => "Replaced the ABS wheel speed sensor",
        116 => "Repaired the brake application air line",
        127 | 177 => "Changed the transmission fluid and filter",
        523 => "Recalibrated the transmission",
        168 => "Replaced the batteries and tested the charging system",
        _ => "Repaired the J1939 wiring harness and reflashed the controller",
    }
}

/// The verbs the repair texts use, past and present.
const VERBS: &[(&str, &str)] = &[
    ("replaced", "replace"),
    ("cleaned", "clean"),
    ("refilled", "refill"),
    ("drained", "drain"),
    ("ran", "run"),
    ("topped", "top"),
    ("repaired", "repair"),
    ("changed", "change"),
    ("recalibrated", "recalibrate"),
    ("rebuilt", "rebuild"),
    ("completed", "complete"),
    ("tested", "test"),
    ("checked", "check"),
    ("greased", "grease"),
    ("aligned", "align"),
    ("recharged", "recharge"),
    ("reflashed", "reflash"),
    ("cleared", "clear"),
];

/// A repair told as work still to do: "Replaced the sensor" becomes "replace the sensor".
fn to_do(repair: &str) -> String {
    let words: Vec<&str> = repair
        .split(' ')
        .map(|word| {
            let lower = word.to_lowercase();
            VERBS.iter().find(|(past, _)| *past == lower).map_or(word, |(_, present)| present)
        })
        .collect();
    words.join(" ")
}

/// Today's case for a truck being generated, if it has one: an out-of-service case, or one for
/// its earliest critical or derating fault whose case would have opened by `now`.
fn current_visit(rng: &mut ChaCha8Rng, seed: u64, now: DateTime<Utc>, vehicle: &Vehicle) -> Option<Visit> {
    if !vehicle.in_service {
        let started_at = now - minutes(rng, 60, 10 * 24 * 60);
        let (complaint, repair) = OUT_OF_SERVICE[rng.random_range(0..OUT_OF_SERVICE.len())];
        return Some(Visit {
            reason: CaseReason::OutOfService,
            complaint: complaint.to_owned(),
            repair: repair.to_owned(),
            started_at,
            downtime: started_at - minutes(rng, 0, 6 * 60),
            odometer_mi: odometer_at(vehicle, now, started_at),
            broke_down: false,
        });
    }
    let mut faults: Vec<&Fault> = vehicle.faults.iter().filter(|f| qualifies(f)).collect();
    faults.sort_by_key(|f| (f.last_triggered, f.id));
    faults.into_iter().find_map(|fault| {
        let opens_at = fault.last_triggered + case_delay(seed, fault)?;
        (opens_at <= now).then(|| fault_visit(fault, opens_at, odometer_at(vehicle, now, opens_at)))
    })
}

/// The odometer at an earlier time: about 30 miles an hour back, as the fleet reckons faults.
fn odometer_at(vehicle: &Vehicle, now: DateTime<Utc>, then: DateTime<Utc>) -> f64 {
    (vehicle.odometer_mi - (now - then).num_minutes() as f64 / 2.0).max(0.0)
}

/// A visit closed before the simulation began: routine maintenance or a code long since fixed.
fn past_visit(rng: &mut ChaCha8Rng, now: DateTime<Utc>, vehicle: &Vehicle, visit: i64) -> Visit {
    // Each past visit in its own 50-day window, so one truck's visits never overlap.
    let days_ago = HISTORY_FROM_DAYS + 50 * visit + rng.random_range(0..45);
    let started_at = now - Duration::days(days_ago) - minutes(rng, 0, 24 * 60);
    let (complaint, repair) = if rng.random_bool(0.5) {
        let (complaint, repair) = MAINTENANCE[rng.random_range(0..MAINTENANCE.len())];
        (complaint.to_owned(), repair.to_owned())
    } else {
        let code = pick_weighted(rng, CATALOG, |c| c.weight);
        (
            format!("Check engine lamp on: {} (SPN {} FMI {})", code.description, code.spn, code.fmi),
            repair_for(code.spn).to_owned(),
        )
    };
    Visit {
        reason: CaseReason::History,
        complaint,
        repair,
        started_at,
        downtime: started_at - minutes(rng, 0, 12 * 60),
        odometer_mi: odometer_at(vehicle, now, started_at),
        broke_down: false,
    }
}

/// The fleet's cases as of `now`, and the next free reference number.
pub(super) fn generate(seed: u64, now: DateTime<Utc>, vehicles: &[Vehicle]) -> (Vec<Case>, u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ CASES_SALT);
    let providers = service_providers();
    let first_number = rng.random_range(18_000_000..19_000_000u64);
    let mut cases = Vec::new();
    for (index, vehicle) in vehicles.iter().enumerate() {
        let past = pick_weighted(&mut rng, &[(0, 70), (1, 22), (2, 8)], |(_, w)| *w).0;
        for visit in 0..past {
            let visit = past_visit(&mut rng, now, vehicle, visit);
            cases.push(open(&mut rng, &providers, index, vehicle, visit));
        }
        if let Some(visit) = current_visit(&mut rng, seed, now, vehicle) {
            let mut case = open(&mut rng, &providers, index, vehicle, visit);
            case.covered = vehicle.faults.iter().filter(|f| qualifies(f)).map(key).collect();
            cases.push(case);
        }
    }
    // Numbered in the order they were opened, as Decisiv numbers them.
    cases.sort_by_key(|c| c.started_at);
    for (number, case) in (first_number..).zip(&mut cases) {
        case.reference_number = number;
        case.advance(now, None);
    }
    let next = first_number + cases.len() as u64;
    (cases, next)
}

/// Moves the cases on to `now`: due stages happen, trucks that need a case get one. `next_number`
/// is the next free reference number.
pub(super) fn tick(
    seed: u64,
    ticks: u64,
    now: DateTime<Utc>,
    vehicles: &[Vehicle],
    cases: &mut Vec<Case>,
    next_number: &mut u64,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ CASES_SALT ^ ticks.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut open_for: HashMap<usize, usize> = HashMap::new();
    let mut handled: HashSet<(u64, DateTime<Utc>)> = HashSet::new();
    for (position, case) in cases.iter_mut().enumerate() {
        if case.is_open() {
            let Some(vehicle) = vehicles.get(case.vehicle_index) else { continue };
            if case.reason == CaseReason::OutOfService && vehicle.in_service {
                case.release(&mut rng, now);
            }
            case.advance(now, Some(now));
            if case.is_open() {
                // The shop sees every code the truck raises while it is in: none opens another case.
                for fault in vehicle.faults.iter().filter(|f| qualifies(f)) {
                    if !case.covered.contains(&key(fault)) {
                        case.covered.push(key(fault));
                    }
                }
                open_for.insert(case.vehicle_index, position);
            }
        }
        handled.extend(case.covered.iter().copied());
    }
    let providers = service_providers();
    for (index, vehicle) in vehicles.iter().enumerate() {
        if open_for.contains_key(&index) {
            continue;
        }
        let visit = if vehicle.in_service {
            let mut faults: Vec<&Fault> =
                vehicle.faults.iter().filter(|f| qualifies(f) && !handled.contains(&key(f))).collect();
            faults.sort_by_key(|f| (f.last_triggered, f.id));
            faults
                .into_iter()
                .find(|f| case_delay(seed, f).is_some_and(|delay| f.last_triggered + delay <= now))
                .map(|fault| fault_visit(fault, now, vehicle.odometer_mi))
        } else {
            let (complaint, repair) = OUT_OF_SERVICE[rng.random_range(0..OUT_OF_SERVICE.len())];
            Some(Visit {
                reason: CaseReason::OutOfService,
                complaint: complaint.to_owned(),
                repair: repair.to_owned(),
                started_at: now,
                downtime: now,
                odometer_mi: vehicle.odometer_mi,
                broke_down: false,
            })
        };
        if let Some(visit) = visit {
            let mut case = open(&mut rng, &providers, index, vehicle, visit);
            case.reference_number = *next_number;
            *next_number += 1;
            case.covered = vehicle.faults.iter().filter(|f| qualifies(f)).map(key).collect();
            cases.push(case);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Fleet, Recommendation};
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-01T12:00:00Z").map(|t| t.to_utc()).unwrap_or_default()
    }

    /// What a case shows, in the order its timestamps must come.
    fn check_case(case: &Case, now: DateTime<Utc>) {
        let times = [
            Some(case.asset_downtime),
            Some(case.started_at),
            case.asset_arrived,
            case.asset_checked_in,
            case.asset_uptime,
            case.closed_at,
        ];
        let set: Vec<_> = times.iter().flatten().collect();
        assert!(set.windows(2).all(|w| w[0] <= w[1]), "{} out of order: {times:?}", case.reference_number);
        assert!(set.iter().all(|t| **t <= now) && case.updated_at <= now && case.created_at <= case.updated_at);
        assert_eq!(case.is_closed(), case.stage == CaseStage::Closed);
        assert_eq!(case.ro_number.is_some(), case.stage >= CaseStage::CheckIn);
        assert_eq!(case.asset_uptime.is_some(), case.stage >= CaseStage::PickUp);
        assert_eq!(case.status, case.stage.status());
    }

    fn check_fleet(fleet: &Fleet) {
        let mut open = HashSet::new();
        for case in &fleet.cases {
            check_case(case, fleet.now);
            let vehicle = &fleet.vehicles[case.vehicle_index];
            assert_eq!((&case.asset_id, &case.vin), (&vehicle.asset_id, &vehicle.vin));
            if case.is_open() {
                assert!(open.insert(case.vehicle_index), "two open cases for {}", vehicle.vin);
            }
        }
        for vehicle in fleet.vehicles.iter().filter(|v| v.recommendation() == Recommendation::InRepair) {
            assert!(fleet.open_case(&vehicle.asset_id).is_some(), "{} is IN_REPAIR without an open case", vehicle.vin);
        }
        let numbers: Vec<_> = fleet.cases.iter().map(|c| c.reference_number).collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "numbered in order");
    }

    #[test]
    fn generated_cases_are_deterministic_consistent_and_mixed() {
        let fleet = Fleet::generate(11, 600, t0());
        assert_eq!(fleet.cases, Fleet::generate(11, 600, t0()).cases);
        assert_ne!(fleet.cases, Fleet::generate(12, 600, t0()).cases);
        check_fleet(&fleet);
        let closed = fleet.cases.iter().filter(|c| c.is_closed()).count();
        let open = fleet.cases.len() - closed;
        assert!(closed > 100 && open > 10, "{closed} closed, {open} open");
        assert!(fleet.cases.iter().any(|c| c.reason == CaseReason::History));
        assert!(fleet.cases.iter().any(|c| matches!(c.reason, CaseReason::Fault { .. }) && c.is_closed()));
        assert!(fleet.cases.iter().any(|c| c.breakdown.is_some()));
        let stages: HashSet<_> = fleet.cases.iter().map(|c| c.stage).collect();
        assert!(stages.len() >= 5, "{stages:?}");

        // The alert TruckIQ raises needs trucks with an active critical fault and no open case.
        let critical = |v: &Vehicle| v.faults.iter().any(|f| f.active && f.urgency == Urgency::StopEngine);
        let unattended = fleet.vehicles.iter().filter(|v| critical(v) && fleet.open_case(&v.asset_id).is_none());
        assert!(unattended.count() > 0);
        let attended = fleet.vehicles.iter().filter(|v| critical(v) && fleet.open_case(&v.asset_id).is_some());
        assert!(attended.count() > 0);
    }

    #[test]
    fn cases_open_progress_and_close_with_the_clock() {
        let mut fleet = Fleet::generate(4, 400, t0());
        let first = fleet.cases.len();
        let mut closed_on_tick = 0;
        for _ in 0..96 {
            let before = fleet.clone();
            fleet.tick(60);
            check_fleet(&fleet);
            assert_eq!(
                fleet.cases[..before.cases.len()].iter().map(|c| &c.id).collect::<Vec<_>>(),
                before.cases.iter().map(|c| &c.id).collect::<Vec<_>>(),
                "cases are never dropped or reordered"
            );
            for (old, new) in before.cases.iter().zip(&fleet.cases) {
                assert!(new.stage >= old.stage);
                let changed = (old.stage, old.repair_status) != (new.stage, new.repair_status);
                assert_eq!(new.updated_at, if changed { fleet.now } else { old.updated_at }, "{}", new.id);
                closed_on_tick += usize::from(old.is_open() && new.is_closed());
            }
            for new in &fleet.cases[before.cases.len()..] {
                assert_eq!((new.stage, new.started_at, new.updated_at), (CaseStage::DropOff, fleet.now, fleet.now));
            }
        }
        assert!(fleet.cases.len() > first + 5, "{} cases opened in four days", fleet.cases.len() - first);
        assert!(closed_on_tick > 5, "{closed_on_tick} cases closed in four days");
    }

    #[test]
    fn every_repair_reads_as_work_to_do() {
        assert_eq!(
            to_do("Ran a parked regeneration and cleaned the DPF"),
            "run a parked regeneration and clean the DPF"
        );
        let texts = OUT_OF_SERVICE.iter().chain(MAINTENANCE).map(|(_, r)| *r);
        for text in texts.chain(CATALOG.iter().map(|c| repair_for(c.spn))) {
            let first = text.split(' ').next().unwrap_or_default().to_lowercase();
            assert!(VERBS.iter().any(|(past, _)| *past == first), "{text}");
            assert!(!to_do(text).split(' ').any(|w| VERBS.iter().any(|(past, _)| *past == w)), "{text}");
        }
    }

    #[test]
    fn an_activation_gets_its_case_hours_later_or_never() {
        let fleet = Fleet::generate(2, 2_000, t0());
        let faults: Vec<_> = fleet.vehicles.iter().flat_map(|v| &v.faults).collect();
        let delays: Vec<_> = faults.iter().map(|f| case_delay(fleet.seed, f)).collect();
        let never = delays.iter().filter(|d| d.is_none()).count() as f64 / delays.len() as f64;
        assert!((UNATTENDED_SHARE - 0.05..UNATTENDED_SHARE + 0.05).contains(&never), "{never}");
        let (low, high) = OPENS_AFTER_HOURS;
        assert!(delays.iter().flatten().all(|d| (low..=high).contains(&d.num_hours())));
    }
}
