//! The Decisiv SRM Gateway API subset, as published in `shared/reference/decisiv/`.
//!
//! Two hosts in the real world, two path prefixes here: `/decisiv-login` stands in for
//! login.decisiv.net (OAuth2) and `/srm-api` for srm-api.decisivapps.com (JSON:API resources).
//! Both read the one fleet model the browser portals show, so API and portal agree.

mod cases;
mod control;
mod errors;
mod ids;
mod oauth;
mod resources;
mod token;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::state::SimState;

pub use control::{ApiClientSpec, ApiState, ApiUserSpec, ApiUserView, Module, SrmAccountView};

pub const JSON_API: &str = "application/vnd.api+json";

/// A JSON:API body with its media type.
pub fn json_api_response(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_API));
    response
}

/// Login and resource routes, with full paths: the caller merges this at the root.
pub fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .merge(oauth::router(Arc::clone(&state)))
        .merge(cases::router(Arc::clone(&state)))
        .merge(resources::router(state))
}

/// API-specific control endpoints, mounted under `/__sim`.
pub fn admin_router(state: Arc<SimState>) -> Router {
    control::router(state)
}
