//! The profile doctor for the JSON gateway: what each field's path finds in real answers, with
//! sample values, and every document that could not be read. Pure: answers in, reports out.

use serde_json::Value;

use super::json::{self, PathProblem};
use super::profile::SolutionsProfile;
use crate::portal::doctor::{PageKind, PageReport, tally};
use crate::portal::parse::{Reading, RowProblem};

/// What the vehicle fields find in one answer of the vehicle search.
pub fn check_vehicles(answer: &Value, source: &str, profile: &SolutionsProfile) -> PageReport {
    let fields = profile.vehicle.fields();
    report(answer, source, PageKind::VehicleList, &fields, |doc| json::vehicle(doc, profile).map(drop))
}

/// What the fault fields find in one page of a truck's fault log.
pub fn check_faults(answer: &Value, source: &str, profile: &SolutionsProfile) -> PageReport {
    let fields = profile.fault.fields();
    report(answer, source, PageKind::Diagnostics, &fields, |entry| json::fault(entry, profile).map(drop))
}

/// A kept answer of unknown kind: read as a vehicle search page, or as a fault log when that fits
/// it better (fewer documents it cannot read).
pub fn check_saved_answer(answer: &Value, source: &str, profile: &SolutionsProfile) -> PageReport {
    let vehicles = check_vehicles(answer, source, profile);
    let faults = check_faults(answer, source, profile);
    if faults.failed.len() < vehicles.failed.len() { faults } else { vehicles }
}

fn report(
    answer: &Value,
    source: &str,
    kind: PageKind,
    fields: &[(&'static str, &crate::portal::field::Field)],
    read: impl Fn(&Value) -> Result<(), PathProblem>,
) -> PageReport {
    let rows = answer.get("data").and_then(Value::as_array);
    let documents = rows.map(Vec::as_slice).unwrap_or_default();
    let readings: Vec<Reading<'_>> = documents.iter().map(|doc| Reading::json(doc, fields)).collect();
    let failed = documents
        .iter()
        .enumerate()
        .filter_map(|(row, doc)| read(doc).err().map(|problem| RowProblem { row, reason: problem.to_string() }))
        .collect();
    PageReport {
        kind,
        source: source.to_owned(),
        row_selector: "json data[]".to_owned(),
        rows: documents.len(),
        mismatch: rows.is_none().then(|| "the answer has no `data` list".to_owned()),
        empty_marker: rows.is_some_and(|r| r.is_empty()),
        fields: tally(fields, &readings),
        truck_fields: Vec::new(),
        next: None,
        failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_path_shows_what_it_found_and_a_drifted_document_says_which_path() {
        let profile = SolutionsProfile::builtin().unwrap();
        let answer = json!({ "data": [
            { "vin": "1XKYD49X0NJ123456", "chassisInfo": { "make": "Kenworth", "chassisModelYear": 2022 },
              "recommendation": { "faultGuidance": { "RecommendedAction": "SERVICE_NOW" } } },
            { "vin": "1XKYD49X0NJ123457", "chassis": { "make": "Peterbilt" },
              "recommendation": { "faultGuidance": { "RecommendedAction": "NO_ACTION" } } },
        ] });
        let report = check_vehicles(&answer, "POST /v2vehicles", &profile);
        assert_eq!((report.rows, report.rows_read(), report.mismatch.as_deref()), (2, 1, None));
        let make = report.fields.iter().find(|f| f.name == "make").unwrap();
        assert_eq!(
            (make.looks.as_str(), make.matched, make.samples.as_slice()),
            ("json chassisInfo.make", 1, ["Kenworth".to_owned()].as_slice())
        );
        assert_eq!(report.failed[0].row, 1);
        assert_eq!(report.failed[0].reason, "`chassisInfo.make` finds nothing");
        let nothing = check_faults(&json!({ "items": [] }), "GET /v2vehicles/X/faults", &profile);
        assert_eq!(nothing.mismatch.as_deref(), Some("the answer has no `data` list"));
    }
}
