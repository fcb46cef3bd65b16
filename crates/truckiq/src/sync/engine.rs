//! The sync engine: runs one account's sync end to end (credentials from the keychain, the portal
//! read in Chromium, everything stored in one transaction, alerts published once committed), at
//! most one run per account at a time, retried by [`RetryPolicy`] when the failure may pass.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::alerts;
use super::clock::{Clock, SystemClock};
use super::error::SyncError;
use super::proxy::{self, PasswordChange};
use super::schedule::RetryPolicy;
use super::staleness;
use crate::browser::{BrowserError, BrowserOptions, ProxyCredentials};
use crate::connector::{Connector, FleetFaults, Progress, ReadContext, assess, observations};
use crate::decisiv_api::client::Api;
use crate::decisiv_api::grant::GrantTokens;
use crate::decisiv_api::oauth::{self, OAuthApp};
use crate::decisiv_api::{self, DecisivApiConnector};
use crate::delivery::Router;
use crate::failure::FailureReason;
use crate::portal::BrowserConnector;
use crate::portal::doctor::PageReport;
use crate::portal::error::ConnectorError;
use crate::portal::extract::ExtractOptions;
use crate::portal::login::{Credentials, SignIn, TotpLedger};
use crate::portal::profile::Profile;
use crate::portal::profile::Words;
use crate::portal::run::{MFA_WAIT, RunMode, SessionVault};
use crate::secrets::{SecretError, SecretKind, SecretOwner, SecretStore, TotpSecret};
use crate::solutions::{self, SolutionsConnector, SolutionsProfile};
use crate::store::{
    AccountSummary, Alert, AlertKind, Database, PortalKind, RunEnd, RunStatus, RunTrigger, Store, StoreError,
    SyncOutcome, SyncRecord,
};

#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub db_path: PathBuf,
    /// This is the app's own database ([`crate::paths::is_default_db`]): the only one whose
    /// accounts take over the keychain entries TruckIQ 0.1 kept under their row numbers.
    pub default_database: bool,
    /// Browser profiles (`browser/account-N`), kept pages of changed portals (`artifacts`) and
    /// portal profile overrides (`profiles/<layout>.toml`) live here.
    pub data_dir: PathBuf,
    pub browser: BrowserOptions,
    /// Diagnostics pages read at once, unless Settings say otherwise.
    pub concurrency: usize,
    /// Pages at once that win over Settings too (e.g. `truckiq sync --concurrency N`).
    pub concurrency_override: Option<usize>,
    pub retry: RetryPolicy,
    /// How long a person gets to finish an MFA challenge in an interactive run.
    pub mfa_wait: Duration,
    /// Read connections beside the writer ([`crate::store::READERS`]); 0 sends reads to the writer.
    pub readers: usize,
}

impl EngineConfig {
    pub fn new(db_path: PathBuf, data_dir: PathBuf) -> Self {
        Self {
            default_database: crate::paths::is_default_db(&db_path),
            db_path,
            data_dir,
            browser: BrowserOptions::default(),
            concurrency: 4,
            concurrency_override: None,
            retry: RetryPolicy::default(),
            mfa_wait: MFA_WAIT,
            readers: crate::store::READERS,
        }
    }
}

/// What a finished run stored.
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    pub account_id: i64,
    pub run_id: i64,
    pub status: RunStatus,
    /// Attempts this request took (1 unless a failure was retried).
    pub attempts: u32,
    pub outcome: SyncOutcome,
    pub alerts: Vec<Alert>,
}

pub type RunResult = Result<RunReport, SyncError>;

/// What the engine is doing, for progress bars and the UI.
#[derive(Debug, Clone)]
pub enum SyncEvent {
    Started { account_id: i64, run_id: i64, attempt: u32 },
    Progress { account_id: i64, progress: Progress },
    Retrying { account_id: i64, attempt: u32, wait: Duration, error: SyncError },
    Finished { account_id: i64, result: RunResult },
}

struct InFlight {
    result: Shared<BoxFuture<'static, RunResult>>,
    cancel: CancellationToken,
}

struct Inner {
    config: EngineConfig,
    database: Arc<Database>,
    secrets: SecretStore,
    clock: Arc<dyn Clock>,
    /// Shared by every run, so a TOTP time step is never submitted twice.
    ledger: TotpLedger,
    alerts: broadcast::Sender<Alert>,
    events: broadcast::Sender<SyncEvent>,
    in_flight: Mutex<HashMap<i64, InFlight>>,
    /// Each Decisiv API grant's tokens, shared by every account it serves, so one refresh serves
    /// them all.
    grants: Mutex<HashMap<uuid::Uuid, Arc<GrantTokens>>>,
}

/// Cheap to clone; clones share runs, channels and the database connection.
#[derive(Clone)]
pub struct SyncEngine {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SyncEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncEngine").field("db", &self.inner.config.db_path).finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SyncEngine {
    /// Opens the database and marks runs a killed process left "in progress" as failed.
    pub fn open(config: EngineConfig, secrets: SecretStore) -> Result<Self, StoreError> {
        Self::with_clock(config, secrets, Arc::new(SystemClock))
    }

