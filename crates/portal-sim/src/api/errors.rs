//! Error bodies, worded as Decisiv publishes them (`decisiv-error-codes.yml` and the examples in
//! the OpenAPI documents), so a client's error handling is tested against the real texts.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::json_api_response;

/// One JSON:API error: `{"errors":[{status, code, title, detail, source?}]}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub title: String,
    pub detail: String,
    /// `source.parameter`, for errors about a query or path parameter.
    pub parameter: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, title: &str, detail: impl Into<String>) -> Self {
        Self { status, code: code.into(), title: title.into(), detail: detail.into(), parameter: None }
    }

    pub fn parameter(mut self, parameter: impl Into<String>) -> Self {
        self.parameter = Some(parameter.into());
        self
    }

    pub fn body(&self) -> Value {
        let mut error = json!({
            "status": self.status.as_u16().to_string(),
            "code": self.code,
            "title": self.title,
            "detail": self.detail,
        });
        if let Some(parameter) = &self.parameter {
            error["source"] = json!({ "parameter": parameter });
        }
        json!({ "errors": [error] })
    }

    pub fn response(&self) -> Response {
        json_api_response(self.status, self.body())
    }

    /// Missing, malformed, forged, revoked or expired bearer token: Decisiv answers all alike.
    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "decisiv::access_token:001", "Access unauthorized", "Access unauthorized")
    }

    /// A module the API user (its OAuth application) is not provisioned for.
    pub fn not_provisioned() -> Self {
        Self::new(
            StatusCode::PRECONDITION_REQUIRED,
            "decisiv:access:003",
            "Precondition required",
            "OAuth Application does not have appropriate provisioning to access this resource",
        )
    }

    /// An account that exists but that this user cannot reach.
    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "decisiv:access:001",
            "Forbidden",
            "User does not have permission to perform this action on the requested resource(s)",
        )
    }

    /// Asset Management's 404 for an unknown `srm_account_id` (or parent resource).
    pub fn parent_not_found(parameter: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "decisiv:resource:001",
            "Resource Identifier - Not Found",
            "The parent resource could not be found",
        )
        .parameter(parameter)
    }

    /// The generic 404 the Telematics and Account Management documents publish.
    pub fn record_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "404",
            "Record not found",
            "The requested record or one of its relationships could not be found",
        )
    }

    pub fn filter_not_allowed(name: &str, valid: &[&str]) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "decisiv:filters:001",
            "Filter not allowed",
            format!("'{name}' is not allowed. Valid filters: {}", valid.join(", ")),
        )
        .parameter(format!("filter[{name}]"))
    }

    /// A value a filter cannot take, e.g. a malformed id (`Expected values: uuid`).
    pub fn invalid_filter_value(name: &str, value: &str, expected: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "decisiv:filters:002",
            "Invalid filter value",
            format!("'{value}' is not a valid value for filter. Expected values: {expected}"),
        )
        .parameter(format!("filter[{name}]"))
    }

    /// A filter used without one of the filters it must be paired with; points at the first of
    /// them, as the published example points at the one required filter.
    pub fn required_filter_missing(valid: &[&str]) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "decisiv:filters:006",
            "Required filter is missing",
            format!("Required filter must be provided. Valid required filters: {}", valid.join(", ")),
        )
        .parameter(format!("filter[{}]", valid.first().copied().unwrap_or_default()))
    }

    pub fn bad_timestamp(name: &str, value: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "decisiv:filters:010",
            "Invalid timebased filter value",
            format!("Invalid filter value `{value}`. Expected an ISO 8601 timestamp."),
        )
        .parameter(format!("filter[{name}]"))
    }

    pub fn filter_too_short(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "decisiv:filters:007",
            "Minimum character length not met",
            "Filter value must be at least 3 characters",
        )
        .parameter(format!("filter[{name}]"))
    }

    pub fn filter_too_long(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "decisiv:filters:008",
            "Maximum character length not met",
            "Filter value must be less than 4096 characters",
        )
        .parameter(format!("filter[{name}]"))
    }

    pub fn filter_format(name: &str, field: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "decisiv:filters:009",
            "Invalid Filter Format",
            format!("Invalid format for `{field}`"),
        )
        .parameter(format!("filter[{name}]"))
    }

    pub fn too_many_values(name: &str, max: usize) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "decisiv:filters:011",
            "Too many filter values",
            format!("Too many values for filter[{name}]. Maximum allowed: {max}."),
        )
        .parameter(format!("filter[{name}]"))
    }

    pub fn conflicting_filters(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "decisiv:filters:012",
            "Conflicting filters",
            format!("Cannot combine filter[{name}] with its :like variant. Use only one."),
        )
        .parameter(format!("filter[{name}]"))
    }

    /// Decisiv publishes no error for a bad `page[...]`, `sort` or `include` value; this is its
    /// generic "Invalid Attribute Value" code, pointed at the parameter.
    pub fn invalid_parameter(parameter: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "decisiv:request_attributes:010", "Invalid Attribute Value", detail)
            .parameter(parameter)
    }
}
