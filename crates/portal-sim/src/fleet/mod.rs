//! The simulated fleet: trucks, their meters and their faults, deterministic from a seed, moved
//! forward by a clock. The browser portals and the API all read this one model, so a test can
//! compare what a client synced with what the "portal" holds.

pub mod catalog;
pub mod vin;

use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use catalog::{CATALOG, FaultCode};

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
    pub faults: Vec<Fault>,
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
    #[serde(skip)]
    next_fault_id: u64,
}

/// How long an inactive fault stays listed before the portal drops it.
const INACTIVE_LISTED_FOR: Duration = Duration::days(7);

impl Fleet {
    /// A fleet of `count` trucks (clamped to 1..=[`MAX_VEHICLES`]) generated from `seed`, as of `now`.
    /// The same seed, count and time always give the same fleet.
    pub fn generate(seed: u64, count: usize, now: DateTime<Utc>) -> Self {
        let count = count.clamp(1, MAX_VEHICLES);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut fleet = Fleet { seed, now, ticks: 0, vehicles: Vec::with_capacity(count), next_fault_id: 1 };
        let mut serial = rng.random_range(100_000..800_000u32);
        for index in 0..count {
            serial += rng.random_range(1..40);
            let vehicle = fleet.new_vehicle(&mut rng, index, serial);
            fleet.vehicles.push(vehicle);
        }
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
        vehicle.faults.push(Fault {
            id: self.next_fault_id,
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
        });
        self.next_fault_id += 1;
    }

    /// Advances the clock by `minutes`: trucks drive (meters only grow), faults clear, recur and
    /// appear, inactive faults older than a week drop off the list. Deterministic per seed and tick.
    pub fn tick(&mut self, minutes: u32) {
        let minutes = minutes.max(1);
        self.ticks += 1;
        self.now += Duration::minutes(i64::from(minutes));
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ self.ticks.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let hours = f64::from(minutes) / 60.0;
        // Per-hour chances, scaled to the tick and capped so a long tick stays sensible.
        let chance = |per_hour: f64| (per_hour * hours).min(0.9);
        let mut vehicles = std::mem::take(&mut self.vehicles);
        for vehicle in &mut vehicles {
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
                }
            }
            vehicle.faults.retain(|f| f.active || now - f.last_seen < INACTIVE_LISTED_FOR);
            if rng.random_bool(chance(0.01)) {
                self.raise(&mut rng, vehicle, now, true);
            }
        }
        self.vehicles = vehicles;
    }

    pub fn vehicle(&self, vin: &str) -> Option<&Vehicle> {
        self.vehicles.iter().find(|v| v.vin == vin)
    }

    pub fn vehicle_by_asset_id(&self, asset_id: &str) -> Option<&Vehicle> {
        self.vehicles.iter().find(|v| v.asset_id == asset_id)
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
    fn generate_clamps_the_size() {
        assert_eq!(Fleet::generate(1, 0, t0()).vehicles.len(), 1);
        assert_eq!(Fleet::generate(1, MAX_VEHICLES + 5, t0()).vehicles.len(), MAX_VEHICLES);
    }
}
