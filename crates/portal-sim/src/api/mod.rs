//! The Decisiv SRM Gateway API subset, as published in `shared/reference/decisiv/`.

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::state::SimState;

pub const JSON_API: &str = "application/vnd.api+json";

/// A JSON:API body with its media type.
pub fn json_api_response(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_API));
    response
}

pub fn router(state: Arc<SimState>) -> Router {
    Router::new().with_state(state)
}

/// What the API side of the simulator remembers (OAuth clients, codes, tokens, provisioning).
#[derive(Debug, Default)]
pub struct ApiState {}

/// API-specific control endpoints, mounted under `/__sim`.
pub fn admin_router(state: Arc<SimState>) -> Router {
    Router::new().with_state(state)
}
