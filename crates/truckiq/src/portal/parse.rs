//! Pure parsing of portal pages: page HTML in, typed records out. No browser, no I/O, so every
//! format the portals use is covered by fixture tests.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, NaiveDateTime, Utc};
use regex::Regex;
use scraper::{ElementRef, Html};
use serde::Serialize;

use super::field::{Field, Found};
use super::profile::{DatesProfile, Profile, Selectors};
use crate::j1939::Severity;

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
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
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
    pub engine: Option<String>,
    pub engine_hours: Option<f64>,
    pub location: Option<String>,
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
    /// The tier those words mean, by the profile's map and words.
    pub tier: Option<Severity>,
    pub derate: bool,
    pub occurrences: Option<u32>,
    pub first_seen: Option<DateTime<Utc>>,
    pub active: bool,
    /// What each field found on the row, as the portal showed it, kept for the record.
    pub raw: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DiagnosticsPage {
    pub odometer_mi: Option<f64>,
    pub engine_hours: Option<f64>,
    pub engine: Option<String>,
    pub location: Option<String>,
    pub unit_number: Option<String>,
    pub year: Option<u16>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub faults: Vec<FaultRow>,
    pub problems: Vec<RowProblem>,
    /// The link to more of the truck's faults, as written in the page.
    pub more: Option<String>,
}

impl DiagnosticsPage {
    /// Takes in the page the `more` link led to: its rows replace these when it repeats them
    /// (`cumulative`), else they follow them. The truck's facts come from the first page.
    pub fn absorb(&mut self, next: DiagnosticsPage, cumulative: bool) {
        self.more = next.more;
        if cumulative {
            self.faults = next.faults;
            self.problems = next.problems;
            return;
        }
        let offset = self.faults.len() + self.problems.len();
        self.faults.extend(next.faults);
        self.problems.extend(next.problems.into_iter().map(|p| RowProblem { row: p.row + offset, ..p }));
    }
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
pub(crate) fn all_of<'a>(doc: &'a Html, selectors: &Selectors) -> Vec<ElementRef<'a>> {
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

/// What every field of a section found in one scope (a row, or a page). A field that found
/// nothing of its own takes what another field's pattern captured under its name.
pub struct Reading<'f> {
    found: Vec<(&'static str, &'f Field, Found)>,
    captured: HashMap<String, String>,
}

impl<'f> Reading<'f> {
    pub fn html(scope: ElementRef<'_>, fields: &[(&'static str, &'f Field)]) -> Self {
        Self::from_found(fields.iter().map(|(name, field)| (*name, *field, field.find_html(scope, name))).collect())
    }

    pub fn json(object: &serde_json::Value, fields: &[(&'static str, &'f Field)]) -> Self {
        Self::from_found(fields.iter().map(|(name, field)| (*name, *field, field.find_json(object, name))).collect())
    }

    fn from_found(found: Vec<(&'static str, &'f Field, Found)>) -> Self {
        let captured = found.iter().flat_map(|(_, _, f)| f.captures.clone()).collect();
        Self { found, captured }
    }

    fn entry(&self, name: &str) -> Option<&(&'static str, &'f Field, Found)> {
        self.found.iter().find(|(n, _, _)| *n == name)
    }

    /// The field's value: its own, else a capture of its name.
    pub fn get(&self, name: &str) -> Option<String> {
        self.entry(name).and_then(|(_, _, f)| f.value.clone()).or_else(|| self.captured.get(name).cloned())
    }

    /// The field's own words before its map (the portal's wording), else a capture of its name.
    pub fn words(&self, name: &str) -> Option<String> {
        self.entry(name).and_then(|(_, _, f)| f.words.clone()).or_else(|| self.captured.get(name).cloned())
    }

    /// What the field itself found (before captures from other fields).
    pub fn found(&self, name: &str) -> Option<&Found> {
        self.entry(name).map(|(_, _, found)| found)
    }

    /// The field as configured, for its date formats.
    pub fn field(&self, name: &str) -> Option<&'f Field> {
        self.entry(name).map(|(_, field, _)| *field)
    }

    /// Why `name` has no value, for a row problem: where it looked and what it saw.
    pub fn why_missing(&self, name: &str) -> String {
        match self.entry(name) {
            Some((_, field, found)) if found.unmatched => {
                format!("{name}: {} did not match {:?}", field.describe(), found.raw.as_deref().unwrap_or_default())
            }
            Some((_, field, _)) if field.is_set() => format!("{name}: {} found nothing", field.describe()),
            _ => format!("{name}: the profile does not say where it is"),
        }
    }

    /// Every field's text as found, for the record.
    pub fn raw(&self) -> serde_json::Value {
        let map = self
            .found
            .iter()
            .filter_map(|(name, _, f)| Some(((*name).to_owned(), serde_json::Value::from(f.raw.clone()?))));
        serde_json::Value::Object(map.collect())
    }

    /// Every field's outcome, for the doctor.
    pub fn outcomes(&self) -> impl Iterator<Item = (&'static str, &'f Field, &Found)> {
        self.found.iter().map(|(name, field, found)| (*name, *field, found))
    }
}

