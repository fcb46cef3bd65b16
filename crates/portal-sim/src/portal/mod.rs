//! The two browser portals: real HTML, HttpOnly session cookies, 302 redirects to the login page.
//! Each is mounted under its own prefix (`/paccar`, `/decisiv`) so one simulator serves both; a
//! client treats `http://127.0.0.1:PORT/paccar` as the portal's base URL.

mod auth;
mod bulletin;
mod cards;
mod decisiv;
pub mod html;
mod ledger;
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

/// A server-rendered portal layout, each mounted under its own prefix: the two the spec describes,
/// and three families nobody here has seen the real pages of, each laid out unlike the others so
/// that profiles are proven on more than one shape of page (`README.md`, "Layout families").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// PACCAR TruckTech+ layout (spec v1): e-mail login, `/vehicles`.
    Paccar,
    /// Decisiv SRM (spec v2): `#auth_key` login, `/assets`.
    Decisiv,
    /// Cards with labelled pairs, numbered pages, local times without a zone.
    Cards,
    /// A roster in running text with a cursor "next" link, definition-list truck pages.
    Ledger,
    /// Fault events as sentences with their state in attributes, "load more" lists.
    Bulletin,
}

/// How a layout's sign-in form looks and where a signed-in person lands.
pub struct SignInForm {
    /// Where the form is shown and posted, under the prefix.
    pub path: &'static str,
    pub username_field: &'static str,
    pub username_label: &'static str,
    pub username_type: &'static str,
    pub password_field: &'static str,
    pub submit: &'static str,
    pub bad_credentials: &'static str,
    /// The first page after sign-in, under the prefix.
    pub home: &'static str,
}

impl Layout {
    /// The layouts nobody here has seen the real pages of.
    pub const FAMILIES: [Layout; 3] = [Layout::Cards, Layout::Ledger, Layout::Bulletin];

    /// Whose users sign in here: the families are other ways a PACCAR portal may be laid out,
    /// so TruckTech+ users sign in to them.
    pub fn portal(self) -> Portal {
        match self {
            Layout::Decisiv => Portal::Decisiv,
            Layout::Paccar | Layout::Cards | Layout::Ledger | Layout::Bulletin => Portal::Paccar,
        }
    }

    pub fn prefix(self) -> &'static str {
        match self {
            Layout::Paccar => "/paccar",
            Layout::Decisiv => "/decisiv",
            Layout::Cards => "/cards",
            Layout::Ledger => "/ledger",
            Layout::Bulletin => "/bulletin",
        }
    }

    pub fn session_cookie(self) -> &'static str {
        match self {
            Layout::Paccar => "_trucktech_session",
            Layout::Decisiv => "_decisiv_srm_session",
            Layout::Cards => "fv_session",
            Layout::Ledger => "ledger_sid",
            Layout::Bulletin => "BULLETINSESSID",
        }
    }

    pub fn trust_cookie(self) -> &'static str {
        match self {
            Layout::Paccar => "_trucktech_trusted_device",
            Layout::Decisiv => "_decisiv_trusted_device",
            Layout::Cards => "fv_device",
            Layout::Ledger => "ledger_device",
            Layout::Bulletin => "BULLETINDEVICE",
        }
    }

    /// The name in the page header.
    pub fn brand(self) -> &'static str {
        match self {
            Layout::Paccar => "TruckTech+ | PACCAR Solutions",
            Layout::Decisiv => "PACCAR Solutions · Decisiv SRM 8.29",
            Layout::Cards => "FleetView",
            Layout::Ledger => "Fleet Ledger",
            Layout::Bulletin => "Truck Bulletin",
        }
    }

    pub fn sign_in(self) -> SignInForm {
        let spec = |username_field, username_label, username_type, submit, bad_credentials| SignInForm {
            path: "/login",
            username_field,
            username_label,
            username_type,
            password_field: "password",
            submit,
            bad_credentials,
            home: "/dashboard",
        };
        match self {
            Layout::Paccar => spec("email", "Email", "email", "Sign In", "Invalid email or password."),
            Layout::Decisiv => spec("auth_key", "Username", "text", "Log In", "Invalid username or password."),
            Layout::Cards => SignInForm {
                path: "/signin",
                password_field: "passcode",
                home: "/home",
                ..spec("user_id", "User ID", "text", "Continue", "We could not verify those details.")
            },
            Layout::Ledger => SignInForm {
                path: "/account/login",
                password_field: "login[secret]",
                home: "/fleet",
                ..spec("login[name]", "Login name", "text", "Log in", "Login name or password is not correct.")
            },
            Layout::Bulletin => SignInForm {
                path: "/signon",
                password_field: "pwd",
                home: "/overview",
                ..spec("uid", "User", "text", "Sign on", "Sign-on failed. Check your user and password.")
            },
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
    let form = layout.sign_in();
    let common = Router::new()
        .route("/", get(auth::login_form))
        .route(form.path, get(auth::login_form).post(auth::login_submit))
        .route("/session-conflict", get(auth::conflict_form).post(auth::conflict_submit))
        .route("/mfa", get(auth::mfa_form).post(auth::mfa_submit))
        .route("/policies", get(auth::policies_form).post(auth::policies_submit))
        .route("/logout", get(auth::logout));
    let pages = match layout {
        Layout::Paccar => common
            .route("/dashboard", get(auth::dashboard))
            .route("/vehicles", get(paccar::vehicles))
            .route("/vehicles/{vin}/diagnostics", get(paccar::diagnostics)),
        Layout::Decisiv => common
            .route("/dashboard", get(auth::dashboard))
            .route("/assets", get(decisiv::assets))
            .route("/assets/{vin}/diagnostics", get(decisiv::diagnostics)),
        Layout::Cards => common
            .route(form.home, get(auth::dashboard))
            .route("/units", get(cards::units))
            .route("/units/{vin}", get(cards::unit)),
        // The roster is where a signed-in person lands.
        Layout::Ledger => common.route("/fleet", get(ledger::roster)).route("/fleet/{vin}", get(ledger::truck)),
        Layout::Bulletin => common
            .route(form.home, get(auth::dashboard))
            .route("/trucks", get(bulletin::trucks))
            .route("/trucks/{vin}/events", get(bulletin::events)),
    };
    pages.with_state(ctx)
}

/// Where a layout's dashboard links to: its vehicle list and what it calls it.
fn vehicle_list(layout: Layout) -> (&'static str, &'static str) {
    match layout {
        Layout::Paccar => ("/vehicles", "Vehicles"),
        Layout::Decisiv => ("/assets", "Assets"),
        Layout::Cards => ("/units", "Units"),
        Layout::Ledger => ("/fleet", "Fleet"),
        Layout::Bulletin => ("/trucks", "Trucks"),
    }
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
