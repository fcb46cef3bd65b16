//! `/srm-api`: the bearer-protected JSON:API resources (srm-api.decisivapps.com in the real
//! world), read from the fleet model. Shapes follow the published OpenAPI schemas; the tests
//! validate every response against them.

use std::cmp::Ordering;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{any, get};
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::errors::ApiError;
use super::ids::{self, Kind};
use super::{ApiUserView, Module, SrmAccountView, json_api_response, oauth};
use crate::fleet::catalog::source_name;
use crate::fleet::{Fault, Vehicle};
use crate::state::{ServedUser, SimState, read};

/// The only page-size ceiling Decisiv publishes (Account Management's `page[size]` maximum).
pub const MAX_PAGE_SIZE: u64 = 100;
pub const DEFAULT_PAGE_SIZE: u64 = 25;
/// Published for filter values (`decisiv:filters:008`).
const MAX_FILTER_LENGTH: usize = 4096;
/// Published for multi-value filters (`decisiv:filters:011`).
const MAX_FILTER_VALUES: usize = 50;

const ACCOUNTS: &str = "/srm-api/account_management/v1/accounts";
const REGISTERED_ASSETS: &str = "/srm-api/asset_management/{srm_account_id}/v1/registered_assets";
const FAULTS: &str = "/srm-api/telematics/{srm_account_id}/v1/faults";
const READINGS: &str = "/srm-api/telematics/{srm_account_id}/v1/diagnostic_readings";

pub fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route(ACCOUNTS, get(accounts))
        .route(&format!("{ACCOUNTS}/{{account_id}}"), get(account))
        .route(REGISTERED_ASSETS, get(registered_assets))
        .route(&format!("{REGISTERED_ASSETS}/{{id}}"), get(registered_asset))
        .route(FAULTS, get(faults))
        .route(&format!("{FAULTS}/{{uuid}}"), get(fault))
        .route(READINGS, get(diagnostic_readings))
        .route(&format!("{READINGS}/{{uuid}}"), get(diagnostic_reading))
        .route("/srm-api", any(not_served))
        .route("/srm-api/{*rest}", any(not_served))
        .with_state(state)
}

/// Anything else under the API host: the generic JSON:API 404, not an empty body.
async fn not_served() -> Response {
    ApiError::record_not_found().response()
}

// ---------------------------------------------------------------------------------------------
// Request plumbing

/// Authenticates the bearer token, checks the module is provisioned and the account reachable,
/// in that order (401, then 428, then 403/404), as the gateway does.
pub(super) fn guard(
    state: &SimState,
    headers: &HeaderMap,
    module: Module,
    srm_account_id: Option<&str>,
) -> Result<ApiUserView, Box<Response>> {
    let Some(user) = oauth::authenticate(&state.api, headers) else {
        return Err(Box::new(ApiError::unauthorized().response()));
    };
    let refuse = |error: ApiError| {
        let mut response = error.response();
        response.extensions_mut().insert(ServedUser(user.username.clone()));
        Box::new(response)
    };
    if !user.modules.contains(&module) {
        return Err(refuse(ApiError::not_provisioned()));
    }
    if let Some(id) = srm_account_id
        && !user.accounts.iter().any(|a| a.id == id)
    {
        let someone_elses = state.api.users().iter().any(|u| u.accounts.iter().any(|a| a.id == id));
        return Err(refuse(match (someone_elses, module) {
            (true, _) => ApiError::forbidden(),
            (false, Module::AssetManagement) => ApiError::parent_not_found("srm_account_id"),
            (false, _) => ApiError::record_not_found(),
        }));
    }
    Ok(user)
}

/// A handler's answer behind [`guard`]: the refusal, or what `answer` makes for the user.
pub(super) fn guarded(
    state: &SimState,
    headers: &HeaderMap,
    module: Module,
    srm_account_id: Option<&str>,
    answer: impl FnOnce(&ApiUserView) -> Result<Value, ApiError>,
) -> Response {
    match guard(state, headers, module, srm_account_id) {
        Ok(user) => respond(&user, answer(&user)),
        Err(response) => *response,
    }
}

