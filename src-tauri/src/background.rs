//! What the app does while it runs, window open or not: the scheduler (syncs and stale-data
//! checks), alert delivery to the channels, desktop notifications, progress events for the window,
//! and the demo portal.

use std::sync::Arc;

use tauri::{AppHandle, Emitter as _, Manager as _};
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;
use truckiq::app::{App, DemoOptions};
use truckiq::sync::scheduler::run_scheduler;

use crate::events::{RunningSyncs, SYNC_EVENT, progress_of};

/// Starts the scheduler, alert delivery, notifications and progress events; all stop when `stop`
/// is cancelled.
/// A demo account from an earlier run gets a new portal, so the demo fleet keeps syncing.
pub fn start(handle: &AppHandle, app: &Arc<App>, stop: &CancellationToken) {
    // Listeners first: the scheduler's first round can raise an alert (stale data) at once, and a
    // broadcast reaches only those already subscribed.
    crate::notifications::start(handle, app, stop);
    forward_progress(handle, app, stop);
    tauri::async_runtime::spawn(app.deliverer().run(stop.clone()));
    tauri::async_runtime::spawn(run_scheduler(app.engine().clone(), stop.clone()));
    let core = Arc::clone(app);
    tauri::async_runtime::spawn(async move {
        if let Err(error) = core.revive_demo(DemoOptions::APP).await {
            tracing::warn!(%error, "the demo fleet could not be started again");
        }
    });
}

/// Each sync step to the window and to `RunningSyncs`; the tray is refreshed when a run ends.
fn forward_progress(handle: &AppHandle, app: &App, stop: &CancellationToken) {
    let (mut events, handle, stop) = (app.engine().subscribe_events(), handle.clone(), stop.clone());
    tauri::async_runtime::spawn(async move {
        loop {
            let event = tokio::select! {
                event = events.recv() => event,
                () = stop.cancelled() => break,
            };
            match event {
                Ok(event) => {
                    let progress = progress_of(&event);
                    handle.state::<RunningSyncs>().record(&progress);
                    let _ = handle.emit(SYNC_EVENT, &progress);
                    if progress.step.ends_run() {
                        crate::tray::refresh(&handle).await;
                    }
                }
                Err(RecvError::Lagged(_)) => {} // progress is superseded by the next step anyway
                Err(RecvError::Closed) => break,
            }
        }
    });
}
