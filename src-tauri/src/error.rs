//! Errors as they cross IPC: a stable `code` the UI can branch on and a message a person can act on.

use serde::Serialize;
use truckiq::store::StoreError;
use truckiq::sync::SyncError;
use ts_rs::TS;

/// Stable codes; the UI maps each to how it is shown (see `ui/src/backend/errors.ts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The local database cannot be opened, read or written.
    Database,
    /// The thing asked for does not exist (any more).
    NotFound,
    /// The request was refused as given; the message says what to change.
    InvalidInput,
    /// A bug or an unexpected condition.
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl From<StoreError> for IpcError {
    fn from(error: StoreError) -> Self {
        let code = match &error {
            StoreError::Invalid(_) => ErrorCode::InvalidInput,
            StoreError::CreateDir { .. }
            | StoreError::Open { .. }
            | StoreError::Migrate { .. }
            | StoreError::Sqlite(_) => ErrorCode::Database,
        };
        Self::new(code, error.to_string())
    }
}

impl From<SyncError> for IpcError {
    fn from(error: SyncError) -> Self {
        let code = match &error {
            SyncError::Store(_) => ErrorCode::Database,
            SyncError::UnknownAccount(_) => ErrorCode::NotFound,
            SyncError::Paused { .. } | SyncError::Unsupported(_) | SyncError::Profile(_) => ErrorCode::InvalidInput,
            SyncError::Keychain(_) | SyncError::Portal(_) | SyncError::Cancelled => ErrorCode::Internal,
        };
        Self::new(code, error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_serialize_as_code_and_message() {
        let error = IpcError::new(ErrorCode::NotFound, "account 7 was removed");
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            serde_json::json!({ "code": "not_found", "message": "account 7 was removed" })
        );
    }

    #[test]
    fn store_errors_map_to_codes() {
        let invalid: IpcError = StoreError::Invalid("the username is empty".into()).into();
        assert_eq!((invalid.code, invalid.message.as_str()), (ErrorCode::InvalidInput, "the username is empty"));
        let unwritable: IpcError = StoreError::CreateDir {
            path: "/read-only/truckiq".into(),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        }
        .into();
        assert_eq!(unwritable.code, ErrorCode::Database);
        assert!(unwritable.message.contains("/read-only/truckiq"), "{}", unwritable.message);
    }
}
