//! The TruckTech+ layout (spec v1): `/vehicles` as `.vehicle-row` elements with `data-field` cells,
//! paginated with a "Next" link; `/vehicles/{vin}/diagnostics` as `.fault-row` items.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use maud::{Markup, PreEscaped, html};

use super::Layout;
use super::auth::{require_signed_in, with_user};
use super::html::{paccar_time, page, page_bounds, respond, thousands};
use super::{Ctx, ListQuery, fault_code_text, source_text, vehicle_page};
use crate::fleet::{Fault, Vehicle};
use crate::scenario::Scenario;
use crate::state::read;

pub const PER_PAGE: usize = 25;

/// Class and attribute names; a layout drift renames them all, as a redesign would.
struct Names {
    row: &'static str,
    field: &'static str,
    fault_list: &'static str,
    fault_row: &'static str,
    code: &'static str,
}

const NAMES: Names =
    Names { row: "vehicle-row", field: "data-field", fault_list: "fault-list", fault_row: "fault-row", code: "code" };
const DRIFTED: Names =
    Names { row: "fleet-item", field: "data-col", fault_list: "dtc-panel", fault_row: "dtc-entry", code: "dtc-code" };

/// `<tag data-field="name">content</tag>`, with the attribute name taken from the layout: maud
/// only takes literal attribute names. `tag`, the attribute and `name` are our own constants;
/// `content` is escaped by maud.
fn field(tag: &str, n: &Names, name: &str, content: Markup) -> Markup {
    PreEscaped(format!("<{tag} {}=\"{name}\">{}</{tag}>", n.field, content.into_string()))
}

fn names(scenario: &Scenario) -> &'static Names {
    if scenario.layout_drift { &DRIFTED } else { &NAMES }
}

pub async fn vehicles(State(ctx): State<Ctx>, jar: CookieJar, Query(q): Query<ListQuery>) -> Response {
    let username = match require_signed_in(&ctx, &jar) {
        Ok(user) => user,
        Err(redirect) => return redirect.into_response(),
    };
    let scenario = read(&ctx.state.scenario).clone();
    let fleet = read(&ctx.state.fleet);
    let (page_no, pages, start) = page_bounds(fleet.vehicles.len(), PER_PAGE, q.page.unwrap_or(1));
    let n = names(&scenario);
    let rows = &fleet.vehicles[start..(start + PER_PAGE).min(fleet.vehicles.len())];
    let seed = ctx.state.seed;
    let body = html! {
        h1 { "Vehicles" }
        p.summary { (fleet.vehicles.len()) " vehicles" }
        div class=(if scenario.layout_drift { "fleet-list" } else { "vehicle-list" }) {
            @for v in rows {
                @let missing = scenario.missing(seed, &v.vin);
                @let vin = if scenario.malformed(seed, &v.vin) { v.vin[..11].to_owned() } else { v.vin.clone() };
                div class=(n.row) data-vin=(vin) {
                    @if scenario.layout_drift {
                        // A redesign also moves fields around.
                        (field("span", n, "model", html! { (v.model) }))
                        (field("span", n, "make", html! { (v.make) }))
                        (field("span", n, "vin", html! { a href={ "/paccar/vehicles/" (v.vin) "/diagnostics" } { (vin) } }))
                    } @else {
                        (field("span", n, "vin", html! { a href={ "/paccar/vehicles/" (v.vin) "/diagnostics" } { (vin) } }))
                        (field("span", n, "unit", html! { @if !missing { (v.unit_number) } }))
                        (field("span", n, "year", html! { (v.year) }))
                        (field("span", n, "make", html! { (v.make) }))
                        (field("span", n, "model", html! { (v.model) }))
                        (field("span", n, "odometer", html! { @if !missing { (thousands(v.odometer_mi)) " mi" } }))
                    }
                }
            }
        }
        nav.pagination aria-label="Pagination" {
            @if page_no > 1 { a rel="prev" aria-label="Previous" href={ "/paccar/vehicles?page=" (page_no - 1) } { "Previous" } }
            span.page-info { "Page " (page_no) " of " (pages) }
            @if page_no < pages {
                a.next rel="next" aria-label="Next" href={ "/paccar/vehicles?page=" (page_no + 1) } { "Next" }
            } @else {
                button.next type="button" disabled { "Next" }
            }
        }
    };
    with_user(respond(StatusCode::OK, page(Layout::Paccar, "Vehicles", body)), username)
}

pub async fn diagnostics(State(ctx): State<Ctx>, jar: CookieJar, Path(vin): Path<String>) -> Response {
    vehicle_page(&ctx, &jar, &vin, diagnostics_page)
}

fn diagnostics_page(v: &Vehicle, scenario: &Scenario, seed: u64) -> Markup {
    let n = names(scenario);
    let body = html! {
        h1 { "Unit " (v.unit_number) " · " (v.year) " " (v.make) " " (v.model) }
        dl.vehicle-summary {
            dt { "VIN" } (field("dd", n, "vin", html! { (v.vin) }))
            dt { "Engine" } (field("dd", n, "engine", html! { (v.engine_make) " " (v.engine_model) }))
            dt { "Odometer" } (field("dd", n, "odometer", html! { (thousands(v.odometer_mi)) " mi" }))
            dt { "Engine hours" } (field("dd", n, "engine-hours", html! { (format!("{:.1}", v.engine_hours)) " hrs" }))
            dt { "Last location" }
            (field("dd", n, "location", html! {
                span.place { (v.location) }
                " "
                span.coordinates { (format!("{:.4}, {:.4}", v.latitude, v.longitude)) }
            }))
        }
        h2 { "Fault codes" }
        div class=(n.fault_list) {
            @if v.faults.is_empty() {
                p.no-faults { "No active or recent fault codes." }
            }
            @for (i, f) in v.faults.iter().enumerate() {
                (fault_row(v, f, i, n, scenario, seed))
            }
        }
    };
    page(Layout::Paccar, "Diagnostics", body)
}

fn fault_row(v: &Vehicle, f: &Fault, index: usize, n: &Names, scenario: &Scenario, seed: u64) -> Markup {
    let key = format!("{}/{}", v.vin, f.id);
    let state = if f.active { "active" } else { "inactive" };
    // TruckTech+ has been seen printing codes both ways; alternate by fault so both are exercised.
    let code = if scenario.malformed(seed, &key) {
        "SPN -- / FMI --".to_owned()
    } else {
        fault_code_text(f, if index.is_multiple_of(2) { "SPN {spn} / FMI {fmi}" } else { "SPN: {spn}, FMI: {fmi}" })
    };
    let missing = scenario.missing(seed, &key);
    html! {
        div class={ (n.fault_row) " " (state) } data-fault-id=(f.id) {
            span class=(n.code) { (code) }
            span.source { (source_text(f.source_address)) }
            span.description { @if !missing { (f.description) } }
            span.severity { (f.urgency.text()) }
            @if f.derate { span.derate { "Derate Active" } }
            span.occurrences { (f.occurrences) "×" }
            time.first-seen datetime=(f.first_seen.to_rfc3339()) { (paccar_time(f.first_seen)) }
            span.status { @if f.active { "Active" } @else { "Inactive" } }
        }
    }
}
