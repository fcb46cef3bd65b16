//! An optional hosted sign-in page in the style of Auth0, on an origin that is neither the app's
//! nor the gateway's. The app sends the browser here; after the password, the page sends it back
//! to the app with a one-time code, which the app trades for a token at `/userLogin`.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, html};

use super::session::SignInRefused;
use super::{Ctx, HOSTED_LOGIN_PATH};
use crate::portal::html::{found, respond};

/// Auth0's own wording, not the app's.
fn refusal_text(refused: SignInRefused) -> &'static str {
    match refused {
        SignInRefused::WrongPassword => "Wrong email or password.",
        SignInRefused::Locked => "Your account has been blocked after multiple consecutive login attempts.",
    }
}

pub fn router(ctx: Ctx) -> Router {
    Router::new().route(HOSTED_LOGIN_PATH, get(form).post(submit)).with_state(ctx)
}

fn page(redirect_uri: &str, state: &str, error: Option<&str>) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Log in | PACCAR" }
                style { "body{font-family:system-ui,sans-serif;background:#f1f3f5;display:grid;place-items:center;min-height:100vh;margin:0}"
                        "main{background:#fff;padding:40px;border-radius:6px;box-shadow:0 12px 40px rgba(0,0,0,.12);width:320px}"
                        "h1{font-size:22px;margin:0 0 24px}label{display:block;font-size:14px;margin:16px 0 4px}"
                        "input{width:100%;box-sizing:border-box;padding:10px;border:1px solid #c9cace;border-radius:3px}"
                        "button{margin-top:24px;width:100%;padding:12px;background:#0a2d5c;color:#fff;border:0;border-radius:3px;font-size:15px}"
                        ".error{background:#fdecea;color:#b3261e;padding:10px;border-radius:3px;font-size:14px}" }
            }
            body {
                main {
                    h1 { "Welcome" }
                    p { "Log in to PACCAR Solutions to continue." }
                    @if let Some(error) = error { p #error-element-password .error role="alert" { (error) } }
                    form method="post" action=(HOSTED_LOGIN_PATH) {
                        input type="hidden" name="redirect_uri" value=(redirect_uri);
                        input type="hidden" name="state" value=(state);
                        label for="username" { "Email address" }
                        input #username type="text" name="username" autocomplete="username" required;
                        label for="password" { "Password" }
                        input #password type="password" name="password" autocomplete="current-password" required;
                        button type="submit" name="action" value="default" { "Continue" }
                    }
                }
            }
        }
    }
}

/// Only the app's own origin may receive a code.
fn redirect_allowed(ctx: &Ctx, redirect_uri: &str) -> bool {
    url::Url::parse(redirect_uri).ok().is_some_and(|url| url.origin().ascii_serialization() == ctx.origins.app)
}

async fn form(State(ctx): State<Ctx>, Query(q): Query<HashMap<String, String>>) -> Response {
    let redirect_uri = q.get("redirect_uri").map(String::as_str).unwrap_or_default();
    if !redirect_allowed(&ctx, redirect_uri) {
        return (StatusCode::BAD_REQUEST, "Callback URL mismatch.").into_response();
    }
    let state = q.get("state").map(String::as_str).unwrap_or_default();
    respond(StatusCode::OK, page(redirect_uri, state, None))
}

async fn submit(State(ctx): State<Ctx>, Form(form): Form<HashMap<String, String>>) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let redirect_uri = field("redirect_uri");
    if !redirect_allowed(&ctx, redirect_uri) {
        return (StatusCode::BAD_REQUEST, "Callback URL mismatch.").into_response();
    }
    match ctx.state.solutions_password(field("username"), field("password")) {
        Ok(username) => {
            let code = ctx.state.solutions_new_code(&username);
            let back = format!(
                "{}#/auth/callback?code={code}&state={}",
                redirect_uri.split('#').next().unwrap_or(redirect_uri),
                url::form_urlencoded::byte_serialize(field("state").as_bytes()).collect::<String>()
            );
            found(&back)
        }
        Err(refused) => {
            respond(StatusCode::UNAUTHORIZED, page(redirect_uri, field("state"), Some(refusal_text(refused))))
        }
    }
}
