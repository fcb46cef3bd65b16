//! From what the portal pages said to what a connector reports: the list row and the diagnostics
//! page merged per vehicle, every fault judged for severity.

use crate::connector::{FleetRead, PageFailure, RowCount, TruckFaults, VehicleRead};
use crate::failure::FailureReason;
use crate::j1939::judge_severity;
use crate::portal::extract::{Extraction, VehicleExtract};
use crate::portal::parse::FaultRow;
use crate::store::{FaultObservation, VehicleSnapshot};

/// "PACCAR MX-13" -> ("PACCAR", "MX-13"); a single word is a make without a model.
fn split_engine(engine: &str) -> (Option<String>, Option<String>) {
    match engine.trim().split_once(' ') {
        Some((make, model)) => (Some(make.to_owned()), Some(model.trim().to_owned())),
        None if engine.trim().is_empty() => (None, None),
        None => (Some(engine.trim().to_owned()), None),
    }
}

fn fault(row: &FaultRow) -> FaultObservation {
    FaultObservation {
        source_address: row.source_address,
        spn: row.spn,
        fmi: row.fmi,
        description: row.description.clone(),
        severity: judge_severity(row.tier, row.spn, row.fmi, row.derate, row.active),
        portal_severity_text: row.severity_text.clone(),
        portal_severity_score: None,
        derate: row.derate,
        active: row.active,
        first_seen: row.first_seen,
        occurrences: row.occurrences,
        raw_json: Some(row.raw.to_string()),
    }
}

/// One vehicle. Its faults count as read only when the page was read and every fault row on it
/// could be parsed: an unreadable row must not close that fault's open episode.
pub fn vehicle_read(extract: &VehicleExtract) -> VehicleRead {
    let row = &extract.vehicle;
    let page = extract.diagnostics.as_ref().ok();
    let engine = page.and_then(|p| p.engine.as_deref()).or(row.engine.as_deref());
    let (engine_make, engine_model) = engine.map(split_engine).unwrap_or_default();
    let faults = match &extract.diagnostics {
        Err(failure) => TruckFaults::Unread(failure.clone()),
        Ok(p) if p.problems.is_empty() => TruckFaults::Read(p.faults.iter().map(fault).collect()),
        Ok(p) => TruckFaults::Unread(PageFailure {
            kind: FailureReason::PortalChanged,
            message: match p.problems.first() {
                Some(first) if p.problems.len() == 1 => {
                    format!("a fault row on its page could not be read (row {}: {})", first.row + 1, first.reason)
                }
                Some(first) => format!(
                    "{} fault rows on its page could not be read (the first, row {}: {})",
                    p.problems.len(),
                    first.row + 1,
                    first.reason
                ),
                None => "its page could not be read".to_owned(),
            },
        }),
    };
    VehicleRead {
        vehicle: VehicleSnapshot {
            vin: row.vin.clone(),
            // What the truck's own page says, where it says it, over the list's line.
            unit_number: page.and_then(|p| p.unit_number.clone()).or_else(|| row.unit_number.clone()),
            model_year: page.and_then(|p| p.year).or(row.year),
            make: page.and_then(|p| p.make.clone()).or_else(|| row.make.clone()),
            model: page.and_then(|p| p.model.clone()).or_else(|| row.model.clone()),
            engine_make,
            engine_model,
            // The diagnostics page is read after the list, so its meters are the fresher ones.
            odometer_mi: page.and_then(|p| p.odometer_mi).or(row.odometer_mi),
            engine_hours: page.and_then(|p| p.engine_hours).or(row.engine_hours),
            location_text: page.and_then(|p| p.location.clone()).or_else(|| row.location.clone()),
            ..VehicleSnapshot::default()
        },
        faults,
    }
}

