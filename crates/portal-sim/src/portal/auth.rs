//! Signing in to a portal: password form, "already logged in" dialog, MFA (TOTP, SMS, e-mail),
//! Policies & Agreements, lockout and session expiry. Both layouts share the flow; only the form
//! fields and wording differ.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use maud::{Markup, html};

use super::html::{Found, found, page, respond};
use super::{Ctx, Layout, vehicle_list};
use crate::state::{ServedUser, Session, Stage, TrustedDevice, lock, random_token, read, user_key};
use crate::users::{Mfa, PasswordCheck, UserState};

const TRUST_DEVICE_FOR: Duration = Duration::from_secs(30 * 24 * 60 * 60);

const LOCKED: &str =
    "Your account has been locked after too many failed sign-in attempts. Contact your administrator to unlock it.";

fn login_page(portal: Layout, error: Option<&str>, notice: Option<&str>) -> Markup {
    let form = portal.sign_in();
    let body = html! {
        h1 { "Sign in" }
        @if let Some(notice) = notice { div.notice role="status" { (notice) } }
        @if let Some(error) = error { div.error.alert-danger role="alert" { (error) } }
        form #login-form method="post" action={ (portal.prefix()) (form.path) } {
            label for=(form.username_field) { (form.username_label) }
            input id=(form.username_field) type=(form.username_type) name=(form.username_field) autocomplete="username" required;
            label for="password" { "Password" }
            input #password type="password" name=(form.password_field) autocomplete="current-password" required;
            button type="submit" { (form.submit) }
        }
    };
    page(portal, "Sign in", body)
}

#[derive(Debug, serde::Deserialize)]
pub struct LoginQuery {
    expired: Option<String>,
}

pub async fn login_form(State(ctx): State<Ctx>, jar: CookieJar, Query(q): Query<LoginQuery>) -> Response {
    if let Some(elsewhere) = ctx.state.scenario().login_redirect {
        return found(&elsewhere);
    }
    if let Some(session) = session_from(&ctx, &jar)
        && session.stage == Stage::SignedIn
    {
        return found(&stage_url(ctx.layout, Stage::SignedIn));
    }
    let notice = q.expired.map(|_| "Your session has expired. Please sign in again.");
    respond(StatusCode::OK, login_page(ctx.layout, None, notice))
}

pub async fn login_submit(
    State(ctx): State<Ctx>,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let fields = ctx.layout.sign_in();
    let username = form.get(fields.username_field).map(String::as_str).unwrap_or_default();
    let password = form.get(fields.password_field).map(String::as_str).unwrap_or_default();
    let trusted = trusted_user(&ctx, &jar);
    let mut users = lock(&ctx.state.users);
    let Some(user) = users.get_mut(&user_key(ctx.layout.portal(), username)) else {
        return respond(StatusCode::UNAUTHORIZED, login_page(ctx.layout, Some(fields.bad_credentials), None));
    };
    match user.try_password(password) {
        PasswordCheck::Accepted => {}
        PasswordCheck::Locked => return respond(StatusCode::FORBIDDEN, login_page(ctx.layout, Some(LOCKED), None)),
        PasswordCheck::Wrong => {
            let page = login_page(ctx.layout, Some(fields.bad_credentials), None);
            return respond(StatusCode::UNAUTHORIZED, page);
        }
    }
    let trusted = trusted.as_deref() == Some(user.spec.username.to_lowercase().as_str());
    let stage = next_stage(None, user, trusted);
    enter_stage(user, stage);
    let session = Session {
        portal: ctx.layout.portal(),
        username: user.spec.username.clone(),
        stage,
        expires_at: Instant::now() + Duration::from_secs(user.spec.session_ttl_secs),
        page_views: 0,
    };
    drop(users);
    let token = random_token();
    lock(&ctx.state.sessions).insert(token.clone(), session);
    let cookie = Cookie::build((ctx.layout.session_cookie(), token))
        .path(ctx.layout.prefix())
        .http_only(true)
        .same_site(SameSite::Lax)
        .build();
    (jar.add(cookie), found(&stage_url(ctx.layout, stage))).into_response()
}

/// The step after `done` (or the first step), skipping what does not apply to this user.
fn next_stage(done: Option<Stage>, user: &UserState, trusted_device: bool) -> Stage {
    const ORDER: [Stage; 4] = [Stage::Conflict, Stage::Mfa, Stage::Policies, Stage::SignedIn];
    let start = done.and_then(|d| ORDER.iter().position(|s| *s == d)).map_or(0, |i| i + 1);
    ORDER[start..]
        .iter()
        .copied()
        .find(|stage| match stage {
            Stage::Conflict => user.spec.conflict_dialog,
            Stage::Mfa => user.spec.mfa != Mfa::None && !trusted_device,
            Stage::Policies => !user.policies_accepted,
            Stage::SignedIn => true,
        })
        .unwrap_or(Stage::SignedIn)
}

