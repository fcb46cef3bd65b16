//! Page fixtures in every format the specs describe, through the built-in profiles.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Utc};
use truckiq::portal::parse::{parse_diagnostics, parse_vehicle_list};
use truckiq::portal::profile::Profile;
use truckiq::store::PortalKind;

fn fixture(name: &str) -> String {
    let path = format!("{}/../../tests/fixtures/portals/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

#[test]
fn paccar_vehicle_list_reads_rows_skips_bad_ones_and_finds_next() {
    let profile = Profile::builtin(PortalKind::TruckTech).unwrap();
    let page = parse_vehicle_list(&fixture("paccar_vehicles.html"), &profile).unwrap();
    let vins: Vec<&str> = page.vehicles.iter().map(|v| v.vin.as_str()).collect();
    assert_eq!(vins, ["1XKYD49X0NJ123456", "1XPBD49X1MD765432", "XLRTEH4300G987654"]);
    let first = &page.vehicles[0];
    assert_eq!(
        (first.unit_number.as_deref(), first.year, first.make.as_deref(), first.model.as_deref(), first.odometer_mi),
        (Some("1042"), Some(2022), Some("Kenworth"), Some("T680"), Some(412_345.0))
    );
    let sparse = &page.vehicles[1];
    assert_eq!((sparse.unit_number.as_deref(), sparse.odometer_mi), (None, None), "missing cells stay unknown");
    assert_eq!(page.vehicles[2].odometer_mi, Some(123_506.8), "198,765 km in miles");
    assert_eq!(page.problems.len(), 1);
    assert!(page.problems[0].reason.contains("not a 17-character VIN"), "{:?}", page.problems);
    assert_eq!(page.next.as_deref(), Some("/paccar/vehicles?page=2"));

    let last = parse_vehicle_list(&fixture("paccar_vehicles_last.html"), &profile).unwrap();
    assert_eq!(last.vehicles.len(), 1);
    assert_eq!(last.next, None, "a disabled Next button ends the list");
}

#[test]
fn paccar_diagnostics_in_both_code_formats_with_spec_v1_class_names() {
    let profile = Profile::builtin(PortalKind::TruckTech).unwrap();
    let page = parse_diagnostics(&fixture("paccar_diagnostics.html"), &profile).unwrap();
    assert_eq!((page.odometer_mi, page.engine_hours), (Some(412_345.0), Some(10_234.5)));
    assert_eq!((page.engine.as_deref(), page.location.as_deref()), (Some("PACCAR MX-13"), Some("Dallas, TX")));

    assert_eq!(page.faults.len(), 3);
    let nox = &page.faults[0];
    assert_eq!((nox.source_address, nox.spn, nox.fmi, nox.active), (61, 3226, 4, true));
    assert_eq!(nox.severity_text.as_deref(), Some("Service Advised"));
    assert_eq!((nox.occurrences, nox.first_seen), (Some(3), Some(utc("2026-11-01T06:30:00Z"))));
    assert!(!nox.derate);

    let oil = &page.faults[1];
    assert_eq!((oil.source_address, oil.spn, oil.fmi, oil.active), (0, 100, 1, false), "SPN: x, FMI: y; .ecu name");
    assert_eq!(oil.severity_text.as_deref(), Some("Stop Engine Immediately"));
    assert!(oil.derate);
    assert_eq!(oil.first_seen, Some(utc("2026-10-30T23:15:00Z")), "text date when there is no datetime attribute");

    let coolant = &page.faults[2];
    assert_eq!((coolant.source_address, coolant.spn, coolant.fmi), (140, 110, 16), "SPN x FMI y; SA n");
    assert_eq!((coolant.description.as_deref(), coolant.first_seen), (None, None), "missing cells");

    assert_eq!(page.problems.len(), 1);
    assert!(page.problems[0].reason.contains("SPN -- / FMI --"));
}

#[test]
fn decisiv_assets_split_year_make_model_and_end_without_next() {
    let profile = Profile::builtin(PortalKind::DecisivSrm).unwrap();
    let page = parse_vehicle_list(&fixture("decisiv_assets.html"), &profile).unwrap();
    assert_eq!(page.vehicles.len(), 2);
    let t880 = &page.vehicles[0];
    assert_eq!(
        (t880.vin.as_str(), t880.unit_number.as_deref(), t880.year, t880.make.as_deref(), t880.model.as_deref()),
        ("1NKZL40X5PJ200002", Some("2002"), Some(2023), Some("Kenworth"), Some("T880"))
    );
    assert_eq!((page.vehicles[1].year, page.vehicles[1].make.as_deref()), (None, None));
    assert_eq!(page.next, None);
}

#[test]
fn decisiv_diagnostics_table_and_the_no_faults_page() {
    let profile = Profile::builtin(PortalKind::DecisivSrm).unwrap();
    let page = parse_diagnostics(&fixture("decisiv_diagnostics.html"), &profile).unwrap();
    assert_eq!((page.odometer_mi, page.engine_hours), (Some(88_001.0), Some(2_104.7)));
    let scr = &page.faults[0];
    assert_eq!((scr.source_address, scr.spn, scr.fmi, scr.active, scr.derate), (61, 4364, 18, true, true));
    assert_eq!(scr.severity_text.as_deref(), Some("Seek Service Immediately"));
    assert_eq!(scr.first_seen, Some(utc("2026-11-02T14:20:00Z")));
    let abs = &page.faults[1];
    assert_eq!((abs.source_address, abs.spn, abs.fmi, abs.active), (11, 789, 5, false));
    assert_eq!(abs.raw["active"], "Inactive");

    let clean = parse_diagnostics(&fixture("decisiv_no_faults.html"), &profile).unwrap();
    assert!(clean.faults.is_empty() && clean.problems.is_empty());
    assert_eq!(clean.odometer_mi, Some(1_204.0));
}

#[test]
fn a_redesigned_page_is_a_layout_mismatch_naming_the_selector() {
    let profile = Profile::builtin(PortalKind::TruckTech).unwrap();
    let error = parse_diagnostics(&fixture("paccar_diagnostics_redesigned.html"), &profile).unwrap_err();
    assert_eq!(error.page, "diagnostics");
    assert!(error.selector.contains(".fault-row"), "{error}");
    let list = parse_vehicle_list(&fixture("paccar_diagnostics_redesigned.html"), &profile);
    assert!(list.is_err(), "a page that is not a vehicle list is not an empty list");
    let empty = parse_vehicle_list(&fixture("paccar_vehicles_empty.html"), &profile).unwrap();
    assert!(empty.vehicles.is_empty() && empty.next.is_none(), "an explicit empty state is an empty fleet");
}
