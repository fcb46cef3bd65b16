//! TruckIQ core: everything the desktop app and the `truckiq` CLI share.
//!
//! No Tauri or GTK dependency lives here, so `cargo test -p truckiq` stays fast. Pure logic sits in
//! plain functions; I/O (SQLite, keychain, browser, network) stays at the edges.

pub mod app;
pub mod artifacts;
pub mod browser;
pub mod connector;
pub mod decisiv_api;
pub mod delivery;
#[cfg(feature = "demo")]
pub mod demo;
pub mod failure;
pub mod ids;
pub mod j1939;
pub mod limits;
pub mod logging;
pub mod paths;
pub mod portal;
pub mod portal_kinds;
pub mod profile_files;
pub mod secrets;
pub mod solutions;
pub mod store;
pub mod sync;
