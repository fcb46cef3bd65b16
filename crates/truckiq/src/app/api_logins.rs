//! Adding a Decisiv SRM API login: one authorization (a person signs in on the authorize page),
//! then one TruckIQ account per SRM account it reaches, all sharing the grant.

use std::sync::Arc;

use super::{App, AppError, Result, blocking};
use crate::decisiv_api::client::Api;
use crate::decisiv_api::grant::GrantTokens;
use crate::decisiv_api::oauth::{self, OAuthApp, SignInWindow};
use crate::decisiv_api::{SIGN_IN_WAIT, SrmAccount, srm_accounts};
use crate::secrets::{SecretKind, SecretOwner, Sensitive};
use crate::store::{NewAccount, NewGrant, PortalKind};
use crate::sync::SyncError;

/// An API login as a person enters it.
#[derive(Debug, Clone)]
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
    /// Which SRM accounts to sync, by id; empty = every one the grant reaches.
    pub srm_accounts: Vec<String>,
}

/// What adding an API login made.
#[derive(Debug, Clone)]
pub struct ApiLoginAdded {
    pub accounts: Vec<(i64, SrmAccount)>,
    /// SRM accounts the grant reaches that were not chosen.
    pub left_out: Vec<SrmAccount>,
}

fn api_error(error: crate::decisiv_api::error::ApiError) -> AppError {
    AppError::Sync(SyncError::Portal(Arc::new(error.into())))
}

impl App {
    /// Authorizes TruckIQ in `window` (the person signs in there), lists the SRM accounts the
    /// grant reaches and adds the chosen ones. Nothing is kept if any step fails.
    pub async fn add_api_login(&self, input: ApiLoginInput, window: &dyn SignInWindow) -> Result<ApiLoginAdded> {
        let trim = |s: &str| s.trim().trim_end_matches('/').to_owned();
        let (login_url, api_url) = (trim(&input.login_url), trim(&input.api_url));
        if input.client_id.trim().is_empty() {
            return Err(AppError::invalid("enter the client id Decisiv gave for TruckIQ; nothing was saved"));
        }
        let secret = input.client_secret.filter(|s| !s.trim().is_empty()).map(|s| Sensitive::new(s.trim().to_owned()));
        let app = OAuthApp { client_id: input.client_id.trim().to_owned(), client_secret: secret.clone(), login_url };
        let uid = uuid::Uuid::new_v4();
        let added = async {
            let grant = self.authorize_grant(uid, &app, window).await?;
            if let Some(secret) = secret {
                let secrets = self.engine.secrets().clone();
                blocking(move || secrets.set(SecretOwner::Grant(uid), SecretKind::ApiClientSecret, &secret)).await?;
            }
            let api = Api::new(&api_url, Arc::clone(&grant), self.engine.api_http().await?);
            let reachable = srm_accounts(&api).await.map_err(api_error)?;
            let (chosen, left_out): (Vec<_>, Vec<_>) = reachable
                .into_iter()
                .partition(|a| input.srm_accounts.is_empty() || input.srm_accounts.contains(&a.id));
            if let Some(missing) = input.srm_accounts.iter().find(|id| !chosen.iter().any(|a| &a.id == *id)) {
                return Err(AppError::invalid(format!("the authorization does not reach the SRM account {missing}")));
            }
            if chosen.is_empty() {
                return Err(AppError::invalid("the authorization reaches no SRM account; nothing was saved"));
            }
            let grant_row = NewGrant {
                uid,
                client_id: app.client_id.clone(),
                login_url: app.login_url.clone(),
                api_url: api_url.clone(),
            };
            let (name, interval, several) =
                (input.name.trim().to_owned(), input.sync_interval_minutes, chosen.len() > 1);
            let made = chosen.clone();
            let ids = self
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
                .await?;
            Ok((ApiLoginAdded { accounts: ids.into_iter().zip(chosen).collect(), left_out }, grant))
        }
        .await;
        match added {
            Ok((added, grant)) => {
                self.engine.adopt_grant(grant);
                Ok(added)
            }
            Err(error) => {
                let secrets = self.engine.secrets().clone();
                let _ = blocking(move || {
                    secrets.delete(SecretOwner::Grant(uid), SecretKind::ApiRefreshToken)?;
                    secrets.delete(SecretOwner::Grant(uid), SecretKind::ApiClientSecret)
                })
                .await;
                Err(error)
            }
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
