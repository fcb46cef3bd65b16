//! Calls to the SRM Gateway (JSON:API) with the grant's bearer token: a 401 renews the token once,
//! a 429 backs off (the published `Retry-After` when given, else exponential with jitter), a 428 is
//! the module the application lacks. Lists are paged with `page[size]` until a short page: the
//! published totals are null.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng as _;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::grant::GrantTokens;
use super::types::{Document, ErrorDocument, Resource};

/// Items per page: the most the API serves.
pub const PAGE_SIZE: usize = 100;
/// Pages of one list after which we assume it loops.
const MAX_PAGES: usize = 10_000;
/// Tries of one call while the API answers 429.
const RATE_LIMIT_TRIES: u32 = 6;

pub struct Api {
    http: reqwest::Client,
    /// e.g. `https://srm-api.decisivapps.com`.
    base: String,
    grant: Arc<GrantTokens>,
    /// Held by calls until one answer shows the proxy (if any) let it through: a run's reads go
    /// out at once, and each would otherwise try a wrong proxy password of its own.
    proxy_gate: tokio::sync::Mutex<ProxyState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProxyState {
    Untried,
    Passed,
    Refused,
}

impl Api {
    /// The API at `base`, called over `http` ([`super::oauth::http_client`]) with `grant`'s tokens.
    pub fn new(base: &str, grant: Arc<GrantTokens>, http: reqwest::Client) -> Self {
        let proxy_gate = tokio::sync::Mutex::new(ProxyState::Untried);
        Self { http, base: base.trim_end_matches('/').to_owned(), grant, proxy_gate }
    }

    /// One document from `path` (under the API's address) with `query`. The first call goes
    /// alone; the others wait to learn whether the proxy accepts its password.
    pub async fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> Result<T, ApiError> {
        let mut gate = self.proxy_gate.lock().await;
        match *gate {
            ProxyState::Refused => return Err(ApiError::ProxyRefused),
            ProxyState::Passed => {
                drop(gate);
                return self.call(path, query).await;
            }
            ProxyState::Untried => {}
        }
        let result = self.call(path, query).await;
        *gate = if matches!(result, Err(ApiError::ProxyRefused)) { ProxyState::Refused } else { ProxyState::Passed };
        result
    }

    async fn call<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> Result<T, ApiError> {
        let url = format!("{}{path}", self.base);
        let mut access = self.grant.access(&self.http).await?;
        let (mut renewed, mut limited) = (false, 0u32);
        loop {
            let response = self
                .http
                .get(&url)
                .query(query)
                .bearer_auth(access.token.expose())
                .header(reqwest::header::ACCEPT, "application/vnd.api+json")
                .send()
                .await
                .map_err(|e| ApiError::Network(format!("{path}: {e}")))?;
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let body = crate::limits::body_text(response).await.map_err(|e| match e {
                crate::limits::BodyError::TooLarge => ApiError::Protocol(format!("{path}: {e}")),
                crate::limits::BodyError::Network(e) => ApiError::Network(format!("{path}: {e}")),
            })?;
            match status {
                200..=299 => {
                    return serde_json::from_str(&body).map_err(|e| ApiError::Protocol(format!("{path}: {e}")));
                }
                401 if !renewed => {
                    renewed = true;
                    access = self.grant.renew(&access, &self.http).await?;
                }
                429 => {
                    limited += 1;
                    if limited >= RATE_LIMIT_TRIES {
                        return Err(ApiError::RateLimited);
                    }
                    let wait = retry_after.map_or_else(|| backoff(limited), Duration::from_secs);
                    tracing::info!(path, ms = wait.as_millis() as u64, "the Decisiv API is limiting requests; waiting");
                    tokio::time::sleep(wait).await;
                }
                _ => return Err(refusal(path, status, &body)),
            }
        }
    }

    /// Every item of a list with `filters`, page after page until a short one. A page that brings
    /// no item not seen before also ends it: an endpoint that does not publish paging
    /// (`listFaults`) may answer every page with the whole list.
    pub async fn all<A: DeserializeOwned>(
        &self,
        path: &str,
        filters: &[(&str, String)],
    ) -> Result<Vec<Resource<A>>, ApiError> {
        let mut items: Vec<Resource<A>> = Vec::new();
        let mut seen = HashSet::new();
        for number in 1..=MAX_PAGES {
            let mut query = vec![("page[number]", number.to_string()), ("page[size]", PAGE_SIZE.to_string())];
            query.extend(filters.iter().cloned());
            let page: Document<Vec<Resource<A>>> = self.get(path, &query).await?;
            let short = page.data.len() < PAGE_SIZE;
            let before = items.len();
            items.extend(page.data.into_iter().filter(|item| seen.insert(item.id.clone())));
            if short || items.len() == before {
                break;
            }
        }
        Ok(items)
    }
}

/// Exponential from half a second, with full jitter, at most 30 s.
fn backoff(attempt: u32) -> Duration {
    let ceiling = 500u64.saturating_mul(1 << attempt.min(6)).min(30_000);
    Duration::from_millis(rand::rng().random_range(ceiling / 2..=ceiling))
}

/// A non-2xx answer as the published error codes mean it.
fn refusal(path: &str, status: u16, body: &str) -> ApiError {
    let first = serde_json::from_str::<ErrorDocument>(body).ok().and_then(|d| d.errors.into_iter().next());
    let code = first.as_ref().and_then(|e| e.code.clone()).unwrap_or_default();
    let detail = first.as_ref().and_then(|e| e.detail.clone().or_else(|| e.title.clone())).unwrap_or_default();
    match (status, code.as_str()) {
        (428, _) | (_, "decisiv:access:003") => {
            ApiError::NotProvisioned { module: module_of(path).to_owned(), detail: format!("{code}: {detail}") }
        }
        (407, _) => ApiError::ProxyRefused,
        (401, _) => ApiError::GrantRefused(format!("{path} refused a fresh access token: {code} {detail}")),
        (403, _) => ApiError::Forbidden(format!("{path}: {code} {detail}")),
        (404, _) => ApiError::NotFound(format!("{path} ({code} {detail})")),
        (500..=599, _) => ApiError::Network(format!("{path} answered {status}: {detail}")),
        _ => ApiError::Protocol(format!("{path} answered {status}: {code} {detail}")),
    }
}

/// `/telematics/{id}/v1/faults` → `telematics`.
fn module_of(path: &str) -> &str {
    path.trim_start_matches('/').split('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_errors_become_typed_ones() {
        let body = r#"{"errors":[{"code":"decisiv:access:003","status":"428","title":"Precondition Required","detail":"Module not provisioned"}]}"#;
        let error = refusal("/telematics/A1/v1/faults", 428, body);
        assert!(matches!(&error, ApiError::NotProvisioned { module, .. } if module == "telematics"), "{error}");
        assert!(error.to_string().contains("telematics module"), "{error}");
        assert!(matches!(refusal("/x", 403, r#"{"errors":[{"code":"decisiv:access:001"}]}"#), ApiError::Forbidden(_)));
        assert!(matches!(refusal("/x", 503, "oops"), ApiError::Network(_)));
        for attempt in 1..10 {
            assert!(backoff(attempt) <= Duration::from_secs(30));
        }
    }
}