    pub fn with_clock(config: EngineConfig, secrets: SecretStore, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let database = Database::open(&config.db_path, config.readers)?;
        let interrupted = database.write(|store| store.mark_interrupted_runs(clock.now()))?;
        if interrupted > 0 {
            tracing::warn!(interrupted, "marked sync runs interrupted by a stopped process as failed");
        }
        let (alerts, _) = broadcast::channel(256);
        let (events, _) = broadcast::channel(1024);
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                database: Arc::new(database),
                secrets,
                clock,
                ledger: TotpLedger::default(),
                alerts,
                events,
                in_flight: Mutex::new(HashMap::new()),
                grants: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// Alerts, each sent once it is committed to the database.
    pub fn subscribe_alerts(&self) -> broadcast::Receiver<Alert> {
        self.inner.alerts.subscribe()
    }

    /// Tells subscribers (the window, the delivery worker) about an alert committed outside a
    /// sync run; nobody listening is not an error.
    pub fn announce(&self, alert: Alert) {
        self.inner.alerts.send(alert).ok();
    }

    pub fn subscribe_events(&self) -> broadcast::Receiver<SyncEvent> {
        self.inner.events.subscribe()
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    pub fn secrets(&self) -> &SecretStore {
        &self.inner.secrets
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// Runs `work` on the database's one write connection, off the async threads.
    pub async fn db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.inner.db(work).await
    }

    /// Runs `work` on a read connection, off the async threads: it answers while a sync writes.
    pub async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.inner.read(work).await
    }

    /// The sync settings. A proxy password an earlier TruckIQ kept inside the proxy's address is
    /// moved to the keychain first.
    pub async fn sync_settings(&self) -> Result<SyncSettings, SyncError> {
        self.inner.sync_settings().await
    }

    /// Saves sync settings planned by [`proxy::plan_change`], with the proxy password's change.
    pub async fn store_sync_settings(&self, settings: SyncSettings, change: PasswordChange) -> Result<(), SyncError> {
        self.inner.store_sync_settings(settings, change).await
    }

    pub fn is_running(&self, account_id: i64) -> bool {
        lock(&self.inner.in_flight).contains_key(&account_id)
    }

    /// Syncs one account. A request for an account already syncing joins that run (one browser,
    /// one run); the run goes on even if every caller stops waiting, unless cancelled.
    pub fn sync(&self, account_id: i64, trigger: RunTrigger, mode: RunMode) -> Shared<BoxFuture<'static, RunResult>> {
        let mut in_flight = lock(&self.inner.in_flight);
        if let Some(running) = in_flight.get(&account_id) {
            return running.result.clone();
        }
        let cancel = CancellationToken::new();
        let inner = Arc::clone(&self.inner);
        let task = tokio::spawn({
            let cancel = cancel.clone();
            async move {
                let result = Arc::clone(&inner).run_request(account_id, trigger, mode, cancel).await;
                lock(&inner.in_flight).remove(&account_id);
                let _ = inner.events.send(SyncEvent::Finished { account_id, result: result.clone() });
                result
            }
        });
        let result = async move { task.await.unwrap_or(Err(SyncError::Cancelled)) }.boxed().shared();
        in_flight.insert(account_id, InFlight { result: result.clone(), cancel });
        result
    }

    /// Stops an account's run; it is recorded as failed with `cancelled` and nothing it read is
    /// stored. Returns whether one was running.
    pub fn cancel(&self, account_id: i64) -> bool {
        lock(&self.inner.in_flight).get(&account_id).map(|r| r.cancel.cancel()).is_some()
    }

    /// Cancels an account's run and waits (up to `wait`) until it has recorded its end, so what
    /// comes next (removing the account, say) does not race its last writes.
    pub async fn cancel_and_wait(&self, account_id: i64, wait: Duration) {
        let running = lock(&self.inner.in_flight).get(&account_id).map(|r| {
            r.cancel.cancel();
            r.result.clone()
        });
        if let Some(result) = running
            && tokio::time::timeout(wait, result).await.is_err()
        {
            tracing::warn!(account_id, "a cancelled run did not stop in time");
        }
    }

    pub fn cancel_all(&self) {
        for running in lock(&self.inner.in_flight).values() {
            running.cancel.cancel();
        }
    }

    /// After a person changes an account's credentials: resume it and forget its portal session.
    /// The secrets they entered are this database's own now, so none are waiting to be taken over.
    pub async fn credentials_changed(&self, account_id: i64) -> Result<(), SyncError> {
        let account = self.account(account_id).await?;
        self.inner.adopt_legacy_secrets(&account).await?;
        self.db(move |s| {
            s.set_paused(account_id, None)?;
            s.clear_legacy_keychain(account_id)
        })
        .await?;
        let vault = SessionVault { secrets: self.inner.secrets.clone(), owner: session_owner(&account) };
        blocking(move || vault.clear()).await?;
        Ok(())
    }

    /// Moves the keychain entries TruckIQ 0.1 kept under the account's row number to its identity,
    /// with its browser profile, when this is the app's own database. Call it before reading or
    /// writing an account's secrets; it does nothing once they moved.
    pub async fn adopt_legacy_secrets(&self, account_id: i64) -> Result<(), SyncError> {
        let account = self.account(account_id).await?;
        self.inner.adopt_legacy_secrets(&account).await
    }

    /// The account with this row id, or `UnknownAccount`.
    pub async fn account(&self, account_id: i64) -> Result<AccountSummary, SyncError> {
        self.read(move |s| s.account(account_id)).await?.ok_or(SyncError::UnknownAccount(account_id))
    }

    /// Signs in to an account's portal and nothing more, as "Test sign-in" does. Not a run: no run
    /// record, no alerts, and a refused password does not pause the account (a person is there).
    /// Signs in to the account's portal and reports what its profile finds: on the first vehicle
    /// list page and three trucks' pages, or in the gateway's answers for them (`truckiq profile
    /// check`, "Check portal layout"). No run is started and nothing is written to the database.
    pub async fn check_layout(&self, account_id: i64) -> Result<Vec<PageReport>, SyncError> {
        let account = self.account(account_id).await?;
        Ok(match self.inner.build_connector(&account).await? {
            Built::Browser(connector) => connector.check_layout(3).await?,
            Built::Solutions(connector, _) => connector.check_layout(3).await?,
            Built::Api(_) => {
                return Err(SyncError::Unsupported(format!(
                    "{} is read through the published Decisiv API: it has no portal layout to check",
                    account.name
                )));
            }
        })
    }

