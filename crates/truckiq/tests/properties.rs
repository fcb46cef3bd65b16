//! Issue 17, item 1: random and garbled portal data through every parser, and random rows through
//! the store. Whatever a portal sends, TruckIQ must neither panic nor be left with a run that fails
//! on every try: a parser answers with a value or an error, and the store keeps a row, drops a value
//! it cannot hold, or sets the truck aside while the rest of the run is kept.
//!
//! Garbled inputs start from real ones (the page fixtures, the simulator's pages in all five
//! layouts and its PACCAR Solutions documents, Decisiv's published examples) so that the damage
//! lands where the parsers look, not only in their first "is this a page at all" check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashSet;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, Duration, SubsecRound, Utc};
use portal_sim::fleet::Fleet;
use portal_sim::solutions::documents;
use portal_sim::{Layout, Portal, Scenario, SimConfig, Simulator, UserSpec};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use truckiq::connector::{FleetFaults, FleetRead, PageFailure, TruckFaults, VehicleRead, assess, observations};
use truckiq::decisiv_api::read as decisiv;
use truckiq::decisiv_api::types::{
    AccountAttributes, AssetAttributes, CaseAttributes, Document, ErrorDocument, FaultAttributes, ReadingAttributes,
    Resource,
};
use truckiq::failure::FailureReason;
use truckiq::j1939::Severity;
use truckiq::portal::convert::vehicle_read;
use truckiq::portal::doctor;
use truckiq::portal::extract::VehicleExtract;
use truckiq::portal::parse::{
    DiagnosticsPage, VehicleListPage, parse_datetime, parse_datetime_in, parse_diagnostics, parse_miles, parse_number,
    parse_source_address, parse_spn_fmi, parse_vehicle_list, parse_year_make_model,
};
use truckiq::portal::profile::{DatesProfile, Profile, Words};
use truckiq::secrets::TotpSecret;
use truckiq::solutions::SolutionsProfile;
use truckiq::solutions::json as solutions;
use truckiq::store::{
    CaseObservation, FaultFilter, FaultObservation, FaultQuery, IncrementalState, NewAccount, ObservedFaults,
    PortalKind, RecordedSync, RunStatus, RunTrigger, Store, SyncRecord, TruckStatus, VehicleObservation, VehicleQuery,
    VehicleSnapshot,
};
use truckiq::sync::alerts;

// Parsers are cheap; a store case opens a fresh SQLite file and runs four syncs.
const PARSER_CASES: u32 = 256;
const STORE_CASES: u32 = 64;

/// No regression files: this file is the only one the suite keeps for these properties, and a
/// failure prints its minimal input.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------------------------
// What real inputs look like.

const TRUCKTECH: usize = 0;
const DECISIV_SRM: usize = 1;
const LEDGER: usize = 2;
const CARDS: usize = 3;
const BULLETIN: usize = 4;

/// The built-in page profiles and the three family profiles written from the families' pages.
static PROFILES: LazyLock<Vec<Profile>> = LazyLock::new(|| {
    let family = |text: &str, origin: &str| Profile::with_override(PortalKind::TruckTech, text, origin).unwrap();
    vec![
        Profile::builtin(PortalKind::TruckTech).unwrap(),
        Profile::builtin(PortalKind::DecisivSrm).unwrap(),
        family(LEDGER_PROFILE, "ledger.toml"),
        family(CARDS_PROFILE, "cards.toml"),
        family(BULLETIN_PROFILE, "bulletin.toml"),
    ]
});

const LEDGER_PROFILE: &str = include_str!("../../../tests/fixtures/profiles/ledger.toml");
const CARDS_PROFILE: &str = include_str!("../../../tests/fixtures/profiles/cards.toml");
const BULLETIN_PROFILE: &str = include_str!("../../../tests/fixtures/profiles/bulletin.toml");

static SOLUTIONS_PROFILE: LazyLock<SolutionsProfile> = LazyLock::new(|| SolutionsProfile::builtin().unwrap());
static WORDS: LazyLock<Words> = LazyLock::new(|| Words::shared().unwrap());

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageKind {
    List,
    Diagnostics,
}

#[derive(Debug)]
struct Page {
    name: String,
    html: String,
    /// The profile the page was written for (an index into `PROFILES`).
    profile: usize,
    kind: PageKind,
}

static PAGES: LazyLock<Vec<Page>> = LazyLock::new(|| {
    let mut pages = fixture_pages();
    pages.extend(simulator_pages());
    pages
});

fn pages_of(kind: PageKind) -> Vec<&'static Page> {
    PAGES.iter().filter(|p| p.kind == kind).collect()
}

fn fixture_pages() -> Vec<Page> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/portals");
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let profile = if name.starts_with("decisiv") { DECISIV_SRM } else { TRUCKTECH };
        let kind = if name.contains("diagnostics") || name.contains("no_faults") {
            PageKind::Diagnostics
        } else {
            PageKind::List
        };
        pages.push(Page { name, html: std::fs::read_to_string(&path).unwrap(), profile, kind });
    }
    pages
}

const USER: &str = "props@truckiq.example";
const PASSWORD: &str = "props-password";

/// Every layout's list page and two trucks' pages (the one with the most faults and the one with
/// the fewest), as the simulator serves them when it behaves, with malformed and missing rows, and
/// after a redesign.
fn simulator_pages() -> Vec<Page> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let sim = Simulator::start(SimConfig { vehicles: 6, seed: 17, ..SimConfig::default() }).await.unwrap();
        for portal in [Portal::Paccar, Portal::Decisiv] {
            sim.state().add_user(UserSpec::new(portal, USER, PASSWORD)).unwrap();
        }
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let fleet = sim.state().fleet_snapshot();
        let busiest = fleet.vehicles.iter().max_by_key(|v| v.faults.len()).unwrap().vin.clone();
        let quietest = fleet.vehicles.iter().min_by_key(|v| v.faults.len()).unwrap().vin.clone();
        let scenarios = [
            ("behaving", Scenario::default()),
            ("malformed", Scenario { malformed_rate: 0.5, missing_rate: 0.3, ..Scenario::default() }),
            ("drifted", Scenario { layout_drift: true, ..Scenario::default() }),
        ];
        let layouts = [
            (Layout::Paccar, TRUCKTECH),
            (Layout::Decisiv, DECISIV_SRM),
            (Layout::Ledger, LEDGER),
            (Layout::Cards, CARDS),
            (Layout::Bulletin, BULLETIN),
        ];
        let mut pages = Vec::new();
        for (layout, profile) in layouts {
            let base = sim.layout_url(layout);
            let cookie = sign_in(&http, &base, layout).await;
            let urls = &PROFILES[profile].urls;
            for (scenario_name, scenario) in &scenarios {
                sim.state().set_scenario(scenario.clone()).unwrap();
                let name = |what: &str| format!("{}{what} ({scenario_name})", layout.prefix());
                let html = get(&http, &format!("{base}{}", urls.vehicle_list), &cookie).await;
                pages.push(Page { name: name(" list"), html, profile, kind: PageKind::List });
                for vin in [&busiest, &quietest] {
                    let path = PROFILES[profile].diagnostics_path(vin);
                    let html = get(&http, &format!("{base}{path}"), &cookie).await;
                    pages.push(Page { name: name(&path), html, profile, kind: PageKind::Diagnostics });
                }
            }
        }
        sim.state().set_scenario(Scenario::default()).unwrap();
        sim.stop().await.unwrap();
        pages
    })
}

