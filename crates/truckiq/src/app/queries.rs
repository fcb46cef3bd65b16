//! What the window and the CLI read: accounts, trucks, faults, runs and the fleet at a glance.

use super::{App, AppError, Result};
use crate::store::{
    AccountSummary, FaultPage, FaultQuery, FaultSource, FleetSummary, MAX_TREND_DAYS, RunSummary, TrendPoint,
    VehicleDetail, VehiclePage, VehicleQuery,
};
use crate::sync::staleness::is_stale;
use crate::sync::{SYNC_SETTINGS_KEY, SyncSettings};

/// The most rows one run history returns.
const MAX_RUNS: u32 = 500;

impl App {
    /// Every account by name, each with its latest run and whether its data is stale.
    pub async fn list_accounts(&self) -> Result<Vec<AccountSummary>> {
        let now = self.engine.clock().now();
        self.read(move |store| {
            let limit = store.setting::<SyncSettings>(SYNC_SETTINGS_KEY)?.stale_after_hours();
            let mut accounts = store.list_accounts()?;
            for account in &mut accounts {
                account.stale = is_stale(account.enabled, account.last_success_at, account.created_at, now, limit);
            }
            Ok(accounts)
        })
        .await
    }

    /// One window of the trucks `query` matches, filtered and sorted by the database.
    pub async fn list_vehicles(&self, query: VehicleQuery) -> Result<VehiclePage> {
        self.read(move |store| {
            let started = std::time::Instant::now();
            let page = store.list_vehicles(&query);
            // Every keystroke in the Vehicles search is one of these: the debug log tells how much
            // of a slow one was SQLite (the desktop benchmark reads it).
            tracing::debug!(sql_us = started.elapsed().as_micros(), "list_vehicles");
            page
        })
        .await
    }

    /// One truck with its faults (active first, then history), health reasons and meter history.
    pub async fn vehicle_detail(&self, vehicle_id: i64) -> Result<VehicleDetail> {
        let now = self.engine.clock().now();
        self.read(move |store| store.vehicle_detail(vehicle_id, now))
            .await?
            .ok_or_else(|| AppError::not_found(format!("vehicle {vehicle_id} is no longer in the database")))
    }

    /// How many accounts are the person's own, not the demo's: the first one turns start at login on.
    pub async fn own_account_count(&self) -> Result<u32> {
        self.read(|store| store.own_account_count()).await
    }

    /// The truck a `truckiq://vehicle/{vin}` link names, if it is in the database.
    pub async fn vehicle_id_by_vin(&self, vin: &str) -> Result<Option<i64>> {
        let vin = vin.to_owned();
        self.read(move |store| store.vehicle_id_by_vin(&vin)).await
    }

    /// The fleet at a glance, with the `top` most frequent active faults and the stale accounts.
    pub async fn fleet_summary(&self, top: u32) -> Result<FleetSummary> {
        let now = self.engine.clock().now();
        let mut summary = self.read(move |store| store.fleet_summary(top, now)).await?;
        let stale = self.list_accounts().await?.iter().filter(|a| a.stale).count();
        summary.stale_accounts = u32::try_from(stale).unwrap_or(u32::MAX);
        Ok(summary)
    }

    /// The window of fault episodes across the fleet that `query` asks for, in its order, with
    /// how many match.
    pub async fn list_faults(&self, query: FaultQuery) -> Result<FaultPage> {
        self.read(move |store| store.list_faults(&query)).await
    }

    /// Active faults per tier now and at this time on each of the `days` days before (at most
    /// [`MAX_TREND_DAYS`]), oldest first.
    pub async fn fault_trend(&self, days: u32) -> Result<Vec<TrendPoint>> {
        if days == 0 || days > MAX_TREND_DAYS {
            return Err(AppError::InvalidInput(format!("a trend covers 1 to {MAX_TREND_DAYS} days, not {days}")));
        }
        let now = self.engine.clock().now();
        self.read(move |store| store.fault_trend(days, now)).await
    }

    /// The source addresses that have faults, named, for the Faults view's picker.
    pub async fn fault_sources(&self) -> Result<Vec<FaultSource>> {
        self.read(|store| store.fault_sources()).await
    }

    /// An account's runs, newest first.
    pub async fn list_runs(&self, account_id: i64, limit: Option<u32>) -> Result<Vec<RunSummary>> {
        let limit = limit.unwrap_or(20).min(MAX_RUNS);
        self.read(move |store| store.runs(account_id, limit)).await
    }

    /// The screenshot a run kept when a portal page changed, as a `data:` URL a window can show
    /// under a strict CSP. Only files inside TruckIQ's own artifacts folder are read.
    pub async fn run_screenshot(&self, account_id: i64, run_id: i64) -> Result<String> {
        use base64::Engine as _;
        let runs = self.list_runs(account_id, Some(MAX_RUNS)).await?;
        let path = runs
            .into_iter()
            .find(|run| run.id == run_id)
            .and_then(|run| run.screenshot_path)
            .ok_or_else(|| AppError::not_found(format!("run {run_id} kept no screenshot")))?;
        let artifacts = crate::paths::artifacts_root(&self.engine.config().data_dir);
        // The canonical path is the one checked and the one read: a link swapped in between
        // cannot point the read elsewhere.
        let path = std::path::PathBuf::from(path)
            .canonicalize()
            .ok()
            .filter(|p| artifacts.canonicalize().is_ok_and(|a| p.starts_with(a)))
            .ok_or_else(|| AppError::not_found("the screenshot is not in TruckIQ's artifacts folder"))?;
        let bytes = tokio::fs::read(&path)
            .await
            .map_err(|e| AppError::not_found(format!("the screenshot {} cannot be read: {e}", path.display())))?;
        Ok(format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)))
    }
}
