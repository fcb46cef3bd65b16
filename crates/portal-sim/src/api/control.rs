//! What the API side of the simulator remembers, and the `/__sim/api/*` control surface that sets
//! it up. Every handler wraps an [`ApiState`] method that in-process tests call directly.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::ids;
use super::token::SigningKey;
use crate::fleet::{Fleet, Vehicle};
use crate::state::{SimState, lock};

/// Decisiv's default (Doorkeeper's too): two hours.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);

/// The SRM Gateway modules this simulator serves; access is provisioned per module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Module {
    AccountManagement,
    AssetManagement,
    Telematics,
}

impl Module {
    pub const ALL: [Module; 3] = [Module::AccountManagement, Module::AssetManagement, Module::Telematics];

    pub fn key(self) -> &'static str {
        match self {
            Module::AccountManagement => "account_management",
            Module::AssetManagement => "asset_management",
            Module::Telematics => "telematics",
        }
    }

    /// Name and description as the published `module_subscriptions` example gives them.
    pub fn name(self) -> &'static str {
        match self {
            Module::AccountManagement => "Account Management",
            Module::AssetManagement => "Asset Management",
            Module::Telematics => "Telematics",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Module::AccountManagement => {
                "Handles user permissions, business relationships, and core account settings across the SRM platform"
            }
            Module::AssetManagement => {
                "Allows fleet / asset operators to track, manage and maintain their vehicles/assets across their \
                 entire lifecycle"
            }
            Module::Telematics => {
                "Provides real-time vehicle data, diagnostics, and location tracking to optimize asset operations \
                 and maintenance"
            }
        }
    }
}

/// An OAuth application (`POST /__sim/api/clients`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiClientSpec {
    pub client_id: String,
    /// `None` = a public client (a desktop app using PKCE); with a secret, every token request
    /// must authenticate with it.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Loopback hosts its redirect URIs may use: `127.0.0.1`, `localhost`, `[::1]`. Empty = any
    /// of them.
    #[serde(default)]
    pub redirect_hosts: Vec<String>,
}

/// An API user (`POST /__sim/api/users`); it reaches one SRM account showing the whole fleet, or
/// several sharing it out (see [`ApiState::add_user_with_accounts`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiUserSpec {
    pub username: String,
    pub password: String,
    /// The modules its application is provisioned for; others answer 428.
    pub modules: Vec<Module>,
    /// The account's name; defaults to one made from the username.
    #[serde(default)]
    pub account_name: Option<String>,
}

/// The body of `POST /__sim/api/users`: a user and, optionally, the names of its accounts. A
/// separate type, so code building an [`ApiUserSpec`] by its fields keeps compiling.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct NewApiUser {
    #[serde(flatten)]
    spec: ApiUserSpec,
    #[serde(default)]
    accounts: Vec<String>,
}

/// One SRM account an API user reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SrmAccountView {
    pub id: String,
    pub name: String,
}

/// What tests can read back about an API user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiUserView {
    pub username: String,
    pub user_id: String,
    pub modules: Vec<Module>,
    /// The first account's id and name (the only ones for a single-account user).
    pub srm_account_id: String,
    pub account_name: String,
    /// Every account the user reaches, first one first.
    pub accounts: Vec<SrmAccountView>,
    /// Requests to the token endpoint made for this user, whatever their outcome: a client that
    /// caches its token well makes few.
    pub token_requests: u64,
}

impl ApiUserView {
    /// The account a truck belongs to, by its index in `Fleet::vehicles`: with n accounts, truck
    /// i goes to account i % n, so every truck is in exactly one and the shares differ by at most
    /// one truck. Faults, readings and cases follow their truck.
    pub fn account_of(&self, vehicle_index: usize) -> Option<&SrmAccountView> {
        self.accounts.get(vehicle_index % self.accounts.len().max(1))
    }

    /// Whether the truck at `vehicle_index` shows under `srm_account_id`.
    pub fn serves(&self, srm_account_id: &str, vehicle_index: usize) -> bool {
        self.account_of(vehicle_index).is_some_and(|a| a.id == srm_account_id)
    }

