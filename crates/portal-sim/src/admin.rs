//! `/__sim/*`: the control surface tests use to set the stage and check what a client did. Every
//! handler is a thin wrapper over a [`SimState`] method, which in-process tests call directly.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::scenario::Scenario;
use crate::state::SimState;
use crate::users::{Portal, UserSpec};

pub fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/users", get(list_users).post(add_user))
        .route("/users/{portal}/{username}", get(user))
        .route("/users/{portal}/{username}/mfa-code", get(mfa_code))
        .route("/scenario", get(scenario).put(set_scenario))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/fleet", get(fleet))
        .route("/tick", post(tick))
        .route("/sessions/expire", post(expire_sessions))
        .with_state(state)
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": message.into() }))).into_response()
}

async fn add_user(State(state): State<Arc<SimState>>, Json(spec): Json<UserSpec>) -> Response {
    match state.add_user(spec) {
        Ok(()) => StatusCode::CREATED.into_response(),
        Err(message) => error(StatusCode::UNPROCESSABLE_ENTITY, message),
    }
}

async fn list_users(State(state): State<Arc<SimState>>) -> Response {
    Json(state.users()).into_response()
}

async fn user(State(state): State<Arc<SimState>>, Path((portal, username)): Path<(Portal, String)>) -> Response {
    match state.user(portal, &username) {
        Some(user) => Json(user).into_response(),
        None => error(StatusCode::NOT_FOUND, format!("no {portal:?} user {username:?}")),
    }
}

async fn mfa_code(State(state): State<Arc<SimState>>, Path((portal, username)): Path<(Portal, String)>) -> Response {
    match state.user(portal, &username) {
        Some(user) => match user.last_sent_code {
            Some(code) => Json(serde_json::json!({ "code": code })).into_response(),
            None => error(StatusCode::NOT_FOUND, "no code has been sent to this user"),
        },
        None => error(StatusCode::NOT_FOUND, format!("no {portal:?} user {username:?}")),
    }
}

async fn scenario(State(state): State<Arc<SimState>>) -> Json<Scenario> {
    Json(state.scenario())
}

async fn set_scenario(State(state): State<Arc<SimState>>, Json(scenario): Json<Scenario>) -> Response {
    match state.set_scenario(scenario) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(message) => error(StatusCode::UNPROCESSABLE_ENTITY, message),
    }
}

#[derive(Debug, Deserialize)]
struct RequestsQuery {
    /// Only entries with a sequence number above this.
    since: Option<u64>,
}

async fn requests(State(state): State<Arc<SimState>>, Query(q): Query<RequestsQuery>) -> Response {
    Json(state.requests(q.since.unwrap_or(0))).into_response()
}

async fn clear_requests(State(state): State<Arc<SimState>>) -> StatusCode {
    state.clear_requests();
    StatusCode::NO_CONTENT
}

async fn fleet(State(state): State<Arc<SimState>>) -> Response {
    Json(state.fleet_snapshot()).into_response()
}

#[derive(Debug, Deserialize)]
struct TickBody {
    #[serde(default = "default_tick_minutes")]
    minutes: u32,
}

fn default_tick_minutes() -> u32 {
    60
}

async fn tick(State(state): State<Arc<SimState>>, body: Option<Json<TickBody>>) -> Response {
    let minutes = body.map_or_else(default_tick_minutes, |b| b.minutes);
    let (now, ticks) = state.tick(minutes);
    Json(serde_json::json!({ "now": now, "ticks": ticks })).into_response()
}

async fn expire_sessions(State(state): State<Arc<SimState>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "expired": state.expire_sessions() }))
}
