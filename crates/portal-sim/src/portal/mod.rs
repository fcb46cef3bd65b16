//! The two browser portals: real HTML, HttpOnly session cookies, 302 redirects to the login page.
//! Each is mounted under its own prefix (`/paccar`, `/decisiv`) so one simulator serves both; a
//! client treats `http://127.0.0.1:PORT/paccar` as the portal's base URL.

mod auth;
mod decisiv;
pub mod html;
mod paccar;

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use maud::{Markup, html};

use crate::fleet::catalog::source_name as catalog_source_name;
use crate::fleet::{Fault, Vehicle};
use crate::scenario::Scenario;
use crate::state::{SimState, read};
use crate::users::Portal;

pub use decisiv::PER_PAGE as DECISIV_PER_PAGE;
pub use paccar::PER_PAGE as PACCAR_PER_PAGE;

/// One of the two server-rendered portals, each mounted under its own prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// PACCAR TruckTech+ layout (spec v1): e-mail login, `/vehicles`.
    Paccar,
    /// Decisiv SRM (spec v2): `#auth_key` login, `/assets`.
    Decisiv,
}

impl Layout {
    /// Whose users sign in here.
    pub fn portal(self) -> Portal {
        match self {
            Layout::Paccar => Portal::Paccar,
            Layout::Decisiv => Portal::Decisiv,
        }
    }

    pub fn prefix(self) -> &'static str {
        match self {
            Layout::Paccar => "/paccar",
            Layout::Decisiv => "/decisiv",
        }
    }

    pub fn session_cookie(self) -> &'static str {
        match self {
            Layout::Paccar => "_trucktech_session",
            Layout::Decisiv => "_decisiv_srm_session",
        }
    }

    pub fn trust_cookie(self) -> &'static str {
        match self {
            Layout::Paccar => "_trucktech_trusted_device",
            Layout::Decisiv => "_decisiv_trusted_device",
        }
    }
}

#[derive(Clone)]
pub struct Ctx {
    pub state: Arc<SimState>,
    pub layout: Layout,
}

#[derive(Debug, serde::Deserialize)]
pub struct ListQuery {
    page: Option<usize>,
}

pub fn router(state: Arc<SimState>, layout: Layout) -> Router {
    let ctx = Ctx { state, layout };
    let common = Router::new()
        .route("/", get(auth::login_form))
        .route("/login", get(auth::login_form).post(auth::login_submit))
        .route("/session-conflict", get(auth::conflict_form).post(auth::conflict_submit))
        .route("/mfa", get(auth::mfa_form).post(auth::mfa_submit))
        .route("/policies", get(auth::policies_form).post(auth::policies_submit))
        .route("/logout", get(auth::logout))
        .route("/dashboard", get(auth::dashboard));
    let pages = match layout {
        Layout::Paccar => common
            .route("/vehicles", get(paccar::vehicles))
            .route("/vehicles/{vin}/diagnostics", get(paccar::diagnostics)),
        Layout::Decisiv => {
            common.route("/assets", get(decisiv::assets)).route("/assets/{vin}/diagnostics", get(decisiv::diagnostics))
        }
    };
    pages.with_state(ctx)
}

/// `template` with `{spn}` and `{fmi}` filled in.
fn fault_code_text(f: &Fault, template: &str) -> String {
    template.replace("{spn}", &f.spn.to_string()).replace("{fmi}", &f.fmi.to_string())
}

/// "Engine #1 (SA 0)", or "SA 140" for an address the portal has no name for.
fn source_text(sa: u8) -> String {
    match catalog_source_name(sa) {
        Some(name) => format!("{name} (SA {sa})"),
        None => format!("SA {sa}"),
    }
}

/// A signed-in page about one vehicle: the portal's redirect without a session, its not-found page
/// for an unknown VIN, else what `render` makes of the vehicle.
fn vehicle_page(ctx: &Ctx, jar: &CookieJar, vin: &str, render: fn(&Vehicle, &Scenario, u64) -> Markup) -> Response {
    let username = match auth::require_signed_in(ctx, jar) {
        Ok(user) => user,
        Err(redirect) => return redirect.into_response(),
    };
    let scenario = read(&ctx.state.scenario).clone();
    let fleet = read(&ctx.state.fleet);
    let response = match fleet.vehicle(vin) {
        Some(vehicle) => html::respond(StatusCode::OK, render(vehicle, &scenario, ctx.state.seed)),
        None => {
            let body = html! { h1 { "Not found" } p.error { "No vehicle with VIN " (vin) " in your fleet." } };
            html::respond(StatusCode::NOT_FOUND, html::page(ctx.layout, "Not found", body))
        }
    };
    auth::with_user(response, username)
}
