//! The browser layouts as a [`Connector`]: a real Chromium signs in and reads the portal's pages
//! as its profile describes them.

use std::path::PathBuf;

use futures::FutureExt as _;
use futures::future::BoxFuture;

use super::convert::fleet_read;
use super::doctor::PageReport;
use super::error::ConnectorError;
use super::extract::{ExtractOptions, PortalSite};
use super::login::{Credentials, SignIn, TotpLedger};
use super::profile::Profile;
use super::run::{RunConfig, RunMode, SessionVault, check_layout, read_account, test_sign_in};
use crate::browser::BrowserOptions;
use crate::connector::{Connector, FleetRead, ReadContext};

/// One account on a server-rendered portal, read in Chromium.
pub struct BrowserConnector<'a> {
    /// e.g. `https://paccarsolutions.com` (no trailing slash).
    pub base_url: String,
    pub profile: Profile,
    pub credentials: Credentials,
    /// Shared by every run, so a TOTP time step is never submitted twice.
    pub ledger: &'a TotpLedger,
    pub vault: SessionVault,
    pub browser: BrowserOptions,
    /// This account's browser profile folder.
    pub profile_dir: PathBuf,
    pub extract: ExtractOptions,
}

impl BrowserConnector<'_> {
    fn config(&self, context: ReadContext<'_>) -> RunConfig<'_> {
        RunConfig {
            site: PortalSite {
                base_url: &self.base_url,
                profile: &self.profile,
                credentials: &self.credentials,
                ledger: self.ledger,
            },
            browser: self.browser.clone(),
            profile_dir: &self.profile_dir,
            extract: self.extract.clone(),
            vault: &self.vault,
            mode: context.mode,
        }
    }
}

impl BrowserConnector<'_> {
    /// Signs in and reports what the profile finds on the first list page and `pages` trucks'
    /// pages (see [`check_layout`]).
    pub async fn check_layout(&self, pages: usize) -> Result<Vec<PageReport>, ConnectorError> {
        let (progress, _steps) = tokio::sync::mpsc::unbounded_channel();
        check_layout(&self.config(ReadContext { mode: RunMode::Scheduled, progress: &progress }), pages).await
    }
}

impl Connector for BrowserConnector<'_> {
    fn sign_in<'a>(&'a self, context: ReadContext<'a>) -> BoxFuture<'a, Result<SignIn, ConnectorError>> {
        async move { test_sign_in(&self.config(context)).await }.boxed()
    }

    fn read_fleet<'a>(&'a self, context: ReadContext<'a>) -> BoxFuture<'a, Result<FleetRead, ConnectorError>> {
        async move {
            let extraction = read_account(&self.config(context), context.progress).await?;
            Ok(fleet_read(&extraction))
        }
        .boxed()
    }
}
