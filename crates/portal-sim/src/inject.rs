//! Middleware between clients and the portals/API: the request log and the active scenario's
//! failures (rate limit, latency, hung responses, 5xx).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::Rng;

use chrono::Utc;

use crate::state::{LogEntry, ServedUser, SimState, lock, read};

/// Records every request with its final status and the user it was served for.
pub async fn log_requests(State(state): State<Arc<SimState>>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path_and_query().map_or_else(|| request.uri().path().to_owned(), |p| p.to_string());
    // In a block: a borrow of the request held across the await below would make this future !Send.
    let (host, origin) = {
        let header = |name: header::HeaderName| -> Option<String> {
            request.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
        };
        // HTTP/2 carries the host in the URI's authority, HTTP/1.1 in the Host header.
        let host = request.uri().authority().map(ToString::to_string).or_else(|| header(header::HOST));
        (host.unwrap_or_default(), header(header::ORIGIN))
    };
    let response = next.run(request).await;
    let user = response.extensions().get::<ServedUser>().map(|u| u.0.clone());
    let status = response.status().as_u16();
    state.record(LogEntry { seq: 0, at: Utc::now(), method, host, origin, path, status, user });
    response
}

/// How a server's error answers look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorStyle {
    Html,
    /// The Decisiv API's JSON:API errors.
    JsonApi,
    /// PACCAR Solutions' gateway: plain JSON.
    Json,
}

/// Applies the active scenario to a portal or API request on the main origin.
pub async fn inject_failures(State(state): State<Arc<SimState>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let style = if path.starts_with("/srm-api") || path.starts_with("/decisiv-login") {
        ErrorStyle::JsonApi
    } else {
        ErrorStyle::Html
    };
    apply_scenario(&state, style, request, next).await
}

/// Applies the active scenario to the PACCAR Solutions app's files.
pub async fn inject_app_failures(State(state): State<Arc<SimState>>, request: Request, next: Next) -> Response {
    apply_scenario(&state, ErrorStyle::Html, request, next).await
}

/// Applies the active scenario to a PACCAR Solutions gateway call, preflights included.
pub async fn inject_gateway_failures(State(state): State<Arc<SimState>>, request: Request, next: Next) -> Response {
    apply_scenario(&state, ErrorStyle::Json, request, next).await
}

async fn apply_scenario(state: &SimState, style: ErrorStyle, request: Request, next: Next) -> Response {
    let scenario = read(&state.scenario).clone();
    let path = request.uri().path().to_owned();

    if let Some(limit) = &scenario.rate_limit {
        let retry_after = {
            let mut window = lock(&state.rate_window);
            let length = Duration::from_secs(limit.window_secs.max(1));
            if window.started.elapsed() >= length {
                window.started = Instant::now();
                window.count = 0;
            }
            window.count += 1;
            (window.count > limit.max_requests).then(|| length.saturating_sub(window.started.elapsed()))
        };
        if let Some(remaining) = retry_after {
            let retry_after = limit.retry_after.then(|| remaining.as_secs().max(1));
            return too_many_requests(style, retry_after);
        }
    }

    let jitter = if scenario.jitter_ms > 0 { rand::rng().random_range(0..=scenario.jitter_ms) } else { 0 };
    let delay = Duration::from_millis(scenario.latency_ms + jitter);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }

    if scenario.should_hang(state.seed, &path) {
        // Never answer; release only when the simulator stops, so shutdown does not wait on it.
        let mut stopping = state.stopping.subscribe();
        let _ = stopping.wait_for(|stop| *stop).await;
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    if scenario.should_fail(state.seed, &path) {
        return server_error(style);
    }
    next.run(request).await
}

fn too_many_requests(style: ErrorStyle, retry_after: Option<u64>) -> Response {
    let mut response = match style {
        // Verbatim from Decisiv's published 429 description.
        ErrorStyle::JsonApi => crate::api::json_api_response(
            StatusCode::TOO_MANY_REQUESTS,
            serde_json::json!({ "errors": [{
                "code": "429", "status": "429", "title": "Too Many Requests",
                "detail": "The maximum number of requests for this application has been far exceeded with the given credentials."
            }]}),
        ),
        ErrorStyle::Json => crate::solutions::problem(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests"),
        ErrorStyle::Html => {
            html_error(StatusCode::TOO_MANY_REQUESTS, "Too many requests. Please wait a moment and try again.")
        }
    };
    if let Some(seconds) = retry_after
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

fn server_error(style: ErrorStyle) -> Response {
    match style {
        ErrorStyle::JsonApi => crate::api::json_api_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            serde_json::json!({ "errors": [{ "code": "500", "status": "500", "title": "Internal Server Error",
                "detail": "An unexpected error occurred." }]}),
        ),
        ErrorStyle::Json => crate::solutions::problem(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error"),
        ErrorStyle::Html => {
            html_error(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side. Please try again later.")
        }
    }
}

fn html_error(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><title>{code} {reason}</title></head>\
         <body><h1>{code} {reason}</h1><p class=\"error\">{message}</p></body></html>",
        code = status.as_u16(),
        reason = status.canonical_reason().unwrap_or("Error"),
    );
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response
}