    /// The trucks `srm_account_id` shows, in fleet order; none if it is not one of the user's.
    pub fn vehicles_in<'a>(&self, fleet: &'a Fleet, srm_account_id: &str) -> Vec<&'a Vehicle> {
        fleet.vehicles.iter().enumerate().filter(|(i, _)| self.serves(srm_account_id, *i)).map(|(_, v)| v).collect()
    }
}

#[derive(Debug, Clone)]
pub(super) struct OAuthClient {
    pub secret: Option<String>,
    pub redirect_hosts: Vec<String>,
}

#[derive(Debug, Clone)]
pub(super) struct ApiUser {
    pub password: String,
    pub view: ApiUserView,
}

#[derive(Debug, Clone)]
pub(super) struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: String,
    pub user: String,
    pub expires_at: Instant,
    /// The sign-in the code's tokens belong to, once it has been exchanged.
    pub redeemed_sid: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct RefreshGrant {
    pub client_id: String,
    pub user: String,
    pub sid: String,
}

#[derive(Debug)]
pub(super) struct Inner {
    pub clients: HashMap<String, OAuthClient>,
    /// Keyed by lower-cased username.
    pub users: HashMap<String, ApiUser>,
    pub codes: HashMap<String, AuthCode>,
    pub refresh_tokens: HashMap<String, RefreshGrant>,
    pub revoked_sids: HashSet<String>,
    pub token_lifetime: Duration,
}

/// What the API side of the simulator remembers (OAuth clients, codes, tokens, provisioning).
#[derive(Debug)]
pub struct ApiState {
    pub(super) key: SigningKey,
    pub(super) inner: Mutex<Inner>,
}

impl Default for ApiState {
    fn default() -> Self {
        Self {
            key: SigningKey::random(),
            inner: Mutex::new(Inner {
                clients: HashMap::new(),
                users: HashMap::new(),
                codes: HashMap::new(),
                refresh_tokens: HashMap::new(),
                revoked_sids: HashSet::new(),
                token_lifetime: DEFAULT_TOKEN_LIFETIME,
            }),
        }
    }
}

pub(super) fn user_key(username: &str) -> String {
    username.trim().to_lowercase()
}

/// RFC 8252 §7.3: native apps receive the code on a loopback redirect.
pub(super) fn is_loopback_host(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "[::1]" | "::1")
}