/// The session cookie (`name=value`) a plain user gets from the layout's sign-in form.
async fn sign_in(http: &reqwest::Client, base: &str, layout: Layout) -> String {
    let form = layout.sign_in();
    let response = http
        .post(format!("{base}{}", form.path))
        .form(&[(form.username_field, USER), (form.password_field, PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}: signing in answered {}", layout.prefix(), response.status());
    let wanted = format!("{}=", layout.session_cookie());
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok()?.split(';').next())
        .find(|cookie| cookie.starts_with(&wanted))
        .unwrap_or_else(|| panic!("{}: no session cookie", layout.prefix()))
        .to_owned()
}

async fn get(http: &reqwest::Client, url: &str, cookie: &str) -> String {
    let response = http.get(url).header(reqwest::header::COOKIE, cookie).send().await.unwrap();
    assert!(response.status().is_success(), "{url} answered {}", response.status());
    response.text().await.unwrap()
}

/// The simulator's PACCAR Solutions answers: vehicle searches and trucks' fault logs, as released
/// and after the gateway renamed fields.
struct SolutionsAnswers {
    searches: Vec<Value>,
    fault_logs: Vec<Value>,
}

static SOLUTIONS_ANSWERS: LazyLock<SolutionsAnswers> = LazyLock::new(|| {
    let fleet = Fleet::generate(17, 6, "2026-11-01T00:00:00Z".parse().unwrap());
    let (mut searches, mut fault_logs) = (Vec::new(), Vec::new());
    for drift in [false, true] {
        let docs: Vec<Value> = fleet.vehicles.iter().map(|v| documents::vehicle(v, 17, drift)).collect();
        searches.push(json!({ "data": docs, "responseDescription": { "totalHits": docs.len() } }));
        for v in fleet.vehicles.iter().filter(|v| !v.faults.is_empty()) {
            let entries: Vec<Value> = v.faults.iter().map(|f| documents::fault(f, v, drift)).collect();
            fault_logs.push(json!({ "data": entries, "responseDescription": { "totalHits": entries.len() } }));
        }
    }
    SolutionsAnswers { searches, fault_logs }
});

/// Every published 200 example TruckIQ reads from Decisiv's OpenAPI documents.
static DECISIV_EXAMPLES: LazyLock<Vec<Value>> = LazyLock::new(|| {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/decisiv");
    let paths = [
        ("decisiv-telematics-openapi.json", "/telematics/{srm_account_id}/v1/faults"),
        ("decisiv-telematics-openapi.json", "/telematics/{srm_account_id}/v1/faults/{uuid}"),
        ("decisiv-telematics-openapi.json", "/telematics/{srm_account_id}/v1/diagnostic_readings"),
        ("decisiv-asset-management-openapi.json", "/asset_management/{srm_account_id}/v1/registered_assets"),
        ("decisiv-asset-management-openapi.json", "/asset_management/{srm_account_id}/v1/registered_assets/{id}"),
        ("decisiv-asset-management-openapi.json", "/asset_management/{srm_account_id}/v1/cases"),
        ("decisiv-asset-management-openapi.json", "/asset_management/{srm_account_id}/v1/cases/{id}"),
        ("decisiv-account-management-openapi.json", "/account_management/v1/accounts"),
    ];
    let mut examples = Vec::new();
    for (file, path) in paths {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        let content = &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/vnd.api+json"];
        match content.get("example") {
            Some(example) => examples.push(example.clone()),
            None => examples.extend(content["examples"].as_object().unwrap().values().map(|e| e["value"].clone())),
        }
    }
    examples
});

// ---------------------------------------------------------------------------------------------
// Damage.

/// Text that means something to one of the parsers, or to HTML or JSON themselves.
const SNIPPETS: &[&str] = &[
    "<",
    ">",
    "</",
    "<tr>",
    "</tr>",
    "<td>",
    "</td>",
    "<table>",
    "</table>",
    "<tbody>",
    "<li>",
    "<dl>",
    "<dt>VIN</dt>",
    "<dd>",
    "<tr class=\"fault-row active\">",
    "<td class=\"code\">SPN 4294967296 / FMI 255</td>",
    "<a rel=\"next\" href=\"javascript:alert(1)\">",
    "<a disabled>",
    "<!--",
    "-->",
    "<script>",
    "</script>",
    "<![CDATA[",
    "]]>",
    "<time datetime=\"+275760-09-13T00:00:00Z\">",
    "&#0;",
    "&#x110000;",
    "&nbsp;",
    "&amp",
    "\0",
    "\u{feff}",
    "\u{202e}",
    "\u{fffd}",
    "\"",
    "'",
    "\\",
    "\\u0000",
    "\\ud800",
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "null",
    "true",
    "SPN",
    "FMI",
    "SPN:",
    "SA 999",
    "(SA 300)",
    "(256)",
    "Source Address 4294967296",
    "Active",
    "Inactive",
    "Previously active",
    "Stop Engine Immediately (Derate)",
    "km",
    "mi",
    "VIN",
    "VIN ",
    "Unit ",
    "—",
    "9999-99-99T99:99:99Z",
    "+275760-09-13T00:00:00Z",
    "-262143-01-01T00:00:00Z",
    "Feb 30, 2026 25:61 PM",
    "02/30/2026 24:00",
    "Tue, 03 Nov 99999 08:05:00 +0000",
    "0000-01-01 00:00",
    "2026-03-08 02:30",
    "1XKYD49X0NJ123456",
    "1XKYD49X0NJ12345ſ",
    "IOQIOQIOQIOQIOQIO",
];

/// What a number on a page or in a document can turn into.
const WEIRD_NUMBERS: &[&str] = &[
    "-1",
    "0",
    "-0",
    "00000000000000000000000000000031",
    "31",
    "32",
    "255",
    "256",
    "524287",
    "524288",
    "65535",
    "65536",
    "2147483648",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    "99999999999999999999999999999999999999999",
    "1e308",
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "-inf",
    "0.5",
    "3.999999999999999999999",
    "1,000,000",
    "1,,,,",
    "１２３",
    "٣",
    "",
    "0x1F",
    "1_000",
    "12e",
    "--5",
];

/// Openings that nest when repeated.
const OPENINGS: &[&str] = &["<div>", "<table><tr><td>", "<b><i>", "<tr>", "[", "{\"a\":", "[{\"data\":"];

#[derive(Debug, Clone)]
enum Edit {
    Truncate(Index),
    Delete(Index, Index),
    Insert(Index, String),
    Replace(Index, Index, String),
    Repeat(Index, Index, u8),
    Swap(Index, Index, Index),
    SwapTags(Index, Index),
    Number(Index, &'static str),
    EveryNumber(&'static str),
    Nest(Index, &'static str, u16),
}

fn snippet() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(SNIPPETS).prop_map(str::to_owned),
        2 => select(WEIRD_NUMBERS).prop_map(str::to_owned),
        1 => any::<String>(),
        1 => vec(any::<u8>(), 0..12).prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    let index = any::<Index>;
    prop_oneof![
        1 => index().prop_map(Edit::Truncate),
        2 => (index(), index()).prop_map(|(at, size)| Edit::Delete(at, size)),
        3 => (index(), snippet()).prop_map(|(at, text)| Edit::Insert(at, text)),
        3 => (index(), index(), snippet()).prop_map(|(at, size, text)| Edit::Replace(at, size, text)),
        1 => (index(), index(), 2..40u8).prop_map(|(at, size, times)| Edit::Repeat(at, size, times)),
        1 => (index(), index(), index()).prop_map(|(a, size, b)| Edit::Swap(a, size, b)),
        2 => (index(), index()).prop_map(|(a, b)| Edit::SwapTags(a, b)),
        3 => (index(), select(WEIRD_NUMBERS)).prop_map(|(which, number)| Edit::Number(which, number)),
        1 => select(WEIRD_NUMBERS).prop_map(Edit::EveryNumber),
        // Past serde_json's 128 levels and deeper than any real page: a label field once built
        // the whole text of every element it tried, and 1 200 levels over a page took seconds.
        1 => (index(), select(OPENINGS), 1..1500u16).prop_map(|(at, opening, depth)| Edit::Nest(at, opening, depth)),
    ]
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    vec(edit(), 1..6)
}

/// At most 512 bytes from a place in `0..=len`.
fn span(len: usize, at: &Index, size: &Index) -> std::ops::Range<usize> {
    let from = at.index(len + 1);
    from..from + size.index((len - from).min(512) + 1)
}

/// `bytes` with two non-overlapping ranges swapped (`first` before `second`).
fn swapped(bytes: &[u8], first: std::ops::Range<usize>, second: std::ops::Range<usize>) -> Vec<u8> {
    [
        &bytes[..first.start],
        &bytes[second.clone()],
        &bytes[first.end..second.start],
        &bytes[first],
        &bytes[second.end..],
    ]
    .concat()
}

fn runs_of(bytes: &[u8], starts: impl Fn(u8) -> bool, ends: impl Fn(u8) -> bool) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if starts(bytes[i]) {
            let start = i;
            i += 1;
            while i < bytes.len() && !ends(bytes[i]) {
                i += 1;
            }
            found.push(start..i.min(bytes.len()));
        } else {
            i += 1;
        }
    }
    found
}

fn digit_runs(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    runs_of(bytes, |b| b.is_ascii_digit(), |b| !b.is_ascii_digit())
}

/// Each `<…>`, its closing bracket included.
fn tags(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    runs_of(bytes, |b| b == b'<', |b| b == b'>').into_iter().map(|r| r.start..(r.end + 1).min(bytes.len())).collect()
}

fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    let len = bytes.len();
    match edit {
        Edit::Truncate(at) => bytes.truncate(at.index(len + 1)),
        Edit::Delete(at, size) => {
            bytes.drain(span(len, at, size));
        }
        Edit::Insert(at, text) => {
            let at = at.index(len + 1);
            bytes.splice(at..at, text.bytes());
        }
        Edit::Replace(at, size, text) => {
            bytes.splice(span(len, at, size), text.bytes());
        }
        Edit::Repeat(at, size, times) => {
            let range = span(len, at, size);
            let copies = bytes[range.clone()].repeat(usize::from(*times));
            bytes.splice(range.end..range.end, copies);
        }
        Edit::Swap(a, size, b) => {
            let first = span(len, a, size);
            let start = first.end + b.index(len - first.end + 1);
            let second = start..(start + first.len()).min(len);
            *bytes = swapped(bytes, first, second);
        }
        Edit::SwapTags(a, b) => {
            let tags = tags(bytes);
            if tags.len() >= 2 {
                let (i, j) = (a.index(tags.len()), b.index(tags.len()));
                let (i, j) = (i.min(j), i.max(j));
                if i != j {
                    *bytes = swapped(bytes, tags[i].clone(), tags[j].clone());
                }
            }
        }
        Edit::Number(which, number) => {
            let runs = digit_runs(bytes);
            if !runs.is_empty() {
                bytes.splice(runs[which.index(runs.len())].clone(), number.bytes());
            }
        }
        Edit::EveryNumber(number) => {
            for run in digit_runs(bytes).into_iter().rev() {
                bytes.splice(run, number.bytes());
            }
        }
        Edit::Nest(at, opening, depth) => {
            let at = at.index(len + 1);
            bytes.splice(at..at, opening.repeat(usize::from(*depth)).into_bytes());
        }
    }
}

