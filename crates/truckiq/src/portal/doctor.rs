//! The profile doctor: what a profile finds on real pages, field by field, so a person can fix
//! the profile by looking rather than by reading code. Pure: page HTML in, report out.

use scraper::Html;
use serde::Serialize;

use super::field::Field;
use super::parse::{Reading, RowProblem, VehicleRow, all_of as rows, fault_row, link, present, vehicle_row};
use super::profile::Profile;

/// Sample values shown per field.
const SAMPLES: usize = 3;

/// Which page a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum PageKind {
    VehicleList,
    Diagnostics,
}

/// What one field found over the rows of a page (or on the page itself, for a truck's facts).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldReport {
    pub name: String,
    /// Where it looks, as the profile says: `css .vin`, `label "Odometer" /(?P<…>)/`, or that the
    /// profile leaves it out.
    pub looks: String,
    /// Rows (or pages) where it found a value, of its own or captured by another field's pattern.
    pub matched: usize,
    /// Rows where its pattern saw text it did not match.
    pub unmatched: usize,
    /// A few distinct values it found, after the value map.
    pub samples: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PageReport {
    pub kind: PageKind,
    /// The page's address, or the file it was read from.
    pub source: String,
    /// The row selector and how many rows it found.
    pub row_selector: String,
    pub rows: usize,
    /// Why the page as a whole does not fit the profile, if it does not.
    pub mismatch: Option<String>,
    /// The page's "nothing here" marker was found (an empty list, a truck without faults).
    pub empty_marker: bool,
    /// The row fields, then (on a truck's page) the truck's facts read from the whole page.
    pub fields: Vec<FieldReport>,
    pub truck_fields: Vec<FieldReport>,
    /// The next-page or "more" link the profile finds, as written in the page.
    pub next: Option<String>,
    /// Every row that could not be read, with its reason.
    pub failed: Vec<RowProblem>,
}

impl PageReport {
    /// Rows that were read in full.
    pub fn rows_read(&self) -> usize {
        self.rows - self.failed.len()
    }
}

impl FieldReport {
    /// Counts one row where the field found `value`, keeping it as a sample if it is a new one.
    fn found(&mut self, value: String) {
        self.matched += 1;
        if self.samples.len() < SAMPLES && !self.samples.contains(&value) {
            self.samples.push(value);
        }
    }
}

