//! What a connector read, in TruckIQ's terms, and how it becomes what the store records.

use std::collections::HashMap;
use std::path::PathBuf;

use super::PageFailure;
use crate::failure::FailureReason;
use crate::portal::error::ConnectorError;
use crate::store::{CaseObservation, FaultObservation, ObservedFaults, VehicleObservation, VehicleSnapshot};

/// One read of an account's fleet.
#[derive(Debug, Clone, Default)]
pub struct FleetRead {
    pub vehicles: Vec<VehicleRead>,
    /// Faults listed for the whole account at once (as the Decisiv API lists them), for the trucks
    /// whose faults are [`TruckFaults::InFleetList`].
    pub fleet_faults: Option<FleetFaults>,
    /// Service cases read with the fleet (the Decisiv API's): new and changed ones. `None`: this
    /// connector reads none, or they could not be read this time.
    pub cases: Option<Vec<CaseObservation>>,
    /// Where the next read of only what changed starts, on the portal's own clock, for a connector
    /// that reads changes ([`FleetFaults::Changes`]).
    pub changes_since: Option<String>,
    /// Rows of the vehicle list that could not be read.
    pub list_problems: u32,
    /// Why the first of them could not be, to name in the run record.
    pub list_problem: Option<String>,
    /// Fault rows found on the trucks' pages that were read, and how many of them could not be.
    pub fault_rows: RowCount,
    /// The first page with an unreadable row, where its HTML was kept.
    pub problem_page: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowCount {
    pub found: u32,
    pub failed: u32,
}

/// What a run should say of a read: the first problem in it (the list row, or the first truck
/// whose faults were not read), or an error when nothing could be made of the trucks' faults:
/// every truck's page failed, or every fault row found was unreadable. Such a run is not "partial"
/// but a changed portal (or an unreachable one), and stores nothing.
pub fn assess(read: &FleetRead) -> Result<Option<String>, ConnectorError> {
    let failures: Vec<(&str, &PageFailure)> = read
        .vehicles
        .iter()
        .filter_map(|v| match &v.faults {
            TruckFaults::Unread(failure) => Some((v.vehicle.vin.as_str(), failure)),
            _ => None,
        })
        .collect();
    let first_truck = failures.first().map(|(vin, failure)| format!("the page of {vin}: {}", failure.message));
    let attempted = read.vehicles.iter().filter(|v| matches!(v.faults, TruckFaults::Read(_) | TruckFaults::Unread(_)));
    let attempted = attempted.count();
    let rows = read.fault_rows;
    let nothing_read = attempted > 0 && failures.len() == attempted;
    let no_row_read = rows.failed > 0 && rows.failed == rows.found;
    if let (true, Some(first)) = (nothing_read || no_row_read, first_truck.clone()) {
        let kept =
            read.problem_page.as_ref().map(|p| format!(" (a page is kept at {})", p.display())).unwrap_or_default();
        let changed = failures.iter().any(|(_, f)| f.kind == FailureReason::PortalChanged);
        let unreadable = |message: String| ConnectorError::FaultsUnreadable {
            message: format!("{message}{kept}"),
            html: read.problem_page.clone(),
        };
        return Err(match (no_row_read, changed) {
            (true, _) => unreadable(format!(
                "none of the {} fault rows found could be read, so the portal's layout has probably changed; the first, on {first}",
                rows.found
            )),
            (false, true) => {
                unreadable(format!("no truck's faults could be read ({attempted} pages); the first, {first}"))
            }
            (false, false) => ConnectorError::Network(format!(
                "no truck's faults could be read ({attempted} pages); the first, {first}"
            )),
        });
    }
    Ok(read.list_problem.clone().or(first_truck))
}

#[derive(Debug, Clone)]
pub struct VehicleRead {
    pub vehicle: VehicleSnapshot,
    pub faults: TruckFaults,
}

/// Where a truck's faults came from.
#[derive(Debug, Clone, PartialEq)]
pub enum TruckFaults {
    /// Read for this truck alone (its diagnostics page): complete, so what is not here has cleared.
    Read(Vec<FaultObservation>),
    /// Its faults could not be read, or not all of them: the stored ones stay as they are.
    Unread(PageFailure),
    /// In [`FleetRead::fleet_faults`].
    InFleetList,
    /// Not read: the portal marks the truck unchanged since the last sync read its faults.
    Unchanged,
}

/// An account-wide fault list, and how much of the account it covers.
#[derive(Debug, Clone, PartialEq)]
pub enum FleetFaults {
    /// Every fault of the account: a truck it does not name has none.
    Complete(Vec<FleetFault>),
    /// Only the faults reported since the last read: a truck it does not name keeps what is
    /// stored, and a named truck's other faults stay as they are.
    Changes(Vec<FleetFault>),
    /// The list could not be read: every truck keeps what is stored.
    Unread(PageFailure),
}

impl FleetFaults {
    /// Whether the list read everything (`Some(true)`) or only changes, when it was read.
    pub fn full(&self) -> Option<bool> {
        match self {
            FleetFaults::Complete(_) => Some(true),
            FleetFaults::Changes(_) => Some(false),
            FleetFaults::Unread(_) => None,
        }
    }
}

/// A fault from an account-wide list, with the truck it is on.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetFault {
    pub vin: String,
    pub fault: FaultObservation,
}

