//! The API gateway's routes. Every data call needs `X-Auth-Token`; sign-in and refresh do not.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::search::{MAX_PAGE_SIZE, Search};
use super::session::{SignInRefused, TokenCheck};
use super::{CLIENT_ID, Ctx, documents};
use crate::state::{ServedUser, read};

pub fn router(ctx: Ctx) -> Router {
    Router::new()
        .route("/userLogin", post(user_login))
        .route("/refreshToken", post(refresh_token))
        .route("/v2vehicles", post(search_vehicles))
        .route("/v2vehicles/{vin}", get(vehicle))
        .route("/v2vehicles/{vin}/faults", get(faults))
        .with_state(ctx)
}

/// The gateway's error body (a guess: none is seen in public material).
pub fn problem(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "status": status.as_u16(), "message": message }))).into_response()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LoginBody {
    username: Option<String>,
    password: Option<String>,
    client_id: Option<String>,
    /// From the hosted sign-in page.
    authorization_code: Option<String>,
}

async fn user_login(State(ctx): State<Ctx>, Json(body): Json<LoginBody>) -> Response {
    if body.client_id.as_deref() != Some(CLIENT_ID) {
        return problem(StatusCode::BAD_REQUEST, "unknown clientId");
    }
    let hosted = ctx.state.scenario().hosted_login;
    let username = match (body.authorization_code, body.username, body.password) {
        (Some(code), _, _) => match ctx.state.solutions_take_code(&code) {
            Some(username) => username,
            None => return problem(StatusCode::UNAUTHORIZED, "The sign-in code is not valid. Please sign in again."),
        },
        (None, Some(_), Some(_)) if hosted => {
            return problem(StatusCode::BAD_REQUEST, "Password sign-in is handled by the hosted login page.");
        }
        (None, Some(username), Some(password)) => match ctx.state.solutions_password(&username, &password) {
            Ok(username) => username,
            Err(refused @ SignInRefused::WrongPassword) => return problem(StatusCode::UNAUTHORIZED, refused.message()),
            Err(refused @ SignInRefused::Locked) => return problem(StatusCode::FORBIDDEN, refused.message()),
        },
        _ => return problem(StatusCode::BAD_REQUEST, "username and password are required"),
    };
    let token = ctx.state.solutions_issue(&username);
    let mut response = Json(json!({
        "encodedToken": token,
        "idToken": { "uid": username, "realm": "paccar" },
    }))
    .into_response();
    response.extensions_mut().insert(ServedUser(username));
    response
}

fn header_token(headers: &HeaderMap) -> Option<String> {
    headers.get("x-auth-token").and_then(|v| v.to_str().ok()).map(str::to_owned).or_else(|| {
        headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned)
    })
}

async fn refresh_token(State(ctx): State<Ctx>, headers: HeaderMap, body: Option<Json<Value>>) -> Response {
    let token = body.as_ref().and_then(|b| b.get("encodedToken")).and_then(Value::as_str).map(str::to_owned);
    let Some(token) = token.or_else(|| header_token(&headers)) else {
        return problem(StatusCode::UNAUTHORIZED, "Unauthorized");
    };
    match ctx.state.solutions_refresh(&token) {
        Some(fresh) => Json(json!({ "encodedToken": fresh })).into_response(),
        None => problem(StatusCode::UNAUTHORIZED, "Unauthorized"),
    }
}

/// The user a data call is served for, or the status and message that refuse it.
fn signed_in(ctx: &Ctx, headers: &HeaderMap) -> Result<String, (StatusCode, &'static str)> {
    let scenario = ctx.state.scenario();
    ctx.state.solutions_count_call(scenario.expire_tokens_after_calls, scenario.expire_tokens_hard);
    if scenario.gateway_not_found {
        return Err((StatusCode::NOT_FOUND, "Not Found"));
    }
    if ctx.state.solutions_storm_hit() {
        return Err((StatusCode::UNAUTHORIZED, "Unauthorized"));
    }
    let token = header_token(headers).unwrap_or_default();
    match ctx.state.solutions_token(&token) {
        (TokenCheck::Valid, Some(user)) => Ok(user),
        (TokenCheck::Expired, _) => Err((StatusCode::UNAUTHORIZED, "Token expired")),
        _ => Err((StatusCode::UNAUTHORIZED, "Unauthorized")),
    }
}

fn served(mut response: Response, user: String) -> Response {
    response.extensions_mut().insert(ServedUser(user));
    response
}

fn hits(data: Vec<Value>, total: usize) -> Response {
    Json(json!({ "data": data, "responseDescription": { "totalHits": total } })).into_response()
}

async fn search_vehicles(State(ctx): State<Ctx>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let user = match signed_in(&ctx, &headers) {
        Ok(user) => user,
        Err((status, message)) => return problem(status, message),
    };
    let search = match Search::parse(&body) {
        Ok(search) => search,
        Err(message) => return problem(StatusCode::BAD_REQUEST, &message),
    };
    let drift = ctx.state.scenario().json_drift;
    let documents: Vec<Value> = {
        let fleet = read(&ctx.state.fleet);
        fleet.vehicles.iter().map(|v| documents::vehicle(v, ctx.state.seed, drift)).collect()
    };
    let (page, total) = search.run(documents);
    served(hits(page, total), user)
}

async fn vehicle(State(ctx): State<Ctx>, headers: HeaderMap, Path(vin): Path<String>) -> Response {
    let user = match signed_in(&ctx, &headers) {
        Ok(user) => user,
        Err((status, message)) => return problem(status, message),
    };
    let drift = ctx.state.scenario().json_drift;
    let fleet = read(&ctx.state.fleet);
    let response = match fleet.vehicle(&vin) {
        Some(v) => Json(documents::vehicle(v, ctx.state.seed, drift)).into_response(),
        None => problem(StatusCode::NOT_FOUND, "Vehicle not found"),
    };
    served(response, user)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FaultPage {
    page: Option<usize>,
    page_size: Option<usize>,
}

/// A truck's fault log, active first, newest first: the endpoint is a guess (README).
async fn faults(
    State(ctx): State<Ctx>,
    headers: HeaderMap,
    Path(vin): Path<String>,
    Query(q): Query<FaultPage>,
) -> Response {
    let user = match signed_in(&ctx, &headers) {
        Ok(user) => user,
        Err((status, message)) => return problem(status, message),
    };
    let page_size = q.page_size.unwrap_or(MAX_PAGE_SIZE);
    if page_size == 0 || page_size > MAX_PAGE_SIZE {
        return served(problem(StatusCode::BAD_REQUEST, "pageSize must be between 1 and 100"), user);
    }
    let drift = ctx.state.scenario().json_drift;
    let fleet = read(&ctx.state.fleet);
    let Some(v) = fleet.vehicle(&vin) else {
        return served(problem(StatusCode::NOT_FOUND, "Vehicle not found"), user);
    };
    let mut listed: Vec<_> = v.faults.iter().collect();
    listed.sort_by_key(|f| (!f.active, std::cmp::Reverse(f.last_triggered), f.id));
    let total = listed.len();
    let page = listed
        .into_iter()
        .skip(q.page.unwrap_or(0).saturating_mul(page_size))
        .take(page_size)
        .map(|f| documents::fault(f, v, drift))
        .collect();
    served(hits(page, total), user)
}
