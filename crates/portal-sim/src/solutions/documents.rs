//! The gateway's JSON documents for a vehicle and a fault. Field names marked *known* in
//! `shared/docs/paccar-solutions.md` are used as they are; the rest are the simulator's guesses,
//! listed in the README. With JSON drift on, a few fields are renamed or moved, as a gateway
//! release might do.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::fleet::catalog::source_name;
use crate::fleet::{Fault, Recommendation, Vehicle};

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn guidance(recommendation: Recommendation) -> Value {
    json!({
        "RecommendedAction": recommendation.code(),
        "localizations": [{ "locale": "en-US", "text": recommendation.label() }],
        "source": "PACCAR Remote Diagnostics",
    })
}

/// The customer every simulated truck belongs to (one per seed).
pub fn customer_key(seed: u64) -> String {
    format!("CUST-{:06X}", seed & 0xFF_FFFF)
}

/// A vehicle as `GET /v2vehicles/{vin}` and the search answer it.
pub fn vehicle(v: &Vehicle, seed: u64, drift: bool) -> Value {
    let active = v.faults.iter().filter(|f| f.active).count();
    let last_report = v.not_communicating_since.map_or(v.location_at, |since| since.min(v.location_at));
    let mut doc = json!({
        "vin": v.vin,
        // Guess: what moves this is not known; here, any change to the truck or its faults.
        "timestamp": v.changed_at.timestamp_millis(),
        "basicInfo": {
            "vin": v.vin,
            "unitNumber": v.unit_number,
            "description": format!("{} {} {}", v.year, v.make, v.model),
            "tags": [],
            "customerKey": customer_key(seed),
        },
        "chassisInfo": { "chassisModelYear": v.year, "make": v.make },
        "chassisDetailInfo": { "model": v.model },
        // Guess: engine, meters and position are not seen in public material.
        "engineInfo": { "make": v.engine_make, "model": v.engine_model },
        "meterInfo": { "odometerMiles": v.odometer_mi, "engineHours": v.engine_hours },
        "deviceInfo": {
            "deviceKey": format!("DEV-{}", v.device_dsn),
            "pmgInfo": { "pmgDsn": v.device_dsn, "pmgSwVersion": v.device_software },
        },
        "locationInfo": {
            "lastUpdated": time(last_report),
            "latitude": v.latitude,
            "longitude": v.longitude,
            "address": v.location,
        },
        "recommendation": { "faultGuidance": guidance(v.recommendation()) },
        "licenseInfo": { "disabledOemLicense": false, "removalCategory": Value::Null },
        "health": { "activeFaultCount": active, "faultCount": v.faults.len() },
    });
    if drift
        && let Some(make) =
            doc.pointer_mut("/chassisInfo").and_then(Value::as_object_mut).and_then(|c| c.remove("make"))
    {
        doc["chassis"] = json!({ "make": make });
    }
    doc
}

/// The system a fault belongs to, as the fault log's "System" column shows it.
fn system(sa: u8) -> &'static str {
    match sa {
        0 => "Engine",
        3 => "Transmission",
        11 => "Brakes",
        23 => "Instrument Cluster",
        33 => "Body",
        61 | 81 | 82 | 85 => "Aftertreatment",
        _ => source_name(sa).unwrap_or("Other"),
    }
}

/// Predictive guidance is listed under "Enhanced Vehicle Guidance"; the rest are fault codes.
pub fn message_type(f: &Fault) -> &'static str {
    if f.recommendation == Recommendation::ComingSoon { "Enhanced Vehicle Guidance" } else { "Fault Code" }
}

/// One entry of a truck's fault log (the endpoint and its shape are a guess; the field names inside
/// `faultHeader`, `faultGuidance` and `miscHeader` are the portal's own).
pub fn fault(f: &Fault, v: &Vehicle, drift: bool) -> Value {
    let (spn_key, fmi_key) = if drift { ("spn", "fmi") } else { ("suspectParameterNumber", "failureModeIdentifier") };
    let mut guidance = guidance(f.recommendation);
    guidance["DTCCode"] = json!(format!("{}-{}", f.spn, f.fmi));
    guidance["description"] = json!(f.description);
    json!({
        "faultId": f.id,
        "messageType": message_type(f),
        "status": if f.active { "ACTIVE" } else { "INACTIVE" },
        "system": system(f.source_address),
        "faultHeader": { spn_key: f.spn, fmi_key: f.fmi, "occurrenceCount": f.occurrences },
        "faultGuidance": guidance,
        "miscHeader": {
            "triggerTime": time(f.last_triggered),
            "latitude": v.latitude,
            "longitude": v.longitude,
            "mileage": f.mileage_mi,
        },
    })
}