pub fn parse_vehicle_list(html: &str, profile: &Profile) -> Result<VehicleListPage, LayoutMismatch> {
    let list = &profile.vehicle_list;
    let doc = Html::parse_document(html);
    let rows = all_of(&doc, &list.row);
    if rows.is_empty() && !present(&doc, &list.empty) {
        return Err(LayoutMismatch { page: "vehicle list", selector: list.row.css() });
    }
    let mut page = VehicleListPage { vehicles: Vec::new(), problems: Vec::new(), next: None };
    for (index, row) in rows.into_iter().enumerate() {
        match vehicle_row(&Reading::html(row, &list.fields())) {
            Ok(vehicle) => page.vehicles.push(vehicle),
            Err(reason) => page.problems.push(RowProblem { row: index, reason }),
        }
    }
    page.next = link(&doc, &list.next);
    Ok(page)
}

/// The target of the first enabled link the selectors find.
pub(crate) fn link(doc: &Html, selectors: &Selectors) -> Option<String> {
    selectors
        .compiled()
        .iter()
        .filter_map(|s| doc.select(s).next())
        .find(|link| link.value().attr("disabled").is_none() && link.value().attr("aria-disabled") != Some("true"))
        .and_then(|link| link.value().attr("href"))
        .map(str::to_owned)
}

/// A model year, if the text is one.
fn year(text: &str) -> Option<u16> {
    text.trim().parse().ok().filter(|y| (1950..=2100).contains(y))
}

pub fn vehicle_row(r: &Reading<'_>) -> Result<VehicleRow, String> {
    let vin = r.get("vin").ok_or_else(|| format!("no VIN ({})", r.why_missing("vin")))?;
    let vin = vin.trim().to_uppercase();
    if !is_plausible_vin(&vin) {
        return Err(format!("{vin:?} is not a 17-character VIN"));
    }
    let (mut year_, mut make, mut model) = (r.get("year").as_deref().and_then(year), r.get("make"), r.get("model"));
    if let Some((y, mk, md)) = r.get("year_make_model").as_deref().and_then(parse_year_make_model) {
        year_ = year_.or(Some(y));
        make = make.or(Some(mk));
        model = model.or(md);
    }
    Ok(VehicleRow {
        vin,
        unit_number: r.get("unit"),
        year: year_,
        make,
        model,
        odometer_mi: r.get("odometer").as_deref().and_then(parse_miles),
        engine: r.get("engine"),
        engine_hours: r.get("engine_hours").as_deref().and_then(parse_number),
        location: r.get("location"),
    })
}

pub fn parse_diagnostics(html: &str, profile: &Profile) -> Result<DiagnosticsPage, LayoutMismatch> {
    let diagnostics = &profile.diagnostics;
    let doc = Html::parse_document(html);
    let rows = all_of(&doc, &diagnostics.row);
    let clean = present(&doc, &diagnostics.no_faults);
    if rows.is_empty() && !clean {
        return Err(LayoutMismatch { page: "diagnostics", selector: diagnostics.row.css() });
    }
    let truck = Reading::html(doc.root_element(), &diagnostics.truck_fields());
    let mut page = DiagnosticsPage {
        odometer_mi: truck.get("odometer").as_deref().and_then(parse_miles),
        engine_hours: truck.get("engine_hours").as_deref().and_then(parse_number),
        engine: truck.get("engine"),
        location: truck.get("location"),
        unit_number: truck.get("unit"),
        year: truck.get("year").as_deref().and_then(year),
        make: truck.get("make"),
        model: truck.get("model"),
        more: link(&doc, &diagnostics.more),
        ..DiagnosticsPage::default()
    };
    for (index, row) in rows.into_iter().enumerate() {
        let reading = Reading::html(row, &diagnostics.fault_fields());
        let has_active_class =
            !diagnostics.active_class.is_empty() && row.value().classes().any(|c| c == diagnostics.active_class);
        match fault_row(&reading, has_active_class, profile) {
            Ok(fault) => page.faults.push(fault),
            Err(reason) => page.problems.push(RowProblem { row: index, reason }),
        }
    }
    Ok(page)
}