/// `text` after `edits`, read back as text the way a browser or an HTTP client would.
fn garble(text: &str, edits: &[Edit]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for edit in edits {
        apply(&mut bytes, edit);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A change to one node of a JSON document, found by its place in a pre-order walk.
#[derive(Debug, Clone)]
enum ValueEdit {
    Set(Index, Value),
    Remove(Index),
    Rename(Index, String),
    Wrap(Index, u8),
}

fn weird_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // Not-finite numbers become null, as serde_json writes them.
        any::<f64>().prop_map(|f| json!(f)),
        select(WEIRD_NUMBERS).prop_map(|n| serde_json::from_str(n).unwrap_or_else(|_| Value::from(n))),
        select(WEIRD_NUMBERS).prop_map(Value::from),
        select(SNIPPETS).prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            vec(("[a-zA-Z_]{1,12}", inner), 0..4).prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

fn value_edit() -> impl Strategy<Value = ValueEdit> {
    prop_oneof![
        4 => (any::<Index>(), weird_value()).prop_map(|(at, value)| ValueEdit::Set(at, value)),
        2 => any::<Index>().prop_map(ValueEdit::Remove),
        1 => (any::<Index>(), prop_oneof![select(SNIPPETS).prop_map(str::to_owned), "[a-zA-Z]{0,12}"])
            .prop_map(|(at, name)| ValueEdit::Rename(at, name)),
        1 => (any::<Index>(), 1..150u8).prop_map(|(at, depth)| ValueEdit::Wrap(at, depth)),
    ]
}

fn value_edits() -> impl Strategy<Value = Vec<ValueEdit>> {
    vec(value_edit(), 0..6)
}

fn pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    out.push(at.to_owned());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                pointers(child, &format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn apply_value(doc: &mut Value, edit: &ValueEdit) {
    let mut all = Vec::new();
    pointers(doc, "", &mut all);
    let pick = |at: &Index| all[at.index(all.len())].clone();
    // The parent of a node and its key there, for the root's children and below.
    let parent_of = |pointer: &str| {
        pointer
            .rfind('/')
            .map(|cut| (pointer[..cut].to_owned(), pointer[cut + 1..].replace("~1", "/").replace("~0", "~")))
    };
    match edit {
        ValueEdit::Set(at, value) => *doc.pointer_mut(&pick(at)).unwrap() = value.clone(),
        ValueEdit::Wrap(at, depth) => {
            let node = doc.pointer_mut(&pick(at)).unwrap();
            for i in 0..*depth {
                *node = if i % 2 == 0 { json!([node.take()]) } else { json!({ "x": node.take() }) };
            }
        }
        ValueEdit::Remove(at) | ValueEdit::Rename(at, _) => {
            let Some((parent, key)) = parent_of(&pick(at)) else { return };
            match (doc.pointer_mut(&parent).unwrap(), edit) {
                (Value::Object(map), ValueEdit::Rename(_, name)) => {
                    if let Some(value) = map.remove(&key) {
                        map.insert(name.clone(), value);
                    }
                }
                (Value::Object(map), _) => {
                    map.remove(&key);
                }
                (Value::Array(items), _) => {
                    if let Ok(i) = key.parse::<usize>()
                        && i < items.len()
                    {
                        items.remove(i);
                    }
                }
                _ => {}
            }
        }
    }
}

/// A real document changed node by node, written out and then damaged as text.
fn damaged(doc: &Value, changes: &[ValueEdit], text_edits: &[Edit]) -> String {
    let mut doc = doc.clone();
    for change in changes {
        apply_value(&mut doc, change);
    }
    garble(&serde_json::to_string(&doc).unwrap(), text_edits)
}

/// Text damage only some of the time, so that the typed layer behind the JSON parser is reached.
fn maybe_edits() -> impl Strategy<Value = Vec<Edit>> {
    prop_oneof![Just(Vec::new()), vec(edit(), 1..4)]
}

// ---------------------------------------------------------------------------------------------
// What a parser promises of what it returns.

fn plausible_vin(vin: &str) -> bool {
    vin.len() == 17 && vin.bytes().all(|b| (b.is_ascii_uppercase() || b.is_ascii_digit()) && !b"IOQ".contains(&b))
}

fn check_meter(meter: Option<f64>) -> Result<(), TestCaseError> {
    if let Some(m) = meter {
        prop_assert!(!m.is_nan() && m >= 0.0, "meter {m}");
    }
    Ok(())
}

fn check_year(year: Option<u16>) -> Result<(), TestCaseError> {
    if let Some(y) = year {
        prop_assert!((1950..=2100).contains(&y), "year {y}");
    }
    Ok(())
}

fn check_code(spn: u32, fmi: u8) -> Result<(), TestCaseError> {
    prop_assert!(spn <= 524_287 && fmi <= 31, "SPN {spn} FMI {fmi}");
    Ok(())
}

fn check_list(page: &VehicleListPage) -> Result<(), TestCaseError> {
    for v in &page.vehicles {
        prop_assert!(plausible_vin(&v.vin), "VIN {:?}", v.vin);
        check_year(v.year)?;
        check_meter(v.odometer_mi)?;
        check_meter(v.engine_hours)?;
    }
    Ok(())
}

fn check_diagnostics(page: &DiagnosticsPage) -> Result<(), TestCaseError> {
    check_year(page.year)?;
    check_meter(page.odometer_mi)?;
    check_meter(page.engine_hours)?;
    for f in &page.faults {
        check_code(f.spn, f.fmi)?;
    }
    Ok(())
}

/// Every HTML parser on one page with one profile, and the doctor's when `doctor`.
fn read_page(html: &str, profile: &Profile, doctor: bool) -> Result<(), TestCaseError> {
    if let Ok(page) = parse_vehicle_list(html, profile) {
        check_list(&page)?;
    }
    if let Ok(mut page) = parse_diagnostics(html, profile) {
        check_diagnostics(&page)?;
        // A "more" page taken in, whether it repeats the rows or adds to them.
        let again = page.clone();
        page.absorb(again, false);
        page.absorb(DiagnosticsPage::default(), true);
    }
    if doctor {
        doctor::check_vehicle_list(html, "property", profile);
        doctor::check_diagnostics(html, "property", profile);
        doctor::check_saved_page(html, "property", profile);
    }
    Ok(())
}

fn check_snapshot(v: &VehicleSnapshot) -> Result<(), TestCaseError> {
    prop_assert!(plausible_vin(&v.vin), "VIN {:?}", v.vin);
    check_year(v.model_year)?;
    for m in [v.odometer_mi, v.engine_hours].into_iter().flatten() {
        prop_assert!(m.is_finite() && m >= 0.0, "meter {m}");
    }
    Ok(())
}

fn check_observation(f: &FaultObservation) -> Result<(), TestCaseError> {
    check_code(f.spn, f.fmi)?;
    if let Some(raw) = &f.raw_json {
        prop_assert!(serde_json::from_str::<Value>(raw).is_ok(), "raw_json {raw:?}");
    }
    Ok(())
}

/// Every Solutions parser on one answer: as a search, as a fault log, as a single document, and
/// through the doctor.
fn read_solutions_answer(text: &str) -> Result<(), TestCaseError> {
    let Ok(answer) = serde_json::from_str::<Value>(text) else { return Ok(()) };
    let profile = &*SOLUTIONS_PROFILE;
    let rows = answer.get("data").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut observed = Vec::new();
    for doc in rows.iter().chain([&answer]) {
        if let Ok(v) = solutions::vehicle(doc, profile) {
            check_snapshot(&v)?;
        }
        if let Ok(Some(f)) = solutions::fault(doc, profile) {
            check_observation(&f)?;
            prop_assert_eq!(f.source_address, 254);
            observed.push(f);
        }
    }
    let codes = |faults: &[FaultObservation]| faults.iter().map(|f| (f.spn, f.fmi)).collect::<HashSet<_>>();
    let before = codes(&observed);
    let merged = solutions::merge_duplicates(observed);
    prop_assert_eq!(merged.len(), before.len(), "one observation per code");
    prop_assert_eq!(codes(&merged), before);
    let safe = solutions::redact(&answer);
    prop_assert!(!serde_json::to_string(&safe).unwrap().is_empty());
    solutions::lookup(&answer, "responseDescription.totalHits");
    truckiq::solutions::doctor::check_vehicles(&answer, "property", profile);
    truckiq::solutions::doctor::check_faults(&answer, "property", profile);
    truckiq::solutions::doctor::check_saved_answer(&answer, "property", profile);
    Ok(())
}

fn read_decisiv_assets(assets: &[Resource<AssetAttributes>]) -> Result<(), TestCaseError> {
    for asset in assets {
        if let Some(v) = decisiv::vehicle(asset) {
            check_snapshot(&v)?;
        }
    }
    for (_, vin) in decisiv::vins_by_asset(assets) {
        prop_assert!(plausible_vin(&vin));
    }
    Ok(())
}

fn read_decisiv_faults(faults: &[Resource<FaultAttributes>]) -> Result<(), TestCaseError> {
    for resource in faults {
        if let Some(f) = decisiv::fault(resource, &WORDS) {
            check_observation(&f)?;
        }
        if let Some(place) = resource.attributes.location.as_ref().and_then(|l| l.text()) {
            let (lat, lon) = place.split_once(", ").unwrap();
            let (lat, lon): (f64, f64) = (lat.parse().unwrap(), lon.parse().unwrap());
            prop_assert!((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon), "{place}");
        }
        resource.related("asset");
        resource.related_all("faults");
    }
    Ok(())
}

/// Every Decisiv document type TruckIQ reads, listed and single, from one body.
fn read_decisiv_body(text: &str) -> Result<(), TestCaseError> {
    if let Ok(doc) = serde_json::from_str::<Document<Vec<Resource<AssetAttributes>>>>(text) {
        read_decisiv_assets(&doc.data)?;
        let read = decisiv::fleet(&doc.data, &[], &WORDS, FleetFaults::Complete);
        prop_assert_eq!(read.vehicles.len() + read.list_problems as usize, doc.data.len());
    }
    if let Ok(doc) = serde_json::from_str::<Document<Resource<AssetAttributes>>>(text) {
        read_decisiv_assets(std::slice::from_ref(&doc.data))?;
    }
    if let Ok(doc) = serde_json::from_str::<Document<Vec<Resource<FaultAttributes>>>>(text) {
        read_decisiv_faults(&doc.data)?;
        let times = doc.data.iter().filter_map(|f| f.attributes.triggered_at.as_deref());
        let newest = times.clone().filter_map(parse_datetime).max();
        let latest = decisiv::latest(times);
        prop_assert_eq!(latest.is_some(), newest.is_some());
        if let (Some(latest), Some(newest)) = (latest, newest) {
            // Past year 9999 the point cannot be read back, and the next sync reads everything.
            if (0..=9999).contains(&newest.year()) {
                prop_assert_eq!(parse_datetime(&latest), Some(newest.trunc_subsecs(0)), "{}", latest);
            }
            truckiq::decisiv_api::plan(IncrementalState { changes_since: Some(latest), ..IncrementalState::default() });
        }
    }
    if let Ok(doc) = serde_json::from_str::<Document<Resource<FaultAttributes>>>(text) {
        read_decisiv_faults(std::slice::from_ref(&doc.data))?;
    }
    let vin_of = [("73b781e9-d724-4c8c-89fe-b289abade626", "1XKYD49X0NJ123456".to_owned())].into_iter().collect();
    if let Ok(doc) = serde_json::from_str::<Document<Vec<Resource<CaseAttributes>>>>(text) {
        for case in doc.data.iter().filter_map(|c| decisiv::case(c, &vin_of)) {
            prop_assert_eq!(case.vin.len(), 17);
        }
    }
    if let Ok(doc) = serde_json::from_str::<Document<Vec<Resource<ReadingAttributes>>>>(text) {
        for reading in &doc.data {
            reading.related_all("faults");
        }
    }
    let _ = serde_json::from_str::<Document<Vec<Resource<AccountAttributes>>>>(text);
    let _ = serde_json::from_str::<ErrorDocument>(text);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Parsers: arbitrary text, and real inputs garbled.

/// Text with the shape of markup, so the parsers get past "no rows here" more often.
fn html_ish() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        vec(snippet(), 0..40).prop_map(|parts| parts.concat()),
        vec(select(SNIPPETS), 0..60).prop_map(|parts| format!("<html><body><table>{}</table>", parts.concat())),
    ]
}

proptest! {
    #![proptest_config(config(PARSER_CASES))]

    #[test]
    fn html_parsers_take_any_text_without_panicking(html in html_ish()) {
        for profile in PROFILES.iter() {
            read_page(&html, profile, true)?;
        }
    }

    #[test]
    fn html_parsers_take_garbled_real_pages_without_panicking(which in any::<Index>(), edits in edits()) {
        let page = &PAGES[which.index(PAGES.len())];
        let html = garble(&page.html, &edits);
        let named = |e: TestCaseError| TestCaseError::fail(format!("{}: {e}", page.name));
        read_page(&html, &PROFILES[page.profile], true).map_err(named)?;
        // Another layout's profile on it: a portal showing some other page.
        read_page(&html, &PROFILES[(page.profile + 1) % PROFILES.len()], false).map_err(named)?;
    }

    #[test]
    fn spn_fmi_is_read_only_in_j1939_range(
        text in any::<String>(),
        spn in prop_oneof![0..=524_287u64, any::<u64>()],
        fmi in prop_oneof![0..=31u64, any::<u64>()],
        between in select(&[" / ", ", ", " ", " - ", "/", "-"][..]),
    ) {
        if let Some((spn, fmi)) = parse_spn_fmi(&text) {
            check_code(spn, fmi)?;
        }
        let written = format!("SPN {spn}{between}FMI {fmi}");
        let in_range = spn <= 524_287 && fmi <= 31;
        let wanted = in_range.then_some((spn as u32, fmi as u8));
        prop_assert_eq!(parse_spn_fmi(&written), wanted, "{}", written);
        if between.contains(['/', '-']) {
            let bare = format!("{spn}{}{fmi}", between.trim());
            prop_assert_eq!(parse_spn_fmi(&bare), wanted, "{}", bare);
        }
    }

    #[test]
    fn field_parsers_take_any_text_without_panicking(
        text in prop_oneof![
            any::<String>(),
            vec(select(WEIRD_NUMBERS), 0..4).prop_map(|parts| parts.join(" ")),
            (select(WEIRD_NUMBERS), select(&["SA ", "(", "Engine #", "ACM (", ""][..]), select(&["", ")", " km", " mi", " hrs"][..]))
                .prop_map(|(n, before, after)| format!("{before}{n}{after}")),
        ],
    ) {
        parse_source_address(&text);
        for n in [parse_number(&text), parse_miles(&text)].into_iter().flatten() {
            prop_assert!(!n.is_nan() && n >= 0.0, "{n} from {text:?}");
        }
        if let Some((year, make, _)) = parse_year_make_model(&text) {
            check_year(Some(year))?;
            prop_assert!(!make.is_empty());
        }
        parse_datetime(&text);
    }

    #[test]
    fn dates_are_read_in_any_format_and_zone_without_panicking(
        text in prop_oneof![any::<String>(), select(SNIPPETS).prop_map(str::to_owned), date_text()],
        formats in vec(prop_oneof![any::<String>(), "(%[a-zA-Z%:.#0-9+-]|[ ,/:.-]){0,8}"], 0..3),
        zone in select(&["UTC", "America/Chicago", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Dublin", "Australia/Lord_Howe"][..]),
    ) {
        let dates = DatesProfile { time_zone: zone.parse().unwrap(), formats: formats.clone() };
        parse_datetime_in(&text, &formats, &dates);
        parse_datetime_in(&text, &[], &dates);
    }

    #[test]
    fn a_written_rfc3339_time_reads_back_as_itself(t in four_digit_year_time()) {
        prop_assert_eq!(parse_datetime(&t.to_rfc3339()), Some(t));
    }

    #[test]
    fn solutions_parsers_take_any_text_without_panicking(text in prop_oneof![any::<String>(), vec(snippet(), 0..30).prop_map(|p| p.concat())]) {
        read_solutions_answer(&text)?;
    }

    #[test]
    fn solutions_parsers_take_garbled_gateway_answers_without_panicking(
        fault_log in any::<bool>(),
        which in any::<Index>(),
        changes in value_edits(),
        text_edits in maybe_edits(),
    ) {
        let answers = if fault_log { &SOLUTIONS_ANSWERS.fault_logs } else { &SOLUTIONS_ANSWERS.searches };
        read_solutions_answer(&damaged(&answers[which.index(answers.len())], &changes, &text_edits))?;
    }

    #[test]
    fn decisiv_parsers_take_any_text_without_panicking(text in prop_oneof![any::<String>(), vec(snippet(), 0..30).prop_map(|p| p.concat())]) {
        read_decisiv_body(&text)?;
    }

    #[test]
    fn decisiv_parsers_take_garbled_published_examples_without_panicking(
        which in any::<Index>(),
        changes in value_edits(),
        text_edits in maybe_edits(),
    ) {
        read_decisiv_body(&damaged(&DECISIV_EXAMPLES[which.index(DECISIV_EXAMPLES.len())], &changes, &text_edits))?;
    }

    #[test]
    fn decisiv_parsers_take_generated_documents_without_panicking(docs in decisiv_documents(false), text_edits in maybe_edits()) {
        for doc in [&docs.assets, &docs.faults, &docs.cases] {
            read_decisiv_body(&garble(&serde_json::to_string(doc).unwrap(), &text_edits))?;
        }
    }

    #[test]
    fn profile_files_of_any_text_are_refused_or_read_without_panicking(
        text in prop_oneof![
            any::<String>(),
            (select(&[LEDGER_PROFILE, CARDS_PROFILE, BULLETIN_PROFILE][..]), edits()).prop_map(|(p, e)| garble(p, &e)),
        ],
    ) {
        for kind in [PortalKind::TruckTech, PortalKind::DecisivSrm] {
            if let Ok(profile) = Profile::with_override(kind, &text, "property.toml") {
                for page in PAGES.iter().take(3) {
                    read_page(&page.html, &profile, true)?;
                }
                profile.diagnostics_path("1XKYD49X0NJ123456");
                profile.list_page_path(usize::MAX);
            }
        }
        let _ = SolutionsProfile::with_override(&text, "property.toml");
    }

    #[test]
    fn totp_secrets_are_refused_or_make_codes(
        input in prop_oneof![
            any::<String>(),
            "[A-Za-z2-7 =-]{0,80}",
            otpauth_link(),
            (otpauth_link(), edits()).prop_map(|(link, e)| garble(&link, &e)),
        ],
        at in any::<u64>(),
    ) {
        let Ok(secret) = TotpSecret::parse(&input) else { return Ok(()) };
        let base32 = secret.expose_base32();
        prop_assert!(base32.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)), "{base32}");
        prop_assert!(base32.len() * 5 >= 128);
        let params = secret.params();
        prop_assert!((6..=8).contains(&params.digits) && (1..=300).contains(&params.period), "{params:?}");
        let stored = secret.stored_form();
        let again = TotpSecret::parse(stored.expose());
        prop_assert_eq!(again, Ok(secret.clone()), "the keychain's form reads back");
        for time in [0, at] {
            let code = secret.code_at(time);
            prop_assert!(code.is_some(), "an accepted secret ({} characters) makes no code", base32.len());
            let code = code.unwrap();
            prop_assert!(code.expose().len() == usize::from(params.digits) && code.expose().bytes().all(|b| b.is_ascii_digit()));
        }
    }
}

fn four_digit_year_time() -> impl Strategy<Value = DateTime<Utc>> {
    let (min, max) = ("0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z");
    let range = min.parse::<DateTime<Utc>>().unwrap().timestamp()..=max.parse::<DateTime<Utc>>().unwrap().timestamp();
    (range, 0..1_000_000_000u32).prop_map(|(secs, nanos)| DateTime::from_timestamp(secs, nanos).unwrap())
}

/// Any time chrono can hold, and the edges of it.
fn any_time() -> impl Strategy<Value = DateTime<Utc>> {
    let range = DateTime::<Utc>::MIN_UTC.timestamp()..=DateTime::<Utc>::MAX_UTC.timestamp();
    prop_oneof![
        Just(DateTime::<Utc>::MIN_UTC),
        Just(DateTime::<Utc>::MAX_UTC),
        Just(DateTime::<Utc>::UNIX_EPOCH),
        four_digit_year_time(),
        (range, 0..1_000_000_000u32).prop_map(|(secs, nanos)| DateTime::from_timestamp(secs, nanos).unwrap()),
    ]
}

fn date_text() -> impl Strategy<Value = String> {
    prop_oneof![
        select(
            &[
                "2025-03-11T18:48:34Z",
                "2025-03-11T18:48:34.123456789+14:00",
                "9999-12-31T23:59:59Z",
                "0000-01-01T00:00:00Z",
                "2026-02-30T00:00:00Z",
                "2026-11-01T25:00:00Z",
                "+275760-09-13T00:00:00Z",
                "Tue, 03 Nov 2026 08:05:00 +0000",
                "Tue, 03 Nov 99999 08:05:00 +9999",
                "Nov 3, 2026 8:05 AM",
                "11/03/2026 08:05 UTC",
                "2026-03-08 02:30",
                "yesterday",
                "",
            ][..]
        )
        .prop_map(str::to_owned),
        any_time().prop_map(|t| t.to_rfc3339()),
        any_time().prop_map(|t| t.format("%b %d, %Y %I:%M %p").to_string()),
        any::<String>(),
    ]
}

fn otpauth_link() -> impl Strategy<Value = String> {
    (
        "[A-Z2-7]{20,60}",
        select(&["SHA1", "sha256", "SHA-512", "MD5", ""][..]),
        prop_oneof![select(WEIRD_NUMBERS).prop_map(str::to_owned), (0..12u8).prop_map(|d| d.to_string())],
        prop_oneof![select(WEIRD_NUMBERS).prop_map(str::to_owned), (0..400u16).prop_map(|p| p.to_string())],
    )
        .prop_map(|(secret, algorithm, digits, period)| {
            format!("otpauth://totp/PACCAR:ops?secret={secret}&algorithm={algorithm}&digits={digits}&period={period}")
        })
}

// ---------------------------------------------------------------------------------------------
// Decisiv documents shaped as published, with any values in them.

const VINS: &[&str] = &["1XKYD49X0NJ123456", "1XPBD49X1MD765432", "XLRTEH4300G987654", "2NKHHM6X7RM554433"];
const ASSET_IDS: &[&str] = &["a1", "a2", "a3"];

#[derive(Debug, Clone)]
struct DecisivDocuments {
    assets: Value,
    faults: Value,
    cases: Value,
}

fn text_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        select(SNIPPETS).prop_map(Value::from),
        select(WEIRD_NUMBERS).prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ]
}

