//! PACCAR Solutions as it really is (paccarsolutions.com, `shared/docs/paccar-solutions.md`): a
//! single-page app on one origin, reading every vehicle and fault as JSON from an API gateway on
//! another, with the token the app keeps in `localStorage`. Three origins here, as there:
//! - the app ([`app_router`]): static files, no server-side pages;
//! - the gateway ([`gateway_router`]): `/userLogin`, `/refreshToken`, `/v2vehicles`…, answering
//!   CORS for the app's origin only;
//! - optionally a hosted sign-in page in the style of Auth0 ([`hosted_router`]), on the
//!   simulator's main origin.

mod app;
mod control;
mod cors;
pub mod documents;
mod gateway;
pub use gateway::problem;
mod hosted;
pub mod search;
mod session;

use std::sync::Arc;

use axum::Router;
use serde::Serialize;

use crate::state::SimState;

pub use session::SolutionsState;

/// The three origins, e.g. `http://127.0.0.1:40123`, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origins {
    pub app: String,
    pub gateway: String,
    /// Where the hosted sign-in page lives (the simulator's main origin).
    pub hosted_login: String,
}

/// The client id the app sends with every sign-in (known).
pub const CLIENT_ID: &str = "PaccarPortal";
/// Where the hosted sign-in page is mounted on its origin.
pub const HOSTED_LOGIN_PATH: &str = "/solutions-auth/u/login";

#[derive(Clone)]
struct Ctx {
    state: Arc<SimState>,
    origins: Arc<Origins>,
}

pub fn app_router(state: Arc<SimState>, origins: Arc<Origins>) -> Router {
    app::router(Ctx { state, origins })
}

pub fn gateway_router(state: Arc<SimState>, origins: Arc<Origins>) -> Router {
    gateway::router(Ctx { state, origins: Arc::clone(&origins) })
        .layer(axum::middleware::from_fn_with_state(origins, cors::cors))
}

/// Mounted at the root of the main origin (its paths start with `/solutions-auth`).
pub fn hosted_router(state: Arc<SimState>, origins: Arc<Origins>) -> Router {
    hosted::router(Ctx { state, origins })
}

/// `/__sim/solutions/*`.
pub fn admin_router(state: Arc<SimState>, origins: Arc<Origins>) -> Router {
    control::router(Ctx { state, origins })
}