/// Side effects of reaching a stage: an MFA prompt "sends" its code; signing in counts.
fn enter_stage(user: &mut UserState, stage: Stage) {
    match stage {
        Stage::Mfa => {
            user.mfa_prompts += 1;
            if matches!(user.spec.mfa, Mfa::Sms | Mfa::Email) {
                use rand::Rng;
                user.last_sent_code = Some(format!("{:06}", rand::rng().random_range(0..1_000_000)));
            }
        }
        Stage::SignedIn => user.successful_logins += 1,
        Stage::Conflict | Stage::Policies => {}
    }
}

/// The layout's sign-in page.
fn login_url(portal: Layout) -> String {
    format!("{}{}", portal.prefix(), portal.sign_in().path)
}

fn stage_url(portal: Layout, stage: Stage) -> String {
    let path = match stage {
        Stage::Conflict => "/session-conflict",
        Stage::Mfa => "/mfa",
        Stage::Policies => "/policies",
        Stage::SignedIn => portal.sign_in().home,
    };
    format!("{}{path}", portal.prefix())
}

/// The live session named by the request's cookie, if any (expired ones are dropped).
pub fn session_from(ctx: &Ctx, jar: &CookieJar) -> Option<Session> {
    let token = jar.get(ctx.layout.session_cookie())?.value().to_owned();
    let mut sessions = lock(&ctx.state.sessions);
    let session = sessions.get(&token)?.clone();
    if session.portal != ctx.layout.portal() || session.expires_at <= Instant::now() {
        sessions.remove(&token);
        return None;
    }
    Some(session)
}

fn trusted_user(ctx: &Ctx, jar: &CookieJar) -> Option<String> {
    let token = jar.get(ctx.layout.trust_cookie())?.value().to_owned();
    let trusted = lock(&ctx.state.trusted);
    let device = trusted.get(&token)?;
    (device.portal == ctx.layout.portal() && device.expires_at > Instant::now()).then(|| device.username.to_lowercase())
}

/// For pages behind sign-in: the signed-in username, or the redirect a portal answers with.
/// Counts the page view, which is how a mid-run expiry is injected.
pub fn require_signed_in(ctx: &Ctx, jar: &CookieJar) -> Result<String, Found> {
    let login = login_url(ctx.layout);
    let Some(cookie) = jar.get(ctx.layout.session_cookie()) else {
        return Err(Found(login));
    };
    let token = cookie.value().to_owned();
    let expire_after = read(&ctx.state.scenario).expire_session_after_requests;
    let mut sessions = lock(&ctx.state.sessions);
    let Some(session) = sessions.get_mut(&token) else {
        return Err(Found(format!("{login}?expired=1")));
    };
    if session.portal != ctx.layout.portal() || session.expires_at <= Instant::now() {
        sessions.remove(&token);
        return Err(Found(format!("{login}?expired=1")));
    }
    if session.stage != Stage::SignedIn {
        return Err(Found(stage_url(ctx.layout, session.stage)));
    }
    session.page_views += 1;
    if expire_after.is_some_and(|limit| session.page_views > limit) {
        sessions.remove(&token);
        return Err(Found(format!("{login}?expired=1")));
    }
    Ok(session.username.clone())
}

/// Finds the session in `stage` for a step page, or redirects to where the browser belongs.
fn session_at(ctx: &Ctx, jar: &CookieJar, stage: Stage) -> Result<(String, Session), Found> {
    let login = login_url(ctx.layout);
    let token =
        jar.get(ctx.layout.session_cookie()).map(|c| c.value().to_owned()).ok_or_else(|| Found(login.clone()))?;
    let session = session_from(ctx, jar).ok_or_else(|| Found(login.clone()))?;
    if session.stage != stage {
        return Err(Found(stage_url(ctx.layout, session.stage)));
    }
    Ok((token, session))
}

/// Moves the session past `done`, returning where the browser goes next.
fn advance(ctx: &Ctx, token: &str, done: Stage, trusted_device: bool) -> Response {
    let mut users = lock(&ctx.state.users);
    let mut sessions = lock(&ctx.state.sessions);
    let Some(session) = sessions.get_mut(token) else {
        return found(&login_url(ctx.layout));
    };
    let Some(user) = users.get_mut(&user_key(ctx.layout.portal(), &session.username)) else {
        return found(&login_url(ctx.layout));
    };
    let stage = next_stage(Some(done), user, trusted_device);
    enter_stage(user, stage);
    session.stage = stage;
    found(&stage_url(ctx.layout, stage))
}