    /// The HTTP client for the Decisiv API and its authorization server, as Settings have it.
    pub async fn api_http(&self) -> Result<reqwest::Client, SyncError> {
        self.inner.api_http().await
    }

    /// The browser options a run uses: the engine's, with Settings over them.
    pub async fn browser_options(&self) -> Result<BrowserOptions, SyncError> {
        Ok(self.inner.run_settings().await?.0)
    }

    /// Keeps a grant's tokens (fresh from an authorization) for the accounts that will use it.
    pub fn adopt_grant(&self, tokens: Arc<GrantTokens>) {
        lock_grants(&self.inner.grants).insert(tokens.uid(), tokens);
    }

    /// Drops the tokens of a grant that is gone (its last account was removed).
    pub fn forget_grant(&self, uid: uuid::Uuid) {
        lock_grants(&self.inner.grants).remove(&uid);
    }

    pub async fn test_sign_in(&self, account_id: i64) -> Result<SignIn, SyncError> {
        let account = self.account(account_id).await?;
        let (connector, _) = self.inner.connector(&account).await?;
        let (progress, _steps) = tokio::sync::mpsc::unbounded_channel();
        Ok(connector.sign_in(ReadContext { mode: RunMode::Scheduled, progress: &progress }).await?)
    }

    /// The proxy refused its saved password (alert delivery saw a 407): nothing sends it again
    /// until it is entered anew in Settings.
    pub async fn refuse_proxy_password(&self) -> Result<(), SyncError> {
        Ok(self.db(mark_proxy_refused).await?)
    }

    /// Raises a `stale_data` alert for each account whose data is stale ([`staleness::is_stale`]),
    /// once per stale spell, and returns the stale accounts with their last success. The limit is
    /// `hours`, or the one in Settings.
    pub async fn check_stale(&self, hours: Option<u32>) -> Result<Vec<StaleAccount>, SyncError> {
        let now = self.inner.clock.now();
        let (stale, raised) = self
            .db(move |store| {
                let hours = match hours {
                    Some(hours) => hours,
                    None => store.setting::<SyncSettings>(SYNC_SETTINGS_KEY)?.stale_after_hours(),
                };
                let mut stale = Vec::new();
                let mut raised = Vec::new();
                for row in store.schedule_rows()? {
                    if !staleness::is_stale(row.enabled, row.last_success, row.created_at, now, hours) {
                        continue;
                    }
                    if !store.has_alert_since(row.id, AlertKind::StaleData, row.last_success)? {
                        let at = row.last_success.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string());
                        raised.push(store.insert_alert(
                            &alerts::stale_data(row.id, &row.name, hours, at.as_deref()),
                            now,
                            &Router::from_store(store, now)?,
                        )?);
                    }
                    stale.push(StaleAccount {
                        account_id: row.id,
                        name: row.name,
                        last_success: row.last_success,
                        hours,
                    });
                }
                Ok((stale, raised))
            })
            .await?;
        for alert in raised {
            let _ = self.inner.alerts.send(alert);
        }
        Ok(stale)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StaleAccount {
    pub account_id: i64,
    pub name: String,
    pub last_success: Option<chrono::DateTime<chrono::Utc>>,
    /// The limit it was judged by.
    pub hours: u32,
}

impl Inner {
    async fn db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let database = Arc::clone(&self.database);
        tokio::task::spawn_blocking(move || database.write(work))
            .await
            .map_err(|e| StoreError::Crashed(e.to_string()))?
    }

