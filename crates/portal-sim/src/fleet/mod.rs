//! The simulated fleet: trucks, their meters, their faults and their service cases, deterministic
//! from a seed, moved forward by a clock. The browser portals and the API all read this one model,
//! so a test can compare what a client synced with what the "portal" holds.

pub mod cases;
pub mod catalog;
pub mod recommendation;
pub mod vin;

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

pub use cases::{Case, CaseReason, CaseStage, ServiceProvider};
use catalog::{CATALOG, FaultCode};
pub use recommendation::Recommendation;

/// Largest fleet the simulator serves.
pub const MAX_VEHICLES: usize = 20_000;

struct ModelSpec {
    make: &'static str,
    model: &'static str,
    /// World manufacturer identifiers used for this make.
    wmis: &'static [&'static str],
    plants: &'static [char],
    engines: &'static [(&'static str, &'static str)],
    weight: u32,
}

const PACCAR_MX13: (&str, &str) = ("PACCAR", "MX-13");
const CUMMINS_X15: (&str, &str) = ("Cummins", "X15");
const PACCAR_MX11: (&str, &str) = ("PACCAR", "MX-11");

const MODELS: &[ModelSpec] = &[
    ModelSpec {
        make: "Kenworth",
        model: "T680",
        wmis: &["1XK", "1NK"],
        plants: &['J', 'R'],
        engines: &[PACCAR_MX13, CUMMINS_X15],
        weight: 30,
    },
    ModelSpec {
        make: "Kenworth",
        model: "T880",
        wmis: &["1NK", "2NK"],
        plants: &['J', 'R'],
        engines: &[PACCAR_MX13, CUMMINS_X15],
        weight: 12,
    },
    ModelSpec {
        make: "Kenworth",
        model: "W990",
        wmis: &["1XK"],
        plants: &['J'],
        engines: &[CUMMINS_X15, PACCAR_MX13],
        weight: 6,
    },
    ModelSpec {
        make: "Peterbilt",
        model: "579",
        wmis: &["1XP", "1NP"],
        plants: &['D', 'N'],
        engines: &[PACCAR_MX13, CUMMINS_X15],
        weight: 28,
    },
    ModelSpec {
        make: "Peterbilt",
        model: "389",
        wmis: &["1XP"],
        plants: &['D'],
        engines: &[CUMMINS_X15, PACCAR_MX13],
        weight: 10,
    },
    ModelSpec {
        make: "Peterbilt",
        model: "567",
        wmis: &["1NP", "2NP"],
        plants: &['D', 'N'],
        engines: &[PACCAR_MX13, CUMMINS_X15],
        weight: 8,
    },
    ModelSpec {
        make: "DAF",
        model: "XF",
        wmis: &["XLR"],
        plants: &['E'],
        engines: &[PACCAR_MX13, PACCAR_MX11],
        weight: 6,
    },
];