fn respond(user: &ApiUserView, result: Result<Value, ApiError>) -> Response {
    let mut response = match result {
        Ok(body) => json_api_response(StatusCode::OK, body),
        Err(error) => error.response(),
    };
    response.extensions_mut().insert(ServedUser(user.username.clone()));
    response
}

/// `http://127.0.0.1:PORT/srm-api`, for `links.self`.
pub(super) fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    format!("http://{host}/srm-api")
}

pub(super) fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// What a collection request asked for.
#[derive(Debug)]
pub(super) struct ListQuery {
    pub page_number: u64,
    pub page_size: u64,
    /// `(name, value)` for each `filter[name]=value`.
    pub filters: Vec<(String, String)>,
    pub sort: Option<String>,
    pub include: Option<String>,
}

pub(super) fn parse_list_query(raw: Option<&str>) -> Result<ListQuery, ApiError> {
    let mut query =
        ListQuery { page_number: 1, page_size: DEFAULT_PAGE_SIZE, filters: Vec::new(), sort: None, include: None };
    for (name, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        match name.as_ref() {
            "page[number]" => query.page_number = page_value("page[number]", &value, u64::MAX)?,
            "page[size]" => query.page_size = page_value("page[size]", &value, MAX_PAGE_SIZE)?,
            "sort" => query.sort = Some(value.into_owned()),
            "include" => query.include = Some(value.into_owned()),
            other => {
                if let Some(filter) = other.strip_prefix("filter[").and_then(|f| f.strip_suffix(']')) {
                    if value.len() >= MAX_FILTER_LENGTH {
                        return Err(ApiError::filter_too_long(filter));
                    }
                    query.filters.push((filter.to_owned(), value.into_owned()));
                }
                // Other parameters are ignored, as JSON:API servers commonly do.
            }
        }
    }
    Ok(query)
}

fn page_value(parameter: &str, value: &str, max: u64) -> Result<u64, ApiError> {
    match value.trim().parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => {
            let range = if max == u64::MAX { "a whole number of at least 1".to_owned() } else { format!("1 to {max}") };
            Err(ApiError::invalid_parameter(
                parameter,
                format!("Invalid {parameter} value provided - {value} is not a valid value ({range})"),
            ))
        }
    }
}

impl ListQuery {
    pub(super) fn check_filters(&self, valid: &[&str]) -> Result<(), ApiError> {
        match self.filters.iter().find(|(name, _)| !valid.contains(&name.as_str())) {
            Some((name, _)) => Err(ApiError::filter_not_allowed(name, valid)),
            None => Ok(()),
        }
    }

    pub(super) fn page<T>(&self, items: Vec<T>) -> Vec<T> {
        let skip = (self.page_number - 1).saturating_mul(self.page_size);
        let skip = usize::try_from(skip).unwrap_or(usize::MAX);
        let take = usize::try_from(self.page_size).unwrap_or(usize::MAX);
        items.into_iter().skip(skip).take(take).collect()
    }

    /// The range asked for on `field` (e.g. `triggered_at`), validated (`decisiv:filters:010`).
    pub(super) fn time_range(&self, field: &str) -> Result<TimeRange, ApiError> {
        let mut range = TimeRange::default();
        for (name, value) in &self.filters {
            let Some(op) = name.strip_prefix(field).and_then(|rest| rest.strip_prefix(':')) else { continue };
            let at = parse_iso8601(value).ok_or_else(|| ApiError::bad_timestamp(name, value))?;
            match op {
                "gt" => range.gt = Some(at),
                "gte" => range.gte = Some(at),
                "lt" => range.lt = Some(at),
                _ => range.lte = Some(at),
            }
        }
        Ok(range)
    }