    async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let database = Arc::clone(&self.database);
        tokio::task::spawn_blocking(move || database.read(work))
            .await
            .map_err(|e| StoreError::Crashed(e.to_string()))?
    }

    /// One sync request: attempts with backoff while the failure may pass, then the alert and,
    /// for a refused password, the pause that a failure calls for.
    async fn run_request(
        self: Arc<Self>,
        account_id: i64,
        trigger: RunTrigger,
        mode: RunMode,
        cancel: CancellationToken,
    ) -> RunResult {
        let policy = self.config.retry;
        let attempts = AtomicU32::new(0);
        let last_run = AtomicI64::new(0);
        let backoff = ExponentialBuilder::default()
            .with_min_delay(policy.first_delay)
            .with_max_delay(policy.max_delay)
            .with_max_times(policy.max_attempts.saturating_sub(1) as usize)
            .with_jitter();
        let attempt = || async {
            let attempt = attempts.fetch_add(1, Ordering::SeqCst) + 1;
            self.run_once(account_id, trigger, mode, attempt, &last_run).await
        };
        let clock = Arc::clone(&self.clock);
        let retried = attempt
            .retry(backoff)
            .sleep(move |wait| clock.sleep(wait))
            .when(SyncError::is_transient)
            .adjust(|error: &SyncError, wait| policy.wait(error.retry_after(), wait))
            .notify(|error: &SyncError, wait| {
                tracing::warn!(account_id, seconds = wait.as_secs(), %error, "sync failed; trying again");
                let _ = self.events.send(SyncEvent::Retrying {
                    account_id,
                    attempt: attempts.load(Ordering::SeqCst),
                    wait,
                    error: error.clone(),
                });
            })
            // Boxed for the same reason as the extraction below: its closures are higher-ranked.
            .boxed();
        let result = tokio::select! {
            result = retried => result,
            () = cancel.cancelled() => Err(SyncError::Cancelled),
        };
        let run_id = last_run.load(Ordering::SeqCst);
        match result {
            Ok(mut report) => {
                report.attempts = attempts.load(Ordering::SeqCst);
                Ok(report)
            }
            Err(error) => {
                self.after_failure(account_id, run_id, &error).await;
                Err(error)
            }
        }
    }

    async fn after_failure(&self, account_id: i64, run_id: i64, error: &SyncError) {
        if matches!(error, SyncError::UnknownAccount(_) | SyncError::Paused { .. }) || run_id == 0 {
            return; // nothing ran
        }
        let now = self.clock.now();
        let (reason, message) = (error.reason(), error.to_string());
        let pause = match error {
            SyncError::Portal(e) => match e.as_ref() {
                ConnectorError::LoginRejected { message, .. } => Some(format!(
                    "the portal refused the password ({message}); set the password again to resume syncing"
                )),
                // Like a password: a wrong code sent at every scheduled run would lock the account.
                ConnectorError::MfaRejected(message) => Some(format!(
                    "the portal refused the verification code from the saved TOTP secret ({message}); set the TOTP secret again"
                )),
                _ => None,
            },
            _ => None,
        };
        // A refused API grant pauses every account it serves at once: one alert, and no account
        // sends the spent refresh token again.
        let grant_refused =
            matches!(error, SyncError::Portal(e) if matches!(e.as_ref(), ConnectorError::ApiSignInNeeded(_)));
        let cancelled = matches!(error, SyncError::Cancelled);
        let proxy_refused = reason == FailureReason::ProxyRefused;
        let recorded = self
            .db(move |store| {
                if proxy_refused {
                    // Every account's runs go through this proxy: none sends the password again.
                    mark_proxy_refused(store)?;
                }
                if cancelled {
                    let end = RunEnd {
                        error_kind: Some(FailureReason::Cancelled),
                        error_message: Some("cancelled; nothing from this run was kept".into()),
                        ..RunEnd::default()
                    };
                    store.end_run(run_id, RunStatus::Failed, now, &end)?;
                    return Ok(None);
                }
                if let Some(reason) = &pause {
                    store.set_paused(account_id, Some(reason))?;
                }
                let account = store.account(account_id)?;
                let name = account.as_ref().map(|a| a.name.clone()).unwrap_or_default();
                if grant_refused && let Some(grant_id) = account.as_ref().and_then(|a| a.grant_id) {
                    store.set_grant_refused(grant_id, now)?;
                    let reason = format!(
                        "the Decisiv API authorization was refused; sign in to Decisiv again (Accounts → Sign in to Decisiv again, or `truckiq accounts reauthorize {name:?}`)"
                    );
                    store.pause_grant_accounts(grant_id, &reason)?;
                    let alert = alerts::api_authorization_refused(account_id, &name, run_id, &message);
                    return Ok(Some(store.insert_alert(&alert, now, &Router::from_store(store, now)?)?));
                }
                let alert = alerts::sync_failed(account_id, &name, run_id, reason, &message);
                Ok(Some(store.insert_alert(&alert, now, &Router::from_store(store, now)?)?))
            })
            .await;
        match recorded {
            Ok(Some(alert)) => {
                let _ = self.alerts.send(alert);
            }
            Ok(None) => {}
            Err(e) => tracing::error!(account_id, error = %e, "could not record a failed sync"),
        }
    }

    async fn run_once(
        &self,
        account_id: i64,
        trigger: RunTrigger,
        mode: RunMode,
        attempt: u32,
        last_run: &AtomicI64,
    ) -> RunResult {
        let account = self.read(move |s| s.account(account_id)).await?.ok_or(SyncError::UnknownAccount(account_id))?;
        if let Some(reason) = account.paused_reason.clone() {
            return Err(SyncError::Paused { name: account.name, reason });
        }
        let started = self.clock.now();
        let run_id = self.db(move |s| s.start_run(account_id, trigger, attempt, started)).await?;
        last_run.store(run_id, Ordering::SeqCst);
        let _ = self.events.send(SyncEvent::Started { account_id, run_id, attempt });
        tracing::info!(account_id, run_id, attempt, ?trigger, portal = %account.portal_kind, "sync started");
        let result = self.read_and_record(&account, run_id, mode).await;
        self.forget_untrusted_profile(account_id).await;
        log_end(account_id, run_id, &result);
        if let Err(error) = &result {
            let (screenshot_path, html_path) = match error {
                SyncError::Portal(e) => match e.as_ref() {
                    ConnectorError::PortalChanged { screenshot, html, .. } => (
                        screenshot.as_ref().map(|p| p.display().to_string()),
                        html.as_ref().map(|p| p.display().to_string()),
                    ),
                    ConnectorError::GatewayChanged { response: kept, .. }
                    | ConnectorError::FaultsUnreadable { html: kept, .. } => {
                        (None, kept.as_ref().map(|p| p.display().to_string()))
                    }
                    _ => (None, None),
                },
                _ => (None, None),
            };
            let end = RunEnd {
                error_kind: Some(error.reason()),
                error_message: Some(error.to_string()),
                screenshot_path,
                html_path,
                ..RunEnd::default()
            };
            let now = self.clock.now();
            if let Err(e) = self.db(move |s| s.end_run(run_id, RunStatus::Failed, now, &end)).await {
                tracing::error!(run_id, error = %e, "could not record the end of a failed run");
            }
        }
        result
    }

    /// An account that does not trust this device keeps no browser profile between runs: the
    /// portal's cookies (a trust cookie ticked in the visible window included) go with the run.
    /// Read again now: the choice may have changed during the run.
    async fn forget_untrusted_profile(&self, account_id: i64) {
        match self.read(move |s| s.account(account_id)).await {
            Ok(Some(account)) if !account.trust_device && account.portal_kind != PortalKind::DecisivApi => {
                crate::paths::remove_folder(&crate::paths::browser_profile_dir(&self.config.data_dir, account.uid));
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(account_id, %error, "could not check whether to keep the browser profile"),
        }
    }

    async fn adopt_legacy_secrets(&self, account: &AccountSummary) -> Result<(), SyncError> {
        if !account.legacy_keychain || !self.config.default_database {
            return Ok(());
        }
        let (secrets, id, uid) = (self.secrets.clone(), account.id, account.uid);
        let moved = blocking(move || secrets.adopt_row_entries(id, uid)).await?;
        let (old, new) = (
            crate::paths::legacy_browser_profile_dir(&self.config.data_dir, id),
            crate::paths::browser_profile_dir(&self.config.data_dir, uid),
        );
        if old.is_dir()
            && !new.exists()
            && let Err(error) = std::fs::rename(&old, &new)
        {
            // Only a saved sign-in is lost: the next run signs in again.
            tracing::warn!(%error, from = %old.display(), "could not move a browser profile");
        }
        self.db(move |s| s.clear_legacy_keychain(id)).await?;
        tracing::info!(account_id = id, moved, "keychain entries moved to the account's identity");
        Ok(())
    }

    async fn credentials(&self, account: &AccountSummary) -> Result<Credentials, SyncError> {
        self.adopt_legacy_secrets(account).await?;
        // Entries under the row number stay behind only on a database that is not the app's own.
        let left_behind = account.legacy_keychain && !self.config.default_database;
        let (secrets, uid) = (self.secrets.clone(), account.uid);
        let (password, totp) = blocking(move || {
            let password = secrets.get(uid, SecretKind::Password).map_err(|error| match error {
                // Another database's account: its secrets were never taken over (see V4).
                SecretError::Missing { what } if left_behind => SecretError::NotCarriedOver { what },
                other => other,
            })?;
            Ok((password, secrets.get_optional(uid, SecretKind::TotpSecret)?))
        })
        .await?;
        let totp = totp
            .map(|text| TotpSecret::parse(text.expose()))
            .transpose()
            .map_err(|e| SecretError::Platform(format!("the saved TOTP secret is not valid ({e}); enter it again")))?;
        Ok(Credentials { username: account.username.clone(), password, totp, trust_device: account.trust_device })
    }

    /// The connector that reads `account`, with what it needs from the keychain, the settings and
    /// the profile files, and whether its read is a full one (for connectors that skip unchanged
    /// trucks; `None` for the rest).
    async fn connector(&self, account: &AccountSummary) -> Result<(Box<dyn Connector + '_>, Option<bool>), SyncError> {
        Ok(match self.build_connector(account).await? {
            Built::Browser(connector) => (connector, None),
            Built::Solutions(connector, full) => (connector, Some(full)),
            Built::Api(connector) => (connector, None),
        })
    }

    /// The tokens of the grant an API account reads through, shared with its other accounts.
    async fn grant_tokens(&self, account: &AccountSummary) -> Result<Arc<GrantTokens>, SyncError> {
        let grant_id = account.grant_id.ok_or_else(|| {
            SyncError::Unsupported(format!("{} has no API authorization; add it again as an API login", account.name))
        })?;
        let grant = self
            .read(move |store| store.grant(grant_id))
            .await?
            .ok_or_else(|| SyncError::Unsupported(format!("the API authorization of {} is gone", account.name)))?;
        if let Some(tokens) = lock_grants(&self.grants).get(&grant.uid) {
            return Ok(Arc::clone(tokens));
        }
        let (secrets, uid) = (self.secrets.clone(), grant.uid);
        let secret =
            blocking(move || secrets.get_optional(SecretOwner::Grant(uid), SecretKind::ApiClientSecret)).await?;
        let app = OAuthApp { client_id: grant.client_id, client_secret: secret, login_url: grant.login_url };
        let tokens = GrantTokens::new(grant.uid, app, self.secrets.clone());
        Ok(Arc::clone(lock_grants(&self.grants).entry(grant.uid).or_insert_with(|| Arc::new(tokens))))
    }

    /// The browser options and concurrency a run uses: the engine's, with Settings over them and
    /// the proxy's sign-in from the keychain.
    async fn run_settings(&self) -> Result<(BrowserOptions, usize), SyncError> {
        let settings = self.sync_settings().await?;
        let (mut browser, concurrency) = settings.apply(&self.config.browser, self.config.concurrency);
        if let Some(username) = settings.proxy_username.clone().filter(|_| browser.proxy.is_some()) {
            let refused = |message: String| SyncError::Portal(Arc::new(ConnectorError::ProxyRefused(message)));
            if settings.proxy_password_refused {
                return Err(refused(BrowserError::ProxyRefused.to_string()));
            }
            let secrets = self.secrets.clone();
            let password = match blocking(move || secrets.get(SecretOwner::Settings, SecretKind::ProxyPassword)).await {
                Ok(password) => password,
                Err(SecretError::Missing { .. }) => {
                    return Err(refused(
                        "the proxy's password is not in the keychain; enter it in Settings → Sync".into(),
                    ));
                }
                Err(error) => return Err(error.into()),
            };
            browser.proxy_credentials = Some(ProxyCredentials { username, password });
        }
        Ok((browser, self.config.concurrency_override.unwrap_or(concurrency)))
    }

    /// The sync settings. A proxy password an earlier TruckIQ kept inside the proxy's address is
    /// moved to the keychain first.
    async fn sync_settings(&self) -> Result<SyncSettings, SyncError> {
        let settings: SyncSettings = self.read(|store| store.setting(SYNC_SETTINGS_KEY)).await?;
        let split = proxy::split_credentials(settings.proxy.as_deref());
        if split.username.is_none() && split.password.is_none() {
            return Ok(settings);
        }
        match proxy::plan_change(&SyncSettings::default(), settings.clone(), None) {
            Ok((moved, change)) => {
                self.store_sync_settings(moved.clone(), change).await?;
                Ok(moved)
            }
            // A user name without a password: kept out of the address, and asked for in Settings.
            Err(why) => {
                tracing::warn!(why, "the proxy address held a user name; enter the proxy password in Settings");
                let moved = SyncSettings {
                    proxy: split.url,
                    proxy_username: split.username,
                    proxy_password_saved: false,
                    ..settings
                };
                self.store_sync_settings(moved.clone(), PasswordChange::Forget).await?;
                Ok(moved)
            }
        }
    }

    /// Saves sync settings planned by [`proxy::plan_change`]: the proxy password to or from the
    /// keychain first, so the settings never claim a password the keychain does not have.
    async fn store_sync_settings(&self, settings: SyncSettings, change: PasswordChange) -> Result<(), SyncError> {
        let secrets = self.secrets.clone();
        match change {
            PasswordChange::Keep => {}
            PasswordChange::Save(password) => {
                blocking(move || secrets.set(SecretOwner::Settings, SecretKind::ProxyPassword, &password)).await?;
            }
            PasswordChange::Forget => {
                blocking(move || secrets.delete(SecretOwner::Settings, SecretKind::ProxyPassword)).await?;
            }
        }
        Ok(self.db(move |store| store.set_setting(SYNC_SETTINGS_KEY, &settings)).await?)
    }

    /// The HTTP client for the Decisiv API and its authorization server, through the proxy
    /// Settings name.
    async fn api_http(&self) -> Result<reqwest::Client, SyncError> {
        api_http_for(&self.run_settings().await?.0)
    }

    async fn build_connector(&self, account: &AccountSummary) -> Result<Built<'_>, SyncError> {
        let (browser, concurrency) = self.run_settings().await?;
        if account.portal_kind == PortalKind::DecisivApi {
            let api = Api::new(&account.base_url, self.grant_tokens(account).await?, api_http_for(&browser)?);
            let srm_account_id = account.srm_account_id.clone().unwrap_or_default();
            let words = Words::shared()?;
            let account_id = account.id;
            let plan = decisiv_api::plan(self.read(move |store| store.incremental_state(account_id)).await?);
            return Ok(Built::Api(Box::new(DecisivApiConnector { api, srm_account_id, words, concurrency, plan })));
        }
        let profiles = self.config.data_dir.join("profiles");
        let own_profile = account.profile_file.as_deref().map(PathBuf::from);
        let credentials = self.credentials(account).await?;
        let data_dir = &self.config.data_dir;
        let base_url = account.base_url.trim_end_matches('/').to_owned();
        let vault = SessionVault { secrets: self.secrets.clone(), owner: session_owner(account) };
        let profile_dir = crate::paths::browser_profile_dir(data_dir, account.uid);
        let artifacts_dir = crate::paths::artifacts_dir(data_dir, account.uid);
        if account.portal_kind == PortalKind::PaccarSolutions {
            let profile = SolutionsProfile::for_account(&profiles, own_profile.as_deref())?;
            let account_id = account.id;
            let state = self.read(move |store| store.incremental_state(account_id)).await?;
            let plan =
                solutions::plan(&profile, state.markers, state.incremental_reads, state.full_read_due, concurrency);
            let full = plan.full;
            let connector =
                SolutionsConnector { base_url, profile, credentials, vault, browser, profile_dir, artifacts_dir, plan };
            return Ok(Built::Solutions(Box::new(connector), full));
        }
        let profile = Profile::for_account(account.portal_kind, &profiles, own_profile.as_deref())?;
        Ok(Built::Browser(Box::new(BrowserConnector {
            base_url,
            profile,
            credentials,
            ledger: &self.ledger,
            vault,
            browser,
            profile_dir,
            extract: ExtractOptions { concurrency, artifacts_dir },
        })))
    }

    async fn read_and_record(&self, account: &AccountSummary, run_id: i64, mode: RunMode) -> RunResult {
        let (connector, full_read) = self.connector(account).await?;
        let mode = match mode {
            RunMode::Interactive { .. } => RunMode::Interactive { mfa_wait: self.config.mfa_wait },
            scheduled => scheduled,
        };
        let (progress, mut steps) = tokio::sync::mpsc::unbounded_channel();
        let forward = {
            let (events, account_id) = (self.events.clone(), account.id);
            tokio::spawn(async move {
                while let Some(progress) = steps.recv().await {
                    let _ = events.send(SyncEvent::Progress { account_id, progress });
                }
            })
        };
        let read = connector.read_fleet(ReadContext { mode, progress: &progress }).await;
        drop(progress);
        let _ = forward.await;
        let mut read = read?;
        // A connector that reads changes says after the read whether it read everything.
        let full_read = full_read.or(read.fleet_faults.as_ref().and_then(FleetFaults::full));
        let changes_since = read.changes_since.clone();
        let cases = read.cases.take();
        // Only a read that brought cases needs the alert's hours.
        let case_alert_after = match cases {
            Some(_) => self.read(|store| store.setting::<SyncSettings>(SYNC_SETTINGS_KEY)).await?.case_alert_after(),
            None => chrono::TimeDelta::zero(),
        };
        let first_problem = assess(&read)?;
        let problem_page = read.problem_page.as_ref().map(|p| p.display().to_string());
        let list_problems = read.list_problems;
        let (observed, unlisted) = observations(read);
        let list_problems = list_problems.saturating_add(unlisted);
        let (account_id, name, now) = (account.id, account.name.clone(), self.clock.now());
        let recorded = self
            .db(move |store| {
                let record = SyncRecord {
                    account_id,
                    run_id,
                    now,
                    observed: &observed,
                    list_problems,
                    first_problem: first_problem.as_deref(),
                    problem_page: problem_page.as_deref(),
                    cases: cases.as_deref(),
                    case_alert_after,
                };
                let router = Router::from_store(store, record.now)?;
                store.record_sync(&record, |facts| alerts::for_sync(account_id, &name, facts), &router)
            })
            .await?;
        for alert in &recorded.alerts {
            let _ = self.alerts.send(alert.clone());
        }
        if let Some(full) = full_read
            && let Err(error) = self.db(move |store| store.note_read(account_id, full, changes_since.as_deref())).await
        {
            // Only the count towards the next full read is off; the run itself is stored.
            tracing::warn!(account_id, %error, "could not note the kind of read");
        }
        Ok(RunReport {
            account_id,
            run_id,
            status: recorded.status,
            attempts: 1,
            outcome: recorded.outcome,
            alerts: recorded.alerts,
        })
    }
}

