//! The "cards" family: every unit and every fault is a card of labelled pairs (`<th>`/`<td>` on
//! the list, label and value spans on the unit page); the list is read by page number, with no
//! "next" link; codes are `SPN/FMI`, the source address sits in brackets after the module's name,
//! urgency is PACCAR Solutions' wording and times are the fleet's local time with no zone given.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, Utc};
use maud::{Markup, html};

use super::auth::{require_signed_in, with_user};
use super::html::{page, respond, thousands, thousands_tenths};
use super::{Ctx, Layout, ListQuery, vehicle_page};
use crate::fleet::catalog::{Urgency, source_name};
use crate::fleet::{Fault, Vehicle};
use crate::scenario::Scenario;
use crate::state::read;

pub const PER_PAGE: usize = 12;

/// The fleet's home time zone: the pages print local times and say so only in a footnote.
pub const TIME_ZONE: chrono_tz::Tz = chrono_tz::America::Chicago;

/// "2026-11-03 02:05", local time.
pub fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&TIME_ZONE).format("%Y-%m-%d %H:%M").to_string()
}

pub fn urgency_word(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::StopEngine => "Stop Now",
        Urgency::SeekService => "Service Now",
        Urgency::ServiceAdvised => "Service Soon",
    }
}

/// "Engine #1 (0)", "Unknown module (140)".
fn module(sa: u8) -> String {
    format!("{} ({sa})", source_name(sa).unwrap_or("Unknown module"))
}

fn fact(label: &str, value: impl maud::Render) -> Markup {
    html! { div.fact { span.label { (label) } span.value { (value) } } }
}

pub async fn units(State(ctx): State<Ctx>, jar: CookieJar, Query(q): Query<ListQuery>) -> Response {
    let username = match require_signed_in(&ctx, &jar) {
        Ok(user) => user,
        Err(redirect) => return redirect.into_response(),
    };
    let fleet = read(&ctx.state.fleet);
    let pages = fleet.vehicles.len().div_ceil(PER_PAGE).max(1);
    let page_no = q.page.unwrap_or(1).max(1);
    let start = (page_no - 1).saturating_mul(PER_PAGE).min(fleet.vehicles.len());
    let cards = &fleet.vehicles[start..(start + PER_PAGE).min(fleet.vehicles.len())];
    let body = html! {
        h1 { "Units" }
        @if cards.is_empty() {
            p.empty-page { "No units on this page." }
        }
        section.unit-cards {
            @for v in cards {
                article.unit-card {
                    header {
                        h3 { "Unit " (v.unit_number) }
                        p.ymm { (v.year) " " (v.make) " " (v.model) }
                    }
                    table.facts {
                        tr { th { "VIN" } td { (v.vin) } }
                        tr { th { "Odometer" } td { (thousands(v.odometer_mi)) " mi" } }
                        tr { th { "Engine" } td { (v.engine_make) " " (v.engine_model) } }
                    }
                    a.details href={ "/cards/units/" (v.vin) } { "View details" }
                }
            }
        }
        nav.pages aria-label="Pages" {
            @for n in 1..=pages {
                @if n == page_no { span.current { (n) } } @else { a href={ "/cards/units?page=" (n) } { (n) } }
                " "
            }
        }
    };
    with_user(respond(StatusCode::OK, page(Layout::Cards, "Units", body)), username)
}

pub async fn unit(State(ctx): State<Ctx>, jar: CookieJar, Path(vin): Path<String>) -> Response {
    vehicle_page(&ctx, &jar, &vin, unit_page)
}

fn unit_page(v: &Vehicle, _scenario: &Scenario, _seed: u64) -> Markup {
    let body = html! {
        h1 { "Unit " (v.unit_number) }
        div.facts-grid {
            (fact("VIN", &v.vin))
            (fact("Engine hours", format!("{} h", thousands_tenths(v.engine_hours))))
            (fact("Odometer", format!("{} mi", thousands(v.odometer_mi))))
            (fact("Last known location", v.location))
        }
        h2 { "Fault codes" }
        @if v.faults.is_empty() {
            p.all-clear { "No fault codes on record." }
        } @else {
            ul.fault-cards {
                @for f in &v.faults { (fault_card(f)) }
            }
        }
        p.tz-note { "All times are Central Time." }
    };
    page(Layout::Cards, "Unit", body)
}

fn fault_card(f: &Fault) -> Markup {
    html! {
        li.fault-card {
            h4 { (f.description) }
            (fact("Code", format!("{}/{}", f.spn, f.fmi)))
            (fact("Module", module(f.source_address)))
            (fact("Urgency", urgency_word(f.urgency)))
            (fact("Engine derate", if f.derate { "Yes" } else { "No" }))
            (fact("State", if f.active { "Open" } else { "Closed" }))
            (fact("First reported", local_time(f.first_seen)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_local_with_daylight_saving() {
        let winter = DateTime::parse_from_rfc3339("2026-11-03T08:05:00Z").unwrap().to_utc();
        let summer = DateTime::parse_from_rfc3339("2026-07-03T08:05:00Z").unwrap().to_utc();
        assert_eq!(local_time(winter), "2026-11-03 02:05");
        assert_eq!(local_time(summer), "2026-07-03 03:05");
        assert_eq!(module(0), "Engine #1 (0)");
        assert_eq!(module(140), "Unknown module (140)");
    }
}
