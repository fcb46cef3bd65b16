//! `/decisiv-login`: the OAuth2 authorization server (login.decisiv.net in the real world).
//!
//! Authorization code with PKCE (RFC 7636, S256 only) for native apps on a loopback redirect
//! (RFC 8252), refresh tokens, and the deprecated password grant. Errors follow RFC 6749 §4.1.2.1
//! (authorization endpoint) and §5.2 (token endpoint).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use url::Url;

use super::control::{ApiState, AuthCode, Inner, RefreshGrant, is_loopback_host, user_key};
use super::token::{self, Claims};
use crate::state::{ServedUser, SimState, random_token};

pub const AUTHORIZE_PATH: &str = "/decisiv-login/auth/api_gateway";
pub const TOKEN_PATH: &str = "/decisiv-login/oauth/token";

/// RFC 6749 §4.1.2 recommends at most ten minutes.
const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);
const ISSUER: &str = "portal-sim/decisiv-login";

pub fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route(AUTHORIZE_PATH, get(authorize_form).post(authorize_submit))
        .route(TOKEN_PATH, post(token_endpoint))
        .with_state(state)
}

// ---------------------------------------------------------------------------------------------
// Authorization endpoint

#[derive(Debug, Default, Deserialize)]
struct AuthorizeParams {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    state: Option<String>,
    username: Option<String>,
    password: Option<String>,
    /// Set by the form's "Cancel" button.
    deny: Option<String>,
}

/// A request good enough to show the sign-in form for.
#[derive(Debug)]
struct Authorization {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    state: Option<String>,
}

enum Rejection {
    /// The client or redirect URI cannot be trusted: say so on our own page, never redirect
    /// (RFC 6749 §4.1.2.1, or we would be an open redirector).
    Page(String),
    /// Everything else goes back to the client on its redirect URI.
    Redirect(Box<Response>),
}

fn validate(api: &ApiState, params: &AuthorizeParams) -> Result<Authorization, Rejection> {
    let client_id = params.client_id.as_deref().filter(|c| !c.is_empty());
    let Some(client_id) = client_id else {
        return Err(Rejection::Page("The request has no client_id.".into()));
    };
    let Some(client) = api.inner().clients.get(client_id).cloned() else {
        return Err(Rejection::Page(format!("Unknown client {client_id:?}.")));
    };
    let Some(redirect_uri) = params.redirect_uri.as_deref() else {
        return Err(Rejection::Page("The request has no redirect_uri.".into()));
    };
    let url = Url::parse(redirect_uri)
        .map_err(|_| Rejection::Page(format!("The redirect_uri {redirect_uri:?} is not a valid URL.")))?;
    let host = url.host_str().unwrap_or_default();
    let loopback = url.scheme() == "http"
        && is_loopback_host(host)
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if !loopback {
        return Err(Rejection::Page(format!(
            "The redirect_uri {redirect_uri:?} is not allowed: it must be an http loopback URL \
             (http://127.0.0.1:PORT/... or http://localhost:PORT/...)."
        )));
    }
    let bare_host = host.trim_matches(['[', ']']);
    if !client.redirect_hosts.is_empty() && !client.redirect_hosts.iter().any(|h| h == bare_host) {
        return Err(Rejection::Page(format!("The redirect_uri host {host:?} is not registered for this client.")));
    }

    let back = |error: &str, description: &str| {
        Rejection::Redirect(Box::new(redirect_with(
            &url,
            &[("error", error), ("error_description", description)],
            &params.state,
        )))
    };
    if params.response_type.as_deref() != Some("code") {
        return Err(back("unsupported_response_type", "Only response_type=code is supported."));
    }
    let Some(challenge) = params.code_challenge.as_deref().filter(|c| !c.is_empty()) else {
        return Err(back("invalid_request", "Code challenge required (PKCE)."));
    };
    if params.code_challenge_method.as_deref() != Some("S256") {
        return Err(back("invalid_request", "Transform algorithm not supported: use code_challenge_method=S256."));
    }
    // A base64url SHA-256 is exactly 43 characters.
    if challenge.len() != 43 || URL_SAFE_NO_PAD.decode(challenge).is_err() {
        return Err(back("invalid_request", "The code_challenge is not a base64url-encoded SHA-256 digest."));
    }
    Ok(Authorization {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        challenge: challenge.to_owned(),
        state: params.state.clone(),
    })
}