fn mark_proxy_refused(store: &mut Store) -> Result<(), StoreError> {
    let mut settings: SyncSettings = store.setting(SYNC_SETTINGS_KEY)?;
    if settings.proxy_password_saved && !settings.proxy_password_refused {
        settings.proxy_password_refused = true;
        store.set_setting(SYNC_SETTINGS_KEY, &settings)?;
    }
    Ok(())
}

/// A connector as built for an account: a browser layout, or PACCAR Solutions with whether its
/// read is a full one.
enum Built<'a> {
    Browser(Box<BrowserConnector<'a>>),
    Solutions(Box<SolutionsConnector>, bool),
    Api(Box<DecisivApiConnector>),
}

fn lock_grants(
    grants: &Mutex<HashMap<uuid::Uuid, Arc<GrantTokens>>>,
) -> std::sync::MutexGuard<'_, HashMap<uuid::Uuid, Arc<GrantTokens>>> {
    grants.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Who holds an account's portal session in the keychain. A portal login's session is its own; a
/// grant that serves several API accounts will hold theirs (issue 16).
fn session_owner(account: &AccountSummary) -> SecretOwner {
    SecretOwner::Account(account.uid)
}

/// The HTTP client for the Decisiv API and its authorization server, through `browser`'s proxy.
fn api_http_for(browser: &BrowserOptions) -> Result<reqwest::Client, SyncError> {
    let proxy = browser.http_proxy().map_err(|e| SyncError::Portal(Arc::new(ConnectorError::InvalidAddress(e))))?;
    oauth::http_client(browser.page_timeout, proxy).map_err(|e| SyncError::Portal(Arc::new(e.into())))
}

