//! Adding a Decisiv SRM API login: one authorization (a person signs in on the authorize page),
//! then one TruckIQ account per SRM account it reaches, all sharing the grant.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{App, AppError, Result, blocking};
use crate::decisiv_api::client::Api;
use crate::decisiv_api::grant::GrantTokens;
use crate::decisiv_api::oauth::{self, OAuthApp, SignInWindow};
use crate::decisiv_api::{SIGN_IN_WAIT, SrmAccount, VisibleWindow, srm_accounts};
use crate::secrets::{SecretKind, SecretOwner, Sensitive};
use crate::store::{NewAccount, NewGrant, PortalKind};
use crate::sync::SyncError;

/// An API login as a person enters it.
#[derive(Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ApiLoginInput {
    /// The account name; with several SRM accounts, each is named "<name> — <SRM account>".
    pub name: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// e.g. `https://login.decisiv.net`.
    pub login_url: String,
    /// e.g. `https://srm-api.decisivapps.com`.
    pub api_url: String,
    pub sync_interval_minutes: u32,
    /// Which SRM accounts to sync, by id, when they are chosen up front (the command line); empty
    /// = every one the grant reaches. The window asks after the authorization instead.
    #[serde(default)]
    pub srm_accounts: Vec<String>,
}

impl std::fmt::Debug for ApiLoginInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiLoginInput")
            .field("name", &self.name)
            .field("client_id", &self.client_id)
            .field("client_secret", &super::accounts::redacted(&self.client_secret))
            .field("login_url", &self.login_url)
            .field("api_url", &self.api_url)
            .field("sync_interval_minutes", &self.sync_interval_minutes)
            .field("srm_accounts", &self.srm_accounts)
            .finish()
    }
}

/// An authorization a person has finished, waiting for them to choose its SRM accounts.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PendingApiLogin {
    /// Names it in [`App::finish_api_login`] and [`App::cancel_api_login`].
    pub id: String,
    /// Every SRM account the authorization reaches.
    pub accounts: Vec<SrmAccount>,
}

/// What adding an API login made.
#[derive(Debug, Clone)]
pub struct ApiLoginAdded {
    pub accounts: Vec<(i64, SrmAccount)>,
    /// SRM accounts the grant reaches that were not chosen.
    pub left_out: Vec<SrmAccount>,
}

/// An authorization held between the sign-in and the person's choice: its tokens in memory, its
/// refresh token (and client secret) already in the keychain under the grant's uid.
pub(super) struct Pending {
    grant: Arc<GrantTokens>,
    app: OAuthApp,
    api_url: String,
    name: String,
    interval: u32,
    reachable: Vec<SrmAccount>,
}

pub(super) type PendingLogins = std::sync::Mutex<HashMap<uuid::Uuid, Pending>>;

fn api_error(error: crate::decisiv_api::error::ApiError) -> AppError {
    AppError::Sync(SyncError::Portal(Arc::new(error.into())))
}

fn pending_id(id: &str) -> Result<uuid::Uuid> {
    uuid::Uuid::parse_str(id).map_err(|_| AppError::not_found(format!("no API sign-in {id:?} is waiting")))
}

impl App {
    /// Authorizes TruckIQ in `window` (the person signs in there), lists the SRM accounts the
    /// grant reaches and adds the chosen ones (`input.srm_accounts`, or all). Nothing is kept if
    /// any step fails.
    pub async fn add_api_login(&self, input: ApiLoginInput, window: &dyn SignInWindow) -> Result<ApiLoginAdded> {
        let chosen = input.srm_accounts.clone();
        let pending = self.authorize_api_login(input, window).await?;
        let chosen = if chosen.is_empty() { pending.accounts.iter().map(|a| a.id.clone()).collect() } else { chosen };
        let added = self.finish_api_login(&pending.id, chosen).await;
        if added.is_err() {
            let _ = self.cancel_api_login(&pending.id).await;
        }
        added
    }

