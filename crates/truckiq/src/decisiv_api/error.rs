//! What can go wrong with the Decisiv SRM API, each a case the engine or the window treats apart.

use crate::portal::error::ConnectorError;
use crate::secrets::SecretError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Config(String),
    #[error("cannot reach the Decisiv API: {0}")]
    Network(String),
    #[error("the Decisiv API answered something TruckIQ cannot read: {0}")]
    Protocol(String),
    #[error("the sign-in came back with a state that is not TruckIQ's; nothing was accepted. Try again")]
    StateMismatch,
    #[error("the sign-in was not completed: {0}")]
    AuthorizationDenied(String),
    #[error("nobody finished signing in within {0} s")]
    SignInTimedOut(u64),
    /// The authorization server refused the grant (its refresh token, or the code): a person
    /// must sign in again. Never retried: a rotated refresh token works once.
    #[error("the Decisiv authorization was refused ({0}); sign in to the API again")]
    GrantRefused(String),
    /// 428 `decisiv:access:003`: the application is not provisioned for this module.
    #[error(
        "the Decisiv API application is not provisioned for the {module} module ({detail}); ask Decisiv to enable it"
    )]
    NotProvisioned { module: String, detail: String },
    /// 403 `decisiv:access:001`: not this user's account.
    #[error("the Decisiv API refuses access to this SRM account: {0}")]
    Forbidden(String),
    #[error("the Decisiv API has no {0}")]
    NotFound(String),
    #[error("the Decisiv API is limiting requests and kept doing so")]
    RateLimited,
    /// 407 from the proxy in Settings: its saved password was refused. Never sent again.
    #[error(
        "the proxy refused the user name and password saved for it; enter the proxy password again in Settings → Sync"
    )]
    ProxyRefused,
    #[error(transparent)]
    Keychain(#[from] SecretError),
}

impl From<ApiError> for ConnectorError {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::Network(m) => ConnectorError::Network(m),
            ApiError::RateLimited => ConnectorError::RateLimited { retry_after: None },
            ApiError::ProxyRefused => ConnectorError::ProxyRefused(error.to_string()),
            ApiError::Keychain(e) => ConnectorError::Keychain(e),
            ApiError::GrantRefused(_) => ConnectorError::ApiSignInNeeded(error.to_string()),
            ApiError::Protocol(problem) => {
                ConnectorError::GatewayChanged { endpoint: "Decisiv API".into(), problem, response: None }
            }
            other => ConnectorError::Api(other.to_string()),
        }
    }
}