/// Freight hubs the trucks are parked near.
const HUBS: &[(&str, f64, f64)] = &[
    ("Dallas, TX", 32.78, -96.80),
    ("Chicago, IL", 41.88, -87.63),
    ("Atlanta, GA", 33.75, -84.39),
    ("Memphis, TN", 35.15, -90.05),
    ("Kansas City, MO", 39.10, -94.58),
    ("Columbus, OH", 39.96, -83.00),
    ("Phoenix, AZ", 33.45, -112.07),
    ("Denver, CO", 39.74, -104.99),
    ("Laredo, TX", 27.51, -99.51),
    ("Harrisburg, PA", 40.27, -76.88),
    ("Sacramento, CA", 38.58, -121.49),
    ("Indianapolis, IN", 39.77, -86.16),
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vehicle {
    /// The Decisiv registered-asset id.
    pub asset_id: String,
    pub vin: String,
    pub unit_number: String,
    pub year: u16,
    pub make: &'static str,
    pub model: &'static str,
    pub engine_make: &'static str,
    pub engine_model: &'static str,
    pub odometer_mi: f64,
    pub engine_hours: f64,
    pub latitude: f64,
    pub longitude: f64,
    pub location: &'static str,
    pub location_at: DateTime<Utc>,
    pub in_service: bool,
    /// The telematics device's serial number (DSN): PMG devices 7.1M-8M, T521 devices 20M-30M.
    pub device_dsn: u32,
    pub device_software: String,
    /// Since when the device has stopped reporting; `None` while it reports.
    pub not_communicating_since: Option<DateTime<Utc>>,
    /// When anything a portal shows about the truck or its faults last changed (PACCAR Solutions'
    /// `timestamp`).
    pub changed_at: DateTime<Utc>,
    pub faults: Vec<Fault>,
}

impl Vehicle {
    /// PACCAR Solutions' headline for the truck.
    pub fn recommendation(&self) -> Recommendation {
        Recommendation::for_truck(
            !self.in_service,
            self.not_communicating_since.is_none(),
            self.faults.iter().filter(|f| f.active).map(|f| f.recommendation),
        )
    }

    /// What a change of [`Vehicle::changed_at`] stands for: everything shown except the times an
    /// active fault was last seen, which move on every report without changing anything.
    fn shown(&self) -> impl PartialEq + use<> {
        let faults: Vec<_> =
            self.faults.iter().map(|f| (f.id, f.active, f.recommendation, f.occurrences, f.last_triggered)).collect();
        (self.odometer_mi.to_bits(), self.engine_hours.to_bits(), self.not_communicating_since, faults)
    }
}

/// A fault as the portal lists it: active now, or inactive (seen recently, not active).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fault {
    /// Stable id, used by the API.
    pub id: u64,
    pub source_address: u8,
    pub spn: u32,
    pub fmi: u8,
    pub description: &'static str,
    pub urgency: catalog::Urgency,
    pub derate: bool,
    pub occurrences: u32,
    pub first_seen: DateTime<Utc>,
    /// When the fault last became active: its first sighting, or its latest recurrence.
    pub last_triggered: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub active: bool,
    /// PACCAR Solutions' recommended action for this fault.
    pub recommendation: Recommendation,
    /// The odometer when the fault last became active.
    pub mileage_mi: f64,
}