pub async fn conflict_form(State(ctx): State<Ctx>, jar: CookieJar) -> Response {
    if let Err(redirect) = session_at(&ctx, &jar, Stage::Conflict) {
        return redirect.into_response();
    }
    let body = html! {
        div.modal.session-conflict role="dialog" aria-labelledby="conflict-title" {
            h1 #conflict-title { "Already logged in" }
            p { "You are already logged in elsewhere. Continuing will end your other session." }
            form method="post" action={ (ctx.layout.prefix()) "/session-conflict" } {
                button type="submit" name="continue" value="1" { "Continue" }
            }
        }
    };
    respond(StatusCode::OK, page(ctx.layout, "Already logged in", body))
}

pub async fn conflict_submit(State(ctx): State<Ctx>, jar: CookieJar) -> Response {
    match session_at(&ctx, &jar, Stage::Conflict) {
        Ok((token, session)) => {
            // "Continue" ends every other session of this user.
            lock(&ctx.state.sessions)
                .retain(|t, s| t == &token || !(s.portal == ctx.layout.portal() && s.username == session.username));
            advance(&ctx, &token, Stage::Conflict, false)
        }
        Err(redirect) => redirect.into_response(),
    }
}

fn mfa_page(ctx: &Ctx, mfa: Mfa, error: Option<&str>) -> Markup {
    let prompt = match mfa {
        Mfa::Sms => "We sent a 6-digit verification code by text message to (•••) •••-4821.",
        Mfa::Email => "We sent a 6-digit verification code to your e-mail address.",
        Mfa::Totp | Mfa::None => "Enter the 6-digit verification code from your authenticator app.",
    };
    let body = html! {
        h1 { "Two-factor authentication" }
        @if let Some(error) = error { div.error.alert-danger role="alert" { (error) } }
        p.mfa-prompt { (prompt) }
        form #mfa-form method="post" action={ (ctx.layout.prefix()) "/mfa" } {
            label for="code" { "Verification code" }
            input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" autofocus
                placeholder="6-digit code" maxlength="6" required;
            label.trust {
                input #trust_device type="checkbox" name="trust_device" value="1";
                " Trust this device for 30 days"
            }
            button type="submit" { "Verify" }
        }
    };
    page(ctx.layout, "Verify your identity", body)
}

fn user_mfa(ctx: &Ctx, username: &str) -> Mfa {
    lock(&ctx.state.users).get(&user_key(ctx.layout.portal(), username)).map_or(Mfa::None, |u| u.spec.mfa)
}

pub async fn mfa_form(State(ctx): State<Ctx>, jar: CookieJar) -> Response {
    match session_at(&ctx, &jar, Stage::Mfa) {
        Ok((_, session)) => respond(StatusCode::OK, mfa_page(&ctx, user_mfa(&ctx, &session.username), None)),
        Err(redirect) => redirect.into_response(),
    }
}

pub async fn mfa_submit(State(ctx): State<Ctx>, jar: CookieJar, Form(form): Form<HashMap<String, String>>) -> Response {
    let (token, session) = match session_at(&ctx, &jar, Stage::Mfa) {
        Ok(found) => found,
        Err(redirect) => return redirect.into_response(),
    };
    let code = form.get("code").map(String::as_str).unwrap_or_default().trim();
    let (accepted, mfa) = {
        let mut users = lock(&ctx.state.users);
        let Some(user) = users.get_mut(&user_key(ctx.layout.portal(), &session.username)) else {
            return found(&login_url(ctx.layout));
        };
        let accepted = match user.spec.mfa {
            Mfa::Totp => user.accept_totp(code, unix_now()),
            Mfa::Sms | Mfa::Email => {
                let ok = !code.is_empty() && user.last_sent_code.as_deref() == Some(code);
                if ok {
                    user.last_sent_code = None;
                }
                ok
            }
            Mfa::None => true,
        };
        (accepted, user.spec.mfa)
    };
    if !accepted {
        let error = "That verification code is not valid or has already been used. Try again.";
        return respond(StatusCode::UNAUTHORIZED, mfa_page(&ctx, mfa, Some(error)));
    }
    let mut jar = jar;
    if form.get("trust_device").is_some_and(|v| !v.is_empty()) {
        let device = random_token();
        lock(&ctx.state.trusted).insert(
            device.clone(),
            TrustedDevice {
                portal: ctx.layout.portal(),
                username: session.username.clone(),
                expires_at: Instant::now() + TRUST_DEVICE_FOR,
            },
        );
        let max_age = i64::try_from(TRUST_DEVICE_FOR.as_secs()).unwrap_or(i64::MAX);
        jar = jar.add(
            Cookie::build((ctx.layout.trust_cookie(), device))
                .path(ctx.layout.prefix())
                .http_only(true)
                .same_site(SameSite::Lax)
                .max_age(cookie::time::Duration::seconds(max_age))
                .build(),
        );
    }
    (jar, advance(&ctx, &token, Stage::Mfa, true)).into_response()
}