    pub(super) fn equal(&self, name: &str) -> Option<&str> {
        self.filters.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Paging never promises totals: `record-count` is null, so a client must page until it gets a
/// short page (see API.md).
pub(super) fn collection(data: Vec<Value>) -> Value {
    json!({ "data": data, "meta": { "record-count": null } })
}

const TIME_FILTERS: [&str; 4] = ["triggered_at:gt", "triggered_at:gte", "triggered_at:lt", "triggered_at:lte"];

#[derive(Debug, Default)]
pub(super) struct TimeRange {
    gt: Option<DateTime<Utc>>,
    gte: Option<DateTime<Utc>>,
    lt: Option<DateTime<Utc>>,
    lte: Option<DateTime<Utc>>,
}

impl TimeRange {
    pub(super) fn contains(&self, t: DateTime<Utc>) -> bool {
        self.gt.is_none_or(|b| t > b)
            && self.gte.is_none_or(|b| t >= b)
            && self.lt.is_none_or(|b| t < b)
            && self.lte.is_none_or(|b| t <= b)
    }
}

/// ISO 8601 as clients send it: RFC 3339 with offset or `Z`, a local time (taken as UTC), or a
/// bare date (midnight UTC).
pub fn parse_iso8601(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    // An unencoded `+` in a query string arrives as a space.
    let repaired = value.replace(' ', "+");
    for candidate in [value, repaired.as_str()] {
        if let Ok(t) = DateTime::parse_from_rfc3339(candidate) {
            return Some(t.to_utc());
        }
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y%m%dT%H%M%SZ"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(value, format) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
}

// ---------------------------------------------------------------------------------------------
// Account Management

const ACCOUNT_FILTERS: [&str; 9] = [
    "name",
    "name:like",
    "external_reference.decisiv",
    "external_reference.srm_account",
    "external_reference.business_system",
    "module_subscriptions.key:include",
    "module_subscriptions.key:exclude",
    "module_subscriptions.key:includes",
    "module_subscriptions.key:excludes",
];

fn account_json(user: &ApiUserView, index: usize, account: &SrmAccountView, with_roles: bool) -> Value {
    let modules: Vec<Value> = user
        .modules
        .iter()
        .map(|m| json!({ "key": m.key(), "name": m.name(), "description": m.description() }))
        .collect();
    let mut account = json!({
        "type": "accounts",
        "id": account.id,
        "attributes": {
            "name": account.name,
            "country": "US",
            "external_reference": external_reference(user, index, account),
            "module_subscriptions": modules,
        },
    });
    if with_roles {
        // The simulator has no RBAC roles; the relationship is present but empty.
        account["relationships"] = json!({ "roles": { "data": [] } });
    }
    account
}

/// The first account keeps the reference a single-account user has always had; the others are
/// numbered after it.
fn external_reference(user: &ApiUserView, index: usize, account: &SrmAccountView) -> Value {
    let name = user.username.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_uppercase();
    let decisiv = if index == 0 { name } else { format!("{name}-{}", index + 1) };
    let srm: String = account.id.chars().filter(char::is_ascii_hexdigit).take(6).collect();
    json!({ "decisiv": decisiv, "srm_account": format!("SIM-{}", srm.to_uppercase()) })
}

fn include_roles(include: Option<&str>) -> Result<bool, ApiError> {
    match include {
        None | Some("") => Ok(false),
        Some("roles") => Ok(true),
        Some(other) => Err(ApiError::invalid_parameter(
            "include",
            format!("Invalid include value provided - {other} is not a valid relationship (roles)"),
        )),
    }
}

async fn accounts(State(state): State<Arc<SimState>>, headers: HeaderMap, RawQuery(raw): RawQuery) -> Response {
    guarded(&state, &headers, Module::AccountManagement, None, |user| list_accounts(user, raw.as_deref()))
}

fn list_accounts(user: &ApiUserView, raw: Option<&str>) -> Result<Value, ApiError> {
    let query = parse_list_query(raw)?;
    query.check_filters(&ACCOUNT_FILTERS)?;
    let with_roles = include_roles(query.include.as_deref())?;
    if query.equal("name").is_some() && query.equal("name:like").is_some() {
        return Err(ApiError::conflicting_filters("name"));
    }
    for (name, value) in &query.filters {
        if matches!(name.as_str(), "name" | "name:like") && value.chars().count() < 3 {
            return Err(ApiError::filter_too_short(name));
        }
        if name.starts_with("module_subscriptions.")
            && value.split(',').map(str::trim).filter(|v| !v.is_empty()).count() > MAX_FILTER_VALUES
        {
            return Err(ApiError::too_many_values(name, MAX_FILTER_VALUES));
        }
    }
    let keys: Vec<&str> = user.modules.iter().map(|m| m.key()).collect();
    let matches = |index: usize, account: &SrmAccountView| {
        let reference = external_reference(user, index, account);
        query.filters.iter().all(|(name, value)| match name.as_str() {
            "name" => account.name == *value,
            "name:like" => account.name.to_lowercase().contains(&value.to_lowercase()),
            "external_reference.decisiv" => reference["decisiv"] == *value,
            "external_reference.srm_account" => reference["srm_account"] == *value,
            "external_reference.business_system" => false,
            _ => {
                let mut wanted = value.split(',').map(str::trim).filter(|v| !v.is_empty());
                if name.ends_with(":include") || name.ends_with(":includes") {
                    wanted.all(|w| keys.contains(&w))
                } else {
                    !wanted.any(|w| keys.contains(&w))
                }
            }
        })
    };
    let accounts: Vec<Value> = user
        .accounts
        .iter()
        .enumerate()
        .filter(|(index, account)| matches(*index, account))
        .map(|(index, account)| account_json(user, index, account, with_roles))
        .collect();
    let mut body = collection(query.page(accounts));
    if with_roles {
        body["included"] = json!([]);
    }
    Ok(body)
}

async fn account(
    State(state): State<Arc<SimState>>,
    Path(account_id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    guarded(&state, &headers, Module::AccountManagement, None, |user| {
        get_account(&state, user, &account_id, raw.as_deref())
    })
}

fn get_account(state: &SimState, user: &ApiUserView, account_id: &str, raw: Option<&str>) -> Result<Value, ApiError> {
    let with_roles = include_roles(parse_list_query(raw)?.include.as_deref())?;
    if let Some((index, account)) = user.accounts.iter().enumerate().find(|(_, a)| a.id == account_id) {
        Ok(json!({ "data": account_json(user, index, account, with_roles) }))
    } else if state.api.users().iter().any(|u| u.accounts.iter().any(|a| a.id == account_id)) {
        Err(ApiError::forbidden())
    } else {
        Err(ApiError::record_not_found())
    }
}

// ---------------------------------------------------------------------------------------------
// Asset Management

const ASSET_FILTERS: [&str; 6] = ["serial_number", "unit_number", "chassis_id", "vin", "depot.id", "license.number"];
const ASSET_INCLUDES: [&str; 3] = ["depot", "srm_verified_asset", "extended_asset_attributes"];
const ASSET_SORTS: [&str; 3] = ["year", "make", "model"];

/// The last eight VIN characters: how Decisiv derives a serial number ("must match the last 8-9
/// digits of the provided vin").
fn serial_number(vehicle: &Vehicle) -> &str {
    vehicle.vin.get(vehicle.vin.len().saturating_sub(8)..).unwrap_or(&vehicle.vin)
}

pub(super) fn registered_asset_json(vehicle: &Vehicle) -> Value {
    json!({
        "id": vehicle.asset_id,
        "type": "registered_assets",
        "attributes": {
            "vin": vehicle.vin,
            "serial_number": serial_number(vehicle),
            "unit_number": vehicle.unit_number,
            "make": vehicle.make,
            "model": vehicle.model,
            "year": vehicle.year,
            "engine": { "make": vehicle.engine_make, "model": vehicle.engine_model },
            // "Integer representation" per the schema; a client may read it as one.
            "odometer_value": vehicle.odometer_mi.round() as i64,
            "odometer_unit": "mi",
            // Published as an integer; the fleet keeps tenths.
            "engine_hours": vehicle.engine_hours.round() as i64,
            "stand_by_hours": null,
            "switch_on_hours": null,
        },
        "relationships": {
            "depot": { "data": null },
            "srm_verified_asset": { "data": null },
            "extended_asset_attributes": { "data": [] },
        },
    })
}

fn check_asset_include(include: Option<&str>) -> Result<(), ApiError> {
    parse_include(include, &ASSET_INCLUDES).map(drop)
}

/// The relationships `include` names, each one of `valid`.
pub(super) fn parse_include<'a>(include: Option<&'a str>, valid: &[&str]) -> Result<Vec<&'a str>, ApiError> {
    let names: Vec<&str> = include.unwrap_or_default().split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
    match names.iter().find(|name| !valid.contains(name)) {
        Some(name) => Err(ApiError::invalid_parameter(
            "include",
            format!("Invalid include value provided - {name} is not one of {}", valid.join(", ")),
        )),
        None => Ok(names),
    }
}

async fn registered_assets(
    State(state): State<Arc<SimState>>,
    Path(srm_account_id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    guarded(&state, &headers, Module::AssetManagement, Some(&srm_account_id), |user| {
        list_registered_assets(&state, user, &srm_account_id, raw.as_deref())
    })
}

fn list_registered_assets(
    state: &SimState,
    user: &ApiUserView,
    srm_account_id: &str,
    raw: Option<&str>,
) -> Result<Value, ApiError> {
    let query = parse_list_query(raw)?;
    query.check_filters(&ASSET_FILTERS)?;
    check_asset_include(query.include.as_deref())?;
    if let Some(depot) = query.equal("depot.id")
        && uuid::Uuid::parse_str(depot).is_err()
    {
        return Err(ApiError::filter_format("depot.id", "depot.id"));
    }
    let mut sort_keys = Vec::new();
    for key in query.sort.as_deref().unwrap_or_default().split(',').map(str::trim).filter(|k| !k.is_empty()) {
        let (descending, name) = key.strip_prefix('-').map_or((false, key), |k| (true, k));
        if !ASSET_SORTS.contains(&name) {
            return Err(ApiError::invalid_parameter(
                "sort",
                format!("Invalid sort value provided - {name} is not one of {}", ASSET_SORTS.join(", ")),
            ));
        }
        sort_keys.push((name.to_owned(), descending));
    }

    let fleet = read(&state.fleet);
    let mut vehicles: Vec<&Vehicle> = user
        .vehicles_in(&fleet, srm_account_id)
        .into_iter()
        .filter(|v| {
            query.filters.iter().all(|(name, value)| match name.as_str() {
                "vin" => v.vin == *value,
                "unit_number" => v.unit_number == *value,
                "serial_number" => serial_number(v) == value,
                // The fleet model has no chassis ids, depots or plates: nothing matches.
                _ => false,
            })
        })
        .collect();
    vehicles.sort_by(|a, b| {
        sort_keys.iter().fold(Ordering::Equal, |order, (name, descending)| {
            order.then_with(|| {
                let o = match name.as_str() {
                    "year" => a.year.cmp(&b.year),
                    "make" => a.make.cmp(b.make),
                    _ => a.model.cmp(b.model),
                };
                if *descending { o.reverse() } else { o }
            })
        })
    });
    let data = query.page(vehicles).into_iter().map(registered_asset_json).collect();
    let mut body = collection(data);
    if query.include.as_deref().is_some_and(|i| !i.trim().is_empty()) {
        body["included"] = json!([]);
    }
    Ok(body)
}

async fn registered_asset(
    State(state): State<Arc<SimState>>,
    Path((srm_account_id, id)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    guarded(&state, &headers, Module::AssetManagement, Some(&srm_account_id), |user| {
        get_registered_asset(&state, user, &srm_account_id, &id, raw.as_deref())
    })
}

fn get_registered_asset(
    state: &SimState,
    user: &ApiUserView,
    srm_account_id: &str,
    id: &str,
    raw: Option<&str>,
) -> Result<Value, ApiError> {
    check_asset_include(parse_list_query(raw)?.include.as_deref())?;
    let fleet = read(&state.fleet);
    let vehicle = fleet
        .vehicles
        .iter()
        .enumerate()
        .find(|(i, v)| v.asset_id == id && user.serves(srm_account_id, *i))
        .map(|(_, v)| v)
        .ok_or_else(|| ApiError::parent_not_found("id"))?;
    Ok(json!({ "data": registered_asset_json(vehicle) }))
}

// ---------------------------------------------------------------------------------------------
// Telematics

/// Not published for `listFaults` (which documents no query parameters at all); mirrors the
/// time filters published for `diagnostic_readings`, which incremental syncs need.
const FAULT_FILTERS: [&str; 4] = TIME_FILTERS;
const READING_FILTERS: [&str; 9] = [
    "asset_data.chassis_id",
    "asset_data.device_id",
    "asset_data.serial_number",
    "asset_data.vin",
    "origin",
    "triggered_at:gt",
    "triggered_at:gte",
    "triggered_at:lt",
    "triggered_at:lte",
];
/// The telematics source the fleet's data comes from, as `origin` on readings.
const ORIGIN: &str = "paccar_solutions";

struct FaultContext<'a> {
    seed: u64,
    srm_account_id: &'a str,
    base: String,
}

/// When the fault was last raised: its first occurrence, or its latest recurrence, so an
/// incremental `filter[triggered_at:gt]` sync sees a fault that cleared and came back.
fn triggered_at(fault: &Fault) -> DateTime<Utc> {
    fault.last_triggered
}

fn component(fault: &Fault) -> Value {
    let name = source_name(fault.source_address).map_or_else(|| format!("SA {}", fault.source_address), str::to_owned);
    json!({
        "name": name,
        "description": format!("J1939 source address {}", fault.source_address),
        "version": null,
    })
}

fn location(vehicle: &Vehicle) -> Value {
    json!({
        "latitude": format!("{:.5}", vehicle.latitude),
        "longitude": format!("{:.5}", vehicle.longitude),
        "altitude": null,
        "heading": null,
    })
}

fn fault_json(ctx: &FaultContext<'_>, vehicle: &Vehicle, fault: &Fault) -> Value {
    let id = ids::numbered(ctx.seed, Kind::Fault, fault.id);
    let (severity, severity_level) = fault.urgency.api_severity();
    let derate = if fault.derate { "Yes" } else { "No" };
    json!({
        "id": id,
        "type": "faults",
        "attributes": {
            "triggered_at": timestamp(triggered_at(fault)),
            "spn": fault.spn.to_string(),
            "fmi": fault.fmi.to_string(),
            // Decisiv's fault_code is for sources without an SPN/FMI pair; J1939 faults have one.
            "fault_code": null,
            "severity": severity,
            "active": fault.active,
            "sensor_readings": [],
            "guidance": [
                {
                    "name": "Recommended Action",
                    "description": fault.urgency.text(),
                    "value": fault.urgency.text(),
                    "classification_header": "Driver Guidance",
                },
                {
                    "name": "Engine Derate",
                    "description": "Whether the engine reduces power while this fault is active",
                    "value": derate,
                    "classification_header": "Driver Guidance",
                },
            ],
            "details": {
                "component": component(fault),
                "occurrences": fault.occurrences,
                // The model keeps today's odometer, not the reading when the fault fired.
                "odometer_unit": null,
                "odometer_value": null,
                "severity_level": severity_level,
                "description": fault.description,
            },
            "location": location(vehicle),
        },
        "relationships": {
            "diagnostic_reading": {
                "data": { "type": "diagnostic_readings", "id": ids::numbered(ctx.seed, Kind::Reading, fault.id) },
            },
            "source_account": { "data": { "type": "srm_accounts", "id": ctx.srm_account_id } },
            "asset": { "data": { "type": "assets", "id": vehicle.asset_id } },
        },
        "links": { "self": format!("{}/telematics/{}/v1/faults/{id}", ctx.base, ctx.srm_account_id) },
    })
}

/// One reading per fault: the telematics message that reported it.
fn reading_json(ctx: &FaultContext<'_>, vehicle: &Vehicle, fault: &Fault) -> Value {
    let id = ids::numbered(ctx.seed, Kind::Reading, fault.id);
    let make: String = vehicle.make.chars().take(10).collect();
    json!({
        "id": id,
        "type": "diagnostic_readings",
        "attributes": {
            "triggered_at": timestamp(triggered_at(fault)),
            "sensor_readings": [],
            "components": [component(fault)],
            "origin_id": format!("{}-{}", vehicle.vin, fault.id),
            "origin": ORIGIN,
            "location": location(vehicle),
            "asset_data": {
                "vin": vehicle.vin,
                "make": make,
                "model": vehicle.model,
                "year": vehicle.year.to_string(),
                "serial_number": serial_number(vehicle),
            },
        },
        "relationships": {
            "faults": { "data": [{ "type": "faults", "id": ids::numbered(ctx.seed, Kind::Fault, fault.id) }] },
            "source_account": { "data": { "type": "srm_accounts", "id": ctx.srm_account_id } },
        },
        "links": { "self": format!("{}/telematics/{}/v1/diagnostic_readings/{id}", ctx.base, ctx.srm_account_id) },
    })
}

/// Every fault the account lists, with its truck, oldest first (by id), so new faults land on the
/// last page.
fn account_faults<'a>(
    fleet: &'a crate::fleet::Fleet,
    user: &ApiUserView,
    srm_account_id: &str,
) -> Vec<(&'a Vehicle, &'a Fault)> {
    let mut faults: Vec<_> = user
        .vehicles_in(fleet, srm_account_id)
        .into_iter()
        .flat_map(|v| v.faults.iter().map(move |f| (v, f)))
        .collect();
    faults.sort_by_key(|(_, f)| f.id);
    faults
}

type TelematicsList = fn(&SimState, &ApiUserView, &str, &HeaderMap, Option<&str>) -> Result<Value, ApiError>;

/// A telematics collection behind the bearer token and module check.
fn telematics_list(
    state: &SimState,
    srm_account_id: &str,
    headers: &HeaderMap,
    raw: Option<&str>,
    list: TelematicsList,
) -> Response {
    guarded(state, headers, Module::Telematics, Some(srm_account_id), |user| {
        list(state, user, srm_account_id, headers, raw)
    })
}

async fn faults(
    State(state): State<Arc<SimState>>,
    Path(srm_account_id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    telematics_list(&state, &srm_account_id, &headers, raw.as_deref(), list_faults)
}

fn list_faults(
    state: &SimState,
    user: &ApiUserView,
    srm_account_id: &str,
    headers: &HeaderMap,
    raw: Option<&str>,
) -> Result<Value, ApiError> {
    let query = parse_list_query(raw)?;
    query.check_filters(&FAULT_FILTERS)?;
    let range = query.time_range("triggered_at")?;
    let fleet = read(&state.fleet);
    let ctx = FaultContext { seed: fleet.seed, srm_account_id, base: base_url(headers) };
    let matching: Vec<_> = account_faults(&fleet, user, srm_account_id)
        .into_iter()
        .filter(|(_, f)| range.contains(triggered_at(f)))
        .collect();
    Ok(collection(query.page(matching).into_iter().map(|(v, f)| fault_json(&ctx, v, f)).collect()))
}

async fn diagnostic_readings(
    State(state): State<Arc<SimState>>,
    Path(srm_account_id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    telematics_list(&state, &srm_account_id, &headers, raw.as_deref(), list_readings)
}

fn list_readings(
    state: &SimState,
    user: &ApiUserView,
    srm_account_id: &str,
    headers: &HeaderMap,
    raw: Option<&str>,
) -> Result<Value, ApiError> {
    let query = parse_list_query(raw)?;
    query.check_filters(&READING_FILTERS)?;
    let range = query.time_range("triggered_at")?;
    let fleet = read(&state.fleet);
    let ctx = FaultContext { seed: fleet.seed, srm_account_id, base: base_url(headers) };
    let matching: Vec<_> = account_faults(&fleet, user, srm_account_id)
        .into_iter()
        .filter(|(v, f)| {
            range.contains(triggered_at(f))
                && query.filters.iter().all(|(name, value)| match name.as_str() {
                    "asset_data.vin" => v.vin == *value,
                    "asset_data.serial_number" => serial_number(v) == value,
                    "origin" => ORIGIN == value,
                    n if n.starts_with("triggered_at:") => true,
                    // No chassis or device ids in the fleet model: nothing matches.
                    _ => false,
                })
        })
        .collect();
    Ok(collection(query.page(matching).into_iter().map(|(v, f)| reading_json(&ctx, v, f)).collect()))
}

/// The fault (or reading) `id` names, if the account lists it.
fn find_fault<'a>(
    fleet: &'a crate::fleet::Fleet,
    user: &ApiUserView,
    srm_account_id: &str,
    kind: Kind,
    id: &str,
) -> Option<(&'a Vehicle, &'a Fault)> {
    let number = ids::number_of(fleet.seed, kind, id)?;
    let (index, vehicle, fault) = fleet
        .vehicles
        .iter()
        .enumerate()
        .find_map(|(i, v)| v.faults.iter().find(|f| f.id == number).map(|f| (i, v, f)))?;
    user.serves(srm_account_id, index).then_some((vehicle, fault))
}

async fn fault(
    State(state): State<Arc<SimState>>,
    Path((srm_account_id, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    guarded(&state, &headers, Module::Telematics, Some(&srm_account_id), |user| {
        let fleet = read(&state.fleet);
        let ctx = FaultContext { seed: fleet.seed, srm_account_id: &srm_account_id, base: base_url(&headers) };
        find_fault(&fleet, user, &srm_account_id, Kind::Fault, &id)
            .map(|(v, f)| json!({ "data": fault_json(&ctx, v, f) }))
            .ok_or_else(ApiError::record_not_found)
    })
}

async fn diagnostic_reading(
    State(state): State<Arc<SimState>>,
    Path((srm_account_id, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    guarded(&state, &headers, Module::Telematics, Some(&srm_account_id), |user| {
        let fleet = read(&state.fleet);
        let ctx = FaultContext { seed: fleet.seed, srm_account_id: &srm_account_id, base: base_url(&headers) };
        find_fault(&fleet, user, &srm_account_id, Kind::Reading, &id)
            .map(|(v, f)| json!({ "data": reading_json(&ctx, v, f) }))
            .ok_or_else(ApiError::record_not_found)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_8601_forms_clients_send_are_accepted() {
        let noon = DateTime::parse_from_rfc3339("2026-11-01T12:00:00Z").map(|t| t.to_utc()).ok();
        assert_eq!(parse_iso8601("2026-11-01T12:00:00Z"), noon);
        assert_eq!(parse_iso8601("2026-11-01T13:00:00+01:00"), noon);
        assert_eq!(parse_iso8601("2026-11-01T13:00:00 01:00"), noon);
        assert_eq!(parse_iso8601("2026-11-01T12:00:00"), noon);
        assert_eq!(parse_iso8601("20261101T120000Z"), noon);
        assert!(parse_iso8601("2026-11-01").is_some());
        for bad in ["not-a-timestamp", "", "2026-13-01", "yesterday", "1730462400"] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }

    #[test]
    fn page_parameters_are_validated() {
        let q = parse_list_query(Some("page%5Bnumber%5D=3&page%5Bsize%5D=100&filter%5Bvin%5D=X")).ok();
        let q = q.map(|q| (q.page_number, q.page_size, q.filters));
        assert_eq!(q, Some((3, 100, vec![("vin".to_owned(), "X".to_owned())])));
        for bad in ["page[size]=0", "page[size]=101", "page[size]=ten", "page[number]=0", "page[number]=-1"] {
            let error = parse_list_query(Some(bad)).err().map(|e| e.code);
            assert_eq!(error.as_deref(), Some("decisiv:request_attributes:010"), "{bad}");
        }
    }
}
