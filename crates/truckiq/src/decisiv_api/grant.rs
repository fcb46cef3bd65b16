//! One grant's tokens, shared by every account it serves. The access token is kept in memory; the
//! refresh token in the keychain only. Only one refresh is ever in flight per grant: the server
//! rotates refresh tokens, so two concurrent refreshes with the same one would lose the grant.

use super::error::ApiError;
use super::oauth::{self, OAuthApp, Tokens};
use crate::secrets::{SecretKind, SecretOwner, SecretStore, Sensitive};

/// A grant's access token as handed out: its generation lets a caller that met a 401 ask for a
/// renewal of exactly the token it used.
#[derive(Clone)]
pub struct Access {
    pub generation: u64,
    pub token: Sensitive<String>,
}

pub struct GrantTokens {
    uid: uuid::Uuid,
    app: OAuthApp,
    secrets: SecretStore,
    current: tokio::sync::Mutex<Option<Access>>,
}

impl std::fmt::Debug for GrantTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrantTokens").field("uid", &self.uid).finish_non_exhaustive()
    }
}

impl GrantTokens {
    pub fn new(uid: uuid::Uuid, app: OAuthApp, secrets: SecretStore) -> Self {
        Self { uid, app, secrets, current: tokio::sync::Mutex::new(None) }
    }

    pub fn uid(&self) -> uuid::Uuid {
        self.uid
    }

    /// Keeps what a fresh authorization gave: the refresh token in the keychain, the access token
    /// in memory.
    pub async fn adopt(&self, tokens: Tokens) -> Result<(), ApiError> {
        let mut current = self.current.lock().await;
        self.store_refresh(&tokens.refresh).await?;
        let generation = current.as_ref().map_or(0, |a| a.generation) + 1;
        *current = Some(Access { generation, token: tokens.access });
        Ok(())
    }

    /// The access token to use, refreshing first (over `http`) when there is none yet.
    pub async fn access(&self, http: &reqwest::Client) -> Result<Access, ApiError> {
        let mut current = self.current.lock().await;
        if let Some(access) = current.as_ref() {
            return Ok(access.clone());
        }
        self.refresh_locked(&mut current, http).await
    }

    /// A new access token after `used` was refused (401). Callers that met the 401 together wait
    /// for one refresh and all get its token.
    pub async fn renew(&self, used: &Access, http: &reqwest::Client) -> Result<Access, ApiError> {
        let mut current = self.current.lock().await;
        match current.as_ref() {
            Some(access) if access.generation != used.generation => Ok(access.clone()),
            _ => self.refresh_locked(&mut current, http).await,
        }
    }

    async fn refresh_locked(&self, current: &mut Option<Access>, http: &reqwest::Client) -> Result<Access, ApiError> {
        let (secrets, owner) = (self.secrets.clone(), SecretOwner::Grant(self.uid));
        let refresh = tokio::task::spawn_blocking(move || secrets.get_optional(owner, SecretKind::ApiRefreshToken))
            .await
            .map_err(|e| ApiError::Protocol(e.to_string()))??
            .ok_or_else(|| ApiError::GrantRefused("no refresh token is saved for it".into()))?;
        tracing::info!(grant = %self.uid, "refreshing the Decisiv API access token");
        let tokens = oauth::refresh(&self.app, http, refresh.expose()).await?;
        // The old refresh token is spent: the new one must be kept before anything else happens.
        self.store_refresh(&tokens.refresh).await?;
        let generation = current.as_ref().map_or(0, |a| a.generation) + 1;
        let access = Access { generation, token: tokens.access };
        *current = Some(access.clone());
        Ok(access)
    }

    async fn store_refresh(&self, refresh: &Sensitive<String>) -> Result<(), ApiError> {
        let (secrets, owner, refresh) = (self.secrets.clone(), SecretOwner::Grant(self.uid), refresh.clone());
        tokio::task::spawn_blocking(move || secrets.set(owner, SecretKind::ApiRefreshToken, &refresh))
            .await
            .map_err(|e| ApiError::Protocol(e.to_string()))??;
        Ok(())
    }
}
