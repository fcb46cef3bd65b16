//! The single-page app's files. They are plain JavaScript, CSS and HTML built into the binary, so
//! `cargo build` alone builds the simulator. Only `index.html` is filled in at request time, with
//! where the gateway is (and the hosted sign-in page, when the scenario turns it on).

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use super::{Ctx, HOSTED_LOGIN_PATH};

const INDEX: &str = include_str!("spa/index.html");
const SCRIPT: &str = include_str!("spa/app.js");
const STYLE: &str = include_str!("spa/app.css");

pub fn router(ctx: Ctx) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/index.html", get(index))
        .route("/app.js", get(|| async { file("text/javascript; charset=utf-8", SCRIPT) }))
        .route("/app.css", get(|| async { file("text/css; charset=utf-8", STYLE) }))
        .fallback(|| async { (StatusCode::NOT_FOUND, "Not found").into_response() })
        .with_state(ctx)
}

fn file(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

async fn index(State(ctx): State<Ctx>) -> Response {
    let hosted = ctx.state.scenario().hosted_login.then(|| format!("{}{HOSTED_LOGIN_PATH}", ctx.origins.hosted_login));
    let config = json!({ "gateway": ctx.origins.gateway, "hostedLogin": hosted }).to_string().replace("</", "<\\/");
    let mut response = INDEX.replace("/*CONFIG*/null", &config).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response
}
