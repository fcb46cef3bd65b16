//! The PACCAR Solutions / Decisiv SRM layout (spec v2): `/assets` as a table (VIN, unit,
//! year/make/model, status) and `/assets/{vin}/diagnostics` with a `.dtc-table` or `.no-faults`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use maud::{Markup, html};

use super::Layout;
use super::auth::{require_signed_in, with_user};
use super::html::{decisiv_time, page, page_bounds, respond, thousands, thousands_tenths};
use super::{Ctx, ListQuery, fault_code_text, source_text, vehicle_page};
use crate::fleet::Vehicle;
use crate::scenario::Scenario;
use crate::state::read;

pub const PER_PAGE: usize = 50;

pub async fn assets(State(ctx): State<Ctx>, jar: CookieJar, Query(q): Query<ListQuery>) -> Response {
    let username = match require_signed_in(&ctx, &jar) {
        Ok(user) => user,
        Err(redirect) => return redirect.into_response(),
    };
    let scenario = read(&ctx.state.scenario).clone();
    let fleet = read(&ctx.state.fleet);
    let total = fleet.vehicles.len();
    let (page_no, pages, start) = page_bounds(total, PER_PAGE, q.page.unwrap_or(1));
    let rows = &fleet.vehicles[start..(start + PER_PAGE).min(total)];
    let seed = ctx.state.seed;
    let table_class = if scenario.layout_drift { "asset-grid" } else { "table assets-table" };
    let body = html! {
        h1 { "Assets" }
        table class=(table_class) {
            thead { tr {
                @if scenario.layout_drift { th { "Unit" } th { "VIN" } } @else { th { "VIN" } th { "Unit" } }
                th { "Year / Make / Model" } th { "Status" }
            } }
            tbody {
                @for v in rows {
                    @let missing = scenario.missing(seed, &v.vin);
                    @let vin = if scenario.malformed(seed, &v.vin) { v.vin[..11].to_owned() } else { v.vin.clone() };
                    tr.asset-row {
                        @if scenario.layout_drift {
                            td { (v.unit_number) }
                            td { a href={ "/decisiv/assets/" (v.vin) "/diagnostics" } { (vin) } }
                        } @else {
                            td.vin { a href={ "/decisiv/assets/" (v.vin) "/diagnostics" } { (vin) } }
                            td.unit { @if !missing { (v.unit_number) } }
                        }
                        td.ymm { @if !missing { (v.year) " " (v.make) " " (v.model) } }
                        td.status { @if v.in_service { "In Service" } @else { "Out of Service" } }
                    }
                }
            }
        }
        div.pagination {
            span.page-info { "Page " (page_no) " of " (pages) " · " (total) " assets" }
            @if page_no < pages {
                a.next_page rel="next" aria-label="Next" href={ "/decisiv/assets?page=" (page_no + 1) } { "Next ›" }
            }
        }
    };
    with_user(respond(StatusCode::OK, page(Layout::Decisiv, "Assets", body)), username)
}

pub async fn diagnostics(State(ctx): State<Ctx>, jar: CookieJar, Path(vin): Path<String>) -> Response {
    vehicle_page(&ctx, &jar, &vin, diagnostics_page)
}

fn diagnostics_page(v: &Vehicle, scenario: &Scenario, seed: u64) -> Markup {
    let drift = scenario.layout_drift;
    let body = html! {
        h1 { "Asset " (v.unit_number) }
        table.asset-details {
            tr { th { "VIN" } td.vin { (v.vin) } }
            tr { th { "Year / Make / Model" } td.ymm { (v.year) " " (v.make) " " (v.model) } }
            tr { th { "Engine" } td.engine { (v.engine_make) " " (v.engine_model) } }
            tr { th { "Odometer" } td.odometer { (thousands(v.odometer_mi)) " mi" } }
            tr { th { "Engine Hours" } td.engine-hours { (thousands_tenths(v.engine_hours)) } }
        }
        h2 { "Diagnostic Trouble Codes" }
        @if v.faults.is_empty() {
            div.no-faults { "No diagnostic trouble codes reported for this asset." }
        } @else {
            table class=(if drift { "diagnostic-grid" } else { "dtc-table" }) {
                thead { tr {
                    @if drift { th { "Description" } th { "Code" } } @else { th { "Code" } th { "Description" } }
                    th { "Source" } th { "Severity" } th { "First Seen" } th { "Status" }
                } }
                tbody {
                    @for f in &v.faults {
                        @let key = format!("{}/{}", v.vin, f.id);
                        @let code = if scenario.malformed(seed, &key) { "SPN ? FMI ?".to_owned() } else { fault_code_text(f, "SPN {spn} FMI {fmi}") };
                        @let missing = scenario.missing(seed, &key);
                        tr class={ (if drift { "dtc-line" } else { "dtc-row" }) " " (if f.active { "active" } else { "inactive" }) } {
                            @if drift {
                                td { (f.description) } td { (code) }
                            } @else {
                                td.code { (code) } td.description { @if !missing { (f.description) } }
                            }
                            td.source { (source_text(f.source_address)) }
                            td.severity { (f.urgency.text()) @if f.derate { " (Derate)" } }
                            td.first-seen { (decisiv_time(f.first_seen)) }
                            td.status { @if f.active { "Active" } @else { "Inactive" } }
                        }
                    }
                }
            }
        }
    };
    page(Layout::Decisiv, "Diagnostics", body)
}
