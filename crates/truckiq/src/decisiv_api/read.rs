//! The SRM account's trucks and faults in TruckIQ's terms. Pure: published documents in, the
//! fleet read out.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::types::{AssetAttributes, CaseAttributes, FaultAttributes, Resource};
use crate::connector::{FleetFault, FleetFaults, FleetRead, TruckFaults, VehicleRead};
use crate::j1939::{Severity, judge_severity};
use crate::portal::parse::{UNKNOWN_SOURCE_ADDRESS, is_plausible_vin, parse_datetime, parse_source_address, pattern};
use crate::portal::profile::Words;
use crate::store::{CaseObservation, FaultObservation, VehicleSnapshot};

/// A truck the API lists, if its VIN is one.
pub fn vehicle(asset: &Resource<AssetAttributes>) -> Option<VehicleSnapshot> {
    let a = &asset.attributes;
    let vin = a.vin.as_deref()?.trim().to_uppercase();
    if !is_plausible_vin(&vin) {
        return None;
    }
    let text = |t: &Option<String>| t.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
    let km = a.odometer_unit.as_deref().is_some_and(|u| u.eq_ignore_ascii_case("km"));
    let odometer =
        a.odometer_value.filter(|v| v.is_finite() && *v >= 0.0).map(|v| if km { (v / 1.609_344).round() } else { v });
    Some(VehicleSnapshot {
        vin,
        unit_number: text(&a.unit_number),
        model_year: a.year.and_then(|y| u16::try_from(y).ok()).filter(|y| (1950..=2100).contains(y)),
        make: text(&a.make),
        model: text(&a.model),
        engine_make: a.engine.as_ref().and_then(|e| text(&e.make)),
        engine_model: a.engine.as_ref().and_then(|e| text(&e.model)),
        odometer_mi: odometer,
        engine_hours: a.engine_hours.filter(|h| h.is_finite() && *h >= 0.0),
        ..VehicleSnapshot::default()
    })
}

static SOURCE_ADDRESS: LazyLock<Regex> = LazyLock::new(|| pattern(r"(?i)source address\s*(\d{1,3})\b"));

/// The tier the API's severity means: its `severity_level` words first, as portal wording wins
/// over J1939 facts; else the 0–100 score (a guess: ≥ 80 critical, ≥ 50 major, ≥ 20 minor).
pub fn tier(level: Option<&str>, score: Option<i64>, words: &Words) -> Option<Severity> {
    level.and_then(|l| words.severity(l)).or_else(|| {
        score.map(|s| match s {
            80.. => Severity::Critical,
            50..=79 => Severity::Major,
            20..=49 => Severity::Minor,
            _ => Severity::Info,
        })
    })
}

