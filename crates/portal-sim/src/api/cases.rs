//! Asset Management's service cases and their summaries (`listCases`, `getCase`,
//! `listCaseSummaries`), read from the fleet model's cases (`fleet::cases`). Shapes follow the
//! published `case`, `cases` and `case_summaries` schemas; the tests validate every response.
//!
//! The published case has no relationship to faults, so none is served: a client can only tie a
//! case to a fault through the truck (`registered_asset`) and the times.

use std::collections::HashSet;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::errors::ApiError;
use super::resources::{
    ListQuery, collection, guarded, parse_include, parse_list_query, registered_asset_json, timestamp,
};
use super::{ApiUserView, Module};
use crate::fleet::{Case, Fleet, ServiceProvider};
use crate::state::{SimState, read};

const CASES: &str = "/srm-api/asset_management/{srm_account_id}/v1/cases";
const CASE_SUMMARIES: &str = "/srm-api/asset_management/{srm_account_id}/v1/case_summaries";

const STARTED_AT: &str = "event_timestamps.started_at";
const CASE_FILTERS: [&str; 11] = [
    "event_timestamps.started_at:lt",
    "event_timestamps.started_at:lte",
    "event_timestamps.started_at:gt",
    "event_timestamps.started_at:gte",
    "updated_at:gte",
    "updated_at:lte",
    "registered_asset.id",
    "service_provider.id",
    "service_provider.external_reference.srm_account",
    "event_timestamps.closed_at:exists",
    "closed",
];
/// Published: the open/closed filters "must be paired up with either a registered_asset.id filter,
/// a timebased filter, or a service_provider.id filter", so a client cannot ask for every open
/// case of a large account at once.
const PAIRED_WITH: [&str; 8] = [
    "registered_asset.id",
    "service_provider.id",
    "event_timestamps.started_at:lt",
    "event_timestamps.started_at:lte",
    "event_timestamps.started_at:gt",
    "event_timestamps.started_at:gte",
    "updated_at:gte",
    "updated_at:lte",
];
const CASE_INCLUDES: [&str; 5] =
    ["registered_asset", "service_provider", "estimates", "billing_contact", "primary_contact"];
const SUMMARY_FILTERS: [&str; 5] = [
    "service_provider.external_reference.srm_account",
    "updated_at:gt",
    "updated_at:gte",
    "updated_at:lt",
    "updated_at:lte",
];
const SUMMARY_INCLUDES: [&str; 1] = ["case"];

pub(super) fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route(CASES, get(cases))
        .route(&format!("{CASES}/{{id}}"), get(case))
        .route(CASE_SUMMARIES, get(case_summaries))
        .with_state(state)
}

fn case_json(case: &Case) -> Value {
    let mut events = Map::new();
    // The schema has no nulls here: a time not reached yet is left out.
    let mut event = |name: &str, at: Option<DateTime<Utc>>| {
        if let Some(at) = at {
            events.insert(name.to_owned(), json!(timestamp(at)));
        }
    };
    event("started_at", Some(case.started_at));
    event("asset_downtime", Some(case.asset_downtime));
    event("asset_arrived", case.asset_arrived);
    event("asset_checked_in", case.asset_checked_in);
    event("asset_uptime", case.asset_uptime);
    event("closed_at", case.closed_at);
    let mut attributes = json!({
        "complaint": case.complaint,
        "reference_number": case.reference_number,
        "closed": case.is_closed(),
        "status": case.status,
        "repair_status": case.repair_status,
        "event_timestamps": events,
        "asset_information": {
            // "Integer representation" per the schema.
            "odometer_value": case.odometer_mi.round() as i64,
            "odometer_unit": "mi",
            "unit_number": case.unit_number,
        },
        "created_at": timestamp(case.created_at),
        "updated_at": timestamp(case.updated_at),
    });
    if let Some(ro_number) = &case.ro_number {
        attributes["ro_number"] = json!(ro_number);
    }
    if let Some(breakdown) = &case.breakdown {
        attributes["breakdown"] =
            json!({ "location": breakdown.location, "city": breakdown.city, "state": breakdown.state });
    }
    json!({
        "id": case.id,
        "type": "cases",
        "attributes": attributes,
        "relationships": {
            "registered_asset": { "data": { "type": "registered_assets", "id": case.asset_id } },
            "service_provider": { "data": { "type": "service_providers", "id": case.service_provider.id } },
            // No estimates or contacts in the model: present, and empty.
            "estimates": { "data": [] },
            "primary_contact": { "data": null },
            "billing_contact": { "data": null },
        },
    })
}

