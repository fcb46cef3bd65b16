//! The application layer's errors, each with the code the window branches on. They cross IPC as
//! `{code, message}`; the CLI prints the message.

use serde::Serialize;
use ts_rs::TS;

use crate::failure::FailureReason;
use crate::secrets::SecretError;
use crate::store::StoreError;
use crate::sync::SyncError;

/// What the window does differently for each (see `ui/src/backend/errors.ts`, which must map
/// every one: the TypeScript is generated from this enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The local database cannot be opened, read or written.
    Database,
    /// The thing asked for does not exist (any more).
    NotFound,
    /// The request was refused as given; the message says what to change.
    InvalidInput,
    /// No system keychain answers (none installed, or it failed).
    KeychainUnavailable,
    /// The keychain is locked and nobody unlocked it.
    KeychainLocked,
    /// A password or secret the account needs is not saved for it.
    SecretMissing,
    /// The portal refused the password, or the account is paused until it is set again.
    PasswordRefused,
    /// The portal asks for a verification code only a person can enter.
    MfaNeeded,
    /// The portal did not accept a verification code.
    MfaRejected,
    /// The portal's pages no longer match what TruckIQ expects; a screenshot is kept.
    PortalChanged,
    /// The portal could not be reached, or its session could not be restored.
    Network,
    Timeout,
    /// The portal is limiting requests; a later try works.
    RateLimited,
    /// No usable Chromium or Chrome: install one, or set its path in Settings.
    BrowserMissing,
    /// The proxy refused its saved password: enter it again in Settings.
    ProxyRefused,
    /// The work was stopped on purpose.
    Cancelled,
    /// A bug or an unexpected condition.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Database => "database",
            ErrorCode::NotFound => "not_found",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::KeychainUnavailable => "keychain_unavailable",
            ErrorCode::KeychainLocked => "keychain_locked",
            ErrorCode::SecretMissing => "secret_missing",
            ErrorCode::PasswordRefused => "password_refused",
            ErrorCode::MfaNeeded => "mfa_needed",
            ErrorCode::MfaRejected => "mfa_rejected",
            ErrorCode::PortalChanged => "portal_changed",
            ErrorCode::Network => "network",
            ErrorCode::Timeout => "timeout",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::BrowserMissing => "browser_missing",
            ErrorCode::ProxyRefused => "proxy_refused",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Internal => "internal",
        }
    }
}

impl From<FailureReason> for ErrorCode {
    fn from(reason: FailureReason) -> Self {
        use FailureReason as R;
        match reason {
            R::UnknownAccount => ErrorCode::NotFound,
            R::Paused | R::LoginRejected => ErrorCode::PasswordRefused,
            R::Unsupported | R::PortalProfile => ErrorCode::InvalidInput,
            R::MfaRequired => ErrorCode::MfaNeeded,
            R::MfaRejected => ErrorCode::MfaRejected,
            R::SessionExpired | R::Network => ErrorCode::Network,
            R::RateLimited => ErrorCode::RateLimited,
            R::PortalChanged | R::Partial | R::CredentialsOriginMismatch => ErrorCode::PortalChanged,
            R::Timeout => ErrorCode::Timeout,
            R::BrowserUnavailable => ErrorCode::BrowserMissing,
            R::ProxyRefused => ErrorCode::ProxyRefused,
            R::KeychainMissingSecret => ErrorCode::SecretMissing,
            R::KeychainLocked => ErrorCode::KeychainLocked,
            R::KeychainUnavailable | R::KeychainError => ErrorCode::KeychainUnavailable,
            R::Database => ErrorCode::Database,
            R::Cancelled => ErrorCode::Cancelled,
            R::Interrupted | R::Internal => ErrorCode::Internal,
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// Refused as given; the message says what to change.
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    NotFound(String),
    /// Anything the engine, the store or the keychain reported.
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::InvalidInput(message.into())
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        AppError::NotFound(message.into())
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::InvalidInput(_) => ErrorCode::InvalidInput,
            AppError::NotFound(_) => ErrorCode::NotFound,
            AppError::Sync(SyncError::Store(e)) if matches!(e.as_ref(), StoreError::Invalid(_)) => {
                ErrorCode::InvalidInput
            }
            AppError::Sync(error) => error.reason().into(),
            AppError::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        AppError::Sync(error.into())
    }
}

impl From<crate::portal::profile::ProfileError> for AppError {
    fn from(error: crate::portal::profile::ProfileError) -> Self {
        AppError::Sync(error.into())
    }
}

impl From<SecretError> for AppError {
    fn from(error: SecretError) -> Self {
        AppError::Sync(error.into())
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::portal::error::ConnectorError;

    #[test]
    fn every_failure_reason_has_a_code_and_codes_spell_as_serialized() {
        for &reason in FailureReason::ALL {
            let code = ErrorCode::from(reason);
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(code.as_str()));
        }
    }

    #[test]
    fn errors_keep_what_the_window_branches_on() {
        let code = |e: AppError| e.code();
        assert_eq!(code(SecretError::Locked("no answer".into()).into()), ErrorCode::KeychainLocked);
        assert_eq!(code(SecretError::Unavailable("no bus".into()).into()), ErrorCode::KeychainUnavailable);
        assert_eq!(code(SecretError::Missing { what: "password" }.into()), ErrorCode::SecretMissing);
        assert_eq!(code(StoreError::Invalid("the name is empty".into()).into()), ErrorCode::InvalidInput);
        assert_eq!(code(StoreError::Crashed("panicked".into()).into()), ErrorCode::Internal, "a crash is no typo");
        assert_eq!(code(StoreError::Output("disk full".into()).into()), ErrorCode::Internal, "nor a full disk");
        let portal = |e: ConnectorError| code(AppError::Sync(SyncError::Portal(Arc::new(e))));
        assert_eq!(
            portal(ConnectorError::LoginRejected { message: "no".into(), locked: false }),
            ErrorCode::PasswordRefused
        );
        assert_eq!(portal(ConnectorError::MfaRequired), ErrorCode::MfaNeeded);
        assert_eq!(portal(ConnectorError::RateLimited { retry_after: None }), ErrorCode::RateLimited);
        assert_eq!(portal(ConnectorError::BrowserUnavailable("none".into())), ErrorCode::BrowserMissing);
        assert_eq!(code(AppError::Sync(SyncError::Cancelled)), ErrorCode::Cancelled);
    }
}
