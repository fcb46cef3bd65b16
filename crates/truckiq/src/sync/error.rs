//! Why a sync request did not store anything, as the CLI, the UI and the run records report it.

use std::sync::Arc;

use crate::failure::FailureReason;
use crate::portal::error::ConnectorError;
use crate::portal::profile::ProfileError;
use crate::secrets::SecretError;
use crate::store::StoreError;

/// Cheap to clone: every caller joined to one run receives the same error.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SyncError {
    #[error("there is no account with id {0}")]
    UnknownAccount(i64),
    /// `reason` says what resumes it (each pause writes its own: a password, a TOTP secret, a new
    /// Decisiv sign-in).
    #[error("{name} is paused: {reason}")]
    Paused { name: String, reason: String },
    /// Asked of an account that cannot do it; the message says what and why.
    #[error("{0}")]
    Unsupported(String),
    #[error(transparent)]
    Portal(Arc<ConnectorError>),
    #[error(transparent)]
    Keychain(Arc<SecretError>),
    #[error(transparent)]
    Store(Arc<StoreError>),
    #[error(transparent)]
    Profile(Arc<ProfileError>),
    #[error("the sync was cancelled")]
    Cancelled,
}

impl SyncError {
    /// What is stored in `sync_runs.error_kind`, printed in JSON and mapped to the UI's error code.
    pub fn reason(&self) -> FailureReason {
        match self {
            SyncError::UnknownAccount(_) => FailureReason::UnknownAccount,
            SyncError::Paused { .. } => FailureReason::Paused,
            SyncError::Unsupported(_) => FailureReason::Unsupported,
            SyncError::Portal(e) => e.reason(),
            SyncError::Keychain(e) => e.reason(),
            SyncError::Store(e) if matches!(e.as_ref(), StoreError::Crashed(_) | StoreError::Output(_)) => {
                FailureReason::Internal
            }
            SyncError::Store(_) => FailureReason::Database,
            SyncError::Profile(_) => FailureReason::PortalProfile,
            SyncError::Cancelled => FailureReason::Cancelled,
        }
    }

    /// Worth another attempt without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(self, SyncError::Portal(e) if e.is_transient())
    }

    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self {
            SyncError::Portal(e) => match e.as_ref() {
                ConnectorError::RateLimited { retry_after } => *retry_after,
                _ => None,
            },
            _ => None,
        }
    }

    /// A person has to act before this account can sync again (a new password, a code, a fix).
    pub fn needs_person(&self) -> bool {
        matches!(self, SyncError::Paused { .. })
            || matches!(self, SyncError::Portal(e) if matches!(e.as_ref(), ConnectorError::LoginRejected { .. } | ConnectorError::MfaRequired | ConnectorError::SignInNeedsPerson { .. }))
    }
}

impl From<ConnectorError> for SyncError {
    fn from(e: ConnectorError) -> Self {
        match e {
            ConnectorError::Keychain(k) => SyncError::Keychain(Arc::new(k)),
            other => SyncError::Portal(Arc::new(other)),
        }
    }
}

impl From<SecretError> for SyncError {
    fn from(e: SecretError) -> Self {
        SyncError::Keychain(Arc::new(e))
    }
}

impl From<StoreError> for SyncError {
    fn from(e: StoreError) -> Self {
        SyncError::Store(Arc::new(e))
    }
}

impl From<ProfileError> for SyncError {
    fn from(e: ProfileError) -> Self {
        SyncError::Profile(Arc::new(e))
    }
}