/// The end of a run in the log, with what it stored or why it stored nothing. The error's words
/// are the ones the window shows; none carries a secret.
fn log_end(account_id: i64, run_id: i64, result: &RunResult) {
    match result {
        Ok(report) => tracing::info!(
            account_id,
            run_id,
            status = %report.status,
            vehicles = report.outcome.vehicles,
            active_faults = report.outcome.active.values().sum::<usize>(),
            opened = report.outcome.opened.len(),
            closed = report.outcome.closed,
            set_aside = report.outcome.set_aside.len(),
            alerts = report.alerts.len(),
            "sync finished"
        ),
        Err(error) => tracing::info!(account_id, run_id, reason = error.reason().as_str(), %error, "sync failed"),
    }
}

/// Runs a keychain call off the async threads.
async fn blocking<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, SecretError> + Send + 'static,
) -> Result<T, SecretError> {
    crate::secrets::off_thread(call).await
}

/// The settings key for [`SyncSettings`].
pub const SYNC_SETTINGS_KEY: &str = "sync";

/// Whether `path` is a program TruckIQ could start as its browser: a file, executable.
fn runnable(path: &std::path::Path) -> Result<(), String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("the browser {shown} cannot be used: {e}"))?;
    if meta.is_dir() {
        return Err(format!("the browser {shown} is a folder; give the program itself, e.g. /usr/bin/chromium"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if meta.permissions().mode() & 0o111 == 0 {
            return Err(format!("the browser {shown} is not a program (the file is not executable)"));
        }
    }
    Ok(())
}

/// Hours a critical fault may go without an open service case before it is flagged: half a
/// shift, time enough for the fleet to have called the dealer.
pub const DEFAULT_CASE_ALERT_HOURS: u32 = 4;

/// Sync preferences a person can change in Settings; they apply from the next run on.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct SyncSettings {
    /// Diagnostics pages read at once (1-16); `None` keeps the default.
    pub concurrency: Option<u8>,
    /// The browser to drive; `None` searches the standard places.
    pub browser_path: Option<String>,
    /// e.g. `http://proxy.example:3128`, without credentials (see [`super::proxy`]).
    pub proxy: Option<String>,
    /// The proxy's user name, where it asks for one; its password is only in the keychain.
    pub proxy_username: Option<String>,
    /// Whether the proxy's password is in the keychain. Kept by TruckIQ; what the form sends is
    /// ignored.
    pub proxy_password_saved: bool,
    /// The proxy refused the saved password: no run sends it again until it is entered again.
    pub proxy_password_refused: bool,
    /// Hours without a successful sync after which an account's data is stale and a
    /// `stale_data` alert is raised; `None` keeps the default (23).
    pub stale_after_hours: Option<u32>,
    /// Hours a critical fault may stay active on a truck with no open service case before a
    /// `critical_without_case` alert (where cases are read: the Decisiv API); `None` keeps the
    /// default (4).
    pub case_alert_hours: Option<u32>,
}