fn service_provider_json(provider: &ServiceProvider) -> Value {
    json!({
        "id": provider.id,
        "type": "service_providers",
        "attributes": {
            "name": provider.name,
            "city": provider.city,
            "state": provider.state,
            "country": "US",
            "location": { "latitude": provider.latitude, "longitude": provider.longitude },
            "external_reference": { "srm_account_id": provider.srm_account },
        },
        "relationships": { "service_networks": { "data": null } },
    })
}

fn summary_json(case: &Case) -> Value {
    json!({
        "id": case.summary_id,
        "type": "case_summaries",
        "attributes": {
            "content": case.summary,
            "created_at": timestamp(case.created_at),
            // A summary is rewritten whenever its case changes.
            "updated_at": timestamp(case.updated_at),
        },
        "relationships": { "case": { "data": { "type": "cases", "id": case.id } } },
    })
}

/// The account's cases in the order they were opened, so new ones land on the last page.
fn account_cases<'a>(fleet: &'a Fleet, user: &ApiUserView, srm_account_id: &str) -> Vec<&'a Case> {
    fleet.cases.iter().filter(|c| user.serves(srm_account_id, c.vehicle_index)).collect()
}

/// The resources `includes` names for `cases`, each once. Estimates and contacts are asked for
/// validly but the model has none.
fn included(fleet: &Fleet, cases: &[&Case], includes: &[&str]) -> Value {
    let mut seen = HashSet::new();
    let mut resources = Vec::new();
    for include in includes {
        for case in cases {
            let resource = match *include {
                "registered_asset" => fleet.vehicles.get(case.vehicle_index).map(registered_asset_json),
                "service_provider" => Some(service_provider_json(&case.service_provider)),
                _ => None,
            };
            if let Some(resource) = resource
                && seen.insert((resource["type"].to_string(), resource["id"].to_string()))
            {
                resources.push(resource);
            }
        }
    }
    Value::Array(resources)
}

/// The filters on one case besides times, validated.
#[derive(Debug, Default)]
struct CaseFilter {
    asset_id: Option<String>,
    provider_id: Option<String>,
    provider_srm_account: Option<String>,
    /// Each open/closed filter given, as "closed?".
    closed: Vec<bool>,
}

impl CaseFilter {
    fn parse(query: &ListQuery) -> Result<Self, ApiError> {
        let mut filter = CaseFilter {
            asset_id: uuid_filter(query, "registered_asset.id")?,
            provider_id: uuid_filter(query, "service_provider.id")?,
            provider_srm_account: query.equal("service_provider.external_reference.srm_account").map(str::to_owned),
            closed: Vec::new(),
        };
        for name in ["event_timestamps.closed_at:exists", "closed"] {
            if let Some(value) = query.equal(name) {
                filter.closed.push(match value.trim().to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(ApiError::invalid_filter_value(name, value, "true, false")),
                });
            }
        }
        if !filter.closed.is_empty() && !PAIRED_WITH.iter().any(|name| query.equal(name).is_some()) {
            return Err(ApiError::required_filter_missing(&PAIRED_WITH));
        }
        Ok(filter)
    }

    fn matches(&self, case: &Case) -> bool {
        self.asset_id.as_ref().is_none_or(|id| *id == case.asset_id)
            && self.provider_id.as_ref().is_none_or(|id| *id == case.service_provider.id)
            && self.provider_srm_account.as_ref().is_none_or(|srm| *srm == case.service_provider.srm_account)
            && self.closed.iter().all(|closed| *closed == case.is_closed())
    }
}

