//! Where TruckIQ keeps its files. The desktop app and the CLI must agree on this, so both ask here.

use std::path::PathBuf;

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

/// The database file inside [`data_dir`].
pub fn default_db_path() -> Option<PathBuf> {
    data_dir().map(|dir| dir.join(DB_FILE_NAME))
}
