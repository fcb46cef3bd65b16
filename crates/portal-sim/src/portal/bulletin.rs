//! The "bulletin" family: the truck list keeps its facts in attributes and grows with "Load more"
//! (each step shows every earlier row again); a truck's events are sentences naming source,
//! SPN, FMI and description, with the state, the derate and the first sighting in attributes and a
//! lamp whose priority is only in its `title`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, Utc};
use maud::{Markup, html};

use super::auth::{require_signed_in, with_user};
use super::html::{page, respond, thousands, thousands_tenths};
use super::{Ctx, Layout};
use crate::fleet::Vehicle;
use crate::fleet::catalog::{Urgency, source_name};
use crate::state::read;

/// Rows added by each "Load more".
pub const TRUCKS_STEP: usize = 15;
pub const EVENTS_STEP: usize = 2;

#[derive(Debug, serde::Deserialize)]
pub struct ShownQuery {
    shown: Option<usize>,
}

pub fn priority(urgency: Urgency) -> u8 {
    match urgency {
        Urgency::StopEngine => 1,
        Urgency::SeekService => 2,
        Urgency::ServiceAdvised => 3,
    }
}

/// "3 days ago", as the page prints it beside the exact time in the attribute.
fn ago(t: DateTime<Utc>) -> String {
    let minutes = (Utc::now() - t).num_minutes().max(0);
    match minutes {
        0..=59 => format!("{minutes} min ago"),
        60..=1439 => format!("{} h ago", minutes / 60),
        _ => format!("{} days ago", minutes / 1440),
    }
}

pub async fn trucks(State(ctx): State<Ctx>, jar: CookieJar, Query(q): Query<ShownQuery>) -> Response {
    let username = match require_signed_in(&ctx, &jar) {
        Ok(user) => user,
        Err(redirect) => return redirect.into_response(),
    };
    let fleet = read(&ctx.state.fleet);
    let shown = q.shown.unwrap_or(TRUCKS_STEP).min(fleet.vehicles.len());
    let body = html! {
        h1 { "Trucks" }
        table.trucks {
            tbody {
                @for v in &fleet.vehicles[..shown] {
                    tr.truck data-vin=(v.vin) data-odometer-mi=(v.odometer_mi.round()) {
                        td.unit { "#" (v.unit_number) }
                        td { (v.make) " " (v.model) " (" (v.year) ")" }
                        td { a href={ "/bulletin/trucks/" (v.vin) "/events" } { "Events" } }
                    }
                }
            }
        }
        @if shown < fleet.vehicles.len() {
            a.load-more href={ "/bulletin/trucks?shown=" (shown + TRUCKS_STEP) } { "Load more" }
        }
    };
    with_user(respond(StatusCode::OK, page(Layout::Bulletin, "Trucks", body)), username)
}

pub async fn events(
    State(ctx): State<Ctx>,
    jar: CookieJar,
    Path(vin): Path<String>,
    Query(q): Query<ShownQuery>,
) -> Response {
    let username = match require_signed_in(&ctx, &jar) {
        Ok(user) => user,
        Err(redirect) => return redirect.into_response(),
    };
    let fleet = read(&ctx.state.fleet);
    let response = match fleet.vehicle(&vin) {
        Some(vehicle) => respond(StatusCode::OK, events_page(vehicle, q.shown.unwrap_or(EVENTS_STEP))),
        None => {
            let body = html! { h1 { "Unknown truck" } p.error { "There is no truck " (vin) " on this account." } };
            respond(StatusCode::NOT_FOUND, page(Layout::Bulletin, "Unknown truck", body))
        }
    };
    with_user(response, username)
}

fn events_page(v: &Vehicle, shown: usize) -> Markup {
    let shown = shown.min(v.faults.len());
    let body = html! {
        h1 { "Truck #" (v.unit_number) }
        p.last-report {
            "Last report from " (v.location) " with " (thousands(v.odometer_mi)) " mi and "
            (thousands_tenths(v.engine_hours)) " engine hours."
        }
        p.engine { "Engine: " (v.engine_make) " " (v.engine_model) }
        h2 { "Events" }
        @if v.faults.is_empty() {
            p.quiet { "Nothing reported by this truck." }
        }
        ol.events {
            @for f in &v.faults[..shown] {
                li.event data-state=(if f.active { "open" } else { "cleared" }) data-derate=(f.derate) {
                    span.lamp title={ "Priority " (priority(f.urgency)) } {}
                    (source_name(f.source_address).unwrap_or("Controller")) " (SA " (f.source_address) ") reported SPN "
                    (f.spn) " FMI " (f.fmi) ": " (f.description) " "
                    time datetime=(f.first_seen.to_rfc3339()) { (ago(f.first_seen)) }
                }
            }
        }
        @if shown < v.faults.len() {
            a.load-more href={ "/bulletin/trucks/" (v.vin) "/events?shown=" (shown + EVENTS_STEP) } { "Show more events" }
        }
    };
    page(Layout::Bulletin, "Events", body)
}