/// One fault from what its row's fields found.
pub fn fault_row(r: &Reading<'_>, has_active_class: bool, profile: &Profile) -> Result<FaultRow, String> {
    let words = &profile.words;
    let (spn, fmi) = match (r.get("spn"), r.get("fmi")) {
        (Some(spn), Some(fmi)) => {
            let spn = spn.trim().parse::<u32>().ok().filter(|s| *s <= 524_287);
            let fmi = fmi.trim().parse::<u8>().ok().filter(|f| *f <= 31);
            spn.zip(fmi)
                .ok_or_else(|| format!("SPN {:?} / FMI {:?} is not a J1939 code", r.get("spn"), r.get("fmi")))?
        }
        _ => {
            let code = r.get("code").ok_or_else(|| format!("no fault code ({})", r.why_missing("code")))?;
            parse_spn_fmi(&code).ok_or_else(|| format!("cannot read SPN/FMI from {code:?}"))?
        }
    };
    let active = match r.get("active") {
        _ if has_active_class => true,
        None => false,
        Some(state) => words.active(&state).ok_or_else(|| {
            format!(
                "the state {state:?} is not a word TruckIQ knows: add it to the active field's map or to [words.active]"
            )
        })?,
    };
    // The tier from the mapped value; the portal's own wording is kept to show.
    let severity = r.get("severity");
    let severity_text = r.words("severity");
    let derate = r.get("derate").is_some_and(|d| !words.is_no(&d))
        || severity_text.as_deref().is_some_and(|s| s.to_lowercase().contains("derate"));
    // A map may name the tier itself.
    let tier = severity.as_deref().and_then(|s| s.parse::<Severity>().ok().or_else(|| words.severity(s)));
    let severity_text = severity_text.map(|s| strip_derate_suffix(&s));
    let first_seen = match r.get("first_seen") {
        None => None,
        Some(text) => {
            let formats = r.field("first_seen").map(|f| f.formats.as_slice()).unwrap_or_default();
            Some(parse_datetime_in(&text, formats, &profile.dates).ok_or_else(|| {
                format!("first_seen: cannot read {text:?} as a date; add its format to the field's formats or [dates] formats")
            })?)
        }
    };
    Ok(FaultRow {
        source_address: r.get("source").as_deref().and_then(parse_source_address).unwrap_or(UNKNOWN_SOURCE_ADDRESS),
        spn,
        fmi,
        description: r.get("description"),
        tier,
        severity_text,
        derate,
        occurrences: r.get("occurrences").as_deref().and_then(|t| parse_number(t).map(|n| n as u32)),
        first_seen,
        active,
        raw: r.raw(),
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
pub(crate) fn pattern(re: &str) -> Regex {
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

const BUILTIN_FORMATS: &[&str] =
    &["%b %d, %Y %I:%M %p", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"];

/// Portal timestamps, read as UTC: RFC 3339, RFC 2822, "Nov 3, 2026 8:05 AM", "11/03/2026 08:05 UTC",
/// "2026-11-03 08:05".
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    parse_datetime_in(text, &[], &DatesProfile::default())
}

/// A portal timestamp: with a zone as written, RFC 3339 or RFC 2822 or one of `formats` (with
/// `%z`); without one, in the profile's time zone. `formats` and the profile's come before the
/// built-in ones.
pub fn parse_datetime_in(text: &str, formats: &[String], dates: &DatesProfile) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text).or_else(|_| DateTime::parse_from_rfc2822(text)) {
        return Some(t.to_utc());
    }
    let given = formats.iter().chain(&dates.formats).map(String::as_str);
    for format in given.clone() {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Some(t.to_utc());
        }
    }
    let (bare, zone) = match text.strip_suffix("UTC").or_else(|| text.strip_suffix('Z')) {
        Some(bare) => (bare.trim(), chrono_tz::UTC),
        None => (text, dates.time_zone),
    };
    let naive =
        given.chain(BUILTIN_FORMATS.iter().copied()).find_map(|f| NaiveDateTime::parse_from_str(bare, f).ok())?;
    // A time that a clock change skips or repeats is taken at its earlier reading.
    naive.and_local_timezone(zone).earliest().map(|t| t.to_utc())
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
        assert_eq!(parse_datetime("Tue, 03 Nov 2026 08:05:00 +0000"), Some(t), "RFC 2822");
        let central = DatesProfile { time_zone: chrono_tz::America::Chicago, formats: vec!["%d.%m.%Y %H:%M".into()] };
        assert_eq!(parse_datetime_in("2026-11-03 02:05", &[], &central), Some(t), "no zone: the profile's (CST)");
        let summer = "2026-07-03T08:05:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(parse_datetime_in("2026-07-03 03:05", &[], &central), Some(summer), "daylight saving (CDT)");
        assert_eq!(parse_datetime_in("03.11.2026 02:05", &[], &central), Some(t), "the profile's own format");
        assert_eq!(parse_datetime_in("11/03/2026 08:05 UTC", &[], &central), Some(t), "a zone on the page wins");
        assert_eq!(parse_year_make_model("2022 Kenworth T680"), Some((2022, "Kenworth".into(), Some("T680".into()))));
        assert_eq!(parse_year_make_model("Kenworth"), None);
    }
}