/// A browser read as a connector reports it: faults are always read truck by truck.
pub fn fleet_read(extraction: &Extraction) -> FleetRead {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let pages = extraction.vehicles.iter().filter_map(|v| v.diagnostics.as_ref().ok());
    let fault_rows = pages.fold(RowCount::default(), |sum, page| RowCount {
        found: sum.found.saturating_add(count(page.faults.len() + page.problems.len())),
        failed: sum.failed.saturating_add(count(page.problems.len())),
    });
    FleetRead {
        vehicles: extraction.vehicles.iter().map(vehicle_read).collect(),
        fleet_faults: None,
        cases: None,
        changes_since: None,
        list_problems: count(extraction.list_problems.len()),
        list_problem: extraction.list_problems.first().map(|p| format!("vehicle list {}", p.reason)),
        fault_rows,
        problem_page: extraction.problem_page.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::j1939::Severity;
    use crate::portal::parse::{DiagnosticsPage, RowProblem, VehicleRow};

    fn row() -> VehicleRow {
        VehicleRow {
            vin: "1XKYD49X0NJ123456".into(),
            unit_number: Some("1042".into()),
            year: Some(2022),
            make: Some("Kenworth".into()),
            model: Some("T680".into()),
            odometer_mi: Some(100.0),
            engine: None,
            engine_hours: None,
            location: None,
        }
    }

    fn fault_row(severity: &str, derate: bool) -> FaultRow {
        // The tier the words of a seek-service urgency mean.
        FaultRow {
            source_address: 61,
            spn: 3364,
            fmi: 2,
            description: Some("DEF Quality - Data Erratic".into()),
            severity_text: Some(severity.into()),
            tier: Some(Severity::Major),
            derate,
            occurrences: Some(3),
            first_seen: None,
            active: true,
            raw: serde_json::json!({"code": "SPN 3364 FMI 2"}),
        }
    }

    fn page(faults: Vec<FaultRow>) -> DiagnosticsPage {
        DiagnosticsPage {
            odometer_mi: Some(150.0),
            engine_hours: Some(7.5),
            engine: Some("PACCAR MX-13".into()),
            location: Some("Denton, TX".into()),
            faults,
            ..DiagnosticsPage::default()
        }
    }

    #[test]
    fn list_row_and_diagnostics_merge() {
        let o = vehicle_read(&VehicleExtract {
            vehicle: row(),
            diagnostics: Ok(page(vec![fault_row("Seek Service Immediately", true)])),
        });
        assert_eq!(o.vehicle.odometer_mi, Some(150.0), "diagnostics meters are fresher");
        assert_eq!(
            (o.vehicle.engine_make.as_deref(), o.vehicle.engine_model.as_deref()),
            (Some("PACCAR"), Some("MX-13"))
        );
        let TruckFaults::Read(faults) = o.faults else { panic!("read: {:?}", o.faults) };
        assert_eq!(faults[0].severity, Severity::Critical, "derate active");
        assert_eq!(faults[0].raw_json.as_deref(), Some(r#"{"code":"SPN 3364 FMI 2"}"#));
    }

    #[test]
    fn failed_or_partly_unreadable_pages_leave_faults_unknown() {
        let slow = PageFailure { kind: FailureReason::Timeout, message: "slow".into() };
        let failed = vehicle_read(&VehicleExtract { vehicle: row(), diagnostics: Err(slow.clone()) });
        assert_eq!((failed.faults, failed.vehicle.odometer_mi), (TruckFaults::Unread(slow), Some(100.0)));
        let mut messy = page(vec![]);
        messy.problems.push(RowProblem { row: 2, reason: "no SPN".into() });
        let o = vehicle_read(&VehicleExtract { vehicle: row(), diagnostics: Ok(messy) });
        assert!(matches!(o.faults, TruckFaults::Unread(PageFailure { kind: FailureReason::PortalChanged, .. })));
        assert_eq!(o.vehicle.engine_hours, Some(7.5), "the meters on the page are still good");
    }

    #[test]
    fn engines_split_into_make_and_model() {
        assert_eq!(split_engine("Cummins X15"), (Some("Cummins".into()), Some("X15".into())));
        assert_eq!(split_engine("MX-13"), (Some("MX-13".into()), None));
        assert_eq!(split_engine("  "), (None, None));
    }
}
