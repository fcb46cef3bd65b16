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

use std::path::PathBuf;
use std::time::Duration;

use futures::FutureExt as _;
use futures::future::BoxFuture;
use tokio::sync::oneshot;

use self::client::Api;
use self::error::ApiError;
use self::oauth::SignInWindow;
use self::types::{AccountAttributes, AssetAttributes, Document, FaultAttributes, Resource};
use crate::browser::{BrowserOptions, BrowserSession};
use crate::connector::{Connector, FleetRead, Progress, ReadContext};
use crate::portal::error::ConnectorError;
use crate::portal::login::SignIn;
use crate::portal::profile::Words;

/// An SRM account the grant reaches.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SrmAccount {
    pub id: String,
    pub name: String,
    /// The modules its application is provisioned for (`asset_management`, `telematics`, …).
    pub modules: Vec<String>,
}

/// Every SRM account the grant may reach (`account_management/v1/accounts`).
pub async fn srm_accounts(api: &Api) -> Result<Vec<SrmAccount>, ApiError> {
    let accounts = api.all::<AccountAttributes>("/account_management/v1/accounts").await?;
    Ok(accounts
        .into_iter()
        .map(|a| SrmAccount {
            name: a.attributes.name.clone().unwrap_or_else(|| a.id.clone()),
            modules: a.attributes.module_subscriptions.iter().filter_map(|m| m.key.clone()).collect(),
            id: a.id,
        })
        .collect())
}

/// One SRM account, read through its grant.
pub struct DecisivApiConnector {
    pub api: Api,
    pub srm_account_id: String,
    pub words: Words,
    /// Calls at once: from 2 on, the truck list and the fault list are read side by side.
    pub concurrency: usize,
}

impl DecisivApiConnector {
    async fn read(&self, progress: &tokio::sync::mpsc::UnboundedSender<Progress>) -> Result<FleetRead, ApiError> {
        let id = &self.srm_account_id;
        let _ = progress.send(Progress::ListingVehicles { page: 1, found: 0 });
        let (assets_path, faults_path) =
            (format!("/asset_management/{id}/v1/registered_assets"), format!("/telematics/{id}/v1/faults"));
        // The published listFaults takes no query parameters: the whole list, every time. Each
        // list is a chain of pages (totals are null), so the two chains run side by side.
        let assets = self.api.all::<AssetAttributes>(&assets_path);
        let faults = self.api.all::<FaultAttributes>(&faults_path);
        let (assets, faults) =
            if self.concurrency >= 2 { futures::try_join!(assets, faults)? } else { (assets.await?, faults.await?) };
        let _ = progress.send(Progress::ListingVehicles { page: 1, found: assets.len() });
        let _ = progress.send(Progress::ReadingDiagnostics { done: assets.len(), total: assets.len() });
        Ok(read::fleet(&assets, &faults, &self.words))
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
    pub browser: BrowserOptions,
    /// A browser profile folder of its own (the grant's).
    pub profile_dir: PathBuf,
}

impl SignInWindow for VisibleWindow {
    fn open<'a>(&'a self, url: &'a str, done: oneshot::Receiver<()>) -> BoxFuture<'a, Result<(), ApiError>> {
        async move {
            let visible = BrowserOptions { headless: false, block_heavy_resources: false, ..self.browser.clone() };
            let browser = BrowserSession::launch(&visible, &self.profile_dir)
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