fn number_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<f64>().prop_map(|f| json!(f)),
        any::<i64>().prop_map(Value::from),
        (0.0..2e6f64).prop_map(|f| json!(f))
    ]
}

fn related(ids: impl Strategy<Value = String>) -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        6 => ids.prop_map(|id| json!({ "data": { "type": "x", "id": id } })),
    ]
}

fn asset_id() -> impl Strategy<Value = String> {
    prop_oneof![4 => select(ASSET_IDS).prop_map(str::to_owned), 1 => any::<String>()]
}

fn asset() -> impl Strategy<Value = Value> {
    let vin = prop_oneof![
        6 => select(VINS).prop_map(str::to_owned),
        1 => select(VINS).prop_map(|v| format!(" {} ", v.to_lowercase())),
        1 => any::<String>(),
    ];
    let year =
        prop_oneof![Just(Value::Null), (1950..=2100i64).prop_map(Value::from), any::<i64>().prop_map(Value::from)];
    (
        asset_id(),
        (vin, text_value(), text_value(), text_value(), year),
        (text_value(), text_value(), number_value(), select(&["mi", "km", "KM", "furlongs", ""][..]), number_value()),
    )
        .prop_map(|(id, (vin, unit, make, model, year), (engine_make, engine_model, odometer, unit_of, hours))| {
            json!({
                "id": id,
                "type": "registered_assets",
                "attributes": {
                    "vin": vin, "unit_number": unit, "make": make, "model": model, "year": year,
                    "engine": { "make": engine_make, "model": engine_model },
                    "odometer_value": odometer, "odometer_unit": unit_of, "engine_hours": hours,
                },
            })
        })
}

