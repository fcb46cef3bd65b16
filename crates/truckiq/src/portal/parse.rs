//! Pure parsing of portal pages: page HTML in, typed records out. No browser, no I/O, so every
//! format the portals use is covered by fixture tests.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDateTime, Utc};
use regex::Regex;
use scraper::{ElementRef, Html};
use serde::Serialize;

use super::profile::{DiagnosticsProfile, Selectors, VehicleListProfile};

/// J1939's "null" source address: used when a portal does not say which controller reported a fault.
pub const UNKNOWN_SOURCE_ADDRESS: u8 = 254;

/// The page is not shaped as the profile expects: the portal changed (or is showing another page).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {page} page has nothing matching {selector}")]
pub struct LayoutMismatch {
    pub page: &'static str,
    pub selector: String,
}

/// A row that could not be read; the rest of the page still counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowProblem {
    pub row: usize,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VehicleRow {
    pub vin: String,
    pub unit_number: Option<String>,
    pub year: Option<u16>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub odometer_mi: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VehicleListPage {
    pub vehicles: Vec<VehicleRow>,
    pub problems: Vec<RowProblem>,
    /// The next page's link as written in the page (may be relative).
    pub next: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultRow {
    pub source_address: u8,
    pub spn: u32,
    pub fmi: u8,
    pub description: Option<String>,
    /// The portal's own words for urgency, e.g. "Seek Service Immediately".
    pub severity_text: Option<String>,
    pub derate: bool,
    pub occurrences: Option<u32>,
    pub first_seen: Option<DateTime<Utc>>,
    pub active: bool,
    /// The row's cell texts as the portal showed them, kept for the record.
    pub raw: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DiagnosticsPage {
    pub odometer_mi: Option<f64>,
    pub engine_hours: Option<f64>,
    pub engine: Option<String>,
    pub location: Option<String>,
    pub faults: Vec<FaultRow>,
    pub problems: Vec<RowProblem>,
}

fn text_of(element: ElementRef<'_>) -> String {
    element.text().collect::<Vec<_>>().join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first element any selector of the list matches, searching inside `scope`.
fn first_in<'a>(scope: ElementRef<'a>, selectors: &Selectors) -> Option<ElementRef<'a>> {
    selectors.compiled().iter().find_map(|s| scope.select(s).next())
}

pub(crate) fn cell(scope: ElementRef<'_>, selectors: &Selectors) -> Option<String> {
    first_in(scope, selectors).map(text_of).filter(|t| !t.is_empty())
}

/// All elements the first matching selector of the list finds.
fn all_of<'a>(doc: &'a Html, selectors: &Selectors) -> Vec<ElementRef<'a>> {
    selectors
        .compiled()
        .iter()
        .map(|s| doc.select(s).collect::<Vec<_>>())
        .find(|found| !found.is_empty())
        .unwrap_or_default()
}

pub(crate) fn present(doc: &Html, selectors: &Selectors) -> bool {
    selectors.compiled().iter().any(|s| doc.select(s).next().is_some())
}

pub fn parse_vehicle_list(html: &str, profile: &VehicleListProfile) -> Result<VehicleListPage, LayoutMismatch> {
    let doc = Html::parse_document(html);
    let rows = all_of(&doc, &profile.row);
    if rows.is_empty() && !present(&doc, &profile.empty) {
        return Err(LayoutMismatch { page: "vehicle list", selector: profile.row.css() });
    }
    let mut page = VehicleListPage { vehicles: Vec::new(), problems: Vec::new(), next: None };
    for (index, row) in rows.into_iter().enumerate() {
        match vehicle_row(row, profile) {
            Ok(vehicle) => page.vehicles.push(vehicle),
            Err(reason) => page.problems.push(RowProblem { row: index, reason }),
        }
    }
    page.next = profile
        .next
        .compiled()
        .iter()
        .filter_map(|s| doc.select(s).next())
        .find(|link| link.value().attr("disabled").is_none() && link.value().attr("aria-disabled") != Some("true"))
        .and_then(|link| link.value().attr("href"))
        .map(str::to_owned);
    Ok(page)
}

fn vehicle_row(row: ElementRef<'_>, profile: &VehicleListProfile) -> Result<VehicleRow, String> {
    let vin = cell(row, &profile.vin).ok_or_else(|| format!("no VIN cell ({})", profile.vin.css()))?;
    let vin = vin.trim().to_uppercase();
    if !is_plausible_vin(&vin) {
        return Err(format!("{vin:?} is not a 17-character VIN"));
    }
    let (mut year, mut make, mut model) =
        (cell(row, &profile.year).and_then(|y| y.parse().ok()), cell(row, &profile.make), cell(row, &profile.model));
    if let Some((y, mk, md)) = cell(row, &profile.year_make_model).as_deref().and_then(parse_year_make_model) {
        year = year.or(Some(y));
        make = make.or(Some(mk));
        model = model.or(md);
    }
    Ok(VehicleRow {
        vin,
        unit_number: cell(row, &profile.unit),
        year,
        make,
        model,
        odometer_mi: cell(row, &profile.odometer).as_deref().and_then(parse_miles),
    })
}

