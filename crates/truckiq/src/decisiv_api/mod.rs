//! The Decisiv SRM Gateway API, the spec's recommended route: OAuth2 authorization code with PKCE,
//! one grant shared by the SRM accounts it reaches, and the published JSON:API documents read into
//! the same fleet model as the browser layouts.

pub mod client;
pub mod error;
pub mod grant;
pub mod oauth;
pub mod read;
#[cfg(feature = "demo")]
pub mod simulated;
pub mod types;

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use futures::{FutureExt as _, StreamExt as _, TryStreamExt as _};
use tokio::sync::oneshot;

use self::client::Api;
use self::error::ApiError;
use self::oauth::SignInWindow;
use self::types::{
    AccountAttributes, AssetAttributes, CaseAttributes, Document, FaultAttributes, ReadingAttributes, Resource,
};
use crate::browser::{BrowserOptions, BrowserSession};
use crate::connector::{Connector, FleetFaults, FleetRead, PageFailure, Progress, ReadContext};
use crate::portal::error::ConnectorError;
use crate::portal::login::SignIn;
use crate::portal::parse::parse_datetime;
use crate::portal::profile::Words;
use crate::store::IncrementalState;

/// Decisiv's published production hosts (shared/reference/decisiv): the authorization server and
/// the API.
pub const DECISIV_LOGIN_URL: &str = "https://login.decisiv.net";
pub const DECISIV_API_URL: &str = "https://srm-api.decisivapps.com";

/// An SRM account the grant reaches.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
pub struct SrmAccount {
    pub id: String,
    pub name: String,
    /// The modules its application is provisioned for (`asset_management`, `telematics`, …).
    pub modules: Vec<String>,
}

/// Every SRM account the grant may reach (`account_management/v1/accounts`).
pub async fn srm_accounts(api: &Api) -> Result<Vec<SrmAccount>, ApiError> {
    let accounts = api.all::<AccountAttributes>("/account_management/v1/accounts", &[]).await?;
    Ok(accounts
        .into_iter()
        .map(|a| SrmAccount {
            name: a.attributes.name.clone().unwrap_or_else(|| a.id.clone()),
            modules: a.attributes.module_subscriptions.iter().filter_map(|m| m.key.clone()).collect(),
            id: a.id,
        })
        .collect())
}

/// Syncs that read only changes before one reads every fault again. Changes come from
/// diagnostic readings, which report faults raised, not faults cleared: a cleared fault leaves
/// TruckIQ at the next full read, at most this many syncs later.
pub const FULL_EVERY: u32 = 6;
/// Reports the API receives late (telematics is not instant) still fall in the next window: each
/// read of changes goes back this far before the latest report the last one saw.
pub const CHANGES_OVERLAP: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

/// What a read of an SRM account asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadPlan {
    /// Read only the faults reported after this (the API's clock); `None` reads them all.
    pub changes_after: Option<DateTime<Utc>>,
    /// The account's stored trucks: one the API lists that is not among them has its faults read
    /// in full, as changes would only bring its newest.
    pub known: HashSet<String>,
}

/// The read the account's next sync makes: every fault on its first, every [`FULL_EVERY`]th or
/// when a person asked; otherwise what was reported since the last stored read.
pub fn plan(state: IncrementalState) -> ReadPlan {
    let due = state.incremental_reads.saturating_add(1) >= FULL_EVERY;
    let since = state.changes_since.as_deref().and_then(parse_datetime);
    let changes_after = since.filter(|_| !due && !state.full_read_due).map(|since| since - CHANGES_OVERLAP);
    ReadPlan { changes_after, known: state.vins }
}

/// One SRM account, read through its grant.
pub struct DecisivApiConnector {
    pub api: Api,
    pub srm_account_id: String,
    pub words: Words,
    /// Calls at once: from 2 on, lists are read side by side and faults fetched that many at a time.
    pub concurrency: usize,
    pub plan: ReadPlan,
}