fn code_text(range_max: u32) -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (0..=range_max).prop_map(|n| Value::from(n.to_string())),
        2 => select(WEIRD_NUMBERS).prop_map(Value::from),
        1 => Just(Value::Null),
        1 => any::<String>().prop_map(Value::from),
    ]
}

/// `wide_scores`: severity scores beyond the published 0–100.
fn fault_resource(wide_scores: bool) -> impl Strategy<Value = Value> {
    let score = if wide_scores {
        prop_oneof![
            Just(Value::Null),
            (0..=100i64).prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            (101..=255i64).prop_map(Value::from)
        ]
        .boxed()
    } else {
        prop_oneof![Just(Value::Null), (0..=100i64).prop_map(Value::from)].boxed()
    };
    let guidance = vec(
        (select(&["Engine Derate", "Recommended Action", "engine derate", ""][..]), text_value())
            .prop_map(|(name, value)| json!({ "name": name, "value": value })),
        0..3,
    );
    let details = (
        text_value(),
        prop_oneof![any::<u32>().prop_map(|sa| Value::from(format!("Source Address {sa}"))), text_value()],
        prop_oneof![Just(Value::Null), any::<i64>().prop_map(Value::from), (0..10i64).prop_map(Value::from)],
        prop_oneof![
            select(&["Severe", "Critical", "Moderate", "Minor", "Info", "Stop Now"][..]).prop_map(Value::from),
            text_value()
        ],
        text_value(),
    );
    (
        (any::<String>(), related(asset_id()), date_text(), code_text(524_287), code_text(31)),
        (score, prop_oneof![Just(Value::Null), any::<bool>().prop_map(Value::from)], guidance, details),
        (text_value(), text_value()),
    )
        .prop_map(|((id, asset, triggered_at, spn, fmi), (score, active, guidance, details), (lat, lon))| {
            let (component, description, occurrences, level, text) = details;
            json!({
                "id": id,
                "type": "faults",
                "attributes": {
                    "triggered_at": triggered_at, "spn": spn, "fmi": fmi, "severity": score, "active": active,
                    "guidance": guidance,
                    "details": {
                        "component": { "name": component, "description": description },
                        "occurrences": occurrences, "severity_level": level, "description": text,
                    },
                    "location": { "latitude": lat, "longitude": lon },
                },
                "relationships": { "asset": asset },
            })
        })
}