pub fn parse_diagnostics(html: &str, profile: &DiagnosticsProfile) -> Result<DiagnosticsPage, LayoutMismatch> {
    let doc = Html::parse_document(html);
    let root = doc.root_element();
    let rows = all_of(&doc, &profile.row);
    let clean = present(&doc, &profile.no_faults);
    if rows.is_empty() && !clean {
        return Err(LayoutMismatch { page: "diagnostics", selector: profile.row.css() });
    }
    let mut page = DiagnosticsPage {
        odometer_mi: cell(root, &profile.odometer).as_deref().and_then(parse_miles),
        engine_hours: cell(root, &profile.engine_hours).as_deref().and_then(parse_number),
        engine: cell(root, &profile.engine),
        location: cell(root, &profile.location),
        ..DiagnosticsPage::default()
    };
    for (index, row) in rows.into_iter().enumerate() {
        match fault_row(row, profile) {
            Ok(fault) => page.faults.push(fault),
            Err(reason) => page.problems.push(RowProblem { row: index, reason }),
        }
    }
    Ok(page)
}

fn fault_row(row: ElementRef<'_>, profile: &DiagnosticsProfile) -> Result<FaultRow, String> {
    let code = cell(row, &profile.code).ok_or_else(|| format!("no code cell ({})", profile.code.css()))?;
    let (spn, fmi) = parse_spn_fmi(&code).ok_or_else(|| format!("cannot read SPN/FMI from {code:?}"))?;
    let source = cell(row, &profile.source);
    let status = cell(row, &profile.status);
    let active = row.value().classes().any(|c| c == profile.active_class)
        || status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("active"));
    let severity_text = cell(row, &profile.severity);
    let first_seen = first_in(row, &profile.first_seen)
        .and_then(|el| el.value().attr("datetime").and_then(parse_datetime).or_else(|| parse_datetime(&text_of(el))));
    let derate = cell(row, &profile.derate).is_some()
        || severity_text.as_deref().is_some_and(|s| s.to_lowercase().contains("derate"));
    let raw = serde_json::json!({
        "code": code,
        "source": source,
        "description": cell(row, &profile.description),
        "severity": severity_text,
        "first_seen": first_in(row, &profile.first_seen).map(text_of),
        "status": status,
    });
    Ok(FaultRow {
        source_address: source.as_deref().and_then(parse_source_address).unwrap_or(UNKNOWN_SOURCE_ADDRESS),
        spn,
        fmi,
        description: cell(row, &profile.description),
        severity_text: severity_text.map(|s| strip_derate_suffix(&s)),
        derate,
        occurrences: cell(row, &profile.occurrences).as_deref().and_then(|t| parse_number(t).map(|n| n as u32)),
        first_seen,
        active,
        raw,
    })
}

fn strip_derate_suffix(severity: &str) -> String {
    severity.replace("(Derate)", "").trim().to_owned()
}

pub(crate) fn is_plausible_vin(vin: &str) -> bool {
    vin.len() == 17 && vin.bytes().all(|b| b.is_ascii_alphanumeric() && !matches!(b, b'I' | b'O' | b'Q'))
}

/// Compiles one of the constant patterns below; the unit tests exercise each, so a typo fails them.
#[allow(clippy::expect_used, reason = "constant patterns, each covered by the tests below")]
fn pattern(re: &str) -> Regex {
    Regex::new(re).expect("constant regex is valid")
}