impl DecisivApiConnector {
    async fn read(&self, progress: &tokio::sync::mpsc::UnboundedSender<Progress>) -> Result<FleetRead, ApiError> {
        let id = &self.srm_account_id;
        let _ = progress.send(Progress::ListingVehicles { page: 1, found: 0 });
        let assets_path = format!("/asset_management/{id}/v1/registered_assets");
        let assets = self.api.all::<AssetAttributes>(&assets_path, &[]);
        let assets = self.both(assets, self.cases(self.plan.changes_after));
        let (mut read, (assets, cases)) = match self.plan.changes_after {
            Some(after) => {
                let ((assets, cases), changes) = self.both(assets, self.changes(after)).await?;
                let new_truck = assets.iter().filter_map(read::vehicle).any(|v| !self.plan.known.contains(&v.vin));
                let read = match changes {
                    _ if new_truck => {
                        let faults = self.all_faults().await?;
                        read::fleet(&assets, &faults, &self.words, FleetFaults::Complete)
                    }
                    Ok((faults, readings_latest)) => {
                        let mut read = read::fleet(&assets, &faults, &self.words, FleetFaults::Changes);
                        read.changes_since = readings_latest.or(read.changes_since);
                        read
                    }
                    Err(failure) => FleetRead {
                        fleet_faults: Some(FleetFaults::Unread(failure)),
                        ..read::fleet(&assets, &[], &self.words, FleetFaults::Changes)
                    },
                };
                (read, (assets, cases))
            }
            None => {
                let ((assets, cases), faults) = self.both(assets, self.all_faults()).await?;
                (read::fleet(&assets, &faults, &self.words, FleetFaults::Complete), (assets, cases))
            }
        };
        let vin_of = read::vins_by_asset(&assets);
        read.cases = cases.map(|cases| cases.iter().filter_map(|c| read::case(c, &vin_of)).collect());
        if read.cases.is_none() {
            // The next read of changes must bring the cases missed now.
            read.changes_since = None;
        }
        let trucks = read.vehicles.len();
        let _ = progress.send(Progress::ListingVehicles { page: 1, found: trucks });
        let _ = progress.send(Progress::ReadingDiagnostics { done: trucks, total: trucks });
        Ok(read)
    }

    /// Two chains of calls, side by side when concurrency allows: each list is a chain of pages
    /// (totals are null).
    async fn both<A, B>(
        &self,
        a: impl Future<Output = Result<A, ApiError>>,
        b: impl Future<Output = Result<B, ApiError>>,
    ) -> Result<(A, B), ApiError> {
        if self.concurrency >= 2 { futures::try_join!(a, b) } else { Ok((a.await?, b.await?)) }
    }