/// One fault, if it names a J1939 code.
pub fn fault(resource: &Resource<FaultAttributes>, words: &Words) -> Option<FaultObservation> {
    let f = &resource.attributes;
    let spn = f.spn.as_deref()?.trim().parse::<u32>().ok().filter(|s| *s <= 524_287)?;
    let fmi = f.fmi.as_deref()?.trim().parse::<u8>().ok().filter(|f| *f <= 31)?;
    let details = f.details.as_ref();
    let component = details.and_then(|d| d.component.as_ref());
    let source_address = component
        .and_then(|c| c.description.as_deref())
        .and_then(|d| SOURCE_ADDRESS.captures(d))
        .and_then(|c| c[1].parse::<u8>().ok())
        .or_else(|| component.and_then(|c| c.name.as_deref()).and_then(parse_source_address))
        .unwrap_or(UNKNOWN_SOURCE_ADDRESS);
    let guidance = |name: &str| {
        f.guidance
            .iter()
            .find(|g| g.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .and_then(|g| g.value.clone())
    };
    let derate = guidance("Engine Derate").is_some_and(|v| !words.is_no(&v));
    let active = f.active.unwrap_or(true);
    let level = details.and_then(|d| d.severity_level.clone());
    let tier = tier(level.as_deref(), f.severity, words);
    Some(FaultObservation {
        source_address,
        spn,
        fmi,
        description: details.and_then(|d| d.description.clone()),
        severity: judge_severity(tier, spn, fmi, derate, active),
        portal_severity_text: guidance("Recommended Action").or(level),
        portal_severity_score: f.severity.and_then(|s| u8::try_from(s).ok()),
        derate,
        active,
        first_seen: f.triggered_at.as_deref().and_then(parse_datetime),
        occurrences: details.and_then(|d| d.occurrences).and_then(|n| u32::try_from(n).ok()),
        raw_json: None,
    })
}

/// The latest of the API's timestamps (RFC 3339, UTC): where the next read of changes starts.
pub fn latest<'a>(timestamps: impl Iterator<Item = &'a str>) -> Option<String> {
    let latest = timestamps.filter_map(parse_datetime).max()?;
    Some(latest.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// The account's fleet: every listed truck, its faults from the account-wide list by the asset
/// each names, that list being all of them or the changes (`scope`). A fault on an asset that is
/// not listed counts as a list problem.
pub fn fleet(
    assets: &[Resource<AssetAttributes>],
    faults: &[Resource<FaultAttributes>],
    words: &Words,
    scope: fn(Vec<FleetFault>) -> FleetFaults,
) -> FleetRead {
    let mut problems = 0u32;
    let mut vin_of: HashMap<&str, String> = HashMap::new();
    let mut vehicles = Vec::new();
    for asset in assets {
        match vehicle(asset) {
            Some(snapshot) => {
                vin_of.insert(asset.id.as_str(), snapshot.vin.clone());
                vehicles.push(VehicleRead { vehicle: snapshot, faults: TruckFaults::InFleetList });
            }
            None => problems += 1,
        }
    }
    let mut listed = Vec::new();
    // The API lists no truck positions; a fault says where its truck was when it fired.
    let mut last_seen_at: HashMap<String, (Option<chrono::DateTime<chrono::Utc>>, String)> = HashMap::new();
    for resource in faults {
        let Some(observation) = fault(resource, words) else { continue };
        match resource.related("asset").and_then(|id| vin_of.get(id)) {
            Some(vin) => {
                if let Some(place) = resource.attributes.location.as_ref().and_then(|l| l.text()) {
                    let at = observation.first_seen;
                    let latest = last_seen_at.entry(vin.clone()).or_insert((at, place.clone()));
                    if at > latest.0 {
                        *latest = (at, place);
                    }
                }
                listed.push(FleetFault { vin: vin.clone(), fault: observation });
            }
            None => problems += 1,
        }
    }
    for truck in &mut vehicles {
        if let Some((_, place)) = last_seen_at.remove(&truck.vehicle.vin) {
            truck.vehicle.location_text = Some(format!("{place} (at its latest fault report)"));
        }
    }
    FleetRead {
        vehicles,
        fleet_faults: Some(scope(listed)),
        changes_since: latest(faults.iter().filter_map(|f| f.attributes.triggered_at.as_deref())),
        list_problems: problems,
        list_problem: (problems > 0)
            .then(|| format!("{problems} asset(s) or fault(s) the API listed could not be placed on a truck")),
        ..FleetRead::default()
    }
}

/// A service case on a truck the API lists (`vin_of`: asset id to VIN), if it names one.
pub fn case(resource: &Resource<CaseAttributes>, vin_of: &HashMap<&str, String>) -> Option<CaseObservation> {
    // A case without an id could never be matched again: not a case TruckIQ can keep.
    if resource.id.trim().is_empty() {
        return None;
    }
    let c = &resource.attributes;
    let vin = vin_of.get(resource.related("registered_asset")?)?.clone();
    let times = c.event_timestamps.as_ref();
    let at = |t: Option<&Option<String>>| t.and_then(|t| t.as_deref()).and_then(parse_datetime);
    let text = |t: &Option<String>| t.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
    let closed_at = at(times.map(|t| &t.closed_at));
    Some(CaseObservation {
        portal_case_id: resource.id.clone(),
        vin,
        reference: c
            .reference_number
            .filter(|n| n.is_finite() && *n >= 0.0)
            .map(|n| format!("{n:.0}"))
            .or_else(|| text(&c.ro_number)),
        status: text(&c.status),
        repair_status: text(&c.repair_status),
        complaint: text(&c.complaint),
        // The flag says; without one, a closing time does (the published example fills every
        // time, even on an open case).
        closed: c.closed.unwrap_or(closed_at.is_some()),
        opened_at: at(times.map(|t| &t.started_at)).or_else(|| at(Some(&c.created_at))),
        downtime_at: at(times.map(|t| &t.asset_downtime)),
        uptime_at: at(times.map(|t| &t.asset_uptime)),
        closed_at,
        updated_at: at(Some(&c.updated_at)),
    })
}

/// Asset id to VIN for the trucks the API lists.
pub fn vins_by_asset(assets: &[Resource<AssetAttributes>]) -> HashMap<&str, String> {
    assets.iter().filter_map(|a| Some((a.id.as_str(), vehicle(a)?.vin))).collect()
}