static SPN_FMI: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)\bSPN\b\s*[:#]?\s*(\d+)\D{0,12}?\bFMI\b\s*[:#]?\s*(\d+)"));
static BARE_PAIR: LazyLock<Regex> = LazyLock::new(|| pattern(r"^\s*(\d+)\s*[/\-]\s*(\d+)\s*$"));

/// "SPN 3226 / FMI 4", "SPN: 3226, FMI: 4", "SPN 3226 FMI 4", "3226/4" → (3226, 4), if in J1939 range.
pub fn parse_spn_fmi(text: &str) -> Option<(u32, u8)> {
    let caps = SPN_FMI.captures(text).or_else(|| BARE_PAIR.captures(text))?;
    let spn: u32 = caps[1].parse().ok()?;
    let fmi: u8 = caps[2].parse().ok()?;
    (spn <= 524_287 && fmi <= 31).then_some((spn, fmi))
}

static SA_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)(?:\bSA\s*[:#]?\s*(\d{1,3})\b|\((\d{1,3})\)\s*$|^\s*(\d{1,3})\s*$)"));

/// "Engine #1 (SA 0)", "SA 61", "ACM (61)", "61", or a known controller name → source address.
pub fn parse_source_address(text: &str) -> Option<u8> {
    if let Some(caps) = SA_NUMBER.captures(text) {
        let number = caps.iter().skip(1).flatten().next()?.as_str();
        return number.parse().ok();
    }
    let lower = text.to_lowercase();
    const NAMES: &[(&str, u8)] = &[
        ("engine #2", 1),
        ("engine", 0),
        ("transmission", 3),
        ("brake", 11),
        ("abs", 11),
        ("instrument cluster", 23),
        ("body controller", 33),
        ("cab controller", 49),
        ("outlet nox", 82),
        ("intake nox", 81),
        ("particulate filter", 85),
        ("dpf", 85),
        ("aftertreatment", 61),
        ("acm", 61),
    ];
    NAMES.iter().find(|(name, _)| lower.contains(name)).map(|(_, sa)| *sa)
}

/// "123,456 mi" → 123456; "198,765 km" → miles; a bare number is taken as miles.
pub fn parse_miles(text: &str) -> Option<f64> {
    let value = parse_number(text)?;
    let lower = text.to_lowercase();
    Some(if lower.contains("km") { (value / 1.609_344 * 10.0).round() / 10.0 } else { value })
}

static NUMBER: LazyLock<Regex> = LazyLock::new(|| pattern(r"\d[\d,]*(?:\.\d+)?"));

/// The first number in `text`, thousands separators allowed: "10,234.5 hrs" → 10234.5.
pub fn parse_number(text: &str) -> Option<f64> {
    NUMBER.find(text)?.as_str().replace(',', "").parse().ok()
}

/// "2022 Kenworth T680" → (2022, "Kenworth", Some("T680")).
pub fn parse_year_make_model(text: &str) -> Option<(u16, String, Option<String>)> {
    let mut parts = text.split_whitespace();
    let year: u16 = parts.next()?.parse().ok().filter(|y| (1950..=2100).contains(y))?;
    let make = parts.next()?.to_owned();
    let model = parts.collect::<Vec<_>>().join(" ");
    Some((year, make, (!model.is_empty()).then_some(model)))
}

/// Portal timestamps, read as UTC: RFC 3339, "Nov 3, 2026 8:05 AM", "11/03/2026 08:05 UTC",
/// "2026-11-03 08:05".
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.to_utc());
    }
    let bare = text.trim_end_matches("UTC").trim_end_matches('Z').trim();
    const FORMATS: &[&str] =
        &["%b %d, %Y %I:%M %p", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"];
    FORMATS.iter().find_map(|f| NaiveDateTime::parse_from_str(bare, f).ok()).map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spn_fmi_in_every_format_the_specs_show() {
        assert_eq!(parse_spn_fmi("SPN 3226 / FMI 4"), Some((3226, 4)));
        assert_eq!(parse_spn_fmi("SPN: 3226, FMI: 4"), Some((3226, 4)));
        assert_eq!(parse_spn_fmi("SPN 3226 FMI 4"), Some((3226, 4)));
        assert_eq!(parse_spn_fmi("spn 100 - fmi 1"), Some((100, 1)));
        assert_eq!(parse_spn_fmi("3226/4"), Some((3226, 4)));
        assert_eq!(parse_spn_fmi("SPN -- / FMI --"), None);
        assert_eq!(parse_spn_fmi("SPN ? FMI ?"), None);
        assert_eq!(parse_spn_fmi("SPN 3226 / FMI 40"), None, "FMI is 0-31");
        assert_eq!(parse_spn_fmi("SPN 600000 / FMI 4"), None, "SPN is 19 bits");
    }

    #[test]
    fn source_addresses_from_names_and_numbers() {
        assert_eq!(parse_source_address("Engine #1 (SA 0)"), Some(0));
        assert_eq!(parse_source_address("SA 61"), Some(61));
        assert_eq!(parse_source_address("ACM (61)"), Some(61));
        assert_eq!(parse_source_address("85"), Some(85));
        assert_eq!(parse_source_address("Transmission #1"), Some(3));
        assert_eq!(parse_source_address("Aftertreatment 1 Outlet NOx Sensor"), Some(82));
        assert_eq!(parse_source_address("Brakes - System Controller"), Some(11));
        assert_eq!(parse_source_address("Mystery box"), None);
    }

    #[test]
    fn meters_and_dates() {
        assert_eq!(parse_miles("123,456 mi"), Some(123_456.0));
        assert_eq!(parse_miles("161 km"), Some(100.0));
        assert_eq!(parse_miles(""), None);
        assert_eq!(parse_number("10,234.5 hrs"), Some(10_234.5));
        let t = "2026-11-03T08:05:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(parse_datetime("Nov 3, 2026 8:05 AM"), Some(t));
        assert_eq!(parse_datetime("11/03/2026 08:05 UTC"), Some(t));
        assert_eq!(parse_datetime("2026-11-03T08:05:00+00:00"), Some(t));
        assert_eq!(parse_datetime("2026-11-03 08:05"), Some(t));
        assert_eq!(parse_datetime("yesterday"), None);
        assert_eq!(parse_year_make_model("2022 Kenworth T680"), Some((2022, "Kenworth".into(), Some("T680".into()))));
        assert_eq!(parse_year_make_model("Kenworth"), None);
    }
}