/// `empty_ids`: case ids may be empty.
fn case_resource(empty_ids: bool) -> impl Strategy<Value = Value> {
    let id = if empty_ids {
        any::<String>().boxed()
    } else {
        any::<String>().prop_filter("a case id", |id| !id.is_empty()).boxed()
    };
    let time = || prop_oneof![Just(Value::Null), date_text().prop_map(Value::from)];
    (
        (id, related(asset_id()), text_value(), number_value(), text_value()),
        (prop_oneof![Just(Value::Null), any::<bool>().prop_map(Value::from)], text_value(), text_value()),
        (time(), time(), time(), time(), time(), time()),
    )
        .prop_map(|((id, asset, complaint, reference, ro), (closed, status, repair), (started, down, up, closed_at, created, updated))| {
            json!({
                "id": id,
                "type": "cases",
                "attributes": {
                    "complaint": complaint, "reference_number": reference, "ro_number": ro, "closed": closed,
                    "status": status, "repair_status": repair,
                    "event_timestamps": { "started_at": started, "asset_downtime": down, "asset_uptime": up, "closed_at": closed_at },
                    "created_at": created, "updated_at": updated,
                },
                "relationships": { "registered_asset": asset },
            })
        })
}

/// The assets, faults and cases of one account. `wide`: values outside what Decisiv publishes
/// (severity scores over 100, empty case ids).
fn decisiv_documents(wide: bool) -> impl Strategy<Value = DecisivDocuments> {
    (vec(asset(), 0..6), vec(fault_resource(wide), 0..10), vec(case_resource(wide), 0..4)).prop_map(
        |(assets, faults, cases)| DecisivDocuments {
            assets: json!({ "data": assets }),
            faults: json!({ "data": faults }),
            cases: json!({ "data": cases }),
        },
    )
}

// ---------------------------------------------------------------------------------------------
// The store.

fn t(hours: i64) -> DateTime<Utc> {
    "2026-11-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::hours(hours)
}

fn setup(kind: PortalKind) -> (tempfile::TempDir, Store, i64) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("db.sqlite3")).unwrap();
    let account = store
        .insert_account(&NewAccount {
            name: "Props".into(),
            portal_kind: kind,
            base_url: "https://paccarsolutions.com".into(),
            username: "ops@props.example".into(),
            sync_interval_minutes: 240,
        })
        .unwrap();
    (dir, store, account)
}

/// One run stored as the sync engine stores it: with its alerts and its run record.
fn record(
    store: &mut Store,
    account: i64,
    now: DateTime<Utc>,
    observed: &[VehicleObservation],
    list_problems: u32,
    cases: Option<&[CaseObservation]>,
) -> truckiq::store::Result<RecordedSync> {
    let run = store.start_run(account, RunTrigger::Manual, 1, now)?;
    let record = SyncRecord {
        account_id: account,
        run_id: run,
        now,
        observed,
        list_problems,
        first_problem: None,
        problem_page: None,
        cases,
        case_alert_after: Duration::hours(4),
    };
    store.record_sync(&record, |facts| alerts::for_sync(account, "Props", facts), &truckiq::store::NoChannels)
}

/// A read nothing is wrong with, of trucks the random rows also name.
fn good_read(round: u32) -> Vec<VehicleObservation> {
    VINS[..2]
        .iter()
        .map(|vin| VehicleObservation {
            vehicle: VehicleSnapshot {
                vin: (*vin).into(),
                unit_number: Some("1042".into()),
                model_year: Some(2022),
                make: Some("Kenworth".into()),
                odometer_mi: Some(1000.0 + f64::from(round)),
                engine_hours: Some(10.0 + f64::from(round)),
                ..VehicleSnapshot::default()
            },
            faults: ObservedFaults::Read(vec![
                support::fault_observation(100, 1, true, Severity::Critical),
                support::fault_observation(3226, 4, round.is_multiple_of(2), Severity::Major),
            ]),
        })
        .collect()
}

/// What must hold of a store whatever was written to it: its file is sound and every read the app
/// makes of it answers.
fn check_store(store: &Store, account: i64, now: DateTime<Utc>) -> Result<(), TestCaseError> {
    let integrity: String = store.connection().query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    prop_assert_eq!(integrity, "ok");
    let dangling: i64 =
        store.connection().query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    prop_assert_eq!(dangling, 0);
    let page = store.list_vehicles(&VehicleQuery::default());
    prop_assert!(page.is_ok(), "the vehicle list: {:?}", page.err());
    for row in page.unwrap().rows {
        let detail = store.vehicle_detail(row.id, now);
        prop_assert!(detail.is_ok(), "vehicle {} ({:?}): {:?}", row.id, row.vin, detail.err());
    }
    let faults = store.list_faults(&FaultQuery::first(FaultFilter::default(), FaultQuery::MAX_LIMIT));
    prop_assert!(faults.is_ok(), "the fault list: {:?}", faults.err());
    let csv = store.export_faults_csv(&FaultFilter::default(), std::io::sink());
    prop_assert!(csv.is_ok(), "the CSV: {:?}", csv.err());
    let fleet = store.fleet_summary(5, now);
    prop_assert!(fleet.is_ok(), "the fleet summary: {:?}", fleet.err());
    prop_assert!(store.alerts(1000).is_ok() && store.runs(account, 100).is_ok() && store.list_accounts().is_ok());
    Ok(())
}