/// A filter whose value must be a UUID (published pattern), lower-cased for comparing.
fn uuid_filter(query: &ListQuery, name: &str) -> Result<Option<String>, ApiError> {
    let Some(value) = query.equal(name) else { return Ok(None) };
    let value = value.trim();
    if value.len() != 36 || uuid::Uuid::parse_str(value).is_err() {
        return Err(ApiError::invalid_filter_value(name, value, "uuid"));
    }
    Ok(Some(value.to_ascii_lowercase()))
}

async fn cases(
    State(state): State<Arc<SimState>>,
    Path(srm_account_id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    guarded(&state, &headers, Module::AssetManagement, Some(&srm_account_id), |user| {
        list_cases(&state, user, &srm_account_id, raw.as_deref())
    })
}

fn list_cases(
    state: &SimState,
    user: &ApiUserView,
    srm_account_id: &str,
    raw: Option<&str>,
) -> Result<Value, ApiError> {
    let query = parse_list_query(raw)?;
    query.check_filters(&CASE_FILTERS)?;
    let includes = parse_include(query.include.as_deref(), &CASE_INCLUDES)?;
    let started = query.time_range(STARTED_AT)?;
    let updated = query.time_range("updated_at")?;
    let filter = CaseFilter::parse(&query)?;
    let fleet = read(&state.fleet);
    let matching: Vec<&Case> = account_cases(&fleet, user, srm_account_id)
        .into_iter()
        .filter(|c| started.contains(c.started_at) && updated.contains(c.updated_at) && filter.matches(c))
        .collect();
    let page = query.page(matching);
    let mut body = collection(page.iter().map(|c| case_json(c)).collect());
    if !includes.is_empty() {
        body["included"] = included(&fleet, &page, &includes);
    }
    Ok(body)
}

async fn case(
    State(state): State<Arc<SimState>>,
    Path((srm_account_id, id)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    guarded(&state, &headers, Module::AssetManagement, Some(&srm_account_id), |user| {
        get_case(&state, user, &srm_account_id, &id, raw.as_deref())
    })
}

fn get_case(
    state: &SimState,
    user: &ApiUserView,
    srm_account_id: &str,
    id: &str,
    raw: Option<&str>,
) -> Result<Value, ApiError> {
    let query = parse_list_query(raw)?;
    let includes = parse_include(query.include.as_deref(), &CASE_INCLUDES)?;
    let fleet = read(&state.fleet);
    let case = account_cases(&fleet, user, srm_account_id)
        .into_iter()
        .find(|c| c.id.eq_ignore_ascii_case(id))
        .ok_or_else(|| ApiError::parent_not_found("id"))?;
    let mut body = json!({ "data": case_json(case) });
    if !includes.is_empty() {
        body["included"] = included(&fleet, &[case], &includes);
    }
    Ok(body)
}

async fn case_summaries(
    State(state): State<Arc<SimState>>,
    Path(srm_account_id): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    guarded(&state, &headers, Module::AssetManagement, Some(&srm_account_id), |user| {
        list_case_summaries(&state, user, &srm_account_id, raw.as_deref())
    })
}

fn list_case_summaries(
    state: &SimState,
    user: &ApiUserView,
    srm_account_id: &str,
    raw: Option<&str>,
) -> Result<Value, ApiError> {
    let query = parse_list_query(raw)?;
    query.check_filters(&SUMMARY_FILTERS)?;
    let includes = parse_include(query.include.as_deref(), &SUMMARY_INCLUDES)?;
    let updated = query.time_range("updated_at")?;
    let provider = query.equal("service_provider.external_reference.srm_account");
    let fleet = read(&state.fleet);
    let matching: Vec<&Case> = account_cases(&fleet, user, srm_account_id)
        .into_iter()
        .filter(|c| updated.contains(c.updated_at) && provider.is_none_or(|srm| srm == c.service_provider.srm_account))
        .collect();
    let page = query.page(matching);
    let mut body = collection(page.iter().map(|c| summary_json(c)).collect());
    if !includes.is_empty() {
        body["included"] = Value::Array(page.iter().map(|c| case_json(c)).collect());
    }
    Ok(body)
}
