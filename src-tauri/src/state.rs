//! What the app holds while it runs: the database (or why it could not be opened).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use truckiq::paths;
use truckiq::store::Store;
use ts_rs::TS;

use crate::error::{ErrorCode, IpcError};

/// Facts about this installation, shown in Settings.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub db_path: String,
}

pub struct AppState {
    info: AppInfo,
    store: Result<Arc<Mutex<Store>>, IpcError>,
}

impl AppState {
    /// Opens the database in the same data folder the `truckiq` CLI uses.
    pub fn open() -> Self {
        let data_dir = paths::data_dir().unwrap_or_else(|| PathBuf::from("."));
        let db_path = data_dir.join(paths::DB_FILE_NAME);
        let store = Store::open(&db_path).map(|s| Arc::new(Mutex::new(s))).map_err(|error| {
            tracing::error!(%error, "database unavailable");
            IpcError::from(error)
        });
        let info = AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: data_dir.display().to_string(),
            db_path: db_path.display().to_string(),
        };
        Self { info, store }
    }

    pub fn info(&self) -> &AppInfo {
        &self.info
    }

    /// Runs `f` with the database on a blocking thread, so a slow query never freezes the window.
    pub async fn with_store<T, F>(&self, f: F) -> Result<T, IpcError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, IpcError> + Send + 'static,
    {
        let store = Arc::clone(self.store.as_ref().map_err(Clone::clone)?);
        tauri::async_runtime::spawn_blocking(move || {
            // A panic while holding the lock leaves the connection itself intact, so keep going.
            let guard = store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&guard)
        })
        .await
        .map_err(|e| IpcError::new(ErrorCode::Internal, format!("database task failed: {e}")))?
    }
}