fn redirect_with(base: &Url, pairs: &[(&str, &str)], state: &Option<String>) -> Response {
    let mut url = base.clone();
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in pairs {
            query.append_pair(name, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(url.as_str()) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

async fn authorize_form(
    State(state): State<Arc<SimState>>,
    params: Result<Query<AuthorizeParams>, QueryRejection>,
) -> Response {
    let Ok(Query(params)) = params else {
        return error_page("The authorization request is malformed.");
    };
    match validate(&state.api, &params) {
        Ok(authorization) => sign_in_page(StatusCode::OK, &authorization, None, ""),
        Err(Rejection::Page(message)) => error_page(&message),
        Err(Rejection::Redirect(response)) => *response,
    }
}

async fn authorize_submit(
    State(state): State<Arc<SimState>>,
    form: Result<Form<AuthorizeParams>, FormRejection>,
) -> Response {
    let Ok(Form(params)) = form else {
        return error_page("The sign-in form was not submitted as a form.");
    };
    let authorization = match validate(&state.api, &params) {
        Ok(authorization) => authorization,
        Err(Rejection::Page(message)) => return error_page(&message),
        Err(Rejection::Redirect(response)) => return *response,
    };
    let Ok(redirect) = Url::parse(&authorization.redirect_uri) else {
        return error_page("The redirect_uri is not a valid URL.");
    };
    if params.deny.is_some() {
        let pairs = [("error", "access_denied"), ("error_description", "The resource owner denied the request.")];
        return redirect_with(&redirect, &pairs, &authorization.state);
    }
    let username = params.username.unwrap_or_default();
    let key = user_key(&username);
    let signed_in = {
        let inner = state.api.inner();
        inner.users.get(&key).filter(|u| Some(&u.password) == params.password.as_ref()).map(|u| u.view.username.clone())
    };
    let Some(signed_in) = signed_in else {
        return sign_in_page(StatusCode::OK, &authorization, Some("Invalid username or password."), &username);
    };
    let code = random_token();
    state.api.inner().codes.insert(
        code.clone(),
        AuthCode {
            client_id: authorization.client_id,
            redirect_uri: authorization.redirect_uri,
            challenge: authorization.challenge,
            user: key,
            expires_at: Instant::now() + CODE_LIFETIME,
            redeemed_sid: None,
        },
    );
    let mut response = redirect_with(&redirect, &[("code", &code)], &authorization.state);
    response.extensions_mut().insert(ServedUser(signed_in));
    response
}

const STYLE: &str = "body{font-family:Arial,Helvetica,sans-serif;margin:0;color:#222;background:#f4f6f8}\
header{background:#00263e;color:#fff;padding:12px 24px}main{max-width:420px;margin:40px auto;background:#fff;\
padding:24px;border:1px solid #ddd}label{display:block;margin:12px 0 4px}input{width:100%;padding:6px}\
.error{color:#a00;border:1px solid #a00;padding:8px;margin:8px 0}button{margin-top:16px;padding:8px 16px}";

fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) " - Decisiv" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header { span.brand { "Decisiv" } }
                main { (body) }
            }
        }
    }
}