    /// The first half of adding an API login: the person signs in in `window`, and the SRM
    /// accounts the authorization reaches come back for them to choose from. Nothing is in the
    /// database until [`App::finish_api_login`]; a failed step keeps nothing.
    pub async fn authorize_api_login(
        &self,
        input: ApiLoginInput,
        window: &dyn SignInWindow,
    ) -> Result<PendingApiLogin> {
        let trim = |s: &str| s.trim().trim_end_matches('/').to_owned();
        let (login_url, api_url) = (trim(&input.login_url), trim(&input.api_url));
        if input.client_id.trim().is_empty() {
            return Err(AppError::invalid("enter the client id Decisiv gave for TruckIQ; nothing was saved"));
        }
        if input.name.trim().is_empty() {
            return Err(AppError::invalid("give the login a name; nothing was saved"));
        }
        for (what, url) in [("sign-in", &login_url), ("API", &api_url)] {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(AppError::invalid(format!(
                    "the {what} address must start with https://; nothing was saved"
                )));
            }
        }
        let secret = input.client_secret.filter(|s| !s.trim().is_empty()).map(|s| Sensitive::new(s.trim().to_owned()));
        let app = OAuthApp { client_id: input.client_id.trim().to_owned(), client_secret: secret.clone(), login_url };
        let uid = uuid::Uuid::new_v4();
        let authorized = async {
            let grant = self.authorize_grant(uid, &app, window).await?;
            if let Some(secret) = secret {
                let secrets = self.engine.secrets().clone();
                blocking(move || secrets.set(SecretOwner::Grant(uid), SecretKind::ApiClientSecret, &secret)).await?;
            }
            let api = Api::new(&api_url, Arc::clone(&grant), self.engine.api_http().await?);
            let reachable = srm_accounts(&api).await.map_err(api_error)?;
            if reachable.is_empty() {
                return Err(AppError::invalid("the authorization reaches no SRM account; nothing was saved"));
            }
            Ok((grant, reachable))
        }
        .await;
        match authorized {
            Ok((grant, reachable)) => {
                let accounts = reachable.clone();
                let pending = Pending {
                    grant,
                    app,
                    api_url,
                    name: input.name.trim().to_owned(),
                    interval: input.sync_interval_minutes,
                    reachable,
                };
                lock(&self.pending_logins).insert(uid, pending);
                Ok(PendingApiLogin { id: uid.to_string(), accounts })
            }
            Err(error) => {
                self.forget_grant_secrets(uid).await;
                Err(error)
            }
        }
    }

    /// The second half: adds one account per chosen SRM account, all sharing the authorization.
    /// A choice that cannot be made keeps the authorization waiting, to choose again.
    pub async fn finish_api_login(&self, id: &str, chosen: Vec<String>) -> Result<ApiLoginAdded> {
        let uid = pending_id(id)?;
        let pending = lock(&self.pending_logins)
            .remove(&uid)
            .ok_or_else(|| AppError::not_found("that API sign-in is no longer waiting; sign in again"))?;
        let (chosen_accounts, left_out): (Vec<_>, Vec<_>) =
            pending.reachable.iter().cloned().partition(|a| chosen.contains(&a.id));
        let refusal = if let Some(missing) = chosen.iter().find(|id| !chosen_accounts.iter().any(|a| &a.id == *id)) {
            Some(AppError::invalid(format!("the authorization does not reach the SRM account {missing}")))
        } else if chosen_accounts.is_empty() {
            Some(AppError::invalid("choose at least one SRM account to sync"))
        } else {
            None
        };
        if let Some(error) = refusal {
            lock(&self.pending_logins).insert(uid, pending);
            return Err(error);
        }
        let grant_row = NewGrant {
            uid,
            client_id: pending.app.client_id.clone(),
            login_url: pending.app.login_url.clone(),
            api_url: pending.api_url.clone(),
        };
        let (name, interval, several) = (pending.name.clone(), pending.interval, chosen_accounts.len() > 1);
        let (made, api_url) = (chosen_accounts.clone(), pending.api_url.clone());
        let written = self
            .write(move |store| {
                let grant_id = store.insert_grant(&grant_row)?;
                made.iter()
                    .map(|srm| {
                        let account = NewAccount {
                            name: if several { format!("{name} — {}", srm.name) } else { name.clone() },
                            portal_kind: PortalKind::DecisivApi,
                            base_url: api_url.clone(),
                            username: srm.id.clone(),
                            sync_interval_minutes: interval,
                        };
                        let id = store.insert_account(&account)?;
                        store.set_account_grant(id, grant_id, &srm.id)?;
                        Ok(id)
                    })
                    .collect::<std::result::Result<Vec<_>, _>>()
            })
            .await;
        match written {
            Ok(ids) => {
                self.engine.adopt_grant(pending.grant);
                Ok(ApiLoginAdded { accounts: ids.into_iter().zip(chosen_accounts).collect(), left_out })
            }
            Err(error) => {
                // A name already taken, say: the person may choose again.
                lock(&self.pending_logins).insert(uid, pending);
                Err(error)
            }
        }
    }

    /// A visible browser window for a person to sign in to the API in, with the browser Settings
    /// name.
    pub async fn sign_in_window(&self) -> Result<VisibleWindow> {
        VisibleWindow::new(self.engine.browser_options().await?).map_err(api_error)
    }

    /// Drops an authorization nobody chose accounts for, and what the keychain holds for it.
    pub async fn cancel_api_login(&self, id: &str) -> Result<()> {
        let uid = pending_id(id)?;
        if lock(&self.pending_logins).remove(&uid).is_some() {
            self.forget_grant_secrets(uid).await;
        }
        Ok(())
    }

    async fn forget_grant_secrets(&self, uid: uuid::Uuid) {
        let secrets = self.engine.secrets().clone();
        let forgotten = blocking(move || {
            secrets.delete(SecretOwner::Grant(uid), SecretKind::ApiRefreshToken)?;
            secrets.delete(SecretOwner::Grant(uid), SecretKind::ApiClientSecret)
        })
        .await;
        if let Err(error) = forgotten {
            tracing::warn!(%error, "could not remove an unused API authorization from the keychain");
        }
    }

    /// Authorizes grant `uid` in `window` and returns its tokens (the refresh token already in
    /// the keychain).
    async fn authorize_grant(
        &self,
        uid: uuid::Uuid,
        app: &OAuthApp,
        window: &dyn SignInWindow,
    ) -> Result<Arc<GrantTokens>> {
        let grant = GrantTokens::new(uid, app.clone(), self.engine.secrets().clone());
        let http = self.engine.api_http().await?;
        let tokens = oauth::authorize(app, &http, window, SIGN_IN_WAIT).await.map_err(api_error)?;
        grant.adopt(tokens).await.map_err(api_error)?;
        Ok(Arc::new(grant))
    }

    /// Authorizes an API account's grant again after the server refused it: a person signs in in
    /// `window`; every account of the grant resumes.
    pub async fn reauthorize_api(&self, account_id: i64, window: &dyn SignInWindow) -> Result<()> {
        let account = self.engine.account(account_id).await?;
        let grant_id = account
            .grant_id
            .ok_or_else(|| AppError::invalid(format!("{} is not a Decisiv API account", account.name)))?;
        let name = account.name.clone();
        let grant = self
            .read(move |store| store.grant(grant_id))
            .await?
            .ok_or_else(|| AppError::not_found(format!("the API authorization of {name} is gone")))?;
        let (secrets, uid) = (self.engine.secrets().clone(), grant.uid);
        let client_secret =
            blocking(move || secrets.get_optional(SecretOwner::Grant(uid), SecretKind::ApiClientSecret)).await?;
        let app = OAuthApp { client_id: grant.client_id, client_secret, login_url: grant.login_url };
        let tokens = self.authorize_grant(grant.uid, &app, window).await?;
        self.write(move |store| store.grant_authorized_again(grant_id)).await?;
        self.engine.adopt_grant(tokens);
        Ok(())
    }
}

fn lock(pending: &PendingLogins) -> std::sync::MutexGuard<'_, HashMap<uuid::Uuid, Pending>> {
    pending.lock().unwrap_or_else(PoisonError::into_inner)
}
