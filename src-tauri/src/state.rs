//! What the app holds while it runs: the sync engine with its database (or why it could not be
//! opened) and the switch that stops the background work.

use std::path::PathBuf;

use serde::Serialize;
use tokio_util::sync::CancellationToken;
use truckiq::demo::DemoPortal;
use truckiq::paths;
use truckiq::secrets::SecretStore;
use truckiq::store::Store;
use truckiq::sync::{EngineConfig, SyncEngine};
use ts_rs::TS;

use crate::error::IpcError;

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
    engine: Result<SyncEngine, IpcError>,
    /// Cancelled when the app quits: stops the scheduler and any run in progress.
    pub stop: CancellationToken,
    /// The simulated portal behind the demo account, while the app runs.
    pub demo: tokio::sync::Mutex<Option<DemoPortal>>,
}

impl AppState {
    /// Opens the database in the same data folder the `truckiq` CLI uses.
    pub fn open() -> Self {
        let data_dir = paths::data_dir().unwrap_or_else(|| PathBuf::from("."));
        let db_path = data_dir.join(paths::DB_FILE_NAME);
        let config = EngineConfig::new(db_path.clone(), data_dir.clone());
        let engine = SyncEngine::open(config, SecretStore::default()).map_err(|error| {
            tracing::error!(%error, "database unavailable");
            IpcError::from(error)
        });
        let info = AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: data_dir.display().to_string(),
            db_path: db_path.display().to_string(),
        };
        Self { info, engine, stop: CancellationToken::new(), demo: tokio::sync::Mutex::new(None) }
    }

    pub fn info(&self) -> &AppInfo {
        &self.info
    }

    pub fn engine(&self) -> Result<&SyncEngine, IpcError> {
        self.engine.as_ref().map_err(Clone::clone)
    }

    /// Runs `f` with the database on a blocking thread, so a slow query never freezes the window.
    pub async fn with_store<T, F>(&self, f: F) -> Result<T, IpcError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, IpcError> + Send + 'static,
    {
        // The closure's own error travels inside the store call's success, untouched.
        self.engine()?.db(move |store| Ok(f(store))).await.map_err(IpcError::from)?
    }
}