/// After whatever run came before, the next read nothing is wrong with is stored whole.
fn check_next_sync_succeeds(store: &mut Store, account: i64, now: DateTime<Utc>) -> Result<(), TestCaseError> {
    let next = record(store, account, now, &good_read(9), 0, None);
    prop_assert!(next.is_ok(), "the next sync failed: {:?}", next.err());
    let next = next.unwrap();
    prop_assert_eq!(next.status, RunStatus::Completed);
    prop_assert!(next.outcome.set_aside.is_empty(), "{:?}", next.outcome.set_aside);
    check_store(store, account, now)
}

fn vin() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => select(VINS).prop_map(str::to_owned),
        1 => Just(String::new()),
        1 => "[A-Z0-9]{16,18}",
        // SQLite counts characters: 17 of them pass the schema's check, however many bytes.
        1 => "\\PC{17}",
        1 => any::<String>(),
        1 => Just("X".repeat(100_000)),
    ]
}

fn meter() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        Just(None),
        select(
            &[f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, -0.0, 0.0, f64::MAX, f64::MIN, f64::MIN_POSITIVE][..]
        )
        .prop_map(Some),
        any::<f64>().prop_map(Some),
        (0.0..2e6f64).prop_map(Some),
    ]
}

fn some_text() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some(String::new())),
        select(SNIPPETS).prop_map(|s| Some(s.to_owned())),
        any::<String>().prop_map(Some)
    ]
}

fn snapshot() -> impl Strategy<Value = VehicleSnapshot> {
    (
        (
            vin(),
            some_text(),
            prop_oneof![Just(None), any::<u16>().prop_map(Some), (1950..=2100u16).prop_map(Some)],
            some_text(),
            some_text(),
        ),
        (some_text(), some_text(), meter(), meter(), some_text()),
        (
            prop_oneof![Just(None), Just(Some(TruckStatus::NotCommunicating)), Just(Some(TruckStatus::InRepair))],
            prop::option::of(any_time()),
            some_text(),
        ),
    )
        .prop_map(
            |(
                (vin, unit, year, make, model),
                (engine_make, engine_model, odometer, hours, location),
                (status, since, marker),
            )| {
                VehicleSnapshot {
                    vin,
                    unit_number: unit,
                    model_year: year,
                    make,
                    model,
                    engine_make,
                    engine_model,
                    odometer_mi: odometer,
                    engine_hours: hours,
                    location_text: location,
                    status,
                    status_since: since,
                    portal_timestamp: marker,
                }
            },
        )
}

fn severity() -> impl Strategy<Value = Severity> {
    select(&[Severity::Critical, Severity::Major, Severity::Minor, Severity::Info][..])
}

fn fault() -> impl Strategy<Value = FaultObservation> {
    // A few codes often, so that one page lists a code twice (active and earlier, or two tiers).
    let code = prop_oneof![
        4 => select(&[(0u8, 100u32, 1u8), (0, 3226, 4), (254, 100, 1)][..]),
        2 => (any::<u8>(), 0..=524_287u32, 0..=31u8),
        1 => (any::<u8>(), any::<u32>(), any::<u8>()),
    ];
    let raw = prop_oneof![
        Just(None),
        Just(Some("{}".to_owned())),
        any::<String>().prop_map(|s| Some(json!({ "text": s }).to_string())),
        any::<String>().prop_map(Some),
    ];
    (
        (code, some_text(), severity(), some_text(), prop::option::of(any::<u8>())),
        (any::<bool>(), any::<bool>(), prop::option::of(any_time()), prop::option::of(any::<u32>()), raw),
    )
        .prop_map(
            |(
                ((source_address, spn, fmi), description, severity, text, score),
                (derate, active, first_seen, occurrences, raw_json),
            )| {
                FaultObservation {
                    source_address,
                    spn,
                    fmi,
                    description,
                    severity,
                    portal_severity_text: text,
                    portal_severity_score: score,
                    derate,
                    active,
                    first_seen,
                    occurrences,
                    raw_json,
                }
            },
        )
}

fn observed_faults() -> impl Strategy<Value = ObservedFaults> {
    prop_oneof![
        4 => vec(fault(), 0..8).prop_map(ObservedFaults::Read),
        2 => vec(fault(), 0..8).prop_map(ObservedFaults::Changed),
        1 => Just(ObservedFaults::Unread),
        1 => Just(ObservedFaults::Unchanged),
    ]
}

fn observation() -> impl Strategy<Value = VehicleObservation> {
    (snapshot(), observed_faults()).prop_map(|(vehicle, faults)| VehicleObservation { vehicle, faults })
}

proptest! {
    #![proptest_config(config(STORE_CASES))]

    #[test]
    fn random_rows_are_stored_or_set_aside_and_never_fail_a_run(
        rows in vec(observation(), 0..8),
        list_problems in prop_oneof![Just(0u32), any::<u32>()],
    ) {
        let (_dir, mut store, account) = setup(PortalKind::TruckTech);
        // Earlier trucks and episodes, for the random rows to extend, close and reopen.
        prop_assert!(record(&mut store, account, t(0), &good_read(0), 0, None).is_ok());
        let vins: HashSet<&str> = rows.iter().map(|r| r.vehicle.vin.as_str()).collect();
        for (round, now) in [t(1), t(2)].into_iter().enumerate() {
            let run = record(&mut store, account, now, &rows, list_problems, None);
            prop_assert!(run.is_ok(), "round {round}: {:?}", run.err());
            let run = run.unwrap();
            for (vin, _) in &run.outcome.set_aside {
                prop_assert!(vins.contains(vin.as_str()), "set aside a truck nobody listed: {vin:?}");
            }
            if !run.outcome.set_aside.is_empty() {
                prop_assert_eq!(run.status, RunStatus::Partial);
            }
            check_store(&store, account, now)?;
        }
        check_next_sync_succeeds(&mut store, account, t(3))?;
    }

    #[test]
    fn garbled_pages_read_into_the_store_are_kept_whole(
        list in any::<Index>(),
        diagnostics in vec(any::<Index>(), 1..4),
        list_edits in maybe_edits(),
        page_edits in vec(maybe_edits(), 1..4),
    ) {
        let lists = pages_of(PageKind::List);
        let list = lists[list.index(lists.len())];
        let profile = &PROFILES[list.profile];
        let theirs: Vec<&Page> = pages_of(PageKind::Diagnostics).into_iter().filter(|p| p.profile == list.profile).collect();
        let Ok(listed) = parse_vehicle_list(&garble(&list.html, &list_edits), profile) else { return Ok(()) };
        let pages: Vec<_> = diagnostics
            .iter()
            .zip(page_edits.iter().cycle())
            .map(|(which, edits)| {
                let page = theirs[which.index(theirs.len())];
                parse_diagnostics(&garble(&page.html, edits), profile)
                    .map_err(|e| PageFailure { kind: FailureReason::PortalChanged, message: e.to_string() })
            })
            .collect();
        let vehicles: Vec<VehicleRead> = listed
            .vehicles
            .iter()
            .zip(pages.iter().cycle())
            .map(|(row, diagnostics)| vehicle_read(&VehicleExtract { vehicle: row.clone(), diagnostics: diagnostics.clone() }))
            .collect();
        let read = FleetRead { vehicles, list_problems: listed.problems.len() as u32, ..FleetRead::default() };
        store_a_read(read, PortalKind::TruckTech, true)?;
    }

    #[test]
    fn garbled_gateway_answers_read_into_the_store_are_kept_whole(
        search in any::<Index>(),
        logs in vec((any::<Index>(), value_edits(), maybe_edits()), 1..4),
        search_changes in value_edits(),
        search_edits in maybe_edits(),
    ) {
        let profile = &*SOLUTIONS_PROFILE;
        let answers = &*SOLUTIONS_ANSWERS;
        let text = damaged(&answers.searches[search.index(answers.searches.len())], &search_changes, &search_edits);
        let Ok(answer) = serde_json::from_str::<Value>(&text) else { return Ok(()) };
        let Some(rows) = answer.get("data").and_then(Value::as_array) else { return Ok(()) };
        // As the gateway reader does: one truck per VIN, its whole fault log or nothing of it.
        let mut seen = HashSet::new();
        let listed: Vec<VehicleSnapshot> =
            rows.iter().filter_map(|row| solutions::vehicle(row, profile).ok()).filter(|v| seen.insert(v.vin.clone())).collect();
        let vehicles = listed
            .into_iter()
            .zip(logs.iter().cycle())
            .map(|(vehicle, (which, changes, edits))| {
                let text = damaged(&answers.fault_logs[which.index(answers.fault_logs.len())], changes, edits);
                VehicleRead { vehicle, faults: fault_log(&text, profile) }
            })
            .collect();
        store_a_read(FleetRead { vehicles, ..FleetRead::default() }, PortalKind::PaccarSolutions, true)?;
    }

    #[test]
    fn decisiv_api_reads_are_stored_or_set_aside_and_never_fail_a_run(
        docs in decisiv_documents(false),
        changes_only in any::<bool>(),
        text_edits in vec(maybe_edits(), 3),
    ) {
        let read = decisiv_read(&docs, changes_only, &text_edits);
        store_a_read(read, PortalKind::DecisivApi, false)?;
    }

    /// Scores past the published 0–100 and cases without an id, undamaged otherwise: every truck
    /// is stored (the score dropped, the case left out), none set aside.
    #[test]
    fn decisiv_api_reads_with_any_score_or_case_id_are_kept_whole(
        docs in decisiv_documents(true),
        changes_only in any::<bool>(),
    ) {
        store_a_read(decisiv_read(&docs, changes_only, &[Vec::new(), Vec::new(), Vec::new()]), PortalKind::DecisivApi, true)?;
    }
}