    /// The account's service cases: all of them, or those updated after `after` (the published
    /// `updated_at` filter). `None` when they could not be read: they are secondary to the faults,
    /// so the sync goes on and stores the cases it has.
    async fn cases(&self, after: Option<DateTime<Utc>>) -> Result<Option<Vec<Resource<CaseAttributes>>>, ApiError> {
        let filter: Vec<(&str, String)> = after
            .map(|after| ("filter[updated_at:gte]", after.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
            .into_iter()
            .collect();
        let path = format!("/asset_management/{}/v1/cases", self.srm_account_id);
        match self.api.all::<CaseAttributes>(&path, &filter).await {
            Ok(cases) => Ok(Some(cases)),
            Err(
                error @ (ApiError::Network(_) | ApiError::Protocol(_) | ApiError::Forbidden(_) | ApiError::NotFound(_)),
            ) => {
                tracing::warn!(%error, "the service cases were not read; the faults are");
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }

    /// The published listFaults takes no query parameters: the whole list.
    async fn all_faults(&self) -> Result<Vec<Resource<FaultAttributes>>, ApiError> {
        self.api.all::<FaultAttributes>(&format!("/telematics/{}/v1/faults", self.srm_account_id), &[]).await
    }

    /// One fault by id; `None` when it is gone since it was reported.
    async fn fault(&self, fault: String) -> Result<Option<Resource<FaultAttributes>>, ApiError> {
        let path = format!("/telematics/{}/v1/faults/{fault}", self.srm_account_id);
        match self.api.get::<Document<Resource<FaultAttributes>>>(&path, &[]).await {
            Ok(document) => Ok(Some(document.data)),
            Err(ApiError::NotFound(_)) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The faults reported after `after`: the diagnostic readings since then (the published time
    /// filter), then each fault they name. With the latest reading's time, where the next read
    /// starts. A fault that cannot be fetched fails the changes, never the trucks: they keep
    /// what is stored, and the next read starts from the same point.
    async fn changes(
        &self,
        after: DateTime<Utc>,
    ) -> Result<Result<(Vec<Resource<FaultAttributes>>, Option<String>), PageFailure>, ApiError> {
        let id = &self.srm_account_id;
        let filter = [("filter[triggered_at:gt]", after.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))];
        let path = format!("/telematics/{id}/v1/diagnostic_readings");
        let readings = self.api.all::<ReadingAttributes>(&path, &filter).await?;
        let latest = read::latest(readings.iter().filter_map(|r| r.attributes.triggered_at.as_deref()));
        let mut named = HashSet::new();
        let fault_ids: Vec<&str> =
            readings.iter().flat_map(|r| r.related_all("faults")).filter(|f| named.insert(*f)).collect();
        let fetches: Vec<_> = fault_ids.into_iter().map(|fault| self.fault(fault.to_owned())).collect();
        let fetched =
            futures::stream::iter(fetches).buffer_unordered(self.concurrency.max(1)).try_collect::<Vec<_>>().await;
        Ok(match fetched {
            Ok(faults) => Ok((faults.into_iter().flatten().collect(), latest)),
            // What the whole account meets fails the read, as on any list.
            Err(error @ (ApiError::Network(_) | ApiError::Protocol(_))) => {
                let message = error.to_string();
                Err(PageFailure { kind: ConnectorError::from(error).reason(), message })
            }
            Err(error) => return Err(error),
        })
    }
}

impl Connector for DecisivApiConnector {
    fn sign_in<'a>(&'a self, _context: ReadContext<'a>) -> BoxFuture<'a, Result<SignIn, ConnectorError>> {
        async move {
            let path = format!("/account_management/v1/accounts/{}", self.srm_account_id);
            let _: Document<Resource<AccountAttributes>> = self.api.get(&path, &[]).await?;
            Ok(SignIn::Reused)
        }
        .boxed()
    }

    fn read_fleet<'a>(&'a self, context: ReadContext<'a>) -> BoxFuture<'a, Result<FleetRead, ConnectorError>> {
        async move { Ok(self.read(context.progress).await?) }.boxed()
    }
}

/// The authorize page in a visible Chromium, for the person to sign in; closed once the redirect
/// has come back.
pub struct VisibleWindow {
    browser: BrowserOptions,
    /// A fresh profile that goes with the window: the sign-in's cookies are not kept.
    profile: tempfile::TempDir,
}

impl VisibleWindow {
    pub fn new(browser: BrowserOptions) -> Result<Self, ApiError> {
        let profile = tempfile::Builder::new()
            .prefix("truckiq-api-sign-in-")
            .tempdir()
            .map_err(|e| ApiError::Config(format!("cannot make a browser profile to sign in with: {e}")))?;
        Ok(Self { browser, profile })
    }

    fn profile_dir(&self) -> PathBuf {
        self.profile.path().join("profile")
    }
}

impl SignInWindow for VisibleWindow {
    fn open<'a>(&'a self, url: &'a str, done: oneshot::Receiver<()>) -> BoxFuture<'a, Result<(), ApiError>> {
        async move {
            let visible = BrowserOptions { headless: false, block_heavy_resources: false, ..self.browser.clone() };
            let browser = BrowserSession::launch(&visible, &self.profile_dir())
                .await
                .map_err(|e| ApiError::Config(format!("cannot open a browser to sign in: {e}")))?;
            let opened = match browser.new_page().await {
                Ok(page) => match page.goto(url).await {
                    Ok(()) => {
                        let _ = page.bring_to_front().await;
                        until_done_or_closed(&page, done).await
                    }
                    Err(e) => Err(ApiError::Network(e.to_string())),
                },
                Err(e) => Err(ApiError::Config(e.to_string())),
            };
            browser.close().await;
            opened
        }
        .boxed()
    }
}

/// Waits for the redirect to come back, or for the person to close the window (then there is
/// nothing left to wait for).
async fn until_done_or_closed(
    page: &crate::browser::PortalPage,
    mut done: oneshot::Receiver<()>,
) -> Result<(), ApiError> {
    loop {
        tokio::select! {
            _ = &mut done => return Ok(()),
            () = tokio::time::sleep(Duration::from_secs(1)) => {
                if page.url().await.is_err() {
                    return Err(ApiError::AuthorizationDenied("the sign-in window was closed".into()));
                }
            }
        }
    }
}

/// How long a person has to finish signing in on the authorize page.
pub const SIGN_IN_WAIT: Duration = Duration::from_secs(10 * 60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sync_reads_changes_between_full_reads_and_goes_back_over_late_reports() {
        let state = |reads: u32, since: Option<&str>, asked: bool| IncrementalState {
            incremental_reads: reads,
            changes_since: since.map(str::to_owned),
            full_read_due: asked,
            ..IncrementalState::default()
        };
        let since = "2026-11-01T12:00:00Z";
        let after = parse_datetime(since).map(|t| t - CHANGES_OVERLAP);
        assert_eq!(plan(state(0, None, false)).changes_after, None, "the first read is a full one");
        assert_eq!(plan(state(0, Some(since), false)).changes_after, after);
        assert_eq!(plan(state(FULL_EVERY - 2, Some(since), false)).changes_after, after);
        assert_eq!(plan(state(FULL_EVERY - 1, Some(since), false)).changes_after, None, "every FULL_EVERY-th is full");
        assert_eq!(plan(state(0, Some(since), true)).changes_after, None, "a person asked for a full read");
        assert_eq!(plan(state(0, Some("garbled"), false)).changes_after, None, "a point it cannot read is none");
    }
}