fn html_response(status: StatusCode, markup: Markup) -> Response {
    let mut response = (status, markup.into_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    // The sign-in page must not be framed or cached, as any login page.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert("x-frame-options", HeaderValue::from_static("DENY"));
    response
}

fn sign_in_page(status: StatusCode, auth: &Authorization, error: Option<&str>, username: &str) -> Response {
    let body = html! {
        h1 { "Sign in to the SRM API" }
        p { "Application " strong.client { (auth.client_id) } " is requesting access to your Decisiv account." }
        @if let Some(error) = error {
            p.error role="alert" { (error) }
        }
        form id="api-sign-in" method="post" action=(AUTHORIZE_PATH) {
            input type="hidden" name="response_type" value="code";
            input type="hidden" name="client_id" value=(auth.client_id);
            input type="hidden" name="redirect_uri" value=(auth.redirect_uri);
            input type="hidden" name="code_challenge" value=(auth.challenge);
            input type="hidden" name="code_challenge_method" value="S256";
            @if let Some(state) = &auth.state {
                input type="hidden" name="state" value=(state);
            }
            label for="username" { "Username" }
            input id="username" type="text" name="username" autocomplete="username" value=(username) required;
            label for="password" { "Password" }
            input id="password" type="password" name="password" autocomplete="current-password" required;
            button id="sign-in" type="submit" { "Sign In" }
            " "
            button id="cancel" type="submit" name="deny" value="1" formnovalidate { "Cancel" }
        }
    };
    html_response(status, layout("Sign in", body))
}

fn error_page(message: &str) -> Response {
    let body = html! {
        h1 { "Authorization error" }
        p.error id="oauth-error" role="alert" { (message) }
    };
    html_response(StatusCode::BAD_REQUEST, layout("Authorization error", body))
}

// ---------------------------------------------------------------------------------------------
// Token endpoint

struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl OAuthError {
    fn invalid_request(description: impl Into<String>) -> Self {
        Self { status: StatusCode::BAD_REQUEST, error: "invalid_request", description: description.into() }
    }

    fn invalid_client() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "Client authentication failed due to unknown client, no client authentication included, \
                          or unsupported authentication method."
                .into(),
        }
    }

    fn invalid_grant() -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_grant",
            description: "The provided authorization grant is invalid, expired, revoked, does not match the \
                          redirection URI used in the authorization request, or was issued to another client."
                .into(),
        }
    }

    fn unsupported_grant_type() -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error: "unsupported_grant_type",
            description: "The authorization grant type is not supported by the authorization server.".into(),
        }
    }

    fn response(&self) -> Response {
        let mut response =
            (self.status, Json(json!({ "error": self.error, "error_description": self.description }))).into_response();
        no_store(&mut response);
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"decisiv-login\""));
        }
        response
    }
}

/// RFC 6749 §5.1: token responses must not be cached.
fn no_store(response: &mut Response) {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
}

async fn token_endpoint(
    State(state): State<Arc<SimState>>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return OAuthError::invalid_request("The request must be application/x-www-form-urlencoded.").response();
    };
    let mut served = None;
    let result = grant(&state.api, &headers, &form, &mut served);
    let mut response = match result {
        Ok(body) => {
            let mut response = Json(body).into_response();
            no_store(&mut response);
            response
        }
        Err(error) => error.response(),
    };
    if let Some(user) = served {
        response.extensions_mut().insert(ServedUser(user));
    }
    response
}

/// Client credentials from HTTP Basic (RFC 6749 §2.3.1, form-encoded inside) or the form body.
fn client_credentials(headers: &HeaderMap, form: &HashMap<String, String>) -> Option<(String, Option<String>)> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok());
    if let Some(pair) = basic {
        let (id, secret) = pair.split_once(':')?;
        let decode = |s: &str| url::form_urlencoded::parse(s.as_bytes()).next().map(|(k, _)| k.into_owned());
        return Some((decode(id).unwrap_or_default(), decode(secret).filter(|s| !s.is_empty())));
    }
    let id = form.get("client_id")?.clone();
    Some((id, form.get("client_secret").filter(|s| !s.is_empty()).cloned()))
}

