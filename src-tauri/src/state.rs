//! What the app holds while it runs: the application layer over its database (or why it could not
//! be opened) and the switch that stops the background work.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use tokio_util::sync::CancellationToken;
use truckiq::app::App;
use truckiq::paths;
use truckiq::portal_kinds::PortalChoice;
use truckiq::secrets::SecretStore;
use truckiq::sync::EngineConfig;
use ts_rs::TS;

use crate::error::IpcError;

/// Facts about this installation, shown in Settings.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub db_path: String,
    /// The portals an account can be added for, best first.
    pub portals: Vec<PortalChoice>,
}

pub struct AppState {
    info: AppInfo,
    app: Result<Arc<App>, IpcError>,
    /// Cancelled when the app quits: stops the scheduler and any run in progress.
    pub stop: CancellationToken,
}

impl AppState {
    /// Opens the database in the same data folder the `truckiq` CLI uses.
    pub fn open() -> Self {
        let data_dir = paths::data_dir().unwrap_or_else(|| PathBuf::from("."));
        let db_path = data_dir.join(paths::DB_FILE_NAME);
        let config = EngineConfig::new(db_path.clone(), data_dir.clone());
        let app = App::open(config, SecretStore::default()).map(Arc::new).map_err(|error| {
            tracing::error!(%error, "database unavailable");
            IpcError::from(error)
        });
        let info = AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: data_dir.display().to_string(),
            db_path: db_path.display().to_string(),
            portals: truckiq::portal_kinds::choices(),
        };
        Self { info, app, stop: CancellationToken::new() }
    }

    pub fn info(&self) -> &AppInfo {
        &self.info
    }

    /// The application layer, or why the database could not be opened (every command reports it).
    pub fn app(&self) -> Result<&Arc<App>, IpcError> {
        self.app.as_ref().map_err(Clone::clone)
    }
}