/// Tallies what each field found over the readings of a page.
pub(crate) fn tally(fields: &[(&'static str, &Field)], readings: &[Reading<'_>]) -> Vec<FieldReport> {
    fields
        .iter()
        .map(|(name, field)| {
            let mut report = FieldReport {
                name: (*name).to_owned(),
                looks: if field.is_set() { field.describe() } else { "not in the profile".to_owned() },
                matched: 0,
                unmatched: 0,
                samples: Vec::new(),
            };
            for reading in readings {
                if reading.outcomes().any(|(n, _, found)| n == *name && found.unmatched) {
                    report.unmatched += 1;
                }
                if let Some(value) = reading.get(name) {
                    report.found(value);
                }
            }
            report
        })
        .collect()
}

/// What the profile finds on a vehicle-list page.
pub fn check_vehicle_list(html: &str, source: &str, profile: &Profile) -> PageReport {
    let list = &profile.vehicle_list;
    let doc = Html::parse_document(html);
    let found = rows(&doc, &list.row);
    let fields = list.fields();
    let readings: Vec<Reading<'_>> = found.iter().map(|row| Reading::html(*row, &fields)).collect();
    let parsed: Vec<_> = readings.iter().map(vehicle_row).collect();
    let failed = parsed
        .iter()
        .enumerate()
        .filter_map(|(row, result)| result.as_ref().err().map(|reason| RowProblem { row, reason: reason.clone() }))
        .collect();
    let mut field_reports = tally(&fields, &readings);
    // Year, make and model may come from the one `year_make_model` text: say so, with what the
    // sync will store, rather than "found nothing".
    let rows_read: Vec<&VehicleRow> = parsed.iter().filter_map(|r| r.as_ref().ok()).collect();
    for report in field_reports.iter_mut().filter(|r| r.matched == 0) {
        let values: Vec<String> = rows_read
            .iter()
            .filter_map(|row| match report.name.as_str() {
                "year" => row.year.map(|y| y.to_string()),
                "make" => row.make.clone(),
                "model" => row.model.clone(),
                _ => None,
            })
            .collect();
        if !values.is_empty() {
            report.looks = format!("{} · else from year_make_model", report.looks);
            values.into_iter().for_each(|value| report.found(value));
        }
    }
    let empty_marker = present(&doc, &list.empty);
    PageReport {
        kind: PageKind::VehicleList,
        source: source.to_owned(),
        row_selector: list.row.css(),
        rows: found.len(),
        mismatch: (found.is_empty() && !empty_marker).then(|| {
            format!(
                "no row matches {} and the empty-list marker {} is not on the page",
                list.row.css(),
                list.empty.css()
            )
        }),
        empty_marker,
        fields: field_reports,
        truck_fields: Vec::new(),
        next: link(&doc, &list.next),
        failed,
    }
}

/// What the profile finds on a truck's diagnostics page.
pub fn check_diagnostics(html: &str, source: &str, profile: &Profile) -> PageReport {
    let diagnostics = &profile.diagnostics;
    let doc = Html::parse_document(html);
    let found = rows(&doc, &diagnostics.row);
    let fields = diagnostics.fault_fields();
    let readings: Vec<Reading<'_>> = found.iter().map(|row| Reading::html(*row, &fields)).collect();
    let failed = found
        .iter()
        .zip(&readings)
        .enumerate()
        .filter_map(|(row, (element, reading))| {
            let class = &diagnostics.active_class;
            let has_active_class = !class.is_empty() && element.value().classes().any(|c| c == class);
            fault_row(reading, has_active_class, profile).err().map(|reason| RowProblem { row, reason })
        })
        .collect();
    let truck = diagnostics.truck_fields();
    let empty_marker = present(&doc, &diagnostics.no_faults);
    PageReport {
        kind: PageKind::Diagnostics,
        source: source.to_owned(),
        row_selector: diagnostics.row.css(),
        rows: found.len(),
        mismatch: (found.is_empty() && !empty_marker).then(|| {
            format!(
                "no row matches {} and the no-faults marker {} is not on the page",
                diagnostics.row.css(),
                diagnostics.no_faults.css()
            )
        }),
        empty_marker,
        fields: tally(&fields, &readings),
        truck_fields: tally(&truck, &[Reading::html(doc.root_element(), &truck)]),
        next: link(&doc, &diagnostics.more),
        failed,
    }
}

/// A saved page of unknown kind: read as whichever page the profile recognises (rows or its empty
/// marker), the vehicle list first; as both when it recognises neither, so each says why.
pub fn check_saved_page(html: &str, source: &str, profile: &Profile) -> Vec<PageReport> {
    let list = check_vehicle_list(html, source, profile);
    let diagnostics = check_diagnostics(html, source, profile);
    match (list.mismatch.is_none() && list.rows > 0, diagnostics.mismatch.is_none()) {
        (true, _) => vec![list],
        (false, true) => vec![diagnostics],
        (false, false) if list.mismatch.is_none() => vec![list],
        (false, false) => vec![list, diagnostics],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::PortalKind;

    const LIST: &str = r#"<table><tr class="vehicle-row"><td class="vin">1XKYD49X0NJ123456</td><td class="unit">1042</td>
        <td class="odometer">123,456 mi</td></tr><tr class="vehicle-row"><td class="vin">bad</td></tr></table>
        <a class="next" href="?page=2">Next</a>"#;

    #[test]
    fn a_list_page_reports_each_field_with_samples_and_the_failed_rows() {
        let profile = Profile::builtin(PortalKind::TruckTech).unwrap();
        let report = check_vehicle_list(LIST, "list.html", &profile);
        assert_eq!((report.rows, report.rows_read(), report.mismatch.as_deref()), (2, 1, None));
        let vin = report.fields.iter().find(|f| f.name == "vin").unwrap();
        assert_eq!(
            (vin.matched, vin.samples.as_slice()),
            (2, ["1XKYD49X0NJ123456".to_owned(), "bad".to_owned()].as_slice())
        );
        assert_eq!(report.failed.len(), 1);
        assert!(report.failed[0].reason.contains("not a 17-character VIN"), "{:?}", report.failed);
        assert_eq!(report.next.as_deref(), Some("?page=2"));
    }

    #[test]
    fn a_drifted_page_says_what_it_did_not_find() {
        let profile = Profile::builtin(PortalKind::TruckTech).unwrap();
        let report = check_vehicle_list("<ul><li class='truck'>1XKYD49X0NJ123456</li></ul>", "x", &profile);
        assert!(report.mismatch.as_deref().unwrap().contains("no row matches .vehicle-row"), "{report:?}");
        let faults = r#"<div class="fault-row"><span class="code">SPN 3226 / FMI 4</span><span class="status">Smouldering</span></div>"#;
        let report = check_diagnostics(faults, "x", &profile);
        assert_eq!(report.rows, 1);
        assert!(report.failed[0].reason.contains("\"Smouldering\" is not a word TruckIQ knows"), "{:?}", report.failed);
    }

    #[test]
    fn a_saved_page_is_read_as_the_page_the_profile_recognises() {
        let profile = Profile::builtin(PortalKind::TruckTech).unwrap();
        let kinds = |html: &str| check_saved_page(html, "x", &profile).iter().map(|r| r.kind).collect::<Vec<_>>();
        assert_eq!(kinds(LIST), [PageKind::VehicleList]);
        assert_eq!(kinds(r#"<p class="no-faults">No faults</p>"#), [PageKind::Diagnostics]);
        assert_eq!(kinds("<h1>Maintenance</h1>"), [PageKind::VehicleList, PageKind::Diagnostics]);
    }
}