impl ApiState {
    pub(super) fn inner(&self) -> MutexGuard<'_, Inner> {
        lock(&self.inner)
    }

    pub fn add_client(&self, spec: ApiClientSpec) -> Result<(), String> {
        if spec.client_id.trim().is_empty() {
            return Err("client_id must not be empty".into());
        }
        if let Some(host) = spec.redirect_hosts.iter().find(|h| !is_loopback_host(h)) {
            return Err(format!("redirect host {host:?} is not a loopback host (127.0.0.1, localhost, [::1])"));
        }
        let client = OAuthClient {
            secret: spec.client_secret.filter(|s| !s.is_empty()),
            redirect_hosts: spec.redirect_hosts.iter().map(|h| h.trim_matches(['[', ']']).to_owned()).collect(),
        };
        self.inner().clients.insert(spec.client_id, client);
        Ok(())
    }

    /// Adds (or replaces) an API user reaching one account; returns what tests need, e.g. its
    /// `srm_account_id`.
    pub fn add_user(&self, spec: ApiUserSpec) -> Result<ApiUserView, String> {
        self.add_user_with_accounts(spec, Vec::new())
    }

    /// Adds (or replaces) an API user reaching one account per name in `accounts`, which share the
    /// fleet out (see [`ApiUserView::account_of`]). Empty `accounts` = one account named by
    /// `spec.account_name`, as [`ApiState::add_user`]. Account ids are stable, from the username
    /// and the account's position; the first is the id a single-account user gets.
    pub fn add_user_with_accounts(&self, spec: ApiUserSpec, accounts: Vec<String>) -> Result<ApiUserView, String> {
        let key = user_key(&spec.username);
        if key.is_empty() || spec.password.is_empty() {
            return Err("username and password must not be empty".into());
        }
        if accounts.iter().any(|name| name.trim().is_empty()) {
            return Err("account names must not be empty".into());
        }
        if let (Some(name), Some(first)) = (&spec.account_name, accounts.first())
            && name.trim() != first.trim()
        {
            return Err(format!(
                "account_name {name:?} is not the first of accounts ({first:?}); give one or the other"
            ));
        }
        let names = if accounts.is_empty() {
            vec![spec.account_name.clone().unwrap_or_else(|| format!("{} Fleet", spec.username.trim()))]
        } else {
            accounts.iter().map(|name| name.trim().to_owned()).collect()
        };
        let accounts: Vec<SrmAccountView> = names
            .into_iter()
            .enumerate()
            .map(|(index, name)| {
                let id = if index == 0 {
                    ids::named("srm_account", &key)
                } else {
                    ids::named("srm_account", &format!("{key}#{index}"))
                };
                SrmAccountView { id, name }
            })
            .collect();
        let mut modules = Vec::new();
        for module in spec.modules {
            if !modules.contains(&module) {
                modules.push(module);
            }
        }
        let view = ApiUserView {
            username: spec.username.trim().to_owned(),
            user_id: ids::named("user", &key),
            modules,
            srm_account_id: accounts[0].id.clone(),
            account_name: accounts[0].name.clone(),
            accounts,
            token_requests: 0,
        };
        self.inner().users.insert(key, ApiUser { password: spec.password, view: view.clone() });
        Ok(view)
    }

    pub fn user(&self, username: &str) -> Option<ApiUserView> {
        self.inner().users.get(&user_key(username)).map(|u| u.view.clone())
    }

    pub fn users(&self) -> Vec<ApiUserView> {
        let mut users: Vec<_> = self.inner().users.values().map(|u| u.view.clone()).collect();
        users.sort_by(|a, b| a.username.cmp(&b.username));
        users
    }

    pub fn token_requests(&self, username: &str) -> Option<u64> {
        self.user(username).map(|u| u.token_requests)
    }

    /// Lifetime of access tokens issued from now on (whole seconds; zero issues already-expired
    /// tokens, which is how tests exercise expiry without waiting).
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.inner().token_lifetime = lifetime;
    }

    pub fn token_lifetime(&self) -> Duration {
        self.inner().token_lifetime
    }
}

pub fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route("/api/clients", post(add_client))
        .route("/api/users", get(list_users).post(add_user))
        .route("/api/users/{username}", get(user))
        .route("/api/token-lifetime", get(token_lifetime).put(set_token_lifetime))
        .with_state(state)
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": message.into() }))).into_response()
}

async fn add_client(State(state): State<Arc<SimState>>, Json(spec): Json<ApiClientSpec>) -> Response {
    match state.api.add_client(spec) {
        Ok(()) => StatusCode::CREATED.into_response(),
        Err(message) => error(StatusCode::UNPROCESSABLE_ENTITY, message),
    }
}

async fn add_user(State(state): State<Arc<SimState>>, Json(user): Json<NewApiUser>) -> Response {
    match state.api.add_user_with_accounts(user.spec, user.accounts) {
        Ok(view) => (StatusCode::CREATED, Json(view)).into_response(),
        Err(message) => error(StatusCode::UNPROCESSABLE_ENTITY, message),
    }
}

async fn list_users(State(state): State<Arc<SimState>>) -> Json<Vec<ApiUserView>> {
    Json(state.api.users())
}

async fn user(State(state): State<Arc<SimState>>, Path(username): Path<String>) -> Response {
    match state.api.user(&username) {
        Some(view) => Json(view).into_response(),
        None => error(StatusCode::NOT_FOUND, format!("no API user {username:?}")),
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Lifetime {
    seconds: u64,
}

async fn token_lifetime(State(state): State<Arc<SimState>>) -> Json<Lifetime> {
    Json(Lifetime { seconds: state.api.token_lifetime().as_secs() })
}

async fn set_token_lifetime(State(state): State<Arc<SimState>>, Json(body): Json<Lifetime>) -> StatusCode {
    state.api.set_token_lifetime(Duration::from_secs(body.seconds));
    StatusCode::NO_CONTENT
}