impl Fault {
    pub fn code(&self) -> (u8, u32, u8) {
        (self.source_address, self.spn, self.fmi)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Fleet {
    pub seed: u64,
    pub now: DateTime<Utc>,
    pub ticks: u64,
    pub vehicles: Vec<Vehicle>,
    /// Service cases (Decisiv Asset Management), oldest first.
    pub cases: Vec<Case>,
    #[serde(skip)]
    next_fault_id: u64,
    #[serde(skip)]
    next_case_number: u64,
}

/// How long an inactive fault stays listed before the portal drops it.
const INACTIVE_LISTED_FOR: Duration = Duration::days(7);

/// Salts the random stream behind what only PACCAR Solutions shows (devices, silence, changing
/// recommendations), so adding it left the trucks and faults of every seed as they were.
const SOLUTIONS_SALT: u64 = 0x50AC_CA85_0111_7105;

impl Fleet {
    /// A fleet of `count` trucks (clamped to 1..=[`MAX_VEHICLES`]) generated from `seed`, as of `now`.
    /// The same seed, count and time always give the same fleet.
    pub fn generate(seed: u64, count: usize, now: DateTime<Utc>) -> Self {
        let count = count.clamp(1, MAX_VEHICLES);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut devices = ChaCha8Rng::seed_from_u64(seed ^ SOLUTIONS_SALT);
        let mut fleet = Fleet {
            seed,
            now,
            ticks: 0,
            vehicles: Vec::with_capacity(count),
            cases: Vec::new(),
            next_fault_id: 1,
            next_case_number: 0,
        };
        let mut serial = rng.random_range(100_000..800_000u32);
        for index in 0..count {
            serial += rng.random_range(1..40);
            let mut vehicle = fleet.new_vehicle(&mut rng, index, serial);
            fit_device(&mut devices, &mut vehicle, now);
            fleet.vehicles.push(vehicle);
        }
        // After the trucks, from its own stream: cases only read them.
        (fleet.cases, fleet.next_case_number) = cases::generate(seed, now, &fleet.vehicles);
        fleet
    }

    fn new_vehicle(&mut self, rng: &mut ChaCha8Rng, index: usize, serial: u32) -> Vehicle {
        let spec = pick_weighted(rng, MODELS, |m| m.weight);
        let year = rng.random_range(2016..=2026u16);
        let wmi = spec.wmis[rng.random_range(0..spec.wmis.len())];
        let plant = spec.plants[rng.random_range(0..spec.plants.len())];
        let vin = vin::build(wmi, &vin::random_descriptor(rng), year, plant, serial);
        let (engine_make, engine_model) = spec.engines[rng.random_range(0..spec.engines.len())];
        let age_years = f64::from(2027 - year) - rng.random_range(0.0..1.0);
        let odometer_mi = (age_years * rng.random_range(60_000.0..125_000.0)).round();
        let engine_hours = (odometer_mi / rng.random_range(38.0..52.0) * 10.0).round() / 10.0;
        let (location, lat, lon) = HUBS[rng.random_range(0..HUBS.len())];
        let mut asset_bytes = [0u8; 16];
        rng.fill(&mut asset_bytes);
        let mut vehicle = Vehicle {
            asset_id: uuid::Builder::from_random_bytes(asset_bytes).into_uuid().to_string(),
            vin,
            unit_number: format!("{}", 1001 + index),
            year,
            make: spec.make,
            model: spec.model,
            engine_make,
            engine_model,
            odometer_mi,
            engine_hours,
            latitude: lat + rng.random_range(-0.4..0.4),
            longitude: lon + rng.random_range(-0.4..0.4),
            location,
            location_at: self.now - Duration::minutes(rng.random_range(1..240)),
            in_service: rng.random_bool(0.96),
            device_dsn: 0,
            device_software: String::new(),
            not_communicating_since: None,
            changed_at: self.now,
            faults: Vec::new(),
        };
        // Most trucks are clean; a few carry several codes, as real fleets do.
        let fault_count = pick_weighted(rng, &[(0, 55), (1, 22), (2, 12), (3, 7), (4, 4)], |(_, w)| *w).0;
        for _ in 0..fault_count {
            let first_seen = self.now - Duration::minutes(rng.random_range(30..60 * 24 * 20));
            let active = rng.random_bool(0.7);
            self.raise(rng, &mut vehicle, first_seen, active);
        }
        vehicle
    }

    /// Adds a new fault to `vehicle` (a code it does not already list).
    fn raise(&mut self, rng: &mut ChaCha8Rng, vehicle: &mut Vehicle, first_seen: DateTime<Utc>, active: bool) {
        let code: &FaultCode = pick_weighted(rng, CATALOG, |c| c.weight);
        let key = (code.source_address, code.spn, code.fmi);
        if vehicle.faults.iter().any(|f| f.code() == key) {
            return;
        }
        let span = (self.now - first_seen).num_minutes().max(1);
        let last_seen = if active { self.now } else { first_seen + Duration::minutes(rng.random_range(0..span)) };
        let id = self.next_fault_id;
        vehicle.faults.push(Fault {
            id,
            source_address: code.source_address,
            spn: code.spn,
            fmi: code.fmi,
            description: code.description,
            urgency: code.urgency,
            derate: code.derate,
            occurrences: rng.random_range(1..=12),
            first_seen,
            last_triggered: first_seen,
            last_seen,
            active,
            recommendation: Recommendation::for_new_fault(self.seed, id, code.urgency),
            // Where the odometer stood when it appeared: about 30 miles an hour since, on average.
            mileage_mi: (vehicle.odometer_mi - (self.now - first_seen).num_minutes() as f64 / 2.0).round().max(0.0),
        });
        self.next_fault_id += 1;
    }

    /// Advances the clock by `minutes`: trucks drive (meters only grow), faults clear, recur and
    /// appear, inactive faults older than a week drop off the list, and service cases open, move on
    /// and close (`cases`). Deterministic per seed and tick.
    pub fn tick(&mut self, minutes: u32) {
        let now = self.now + Duration::minutes(i64::from(minutes.max(1)));
        self.tick_at(minutes, now);
    }

    /// `minutes` of the fleet's life, stamped `now` (never before the last stamp): the demo's
    /// faults come and go at an hour a tick, yet carry the wall clock's times, as a real portal's do.
    pub fn tick_at(&mut self, minutes: u32, now: DateTime<Utc>) {
        let minutes = minutes.max(1);
        self.ticks += 1;
        self.now = now.max(self.now);
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ self.ticks.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut devices =
            ChaCha8Rng::seed_from_u64(self.seed ^ SOLUTIONS_SALT ^ self.ticks.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let hours = f64::from(minutes) / 60.0;
        // Per-hour chances, scaled to the tick and capped so a long tick stays sensible.
        let chance = |per_hour: f64| (per_hour * hours).min(0.9);
        let mut vehicles = std::mem::take(&mut self.vehicles);
        for vehicle in &mut vehicles {
            let before = vehicle.shown();
            if vehicle.in_service && rng.random_bool(0.65) {
                let driven = hours * rng.random_range(0.4..1.0);
                vehicle.engine_hours = ((vehicle.engine_hours + driven) * 10.0).round() / 10.0;
                vehicle.odometer_mi = (vehicle.odometer_mi + driven * rng.random_range(42.0..62.0)).round();
                vehicle.location_at = self.now;
            }
            let now = self.now;
            for fault in &mut vehicle.faults {
                if fault.active {
                    if rng.random_bool(chance(0.04)) {
                        fault.active = false;
                    } else {
                        fault.last_seen = now;
                    }
                } else if rng.random_bool(chance(0.01)) {
                    fault.active = true;
                    fault.occurrences += 1;
                    fault.last_triggered = now;
                    fault.last_seen = now;
                    fault.mileage_mi = vehicle.odometer_mi;
                }
            }
            vehicle.faults.retain(|f| f.active || now - f.last_seen < INACTIVE_LISTED_FOR);
            if rng.random_bool(chance(0.01)) {
                self.raise(&mut rng, vehicle, now, true);
            }
            report_device(&mut devices, vehicle, now, &chance);
            if vehicle.shown() != before {
                vehicle.changed_at = now;
            }
        }
        self.vehicles = vehicles;
        cases::tick(self.seed, self.ticks, self.now, &self.vehicles, &mut self.cases, &mut self.next_case_number);
    }

    pub fn vehicle(&self, vin: &str) -> Option<&Vehicle> {
        self.vehicles.iter().find(|v| v.vin == vin)
    }

    pub fn vehicle_by_asset_id(&self, asset_id: &str) -> Option<&Vehicle> {
        self.vehicles.iter().find(|v| v.asset_id == asset_id)
    }

    /// The truck's open case, if it has one (never more than one).
    pub fn open_case(&self, asset_id: &str) -> Option<&Case> {
        self.cases.iter().find(|c| c.is_open() && c.asset_id == asset_id)
    }
}

/// Gives a new truck its telematics device: a PMG (DSN 7.1M-8M) or a T521 (20M-30M); about 3 %
/// of trucks have a device that stopped reporting up to three days ago.
fn fit_device(rng: &mut ChaCha8Rng, vehicle: &mut Vehicle, now: DateTime<Utc>) {
    let t521 = rng.random_bool(0.35);
    vehicle.device_dsn =
        if t521 { rng.random_range(20_000_000..30_000_000) } else { rng.random_range(7_100_000..8_000_000) };
    vehicle.device_software =
        format!("{:03}.{:03}.{:03}", rng.random_range(10..14u8), rng.random_range(0..10u8), rng.random_range(0..30u8));
    if rng.random_bool(0.03) {
        vehicle.not_communicating_since = Some(now - Duration::minutes(rng.random_range(90..60 * 72)));
    }
    let latest_fault = vehicle.faults.iter().map(|f| f.last_triggered).max();
    vehicle.changed_at = latest_fault.map_or(vehicle.location_at, |t| t.max(vehicle.location_at)).min(now);
}

/// What only PACCAR Solutions shows moves on: a device falls silent or reports again, and an
/// active "Service Soon" fault can become "Service Now".
fn report_device(rng: &mut ChaCha8Rng, vehicle: &mut Vehicle, now: DateTime<Utc>, chance: &dyn Fn(f64) -> f64) {
    match vehicle.not_communicating_since {
        None if rng.random_bool(chance(0.002)) => vehicle.not_communicating_since = Some(now),
        Some(_) if rng.random_bool(chance(0.05)) => vehicle.not_communicating_since = None,
        _ => {}
    }
    for fault in vehicle.faults.iter_mut().filter(|f| f.active && f.recommendation == Recommendation::ServiceSoon) {
        if rng.random_bool(chance(0.02)) {
            fault.recommendation = Recommendation::ServiceNow;
        }
    }
}

fn pick_weighted<'a, T>(rng: &mut impl Rng, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
    let total: u32 = items.iter().map(&weight).sum();
    let mut roll = rng.random_range(0..total.max(1));
    for item in items {
        let w = weight(item);
        if roll < w {
            return item;
        }
        roll -= w;
    }
    &items[items.len() - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-01T12:00:00Z").map(|t| t.to_utc()).unwrap_or_default()
    }

    #[test]
    fn the_same_seed_gives_the_same_fleet_and_another_seed_does_not() {
        let a = Fleet::generate(7, 300, t0());
        assert_eq!(a.vehicles, Fleet::generate(7, 300, t0()).vehicles);
        assert_ne!(a.vehicles, Fleet::generate(8, 300, t0()).vehicles);
    }

    #[test]
    fn vehicles_are_realistic() {
        let fleet = Fleet::generate(1, 2_000, t0());
        let mut vins = std::collections::HashSet::new();
        for v in &fleet.vehicles {
            assert!(vin::is_valid(&v.vin), "{}", v.vin);
            assert!(vins.insert(v.vin.clone()), "duplicate VIN {}", v.vin);
            assert!(["1XK", "1NK", "2NK", "1XP", "1NP", "2NP", "XLR"].contains(&&v.vin[..3]), "{}", v.vin);
            assert!(v.odometer_mi > 0.0 && v.engine_hours > 0.0);
        }
        let with_faults = fleet.vehicles.iter().filter(|v| !v.faults.is_empty()).count();
        assert!((600..1_200).contains(&with_faults), "{with_faults} of 2000 trucks have faults");
        assert!(fleet.vehicles.iter().any(|v| v.make == "DAF"));
    }

    #[test]
    fn ticks_grow_meters_and_move_faults_deterministically() {
        let mut a = Fleet::generate(3, 500, t0());
        let before = a.clone();
        for _ in 0..24 {
            a.tick(60);
        }
        let mut b = Fleet::generate(3, 500, t0());
        for _ in 0..24 {
            b.tick(60);
        }
        assert_eq!(a.vehicles, b.vehicles, "ticks are deterministic");
        assert_eq!(a.now, t0() + Duration::hours(24));
        for (old, new) in before.vehicles.iter().zip(&a.vehicles) {
            assert!(new.odometer_mi >= old.odometer_mi && new.engine_hours >= old.engine_hours);
        }
        let codes =
            |f: &Fleet| f.vehicles.iter().flat_map(|v| v.faults.iter().map(|x| (x.id, x.active))).collect::<Vec<_>>();
        assert_ne!(codes(&before), codes(&a), "a day changes the fault picture");
        assert!(a.vehicles.iter().zip(&before.vehicles).any(|(n, o)| n.odometer_mi > o.odometer_mi));
    }

    #[test]
    fn a_fleet_on_the_wall_clock_churns_a_day_in_48_minutes_and_never_stamps_the_future() {
        let mut fleet = Fleet::generate(3, 500, t0());
        let before = fleet.clone();
        for tick in 1..=24 {
            fleet.tick_at(60, t0() + Duration::minutes(2 * tick));
        }
        assert_eq!(fleet.now, t0() + Duration::minutes(48), "the clock is the one given, not 24 h on");
        let codes =
            |f: &Fleet| f.vehicles.iter().flat_map(|v| v.faults.iter().map(|x| (x.id, x.active))).collect::<Vec<_>>();
        assert_ne!(codes(&before), codes(&fleet), "a day's worth of faults still came and went");
        for fault in fleet.vehicles.iter().flat_map(|v| &v.faults) {
            assert!(fault.first_seen <= fleet.now && fault.last_seen <= fleet.now, "{fault:?}");
        }
        fleet.tick_at(60, t0());
        assert_eq!(fleet.now, t0() + Duration::minutes(48), "a clock given as earlier never goes back");
    }

    #[test]
    fn changed_at_moves_exactly_when_something_shown_changes() {
        let mut fleet = Fleet::generate(5, 400, t0());
        assert!(fleet.vehicles.iter().all(|v| v.changed_at <= fleet.now));
        let mut moved = 0;
        for _ in 0..12 {
            let before = fleet.clone();
            fleet.tick(60);
            for (old, new) in before.vehicles.iter().zip(&fleet.vehicles) {
                let changed = old.shown() != new.shown();
                let expected = if changed { fleet.now } else { old.changed_at };
                assert_eq!(new.changed_at, expected, "{}", new.vin);
                moved += usize::from(changed);
            }
        }
        assert!(moved > 0);
        let silent = fleet.vehicles.iter().filter(|v| v.not_communicating_since.is_some()).count();
        assert!((1..40).contains(&silent), "{silent} of 400 trucks stopped reporting");
    }

    #[test]
    fn generate_clamps_the_size() {
        assert_eq!(Fleet::generate(1, 0, t0()).vehicles.len(), 1);
        assert_eq!(Fleet::generate(1, MAX_VEHICLES + 5, t0()).vehicles.len(), MAX_VEHICLES);
    }
}
