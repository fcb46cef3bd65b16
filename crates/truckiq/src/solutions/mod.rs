//! PACCAR Solutions (paccarsolutions.com) as it really is: a single-page app over a JSON gateway
//! on another origin (`shared/docs/paccar-solutions.md`). TruckIQ signs in as a person does, on
//! the app's page in Chromium, takes the token the app keeps, and reads the gateway's JSON with the
//! paths in the portal profile, either from inside the signed-in page or, after sign-in, directly.

pub mod doctor;
pub mod json;
pub mod profile;
mod read;
pub mod signin;
mod token;
mod transport;

use std::collections::HashMap;
use std::path::PathBuf;

use futures::FutureExt as _;
use futures::future::BoxFuture;
use tokio::sync::mpsc::UnboundedSender;

pub use profile::{ReadMode, SolutionsProfile};
use read::Gateway;
pub use read::ReadPlan;
use signin::Session;
use token::{Renewal, TokenKeeper};
use transport::{Call, HttpTransport, PageTransport, Transport};

use crate::browser::{BrowserOptions, BrowserSession};
use crate::connector::{Connector, FleetRead, Progress, ReadContext};
use crate::portal::doctor::PageReport;
use crate::portal::error::ConnectorError;
use crate::portal::login::{Credentials, SignIn};
use crate::portal::origin::PortalOrigin;
use crate::portal::run::{RunMode, SessionVault};

/// One PACCAR Solutions account.
pub struct SolutionsConnector {
    /// The app's address, e.g. `https://www.paccarsolutions.com`.
    pub base_url: String,
    pub profile: SolutionsProfile,
    pub credentials: Credentials,
    pub vault: SessionVault,
    pub browser: BrowserOptions,
    /// This account's browser profile folder.
    pub profile_dir: PathBuf,
    pub artifacts_dir: PathBuf,
    pub plan: ReadPlan,
}

impl SolutionsConnector {
    fn app(&self) -> Result<PortalOrigin, ConnectorError> {
        PortalOrigin::new(&self.base_url, &self.profile.login.sign_in_origins)
    }

    async fn saved(&self) -> Result<Option<Session>, ConnectorError> {
        Ok(self.vault.load().await?.as_ref().and_then(Session::from_secret))
    }

    async fn keep(&self, session: &Session) -> Result<(), ConnectorError> {
        Ok(self.vault.save(&session.to_secret()).await?)
    }

    /// Signs in in a headless Chromium that closes afterwards. A sign-in page TruckIQ may not type
    /// into goes to a person in a visible window when one is at the keyboard.
    async fn fresh_sign_in(&self, context: ReadContext<'_>) -> Result<Session, ConnectorError> {
        let app = self.app()?;
        let browser = BrowserSession::launch(&self.browser, &self.profile_dir).await?;
        let signed_in = match browser.new_page().await {
            Ok(page) => signin::sign_in(&page, &app, &self.profile, &self.credentials).await,
            Err(error) => Err(error.into()),
        };
        browser.close().await;
        let session = match (signed_in, context.mode) {
            (Err(ConnectorError::SignInNeedsPerson { origin }), RunMode::Interactive { mfa_wait }) => {
                tracing::info!(%origin, "the sign-in page is not one TruckIQ types into; handing it to a person");
                let _ = context.progress.send(Progress::WaitingForPerson);
                signin::person_signs_in(&self.browser, &self.profile_dir, &app, &self.profile, mfa_wait).await?
            }
            (result, _) => result?,
        };
        self.keep(&session).await?;
        Ok(session)
    }

    /// The saved session, or a new sign-in.
    async fn session(&self, context: ReadContext<'_>) -> Result<(Session, SignIn), ConnectorError> {
        match self.saved().await? {
            Some(session) => Ok((session, SignIn::Reused)),
            None => Ok((self.fresh_sign_in(context).await?, SignIn::SignedIn)),
        }
    }

    fn direct(&self, gateway: &str) -> Result<HttpTransport, ConnectorError> {
        HttpTransport::new(
            gateway.trim_end_matches('/').to_owned(),
            self.profile.gateway.clone(),
            self.browser.http_proxy().map_err(ConnectorError::InvalidAddress)?,
            self.browser.page_timeout,
            &self.browser.trusted_der,
        )
    }