/// The store's observations for a read, and how many account-wide faults named a truck that is
/// not in the list (they are not stored, and make the run partial). A truck whose faults come from
/// a complete fleet-wide list gets exactly its own (none means none are active); from a list of
/// changes, its changed faults (none means unchanged); if the list could not be read, every such
/// truck keeps what is stored.
pub fn observations(read: FleetRead) -> (Vec<VehicleObservation>, u32) {
    let mut by_vin: HashMap<String, Vec<FaultObservation>> = HashMap::new();
    let mut share_out = |faults: Vec<FleetFault>| {
        for FleetFault { vin, fault } in faults {
            by_vin.entry(vin).or_default().push(fault);
        }
    };
    let (fleet_list_read, changes_only) = match read.fleet_faults {
        Some(FleetFaults::Complete(faults)) => {
            share_out(faults);
            (true, false)
        }
        Some(FleetFaults::Changes(faults)) => {
            share_out(faults);
            (true, true)
        }
        Some(FleetFaults::Unread(failure)) => {
            tracing::warn!(reason = %failure.kind, message = %failure.message, "the fleet's fault list was not read");
            (false, false)
        }
        None => (false, false),
    };
    let observed: Vec<VehicleObservation> = read
        .vehicles
        .into_iter()
        .map(|VehicleRead { vehicle, faults }| {
            let faults = match faults {
                TruckFaults::Read(faults) => ObservedFaults::Read(faults),
                TruckFaults::Unread(failure) => {
                    tracing::info!(vin = %vehicle.vin, reason = %failure.kind, message = %failure.message, "faults not read");
                    ObservedFaults::Unread
                }
                TruckFaults::InFleetList if changes_only => {
                    by_vin.remove(&vehicle.vin).map_or(ObservedFaults::Unchanged, ObservedFaults::Changed)
                }
                TruckFaults::InFleetList if fleet_list_read => {
                    ObservedFaults::Read(by_vin.remove(&vehicle.vin).unwrap_or_default())
                }
                TruckFaults::InFleetList => ObservedFaults::Unread,
                TruckFaults::Unchanged => ObservedFaults::Unchanged,
            };
            VehicleObservation { vehicle, faults }
        })
        .collect();
    let orphans = by_vin.values().map(Vec::len).sum::<usize>();
    (observed, u32::try_from(orphans).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::FailureReason;
    use crate::j1939::Severity;

    fn truck(vin: &str, faults: TruckFaults) -> VehicleRead {
        VehicleRead { vehicle: VehicleSnapshot { vin: vin.into(), ..VehicleSnapshot::default() }, faults }
    }

    fn fault(spn: u32) -> FaultObservation {
        FaultObservation {
            source_address: 0,
            spn,
            fmi: 1,
            description: None,
            severity: Severity::Major,
            portal_severity_text: None,
            portal_severity_score: None,
            derate: false,
            active: true,
            first_seen: None,
            occurrences: None,
            raw_json: None,
        }
    }

    const A: &str = "1XKYD49X0NJ000001";
    const B: &str = "1XKYD49X0NJ000002";

    #[test]
    fn per_truck_reads_keep_their_own_faults_and_failures_keep_the_stored_ones() {
        let failure = PageFailure { kind: FailureReason::Timeout, message: "slow".into() };
        let read = FleetRead {
            vehicles: vec![truck(A, TruckFaults::Read(vec![fault(100)])), truck(B, TruckFaults::Unread(failure))],
            ..FleetRead::default()
        };
        let (observed, orphans) = observations(read);
        assert_eq!(observed[0].faults.read().map(<[_]>::len), Some(1));
        assert_eq!(observed[1].faults, ObservedFaults::Unread, "unknown, not empty: its episodes must not close");
        assert_eq!(orphans, 0);
    }

    #[test]
    fn a_fleet_wide_list_is_shared_out_by_vin_and_a_truck_it_does_not_name_has_none() {
        let listed = vec![
            FleetFault { vin: A.into(), fault: fault(100) },
            FleetFault { vin: A.into(), fault: fault(110) },
            FleetFault { vin: "1XKYD49X0NJ999999".into(), fault: fault(190) },
        ];
        let read = FleetRead {
            vehicles: vec![truck(A, TruckFaults::InFleetList), truck(B, TruckFaults::InFleetList)],
            fleet_faults: Some(FleetFaults::Complete(listed)),
            ..FleetRead::default()
        };
        let (observed, orphans) = observations(read);
        assert_eq!(observed[0].faults.read().map(<[_]>::len), Some(2));
        assert_eq!(observed[1].faults, ObservedFaults::Read(vec![]), "read and clear: its open episodes close");
        assert_eq!(orphans, 1, "a fault on a truck that is not listed is not stored");

        let failed = FleetRead {
            vehicles: vec![truck(A, TruckFaults::InFleetList)],
            fleet_faults: Some(FleetFaults::Unread(PageFailure {
                kind: FailureReason::Network,
                message: "502".into(),
            })),
            ..FleetRead::default()
        };
        assert_eq!(observations(failed).0[0].faults, ObservedFaults::Unread, "an unread list closes nothing");

        let changes = FleetRead {
            vehicles: vec![truck(A, TruckFaults::InFleetList), truck(B, TruckFaults::InFleetList)],
            fleet_faults: Some(FleetFaults::Changes(vec![FleetFault { vin: A.into(), fault: fault(100) }])),
            ..FleetRead::default()
        };
        let (observed, _) = observations(changes);
        assert_eq!(observed[0].faults, ObservedFaults::Changed(vec![fault(100)]), "its other faults stay");
        assert_eq!(observed[1].faults, ObservedFaults::Unchanged, "not named: nothing changed, nothing closes");
    }

    #[test]
    fn a_read_names_its_first_problem_and_is_refused_when_nothing_in_it_could_be_read() {
        let changed = |message: &str| PageFailure { kind: FailureReason::PortalChanged, message: message.into() };
        let slow = PageFailure { kind: FailureReason::Timeout, message: "the page took too long".into() };
        let partial = FleetRead {
            vehicles: vec![truck(A, TruckFaults::Read(vec![fault(100)])), truck(B, TruckFaults::Unread(slow.clone()))],
            fault_rows: RowCount { found: 1, failed: 0 },
            ..FleetRead::default()
        };
        assert_eq!(assess(&partial).unwrap().as_deref(), Some("the page of 1XKYD49X0NJ000002: the page took too long"));
        let listed = FleetRead { list_problem: Some("vehicle list page 2, row 3: no VIN".into()), ..partial.clone() };
        assert_eq!(
            assess(&listed).unwrap().as_deref(),
            Some("vehicle list page 2, row 3: no VIN"),
            "the list comes first"
        );

        // One truck clean, the other's only row unreadable: no fault row was read at all.
        let rows = FleetRead {
            vehicles: vec![
                truck(A, TruckFaults::Read(vec![])),
                truck(B, TruckFaults::Unread(changed("row 1: cannot read SPN/FMI from \"Low coolant\""))),
            ],
            fault_rows: RowCount { found: 1, failed: 1 },
            problem_page: Some("/data/unreadable-rows.html".into()),
            ..FleetRead::default()
        };
        let error = assess(&rows).unwrap_err();
        assert_eq!(error.reason(), FailureReason::PortalChanged);
        let message = error.to_string();
        assert!(message.starts_with("none of the 1 fault rows found could be read"), "{message}");
        assert!(
            message.contains("1XKYD49X0NJ000002: row 1: cannot read SPN/FMI")
                && message.contains("/data/unreadable-rows.html")
        );

        let all_failed = FleetRead {
            vehicles: vec![truck(A, TruckFaults::Unread(slow.clone())), truck(B, TruckFaults::Unread(slow))],
            ..FleetRead::default()
        };
        let error = assess(&all_failed).unwrap_err();
        assert_eq!(error.reason(), FailureReason::Network, "every page timing out is not a changed layout");
        assert!(error.to_string().contains("no truck's faults could be read (2 pages)"));
        let unchanged = FleetRead { vehicles: vec![truck(A, TruckFaults::Unchanged)], ..FleetRead::default() };
        assert_eq!(assess(&unchanged).unwrap(), None, "nothing to read is not a failure");
    }
}
