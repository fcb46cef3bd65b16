//! Where TruckIQ keeps its files. The desktop app and the CLI must agree on this, so both ask here.

use std::path::{Path, PathBuf};

use crate::ids::AccountUid;

/// The bundle identifier in `src-tauri/tauri.conf.json`. Tauri's `app_data_dir()` is the platform
/// data dir joined with it, so using the same value keeps the CLI and the app on one database.
pub const APP_IDENTIFIER: &str = "com.truckiq.fleet";

/// Overrides the data directory, e.g. to keep tests and development away from real data.
pub const DATA_DIR_ENV: &str = "TRUCKIQ_DATA_DIR";

pub const DB_FILE_NAME: &str = "truckiq.sqlite3";

/// The app data directory: `$TRUCKIQ_DATA_DIR` if set, else the platform data dir
/// (`~/.local/share`, `~/Library/Application Support`, `%APPDATA%`) joined with [`APP_IDENTIFIER`].
/// `None` only when the platform has no home directory at all.
pub fn data_dir() -> Option<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => dirs::data_dir().map(|dir| dir.join(APP_IDENTIFIER)),
    }
}

/// Overrides the folder the app and the CLI write their log files to.
pub const LOG_DIR_ENV: &str = "TRUCKIQ_LOG_DIR";

/// Where the log files go: `$TRUCKIQ_LOG_DIR` if set; else `logs` in `$TRUCKIQ_DATA_DIR` when that
/// is set, so tests and development keep their logs beside their data; else the platform's log
/// folder as Tauri's `app_log_dir()` has it (`~/.local/share/com.truckiq.fleet/logs`,
/// `~/Library/Logs/com.truckiq.fleet`, `%LOCALAPPDATA%\com.truckiq.fleet\logs`).
pub fn log_dir() -> Option<PathBuf> {
    let set = |name| std::env::var_os(name).filter(|dir| !dir.is_empty()).map(PathBuf::from);
    if let Some(dir) = set(LOG_DIR_ENV) {
        return Some(dir);
    }
    if let Some(dir) = set(DATA_DIR_ENV) {
        return Some(dir.join("logs"));
    }
    if cfg!(target_os = "macos") {
        dirs::home_dir().map(|home| home.join("Library/Logs").join(APP_IDENTIFIER))
    } else {
        dirs::data_local_dir().map(|dir| dir.join(APP_IDENTIFIER).join("logs"))
    }
}

/// The database file inside [`data_dir`].
pub fn default_db_path() -> Option<PathBuf> {
    data_dir().map(|dir| dir.join(DB_FILE_NAME))
}

/// Whether `db_path` is the database the app uses ([`default_db_path`]). Only that one may take
/// over what TruckIQ 0.1 kept under account row numbers: another database's account 1 is not the
/// app's account 1.
pub fn is_default_db(db_path: &Path) -> bool {
    let Some(default) = default_db_path() else { return false };
    match (default.canonicalize(), db_path.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        // Not created yet: compare as written, made absolute.
        _ => std::path::absolute(&default).ok() == std::path::absolute(db_path).ok(),
    }
}

/// The browser profile of one account: its own cookies and cache, never shared.
pub fn browser_profile_dir(data_dir: &Path, uid: AccountUid) -> PathBuf {
    data_dir.join("browser").join(format!("account-{uid}"))
}

/// Removes one of an account's folders (its browser profile, its kept pages); a failure is logged,
/// and a folder that is not there is no failure.
pub fn remove_folder(path: &Path) {
    if path.exists()
        && let Err(error) = std::fs::remove_dir_all(path)
    {
        tracing::warn!(%error, path = %path.display(), "could not remove an account's folder");
    }
}

/// Where TruckIQ 0.1 kept an account's browser profile, by row number.
pub fn legacy_browser_profile_dir(data_dir: &Path, row_id: i64) -> PathBuf {
    data_dir.join("browser").join(format!("account-{row_id}"))
}

/// Every page kept because a portal changed, for every account (the app reads screenshots only from
/// inside it).
pub fn artifacts_root(data_dir: &Path) -> PathBuf {
    data_dir.join("artifacts")
}

/// The pages kept for one account.
pub fn artifacts_dir(data_dir: &Path, uid: AccountUid) -> PathBuf {
    artifacts_root(data_dir).join(format!("account-{uid}"))
}