    async fn run_direct<W: Work>(&self, context: ReadContext<'_>, work: &W) -> Result<W::Output, ConnectorError> {
        let _ = context.progress.send(Progress::SigningIn);
        let (session, _) = self.session(context).await?;
        let transport = self.direct(&session.gateway)?;
        let renewal = Renew { connector: self, transport: &transport, gateway: &session.gateway, tab: None, context };
        self.work_with(&transport, &renewal, &session, context, work).await
    }

    async fn run_in_page<W: Work>(&self, context: ReadContext<'_>, work: &W) -> Result<W::Output, ConnectorError> {
        let _ = context.progress.send(Progress::SigningIn);
        let (session, _) = self.session(context).await?;
        let app = self.app()?;
        let browser = BrowserSession::launch(&self.browser, &self.profile_dir).await?;
        let result = async {
            let page = browser.new_page().await?;
            // The app's own page: calls from it carry the app's origin, so the gateway's CORS
            // rules apply exactly as they do for the app. The app's scripts stay off in it: left
            // running, the app would send a tab with no token to its sign-in page (another
            // origin when the sign-in is hosted) or, holding one, refresh it behind this run's back.
            page.lend_origin_only().await?;
            page.goto(&app.url("/")?).await?;
            let transport =
                PageTransport { page: &page, gateway: session.gateway.clone(), profile: self.profile.gateway.clone() };
            let renewal = Renew {
                connector: self,
                transport: &transport,
                gateway: &session.gateway,
                tab: Some(&browser),
                context,
            };
            let done = self.work_with(&transport, &renewal, &session, context, work).await;
            page.close().await;
            done
        }
        .await;
        browser.close().await;
        result
    }

    async fn work_with<W: Work>(
        &self,
        transport: &dyn Transport,
        renewal: &dyn Renewal,
        session: &Session,
        context: ReadContext<'_>,
        work: &W,
    ) -> Result<W::Output, ConnectorError> {
        let keeper = TokenKeeper::new(session.token.clone());
        let gateway =
            Gateway { transport, keeper: &keeper, renewal, profile: &self.profile, artifacts_dir: &self.artifacts_dir };
        work.on(&gateway, context.progress).await
    }

    /// Signs in (or reuses the saved session) and does `work` in the profile's reading mode.
    async fn run<W: Work>(&self, context: ReadContext<'_>, work: &W) -> Result<W::Output, ConnectorError> {
        match self.profile.reading.mode {
            ReadMode::Direct => self.run_direct(context, work).await,
            ReadMode::Page => self.run_in_page(context, work).await,
        }
    }

    /// Signs in and reports what the profile's paths find in the first vehicle-search page and
    /// `pages` trucks' fault logs. Nothing is stored but the session.
    pub async fn check_layout(&self, pages: usize) -> Result<Vec<PageReport>, ConnectorError> {
        let (progress, _steps) = tokio::sync::mpsc::unbounded_channel();
        let context = ReadContext { mode: RunMode::Scheduled, progress: &progress };
        self.run(context, &CheckLayout(pages)).await
    }
}

/// What is done once signed in to the gateway: a read of the fleet, or the doctor's look at a few
/// answers.
trait Work: Sync {
    type Output;
    fn on<'g>(
        &'g self,
        gateway: &'g Gateway<'g>,
        progress: &'g UnboundedSender<Progress>,
    ) -> BoxFuture<'g, Result<Self::Output, ConnectorError>>;
}

/// The fleet, as the plan asks.
struct ReadFleet<'p>(&'p ReadPlan);

impl Work for ReadFleet<'_> {
    type Output = FleetRead;
    fn on<'g>(
        &'g self,
        gateway: &'g Gateway<'g>,
        progress: &'g UnboundedSender<Progress>,
    ) -> BoxFuture<'g, Result<FleetRead, ConnectorError>> {
        gateway.read(self.0, progress).boxed()
    }
}

