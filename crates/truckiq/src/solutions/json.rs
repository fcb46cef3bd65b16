//! Reading the gateway's JSON with the profile's paths: vehicles and faults in TruckIQ's terms.
//! Pure: documents in, observations or the exact path that did not fit out.

use serde_json::Value;

use super::profile::{Meaning, SolutionsProfile};
use crate::j1939::{Severity, derive_severity};
use crate::portal::field::{self, Field};
use crate::portal::parse::{Reading, UNKNOWN_SOURCE_ADDRESS, is_plausible_vin, parse_datetime};
use crate::store::{FaultObservation, TruckStatus, VehicleSnapshot};

/// A value the profile's path did not find, or found in a form TruckIQ cannot use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathProblem {
    /// The dotted path, e.g. `chassisInfo.make`.
    pub path: String,
    /// e.g. "finds nothing".
    pub problem: String,
    /// The path found nothing (the answer's shape changed), rather than an unusable value.
    pub missing: bool,
}

impl std::fmt::Display for PathProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` {}", self.path, self.problem)
    }
}

/// The value at a dotted path; JSON `null` counts as nothing.
pub fn lookup<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    field::lookup(doc, path).filter(|v| !v.is_null())
}

fn number(text: &str) -> Option<f64> {
    text.trim().replace(',', "").parse().ok().filter(|n: &f64| n.is_finite())
}

/// Reads the fields of one document: `Ok(None)` when an optional field finds nothing, an error
/// when a required one does or when a value is there but unusable.
struct Reader<'a> {
    reading: Reading<'a>,
    required: &'a [String],
}

impl<'a> Reader<'a> {
    fn new(doc: &Value, fields: &[(&'static str, &'a Field)], required: &'a [String]) -> Self {
        Self { reading: Reading::json(doc, fields), required }
    }

    /// The field's text.
    fn text(&self, name: &str) -> Result<Option<String>, PathProblem> {
        self.field(name, |t| Some(t.to_owned()))
    }

    fn field<T>(&self, name: &str, read: impl Fn(&str) -> Option<T>) -> Result<Option<T>, PathProblem> {
        let required = self.required.iter().any(|r| r == name);
        let path = self
            .reading
            .field(name)
            .map_or_else(|| name.to_owned(), |f| f.json_path().map_or_else(|| f.describe(), str::to_owned));
        let problem = |problem: String, missing| PathProblem { path: path.clone(), problem, missing };
        match self.reading.get(name) {
            None if required => {
                Err(match self.reading.found(name).filter(|f| f.unmatched).and_then(|f| f.raw.clone()) {
                    Some(raw) => problem(format!("holds {raw:?}, which its pattern does not match"), false),
                    None => problem("finds nothing".to_owned(), true),
                })
            }
            None => Ok(None),
            Some(text) => match read(&text) {
                Some(read) => Ok(Some(read)),
                None if required => Err(problem(format!("holds {text:?}, which TruckIQ cannot read"), false)),
                None => Ok(None),
            },
        }
    }
}

/// A vehicle document in TruckIQ's terms. A VIN that is not a VIN is a problem of this document;
/// values out of range (a model year of 3000) are left out.
pub fn vehicle(doc: &Value, profile: &SolutionsProfile) -> Result<VehicleSnapshot, PathProblem> {
    let paths = &profile.vehicle;
    let r = Reader::new(doc, &paths.fields(), &paths.required);
    let vin = r.text("vin")?.unwrap_or_default().to_uppercase();
    if !is_plausible_vin(&vin) {
        let path = paths.vin.json_path().unwrap_or("vin").to_owned();
        return Err(PathProblem { path, problem: format!("holds {vin:?}, which is not a VIN"), missing: false });
    }
    let year = r.field("model_year", |v| number(v).filter(|y| (1950.0..=2100.0).contains(y)))?;
    let meter = |v: &str| number(v).filter(|n| *n >= 0.0);
    let action = r.text("recommendation")?;
    let status = action.as_deref().and_then(|a| profile.meaning(a)).and_then(Meaning::truck_status);
    let last_reported = r.field("last_reported", parse_datetime)?;
    Ok(VehicleSnapshot {
        vin,
        unit_number: r.text("unit_number")?,
        model_year: year.map(|y| y as u16),
        make: r.text("make")?,
        model: r.text("model")?,
        engine_make: r.text("engine_make")?,
        engine_model: r.text("engine_model")?,
        odometer_mi: r.field("odometer_mi", meter)?,
        engine_hours: r.field("engine_hours", meter)?,
        location_text: r.text("location")?,
        status,
        status_since: if status == Some(TruckStatus::NotCommunicating) { last_reported } else { None },
        portal_timestamp: r.text("timestamp")?,
    })
}

/// "SERVICE_NOW" as the portal shows it: "Service Now".
fn action_label(action: &str) -> String {
    action
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_lowercase();
            let mut chars = lower.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One fault-log entry in TruckIQ's terms; `None` for an entry that never opens a fault (an action
/// the profile maps to "none", or one about the truck). PACCAR Solutions names no source address.
pub fn fault(entry: &Value, profile: &SolutionsProfile) -> Result<Option<FaultObservation>, PathProblem> {
    let paths = &profile.fault;
    let r = Reader::new(entry, &paths.fields(), &paths.required);
    let out_of_range = |field: &Field, value: f64| PathProblem {
        path: field.json_path().map_or_else(|| field.describe(), str::to_owned),
        problem: format!("holds {value}, which is not a J1939 value"),
        missing: false,
    };
    let spn = r.field("spn", number)?;
    let fmi = r.field("fmi", number)?;
    let (Some(spn), Some(fmi)) = (spn, fmi) else {
        return Ok(None);
    };
    if !(0.0..=524_287.0).contains(&spn) || spn.fract() != 0.0 {
        return Err(out_of_range(&paths.spn, spn));
    }
    if !(0.0..=31.0).contains(&fmi) || fmi.fract() != 0.0 {
        return Err(out_of_range(&paths.fmi, fmi));
    }
    let (spn, fmi) = (spn as u32, fmi as u8);
    let active = r.text("status")?.is_none_or(|status| paths.active.iter().any(|a| a.eq_ignore_ascii_case(&status)));
    let action = r.text("recommendation")?;
    let severity = match action.as_deref().map(|a| (a, profile.meaning(a))) {
        Some((_, Some(meaning))) => match meaning.severity() {
            Some(severity) => severity,
            None => return Ok(None),
        },
        // An action the profile does not list yet: the J1939 facts decide, and the portal's word
        // is kept beside it.
        Some((action, None)) => {
            tracing::warn!(action, spn, fmi, "a recommended action the profile does not list");
            derive_severity(spn, fmi, false, active)
        }
        None => derive_severity(spn, fmi, false, active),
    };
    Ok(Some(FaultObservation {
        source_address: UNKNOWN_SOURCE_ADDRESS,
        spn,
        fmi,
        description: r.text("description")?,
        severity,
        portal_severity_text: action.as_deref().map(action_label),
        portal_severity_score: None,
        derate: false,
        active,
        first_seen: r.field("first_seen", parse_datetime)?,
        occurrences: r.field("occurrences", |v| number(v).filter(|n| *n >= 0.0))?.map(|n| n as u32),
        raw_json: Some(entry.to_string()),
    }))
}

fn rank(severity: Severity) -> u8 {
    match severity {
        Severity::Critical => 3,
        Severity::Major => 2,
        Severity::Minor => 1,
        Severity::Info => 0,
    }
}

/// One observation per code: the log can list a code twice (active and earlier, or from two
/// modules whose source address the portal does not give). Active wins, then the worse tier; the
/// earliest first sighting and the highest count are kept.
pub fn merge_duplicates(faults: Vec<FaultObservation>) -> Vec<FaultObservation> {
    let mut merged: Vec<FaultObservation> = Vec::with_capacity(faults.len());
    for fault in faults {
        let key = (fault.source_address, fault.spn, fault.fmi);
        match merged.iter_mut().find(|m| (m.source_address, m.spn, m.fmi) == key) {
            None => merged.push(fault),
            Some(kept) => {
                let first_seen = match (kept.first_seen, fault.first_seen) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                let occurrences = kept.occurrences.max(fault.occurrences);
                if (fault.active, rank(fault.severity)) > (kept.active, rank(kept.severity)) {
                    *kept = fault;
                }
                kept.first_seen = first_seen;
                kept.occurrences = occurrences;
            }
        }
    }
    merged
}

/// A copy of a gateway answer safe to keep on disk: every value under a key that names a token or
/// a password is replaced.
pub fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, v)| {
                    let lower = key.to_lowercase();
                    let secret = ["token", "password", "secret", "authorization"].iter().any(|w| lower.contains(w));
                    (key.clone(), if secret { Value::String("[redacted]".into()) } else { redact(v) })
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn profile() -> SolutionsProfile {
        SolutionsProfile::builtin().unwrap()
    }

    fn truck() -> Value {
        json!({
            "vin": "1xkyd49x0nj123456", "timestamp": 1_767_000_000_000_i64,
            "basicInfo": { "unitNumber": 1042 },
            "chassisInfo": { "chassisModelYear": 2022, "make": "Kenworth" },
            "chassisDetailInfo": { "model": "T680" },
            "engineInfo": { "make": "PACCAR", "model": "MX-13" },
            "meterInfo": { "odometerMiles": 412_345.0, "engineHours": 9_876.5 },
            "locationInfo": { "lastUpdated": "2026-11-30T08:00:00.000Z", "address": "Dallas, TX" },
            "recommendation": { "faultGuidance": { "RecommendedAction": "SERVICE_NOW" } },
        })
    }

    #[test]
    fn a_vehicle_document_becomes_a_snapshot() {
        let v = vehicle(&truck(), &profile()).unwrap();
        assert_eq!(v.vin, "1XKYD49X0NJ123456");
        assert_eq!(v.unit_number.as_deref(), Some("1042"));
        assert_eq!((v.model_year, v.make.as_deref(), v.model.as_deref()), (Some(2022), Some("Kenworth"), Some("T680")));
        assert_eq!((v.odometer_mi, v.engine_hours), (Some(412_345.0), Some(9_876.5)));
        assert_eq!(v.location_text.as_deref(), Some("Dallas, TX"));
        assert_eq!(v.status, None, "a fault recommendation is not a truck status");
        assert_eq!(v.portal_timestamp.as_deref(), Some("1767000000000"));
    }

    #[test]
    fn truck_statuses_come_from_the_recommendation_with_the_last_report_time() {
        let mut silent = truck();
        silent["recommendation"]["faultGuidance"]["RecommendedAction"] = json!("NOT_COMMUNICATING");
        let v = vehicle(&silent, &profile()).unwrap();
        assert_eq!(v.status, Some(TruckStatus::NotCommunicating));
        assert_eq!(v.status_since, "2026-11-30T08:00:00Z".parse().ok());
        let mut shop = truck();
        shop["recommendation"]["faultGuidance"]["RecommendedAction"] = json!("IN_REPAIR");
        let v = vehicle(&shop, &profile()).unwrap();
        assert_eq!((v.status, v.status_since), (Some(TruckStatus::InRepair), None));
    }

    #[test]
    fn a_required_path_that_finds_nothing_is_named_and_optional_ones_are_left_out() {
        let mut drifted = truck();
        drifted["chassis"] = json!({ "make": drifted["chassisInfo"]["make"].take() });
        let problem = vehicle(&drifted, &profile()).unwrap_err();
        assert_eq!(problem.path, "chassisInfo.make");
        assert!(problem.to_string().contains("`chassisInfo.make` finds nothing"), "{problem}");
        let mut sparse = truck();
        sparse.as_object_mut().unwrap().remove("meterInfo");
        sparse["chassisInfo"]["chassisModelYear"] = json!(3000);
        let v = vehicle(&sparse, &profile()).unwrap();
        assert_eq!((v.odometer_mi, v.model_year), (None, None), "missing guesses and impossible years are left out");
        let mut bad_vin = truck();
        bad_vin["vin"] = json!("N/A");
        assert!(vehicle(&bad_vin, &profile()).unwrap_err().problem.contains("not a VIN"));
    }

    fn entry(action: &str, status: &str) -> Value {
        json!({
            "status": status,
            "faultHeader": { "suspectParameterNumber": 3226, "failureModeIdentifier": 4, "occurrenceCount": 3 },
            "faultGuidance": { "RecommendedAction": action, "description": "NOx sensor", "DTCCode": "3226-4" },
            "miscHeader": { "triggerTime": "2026-11-29T10:00:00.000Z" },
        })
    }

    #[test]
    fn fault_tiers_follow_the_recommendation_table() {
        let p = profile();
        let tier = |action| fault(&entry(action, "ACTIVE"), &p).unwrap().map(|f| f.severity);
        assert_eq!(tier("STOP_NOW"), Some(Severity::Critical));
        assert_eq!(tier("SERVICE_NOW"), Some(Severity::Major));
        assert_eq!(tier("SERVICE_SOON"), Some(Severity::Minor));
        assert_eq!(tier("INFORMATIONAL"), Some(Severity::Info));
        assert_eq!(tier("NO_ACTION"), None, "never opens a fault");
        assert_eq!(tier("COMING_SOON"), None);
        assert_eq!(tier("IN_REPAIR"), None, "about the truck, not a fault");
        let f = fault(&entry("SERVICE_NOW", "INACTIVE"), &p).unwrap().unwrap();
        assert!(!f.active);
        assert_eq!((f.spn, f.fmi, f.source_address), (3226, 4, UNKNOWN_SOURCE_ADDRESS));
        assert_eq!(f.portal_severity_text.as_deref(), Some("Service Now"));
        assert_eq!((f.occurrences, f.first_seen), (Some(3), "2026-11-29T10:00:00Z".parse().ok()));
        let unknown = fault(&entry("CHECK_LATER", "ACTIVE"), &p).unwrap().unwrap();
        assert_eq!(unknown.portal_severity_text.as_deref(), Some("Check Later"), "kept, with a derived tier");
    }

    #[test]
    fn renamed_fault_keys_and_impossible_codes_are_named() {
        let p = profile();
        let mut drifted = entry("SERVICE_NOW", "ACTIVE");
        drifted["faultHeader"] = json!({ "spn": 3226, "fmi": 4 });
        assert_eq!(fault(&drifted, &p).unwrap_err().path, "faultHeader.suspectParameterNumber");
        let mut huge = entry("SERVICE_NOW", "ACTIVE");
        huge["faultHeader"]["failureModeIdentifier"] = json!(99);
        assert!(fault(&huge, &p).unwrap_err().problem.contains("not a J1939 value"));
    }

    #[test]
    fn duplicates_merge_into_one_active_observation() {
        let p = profile();
        let mut older = fault(&entry("SERVICE_SOON", "INACTIVE"), &p).unwrap().unwrap();
        older.first_seen = "2026-11-01T00:00:00Z".parse().ok();
        older.occurrences = Some(9);
        let current = fault(&entry("SERVICE_NOW", "ACTIVE"), &p).unwrap().unwrap();
        let merged = merge_duplicates(vec![older, current]);
        assert_eq!(merged.len(), 1);
        assert!(merged[0].active && merged[0].severity == Severity::Major);
        assert_eq!((merged[0].first_seen, merged[0].occurrences), ("2026-11-01T00:00:00Z".parse().ok(), Some(9)));
    }

    #[test]
    fn kept_answers_have_no_tokens() {
        let answer = json!({ "encodedToken": "abc", "idToken": { "uid": "u" }, "data": [{ "vin": "x" }] });
        let safe = redact(&answer);
        assert_eq!(safe["encodedToken"], "[redacted]");
        assert_eq!(safe["idToken"], "[redacted]");
        assert_eq!(safe["data"][0]["vin"], "x");
    }
}
