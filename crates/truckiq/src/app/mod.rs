//! The application layer: every use case the desktop shell and the `truckiq` CLI share, written
//! once. Both front ends are adapters over [`App`]: they parse their input, call one method and
//! present the answer. Nothing here knows about Tauri, a terminal or a window.

mod accounts;
mod alerts;
mod api_logins;
mod channels;
#[cfg(feature = "demo")]
mod demo;
mod diagnostics;
mod error;
mod exports;
mod profiles;
mod queries;
mod settings;
mod syncing;

pub use accounts::{AccountInput, SecretChange, SecretsSet};
pub use alerts::{AlertActionRequest, MuteScope};
pub use api_logins::{ApiLoginAdded, ApiLoginInput, PendingApiLogin};
pub use channels::{ChannelAdded, ChannelInput, ChannelRef, Delivery, TestAnswer};
#[cfg(feature = "demo")]
pub use demo::{DemoOptions, DemoStarted};
pub use diagnostics::{Check, Diagnostics};
pub use error::{AppError, ErrorCode, Result};
pub use exports::{Exported, export_file_name};
pub use profiles::LayoutCheck;

use crate::secrets::SecretStore;
use crate::store::{Store, StoreError};
use crate::sync::{EngineConfig, SyncEngine};

/// TruckIQ as both front ends see it: the sync engine with its database and keychain, and the
/// demo portal while one runs. Cheap to share behind an `Arc`.
pub struct App {
    engine: SyncEngine,
    /// API authorizations waiting for a person to choose their SRM accounts.
    pending_logins: api_logins::PendingLogins,
    #[cfg(feature = "demo")]
    demo: tokio::sync::Mutex<Option<crate::demo::DemoPortal>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("engine", &self.engine).finish_non_exhaustive()
    }
}

impl App {
    /// Opens the database (migrating it) and marks runs a stopped process left in progress.
    pub fn open(config: EngineConfig, secrets: SecretStore) -> Result<Self> {
        Ok(Self::new(SyncEngine::open(config, secrets)?))
    }

    pub fn new(engine: SyncEngine) -> Self {
        Self {
            engine,
            pending_logins: api_logins::PendingLogins::default(),
            #[cfg(feature = "demo")]
            demo: tokio::sync::Mutex::new(None),
        }
    }

    /// For what only a front end does with it: progress and alert subscriptions, the scheduler.
    pub fn engine(&self) -> &SyncEngine {
        &self.engine
    }

    /// A read on one of the read connections, off the async threads: it never waits for a sync's
    /// write transaction.
    async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T> {
        Ok(self.engine.read(work).await?)
    }

    /// A write, off the async threads.
    async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T> {
        Ok(self.engine.db(work).await?)
    }
}

/// Runs a keychain or file call off the async threads.
async fn blocking<T: Send + 'static, E: Into<AppError> + Send + 'static>(
    call: impl FnOnce() -> std::result::Result<T, E> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(call)
        .await
        .map_err(|e| AppError::Internal(format!("a background task stopped: {e}")))?
        .map_err(Into::into)
}