pub async fn policies_form(State(ctx): State<Ctx>, jar: CookieJar) -> Response {
    if let Err(redirect) = session_at(&ctx, &jar, Stage::Policies) {
        return redirect.into_response();
    }
    let body = html! {
        h1 { "Policies & Agreements" }
        div.policies {
            p { "Before you continue, review and accept the Terms of Use and the Privacy Policy." }
            p { "By accepting you agree to use this portal only for the fleet you are authorised to manage." }
        }
        form #policies-form method="post" action={ (ctx.layout.prefix()) "/policies" } {
            label { input #accept_policies type="checkbox" name="accept" value="1" required; " I have read and accept the Policies & Agreements" }
            button type="submit" { "Accept and Continue" }
        }
    };
    respond(StatusCode::OK, page(ctx.layout, "Policies & Agreements", body))
}

pub async fn policies_submit(
    State(ctx): State<Ctx>,
    jar: CookieJar,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (token, session) = match session_at(&ctx, &jar, Stage::Policies) {
        Ok(found) => found,
        Err(redirect) => return redirect.into_response(),
    };
    if form.get("accept").is_none_or(|v| v.is_empty()) {
        return found(&format!("{}/policies", ctx.layout.prefix()));
    }
    if let Some(user) = lock(&ctx.state.users).get_mut(&user_key(ctx.layout.portal(), &session.username)) {
        user.policies_accepted = true;
    }
    advance(&ctx, &token, Stage::Policies, false)
}

pub async fn logout(State(ctx): State<Ctx>, jar: CookieJar) -> Response {
    if let Some(cookie) = jar.get(ctx.layout.session_cookie()) {
        lock(&ctx.state.sessions).remove(cookie.value());
    }
    let jar = jar.remove(Cookie::build(ctx.layout.session_cookie()).path(ctx.layout.prefix()));
    (jar, found(&login_url(ctx.layout))).into_response()
}

pub async fn dashboard(State(ctx): State<Ctx>, jar: CookieJar) -> Response {
    let username = match require_signed_in(&ctx, &jar) {
        Ok(user) => user,
        Err(redirect) => return redirect.into_response(),
    };
    let fleet_size = read(&ctx.state.fleet).vehicles.len();
    let (list, label) = vehicle_list(ctx.layout);
    let nav = html! {
        nav.main-nav { a href={ (ctx.layout.prefix()) (list) } { (label) " (" (fleet_size) ")" } " " a href={ (ctx.layout.prefix()) "/logout" } { "Sign out" } }
    };
    // Each layout says "signed in" its own way; a profile names what to look for.
    let body = match ctx.layout {
        Layout::Cards => html! {
            div.account-menu { "Signed in as " strong { (username) } }
            h1 { "Your fleet at a glance" }
            (nav)
        },
        Layout::Bulletin => html! {
            h1 { "Overview" }
            p #signed-on { "User " (username) " signed on." }
            (nav)
        },
        Layout::Paccar | Layout::Decisiv | Layout::Ledger => html! {
            h1 #dashboard { "Dashboard" }
            p.welcome { "Welcome, " (username) }
            (nav)
        },
    };
    with_user(respond(StatusCode::OK, page(ctx.layout, "Dashboard", body)), username)
}

/// Tags a response with the user it was served for, for the request log.
pub fn with_user(mut response: Response, username: String) -> Response {
    response.extensions_mut().insert(ServedUser(username));
    response
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::{Portal, UserSpec};

    fn user(mfa: Mfa, policies_pending: bool, conflict_dialog: bool) -> UserState {
        UserState::new(UserSpec {
            portal: Portal::Decisiv,
            username: "u".into(),
            password: "p".into(),
            mfa,
            totp_secret: None,
            policies_pending,
            conflict_dialog,
            lockout_after: 5,
            session_ttl_secs: 60,
            refresh_until_secs: 60,
        })
    }

    #[test]
    fn stages_run_in_order_and_skip_what_does_not_apply() {
        let everything = user(Mfa::Totp, true, true);
        assert_eq!(next_stage(None, &everything, false), Stage::Conflict);
        assert_eq!(next_stage(Some(Stage::Conflict), &everything, false), Stage::Mfa);
        assert_eq!(next_stage(Some(Stage::Conflict), &everything, true), Stage::Policies, "trusted device skips MFA");
        assert_eq!(next_stage(Some(Stage::Mfa), &everything, false), Stage::Policies);
        assert_eq!(next_stage(Some(Stage::Policies), &everything, false), Stage::SignedIn);
        assert_eq!(next_stage(None, &user(Mfa::None, false, false), false), Stage::SignedIn);
    }
}
