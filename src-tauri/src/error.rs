//! Errors as they cross IPC: the core's stable code, which the UI branches on, and a message a
//! person can act on.

use serde::Serialize;
use truckiq::app::{AppError, ErrorCode};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

pub type Result<T, E = IpcError> = std::result::Result<T, E>;

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl From<AppError> for IpcError {
    fn from(error: AppError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use truckiq::portal::error::ConnectorError;
    use truckiq::secrets::SecretError;
    use truckiq::store::StoreError;
    use truckiq::sync::SyncError;

    use super::*;

    fn json(error: impl Into<AppError>) -> serde_json::Value {
        serde_json::to_value(IpcError::from(error.into())).unwrap()
    }

    fn portal(error: ConnectorError) -> SyncError {
        SyncError::Portal(Arc::new(error))
    }

    /// One error of every kind the window treats differently, as the JSON it receives.
    #[test]
    fn each_code_reaches_the_window_as_code_and_message() {
        let cases: Vec<(serde_json::Value, &str, &str)> = vec![
            (
                json(StoreError::CreateDir {
                    path: "/read-only/truckiq".into(),
                    source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
                }),
                "database",
                "/read-only/truckiq",
            ),
            (json(AppError::not_found("account 7 was removed")), "not_found", "account 7 was removed"),
            (json(StoreError::Invalid("the username is empty".into())), "invalid_input", "the username is empty"),
            (json(SecretError::Unavailable("no bus".into())), "keychain_unavailable", "install and start a Secret"),
            (json(SecretError::Locked("no answer".into())), "keychain_locked", "unlock it"),
            (json(SecretError::Missing { what: "password" }), "secret_missing", "no password is saved"),
            (
                json(portal(ConnectorError::LoginRejected { message: "Invalid password.".into(), locked: false })),
                "password_refused",
                "Invalid password.",
            ),
            (json(SyncError::Paused { name: "Acme".into(), reason: "refused".into() }), "password_refused", "paused"),
            (json(portal(ConnectorError::MfaRequired)), "mfa_needed", "verification code"),
            (json(portal(ConnectorError::MfaRejected("expired".into()))), "mfa_rejected", "expired"),
            (
                json(portal(ConnectorError::PortalChanged {
                    page: "vehicle list".into(),
                    selector: "table.fleet".into(),
                    screenshot: None,
                    html: None,
                })),
                "portal_changed",
                "table.fleet",
            ),
            (json(portal(ConnectorError::Network("connection refused".into()))), "network", "connection refused"),
            (json(portal(ConnectorError::Timeout("no answer in 30 s".into()))), "timeout", "30 s"),
            (json(portal(ConnectorError::RateLimited { retry_after: None })), "rate_limited", "limiting"),
            (json(portal(ConnectorError::BrowserUnavailable("no Chrome".into()))), "browser_missing", "no Chrome"),
            (json(SyncError::Cancelled), "cancelled", "cancelled"),
            (json(StoreError::Crashed("panicked".into())), "internal", "stopped unexpectedly"),
            (json(AppError::Internal("a bug".into())), "internal", "a bug"),
        ];
        for (value, code, words) in cases {
            assert_eq!(value["code"], code, "{value}");
            assert!(value["message"].as_str().unwrap().contains(words), "{value}");
            assert_eq!(value.as_object().unwrap().len(), 2, "only code and message: {value}");
        }
    }
}
