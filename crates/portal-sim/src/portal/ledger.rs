//! The "ledger" family: the roster is one sentence per truck, paged by a cursor ("Older units",
//! `?after=VIN`); a truck's page is a definition list with the portal's own labels, its faults a
//! table with SPN and FMI in their own cells, J1939 lamp names for urgency, "Previously active"
//! for inactive codes and RFC 2822 times.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use maud::{Markup, html};

use super::auth::{require_signed_in, with_user};
use super::html::{page, respond, thousands, thousands_tenths};
use super::{Ctx, Layout, vehicle_page};
use crate::fleet::Vehicle;
use crate::fleet::catalog::{Urgency, source_name};
use crate::scenario::Scenario;
use crate::state::read;

pub const PER_PAGE: usize = 20;

#[derive(Debug, serde::Deserialize)]
pub struct RosterQuery {
    /// The VIN of the last truck on the previous page.
    after: Option<String>,
}

pub fn lamp(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::StopEngine => "Red Stop Lamp",
        Urgency::SeekService => "Amber Warning Lamp",
        Urgency::ServiceAdvised => "Malfunction Lamp",
    }
}

pub async fn roster(State(ctx): State<Ctx>, jar: CookieJar, Query(q): Query<RosterQuery>) -> Response {
    let username = match require_signed_in(&ctx, &jar) {
        Ok(user) => user,
        Err(redirect) => return redirect.into_response(),
    };
    let fleet = read(&ctx.state.fleet);
    let start =
        q.after.as_deref().and_then(|after| fleet.vehicles.iter().position(|v| v.vin == after)).map_or(0, |i| i + 1);
    let end = (start + PER_PAGE).min(fleet.vehicles.len());
    let trucks = &fleet.vehicles[start..end];
    let body = html! {
        h1 { "Fleet roster" }
        p.count { (fleet.vehicles.len()) " trucks on this account" }
        ul.roster {
            @for v in trucks {
                li {
                    a href={ "/ledger/fleet/" (v.vin) } { "Unit " (v.unit_number) }
                    " — " (v.year) " " (v.make) " " (v.model) " — VIN " (v.vin) " — " (thousands(v.odometer_mi)) " miles"
                }
            }
        }
        @if let Some(last) = trucks.last().filter(|_| end < fleet.vehicles.len()) {
            p.more { a rel="next" href={ "/ledger/fleet?after=" (last.vin) } { "Older units →" } }
        }
        p { a href="/ledger/logout" { "Log out" } }
    };
    with_user(respond(StatusCode::OK, page(Layout::Ledger, "Fleet roster", body)), username)
}

pub async fn truck(State(ctx): State<Ctx>, jar: CookieJar, Path(vin): Path<String>) -> Response {
    vehicle_page(&ctx, &jar, &vin, truck_page)
}

fn truck_page(v: &Vehicle, _scenario: &Scenario, _seed: u64) -> Markup {
    let body = html! {
        h1 { "Truck " (v.unit_number) }
        dl.truck {
            dt { "Chassis number (VIN)" } dd { (v.vin) }
            dt { "Model year" } dd { (v.year) }
            dt { "Engine" } dd { (v.engine_make) " " (v.engine_model) }
            dt { "Distance driven" } dd { (thousands(v.odometer_mi)) " mi" }
            dt { "Engine running time" } dd { (thousands_tenths(v.engine_hours)) " hours" }
            dt { "Last position" } dd { (v.location) }
        }
        h2 { "Diagnostic codes" }
        @if v.faults.is_empty() {
            p.none { "No diagnostic codes." }
        } @else {
            table.codes {
                thead { tr { th { "Status" } th { "Lamp" } th { "SPN" } th { "FMI" } th { "Reported by" } th { "Description" } th { "First occurrence" } } }
                tbody {
                    @for f in &v.faults {
                        tr {
                            td { @if f.active { "Active" } @else { "Previously active" } }
                            td { (lamp(f.urgency)) }
                            td { (f.spn) }
                            td { (f.fmi) }
                            td { (source_name(f.source_address).unwrap_or("Unknown")) " · SA " (f.source_address) }
                            td { (f.description) }
                            td { (f.first_seen.to_rfc2822()) }
                        }
                    }
                }
            }
        }
    };
    page(Layout::Ledger, "Truck", body)
}