/// The doctor's look at the list and this many trucks' fault logs.
struct CheckLayout(usize);

impl Work for CheckLayout {
    type Output = Vec<PageReport>;
    fn on<'g>(
        &'g self,
        gateway: &'g Gateway<'g>,
        _progress: &'g UnboundedSender<Progress>,
    ) -> BoxFuture<'g, Result<Vec<PageReport>, ConnectorError>> {
        gateway.check(self.0).boxed()
    }
}

/// Renews the run's token: the gateway's refresh, then a new sign-in (in a new tab of the reading
/// browser in page mode, in a fresh headless browser in direct mode).
struct Renew<'a> {
    connector: &'a SolutionsConnector,
    transport: &'a dyn Transport,
    gateway: &'a str,
    tab: Option<&'a BrowserSession>,
    context: ReadContext<'a>,
}

impl Renewal for Renew<'_> {
    fn refresh<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Option<String>, ConnectorError>> {
        async move {
            let body = serde_json::json!({ "encodedToken": token });
            let path = &self.connector.profile.endpoints.refresh;
            let call = Call { method: "POST", path, body: Some(&body), token, bearer: true };
            let answer = self.transport.send(call).await?;
            if !(200..300).contains(&answer.status) {
                tracing::info!(status = answer.status, "the gateway refused to refresh the token");
                return Ok(None);
            }
            let fresh = serde_json::from_str::<serde_json::Value>(&answer.body)
                .ok()
                .and_then(|v| v.get("encodedToken").and_then(|t| t.as_str()).map(str::to_owned));
            Ok(fresh)
        }
        .boxed()
    }

    fn sign_in_again(&self) -> BoxFuture<'_, Result<String, ConnectorError>> {
        async move {
            let session = match self.tab {
                Some(browser) => {
                    let page = browser.new_page().await?;
                    let app = self.connector.app()?;
                    let signed_in =
                        signin::sign_in(&page, &app, &self.connector.profile, &self.connector.credentials).await;
                    page.close().await;
                    signed_in?
                }
                None => self.connector.fresh_sign_in(self.context).await?,
            };
            Ok(session.token)
        }
        .boxed()
    }

    fn keep<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<(), ConnectorError>> {
        let session = Session { token: token.to_owned(), gateway: self.gateway.to_owned() };
        async move { self.connector.keep(&session).await }.boxed()
    }
}

impl Connector for SolutionsConnector {
    fn sign_in<'a>(&'a self, context: ReadContext<'a>) -> BoxFuture<'a, Result<SignIn, ConnectorError>> {
        async move {
            let (session, how) = self.session(context).await?;
            if how == SignIn::SignedIn {
                return Ok(how);
            }
            // A saved token counts only if the gateway still takes it (after a refresh at most).
            let transport = self.direct(&session.gateway)?;
            let renewal =
                Renew { connector: self, transport: &transport, gateway: &session.gateway, tab: None, context };
            let keeper = TokenKeeper::new(session.token.clone());
            let gateway = Gateway {
                transport: &transport,
                keeper: &keeper,
                renewal: &renewal,
                profile: &self.profile,
                artifacts_dir: &self.artifacts_dir,
            };
            let held = keeper.current().await;
            gateway.probe().await?;
            Ok(if keeper.current().await == held { SignIn::Reused } else { SignIn::SignedIn })
        }
        .boxed()
    }

    fn read_fleet<'a>(&'a self, context: ReadContext<'a>) -> BoxFuture<'a, Result<FleetRead, ConnectorError>> {
        async move { self.run(context, &ReadFleet(&self.plan)).await }.boxed()
    }
}

/// The markers stored by the last sync, and whether this read must be full, for an account.
pub fn plan(
    profile: &SolutionsProfile,
    known: HashMap<String, String>,
    incremental_reads: u32,
    full_asked: bool,
    concurrency: usize,
) -> ReadPlan {
    let due = incremental_reads.saturating_add(1) >= profile.reading.full_every.max(1);
    let full = full_asked || !profile.reading.incremental || due;
    ReadPlan { known: if full { HashMap::new() } else { known }, full, concurrency }
}
