//! What can go wrong talking to a portal, in terms the UI and the scheduler can act on.

use std::path::PathBuf;
use std::time::Duration;

use crate::browser::BrowserError;
use crate::failure::FailureReason;
use crate::secrets::SecretError;

#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// Wrong password or a locked account. Never retried automatically: portals lock accounts.
    #[error("the portal refused the sign-in: {message}")]
    LoginRejected { message: String, locked: bool },
    /// A code was sent by text or e-mail; a person has to type it.
    #[error("the portal asks for a verification code that only a person can enter")]
    MfaRequired,
    #[error("the portal did not accept the verification code: {0}")]
    MfaRejected(String),
    #[error("the portal session expired and signing in again did not restore it")]
    SessionExpired,
    #[error("the portal is limiting requests{}", retry_after.map(|d| format!("; it asks to wait {} s", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    /// The page is not what the portal profile describes; a screenshot and the HTML are kept.
    #[error("the {page} page has changed: nothing matches {selector}")]
    PortalChanged { page: String, selector: String, screenshot: Option<PathBuf>, html: Option<PathBuf> },
    /// A gateway answer does not have what the portal profile describes; the answer is kept, with
    /// tokens redacted.
    #[error("the portal's {endpoint} answer has changed: {problem}{}", response.as_ref().map(|p| format!(" (the answer is kept at {})", p.display())).unwrap_or_default())]
    GatewayChanged { endpoint: String, problem: String, response: Option<PathBuf> },
    /// The pages are shaped as the profile says, but none of the trucks' faults could be read
    /// from them: a changed layout, not a partial read.
    #[error("{message}")]
    FaultsUnreadable { message: String, html: Option<PathBuf> },
    /// The sign-in page is on an origin the profile does not trust with credentials (a hosted
    /// single sign-on page it does not list): only a person may sign in there.
    #[error(
        "the portal sends sign-in to {origin}, which its profile does not list as a sign-in origin; nothing was typed there. Use Sync now to sign in yourself in the window TruckIQ opens, or add the origin to the profile's sign_in_origins"
    )]
    SignInNeedsPerson { origin: String },
    /// The sign-in page is not on the portal's origin (nor on one its profile names): nothing was
    /// typed there.
    #[error(
        "the sign-in page is on {found}, not on the portal's own {expected} (or a sign-in origin its profile names); no credentials were typed"
    )]
    CredentialsOriginMismatch { expected: String, found: String },
    /// The account's address, or a page path in its profile, is not a usable portal address.
    #[error("the portal address is not usable: {0}")]
    InvalidAddress(String),
    #[error("cannot reach the portal: {0}")]
    Network(String),
    /// The proxy refused its saved sign-in; a person must enter the password again.
    #[error("{0}")]
    ProxyRefused(String),
    /// The Decisiv API grant was refused: a person must sign in to the API again (never retried).
    #[error("{0}")]
    ApiSignInNeeded(String),
    /// The Decisiv API refused the request for a reason a retry does not fix (a module not
    /// provisioned, an account not this user's); the message says which.
    #[error("{0}")]
    Api(String),
    #[error("{0}")]
    Timeout(String),
    #[error("{0}")]
    BrowserUnavailable(String),
    #[error(transparent)]
    Keychain(#[from] SecretError),
}

impl ConnectorError {
    pub fn reason(&self) -> FailureReason {
        match self {
            ConnectorError::LoginRejected { .. } => FailureReason::LoginRejected,
            ConnectorError::MfaRequired => FailureReason::MfaRequired,
            ConnectorError::MfaRejected(_) => FailureReason::MfaRejected,
            ConnectorError::SessionExpired => FailureReason::SessionExpired,
            ConnectorError::RateLimited { .. } => FailureReason::RateLimited,
            ConnectorError::PortalChanged { .. }
            | ConnectorError::GatewayChanged { .. }
            | ConnectorError::FaultsUnreadable { .. } => FailureReason::PortalChanged,
            ConnectorError::SignInNeedsPerson { .. } => FailureReason::MfaRequired,
            ConnectorError::CredentialsOriginMismatch { .. } => FailureReason::CredentialsOriginMismatch,
            ConnectorError::InvalidAddress(_) => FailureReason::PortalProfile,
            ConnectorError::Network(_) => FailureReason::Network,
            ConnectorError::ProxyRefused(_) => FailureReason::ProxyRefused,
            ConnectorError::ApiSignInNeeded(_) => FailureReason::MfaRequired,
            ConnectorError::Api(_) => FailureReason::PortalProfile,
            ConnectorError::Timeout(_) => FailureReason::Timeout,
            ConnectorError::BrowserUnavailable(_) => FailureReason::BrowserUnavailable,
            ConnectorError::Keychain(e) => e.reason(),
        }
    }

    /// Whether trying again later could help without a person changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ConnectorError::Network(_)
                | ConnectorError::Timeout(_)
                | ConnectorError::RateLimited { .. }
                | ConnectorError::SessionExpired
        )
    }
}

impl From<BrowserError> for ConnectorError {
    fn from(error: BrowserError) -> Self {
        match error {
            BrowserError::Unavailable(_) | BrowserError::Launch(_) => {
                ConnectorError::BrowserUnavailable(error.to_string())
            }
            BrowserError::Timeout { .. } => ConnectorError::Timeout(error.to_string()),
            BrowserError::Network(message) => ConnectorError::Network(message),
            BrowserError::TooLarge(page) => ConnectorError::PortalChanged {
                page,
                selector: "a page under 20 MiB".into(),
                screenshot: None,
                html: None,
            },
            BrowserError::MissingElement(selector) => {
                ConnectorError::PortalChanged { page: "current".into(), selector, screenshot: None, html: None }
            }
            BrowserError::Crashed(_) | BrowserError::Command(_) => ConnectorError::Network(error.to_string()),
            BrowserError::ProxyRefused => ConnectorError::ProxyRefused(error.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_transience() {
        let rejected = ConnectorError::LoginRejected { message: "Invalid email or password.".into(), locked: false };
        assert_eq!(rejected.reason(), FailureReason::LoginRejected);
        assert!(!rejected.is_transient(), "a rejected password is never retried automatically");
        let limited = ConnectorError::RateLimited { retry_after: Some(Duration::from_secs(30)) };
        assert!(limited.is_transient());
        assert!(limited.to_string().contains("wait 30 s"));
        let missing: ConnectorError = BrowserError::Unavailable("no Chrome found".into()).into();
        assert_eq!(missing.reason(), FailureReason::BrowserUnavailable);
        assert!(missing.to_string().contains("install Chromium"));
    }
}