fn grant(
    api: &ApiState,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
    served: &mut Option<String>,
) -> Result<serde_json::Value, OAuthError> {
    let param = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
    let grant_type = param("grant_type").ok_or_else(|| OAuthError::invalid_request("Missing grant_type."))?;
    if !matches!(grant_type, "authorization_code" | "refresh_token" | "password") {
        return Err(OAuthError::unsupported_grant_type());
    }
    let mut inner = api.inner();
    // Count the request against the user it names or resolves to before anything can fail, so
    // the count says how often a client asked, not how often it succeeded.
    let named_user = match grant_type {
        "authorization_code" => param("code").and_then(|c| inner.codes.get(c)).map(|c| c.user.clone()),
        "refresh_token" => param("refresh_token").and_then(|r| inner.refresh_tokens.get(r)).map(|r| r.user.clone()),
        _ => param("username").map(user_key),
    };
    if let Some(account) = named_user.and_then(|u| inner.users.get_mut(&u)) {
        account.view.token_requests += 1;
        *served = Some(account.view.username.clone());
    }

    let (client_id, secret) = client_credentials(headers, form).ok_or_else(OAuthError::invalid_client)?;
    let client = inner.clients.get(&client_id).ok_or_else(OAuthError::invalid_client)?;
    if client.secret != secret {
        return Err(OAuthError::invalid_client());
    }

    match grant_type {
        "authorization_code" => {
            let code = param("code").ok_or_else(|| OAuthError::invalid_request("Missing code."))?;
            let Some(entry) = inner.codes.get(code).cloned() else {
                return Err(OAuthError::invalid_grant());
            };
            if let Some(sid) = entry.redeemed_sid {
                // RFC 6749 §4.1.2: a reused code is an attack sign; revoke what it issued.
                inner.revoked_sids.insert(sid.clone());
                inner.refresh_tokens.retain(|_, grant| grant.sid != sid);
                return Err(OAuthError::invalid_grant());
            }
            if Instant::now() >= entry.expires_at {
                inner.codes.remove(code);
                return Err(OAuthError::invalid_grant());
            }
            if entry.client_id != client_id || param("redirect_uri") != Some(entry.redirect_uri.as_str()) {
                return Err(OAuthError::invalid_grant());
            }
            let verifier =
                param("code_verifier").ok_or_else(|| OAuthError::invalid_request("Missing code_verifier."))?;
            // A wrong verifier does not burn the code: only the holder of the right one can use it.
            if !verifier_matches(verifier, &entry.challenge) {
                return Err(OAuthError::invalid_grant());
            }
            let sid = random_token();
            if let Some(stored) = inner.codes.get_mut(code) {
                stored.redeemed_sid = Some(sid.clone());
            }
            issue(api, &mut inner, &entry.user, &client_id, sid)
        }
        "refresh_token" => {
            let refresh =
                param("refresh_token").ok_or_else(|| OAuthError::invalid_request("Missing refresh_token."))?;
            let Some(entry) = inner.refresh_tokens.get(refresh).cloned() else {
                return Err(OAuthError::invalid_grant());
            };
            if entry.client_id != client_id {
                return Err(OAuthError::invalid_grant());
            }
            // Rotation: a refresh token works once.
            inner.refresh_tokens.remove(refresh);
            issue(api, &mut inner, &entry.user, &client_id, entry.sid)
        }
        _ => {
            let username = param("username").ok_or_else(|| OAuthError::invalid_request("Missing username."))?;
            let password = param("password").ok_or_else(|| OAuthError::invalid_request("Missing password."))?;
            let key = user_key(username);
            if inner.users.get(&key).is_none_or(|u| u.password != password) {
                return Err(OAuthError::invalid_grant());
            }
            issue(api, &mut inner, &key, &client_id, random_token())
        }
    }
}

/// RFC 7636 §4.1 verifier syntax, then BASE64URL(SHA256(verifier)) == challenge.
fn verifier_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    well_formed && URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
}

fn issue(
    api: &ApiState,
    inner: &mut Inner,
    user: &str,
    client_id: &str,
    sid: String,
) -> Result<serde_json::Value, OAuthError> {
    let Some(account) = inner.users.get(user) else {
        return Err(OAuthError::invalid_grant());
    };
    let now = chrono::Utc::now().timestamp();
    let lifetime = i64::try_from(inner.token_lifetime.as_secs()).unwrap_or(i64::MAX / 2);
    let claims = Claims {
        iss: ISSUER.into(),
        sub: account.view.user_id.clone(),
        client_id: client_id.to_owned(),
        iat: now,
        exp: now.saturating_add(lifetime),
        jti: random_token(),
        sid: sid.clone(),
    };
    let refresh = random_token();
    inner
        .refresh_tokens
        .insert(refresh.clone(), RefreshGrant { client_id: client_id.to_owned(), user: user.to_owned(), sid });
    Ok(json!({
        "access_token": token::sign(&api.key, &claims),
        "token_type": "Bearer",
        "expires_in": lifetime,
        "refresh_token": refresh,
        "created_at": now,
    }))
}

/// The API user behind a bearer token; `None` for a missing, malformed, forged, expired or
/// revoked one (the gateway answers them all with the same 401).
pub fn authenticate(api: &ApiState, headers: &HeaderMap) -> Option<super::ApiUserView> {
    let token = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())?;
    let claims = token::verify(&api.key, token, chrono::Utc::now().timestamp()).ok()?;
    let inner = api.inner();
    if inner.revoked_sids.contains(&claims.sid) || !inner.clients.contains_key(&claims.client_id) {
        return None;
    }
    inner.users.values().find(|u| u.view.user_id == claims.sub).map(|u| u.view.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_7636_example_verifier_matches_its_challenge() {
        // Appendix B of RFC 7636.
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(verifier_matches("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", challenge));
        assert!(!verifier_matches("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj", challenge));
        assert!(!verifier_matches("short", challenge));
    }
}