impl SyncSettings {
    /// Refuses values that would only fail later, with what to change.
    pub fn check(&self) -> Result<(), String> {
        if let Some(n) = self.concurrency
            && !(1..=16).contains(&n)
        {
            return Err(format!("TruckIQ can read 1 to 16 trucks at the same time, not {n}"));
        }
        if let Some(path) = self.browser_path.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            runnable(std::path::Path::new(path))?;
        }
        if let Some(proxy) = &self.proxy {
            match url::Url::parse(proxy) {
                Ok(url) if matches!(url.scheme(), "http" | "https" | "socks5") => {
                    // Whatever is in the address reaches Chromium's command line.
                    if !url.username().is_empty() || url.password().is_some() {
                        return Err(
                            "the proxy address must not hold a user name or password; give them in their own fields"
                                .into(),
                        );
                    }
                }
                _ => {
                    return Err(format!(
                        "the proxy {proxy:?} must be a URL like http://host:3128 or socks5://host:1080"
                    ));
                }
            }
        }
        if let Some(hours) = self.stale_after_hours
            && !staleness::STALE_AFTER_HOURS_RANGE.contains(&hours)
        {
            return Err(format!("data can be called stale after 1 to 720 hours, not {hours}"));
        }
        if let Some(hours) = self.case_alert_hours
            && !(1..=720).contains(&hours)
        {
            return Err(format!(
                "a critical fault with no service case can be flagged after 1 to 720 hours, not {hours}"
            ));
        }
        Ok(())
    }

    /// How long a critical fault may go without a service case before it is flagged.
    pub fn case_alert_after(&self) -> chrono::TimeDelta {
        chrono::TimeDelta::hours(i64::from(self.case_alert_hours.unwrap_or(DEFAULT_CASE_ALERT_HOURS)))
    }

    /// Hours without a successful sync before an account's data is stale.
    pub fn stale_after_hours(&self) -> u32 {
        self.stale_after_hours.unwrap_or(staleness::DEFAULT_STALE_AFTER_HOURS)
    }

    /// The browser options and concurrency a run uses: these settings over the engine's defaults.
    pub fn apply(&self, browser: &BrowserOptions, concurrency: usize) -> (BrowserOptions, usize) {
        let mut browser = browser.clone();
        if let Some(path) = self.browser_path.as_deref().filter(|p| !p.trim().is_empty()) {
            browser.executable = Some(PathBuf::from(path.trim()));
        }
        if let Some(proxy) = self.proxy.as_deref().filter(|p| !p.trim().is_empty()) {
            browser.proxy = Some(proxy.trim().to_owned());
        }
        (browser, self.concurrency.map_or(concurrency, usize::from))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_override_the_defaults_and_bad_values_are_refused() {
        let defaults = BrowserOptions::default();
        let none = SyncSettings::default();
        let (browser, concurrency) = none.apply(&defaults, 4);
        assert_eq!((browser.executable, browser.proxy, concurrency), (None, None, 4));
        let set = SyncSettings {
            concurrency: Some(8),
            browser_path: Some(" /bin/sh ".into()),
            proxy: Some("http://proxy.example:3128".into()),
            stale_after_hours: Some(48),
            case_alert_hours: Some(8),
            ..SyncSettings::default()
        };
        assert_eq!(set.check(), Ok(()));
        let with_password =
            SyncSettings { proxy: Some("http://fleet:secret@proxy.example:3128".into()), ..none.clone() };
        assert!(with_password.check().unwrap_err().contains("must not hold a user name or password"));
        let missing = SyncSettings { browser_path: Some("/opt/chrome/chrome".into()), ..none.clone() };
        assert!(missing.check().unwrap_err().contains("/opt/chrome/chrome cannot be used"), "not there");
        let dir = tempfile::tempdir().unwrap();
        let folder = SyncSettings { browser_path: Some(dir.path().display().to_string()), ..none.clone() };
        assert!(folder.check().unwrap_err().contains("is a folder"));
        let text = dir.path().join("chromium");
        std::fs::write(&text, "not a program").unwrap();
        let plain = SyncSettings { browser_path: Some(text.display().to_string()), ..none.clone() };
        assert!(plain.check().unwrap_err().contains("not executable"));
        assert_eq!((none.case_alert_after().num_hours(), set.case_alert_after().num_hours()), (4, 8));
        assert!(SyncSettings { case_alert_hours: Some(0), ..set.clone() }.check().unwrap_err().contains("1 to 720"));
        let (browser, concurrency) = set.apply(&defaults, 4);
        assert_eq!(browser.executable, Some(PathBuf::from("/bin/sh")));
        assert_eq!((browser.proxy.as_deref(), concurrency), (Some("http://proxy.example:3128"), 8));
        assert!(SyncSettings { concurrency: Some(40), ..none.clone() }.check().unwrap_err().contains("1 to 16"));
        assert!(SyncSettings { proxy: Some("proxy:3128".into()), ..none.clone() }.check().unwrap_err().contains("URL"));
        assert_eq!((none.stale_after_hours(), set.stale_after_hours()), (23, 48));
        assert!(SyncSettings { stale_after_hours: Some(0), ..none }.check().unwrap_err().contains("1 to 720 hours"));
    }
}
