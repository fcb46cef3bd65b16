//! `/__sim/solutions`: where the three origins are, and token expiry for tests.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Ctx;

pub fn router(ctx: Ctx) -> Router {
    Router::new()
        .route("/solutions", get(origins))
        .route("/solutions/tokens/expire", post(expire_tokens))
        .with_state(ctx)
}

async fn origins(State(ctx): State<Ctx>) -> Json<super::Origins> {
    Json((*ctx.origins).clone())
}

#[derive(Debug, Default, Deserialize)]
struct Expire {
    /// Also past refreshing: only a new sign-in helps.
    #[serde(default)]
    hard: bool,
}

async fn expire_tokens(State(ctx): State<Ctx>, body: Option<Json<Expire>>) -> Json<Value> {
    let hard = body.map(|b| b.hard).unwrap_or_default();
    Json(json!({ "expired": ctx.state.expire_solutions_tokens(hard) }))
}