/// One truck's fault log as the gateway reader takes it: every entry, or the truck keeps what is
/// stored.
fn fault_log(text: &str, profile: &SolutionsProfile) -> TruckFaults {
    let unread = |message: String| TruckFaults::Unread(PageFailure { kind: FailureReason::PortalChanged, message });
    let Ok(answer) = serde_json::from_str::<Value>(text) else { return unread("not JSON".into()) };
    let Some(entries) = answer.get("data").and_then(Value::as_array) else { return unread("no list".into()) };
    let mut observed = Vec::new();
    for entry in entries {
        match solutions::fault(entry, profile) {
            Ok(Some(fault)) => observed.push(fault),
            Ok(None) => {}
            Err(problem) => return unread(problem.to_string()),
        }
    }
    TruckFaults::Read(solutions::merge_duplicates(observed))
}

/// The account's fleet and cases as the API connector reads them from the three documents.
fn decisiv_read(docs: &DecisivDocuments, changes_only: bool, text_edits: &[Vec<Edit>]) -> FleetRead {
    let text = |doc: &Value, edits: &[Edit]| garble(&serde_json::to_string(doc).unwrap(), edits);
    let assets: Vec<Resource<AssetAttributes>> =
        serde_json::from_str::<Document<_>>(&text(&docs.assets, &text_edits[0])).map(|d| d.data).unwrap_or_default();
    let faults: Vec<Resource<FaultAttributes>> =
        serde_json::from_str::<Document<_>>(&text(&docs.faults, &text_edits[1])).map(|d| d.data).unwrap_or_default();
    let cases: Vec<Resource<CaseAttributes>> =
        serde_json::from_str::<Document<_>>(&text(&docs.cases, &text_edits[2])).map(|d| d.data).unwrap_or_default();
    let scope = if changes_only { FleetFaults::Changes } else { FleetFaults::Complete };
    let mut read = decisiv::fleet(&assets, &faults, &WORDS, scope);
    let vin_of = decisiv::vins_by_asset(&assets);
    read.cases = Some(cases.iter().filter_map(|c| decisiv::case(c, &vin_of)).collect());
    read
}

/// A connector's read stored as the sync engine stores it. A read the engine refuses before it
/// reaches the store (nothing could be read) is a run that fails this time, not one the database
/// fails for good. `whole`: every truck the parsers accepted must be stored, none set aside.
fn store_a_read(read: FleetRead, kind: PortalKind, whole: bool) -> Result<(), TestCaseError> {
    if assess(&read).is_err() {
        return Ok(());
    }
    for v in &read.vehicles {
        check_snapshot(&v.vehicle)?;
    }
    let (_dir, mut store, account) = setup(kind);
    let store = &mut store;
    prop_assert!(record(store, account, t(0), &good_read(0), 0, None).is_ok());
    let changes_since = read.changes_since.clone();
    let cases = read.cases.clone();
    let list_problems = read.list_problems;
    let (observed, unlisted) = observations(read);
    for now in [t(1), t(2)] {
        let run = record(store, account, now, &observed, list_problems.saturating_add(unlisted), cases.as_deref());
        prop_assert!(run.is_ok(), "the run failed: {:?}", run.err());
        let run = run.unwrap();
        if whole {
            prop_assert!(
                run.outcome.set_aside.is_empty(),
                "parsed rows the database refused: {:?}",
                run.outcome.set_aside
            );
        }
        prop_assert!(store.note_read(account, true, changes_since.as_deref()).is_ok());
        check_store(store, account, now)?;
    }
    check_next_sync_succeeds(store, account, t(3))
}

// ---------------------------------------------------------------------------------------------
// What the properties found, kept as the smallest inputs that show it.

/// A Decisiv service case whose `id` is empty failed the whole run's transaction (the schema wants
/// a non-empty `portal_case_id`, and cases are not set aside as trucks are), and the next read
/// brought the same case again. The reader leaves such a case out.
#[test]
fn a_decisiv_case_with_an_empty_id_does_not_fail_the_run() {
    let assets: Document<Vec<Resource<AssetAttributes>>> =
        serde_json::from_value(json!({ "data": [{ "id": "a1", "attributes": { "vin": VINS[0] } }] })).unwrap();
    let cases: Document<Vec<Resource<CaseAttributes>>> = serde_json::from_value(json!({ "data": [{
        "id": "",
        "attributes": {},
        "relationships": { "registered_asset": { "data": { "type": "registered_assets", "id": "a1" } } },
    }] }))
    .unwrap();
    let vin_of = decisiv::vins_by_asset(&assets.data);
    let case: Vec<CaseObservation> = cases.data.iter().filter_map(|c| decisiv::case(c, &vin_of)).collect();
    assert!(case.is_empty(), "a case without an id could never be matched again: {case:?}");
    let (_dir, mut store, account) = setup(PortalKind::DecisivApi);
    let read = decisiv::fleet(&assets.data, &[], &WORDS, FleetFaults::Complete);
    let (observed, _) = observations(read);
    let run = record(&mut store, account, t(0), &observed, 0, Some(&case));
    assert!(run.is_ok(), "{:?}", run.err());
}

/// A Decisiv fault with a severity score over 100 (a u8, so up to 255, gets through the reader)
/// was refused by the schema's 0–100 check, so its truck was set aside, with every fault it has,
/// on every sync while the API said so. The store drops the score and keeps the fault.
#[test]
fn a_decisiv_severity_score_over_100_does_not_set_the_truck_aside() {
    let assets: Document<Vec<Resource<AssetAttributes>>> =
        serde_json::from_value(json!({ "data": [{ "id": "a1", "attributes": { "vin": VINS[0] } }] })).unwrap();
    let faults: Document<Vec<Resource<FaultAttributes>>> = serde_json::from_value(json!({ "data": [{
        "id": "f1",
        "attributes": { "spn": "100", "fmi": "1", "severity": 101 },
        "relationships": { "asset": { "data": { "type": "registered_assets", "id": "a1" } } },
    }] }))
    .unwrap();
    let (_dir, mut store, account) = setup(PortalKind::DecisivApi);
    let (observed, _) = observations(decisiv::fleet(&assets.data, &faults.data, &WORDS, FleetFaults::Complete));
    let run = record(&mut store, account, t(0), &observed, 0, None).unwrap();
    assert!(run.outcome.set_aside.is_empty(), "{:?}", run.outcome.set_aside);
    let (spn, score): (u32, Option<u8>) = store
        .connection()
        .query_row("SELECT spn, portal_severity_score FROM faults", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((spn, score), (100, None), "the fault is stored without the score");
}
