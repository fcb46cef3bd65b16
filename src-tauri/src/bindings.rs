//! The UI's TypeScript types are generated from the Rust types that cross IPC. This test fails when
//! `ui/src/bindings/` is stale; run it with `UPDATE_BINDINGS=1` to rewrite the files.

use std::path::PathBuf;

use truckiq::j1939::Severity;
use truckiq::j1939::health::HealthBand;
use truckiq::store::{
    AccountSummary, Alert, AlertKind, FaultEpisode, FaultFilter, FaultListItem, FaultPage, FaultTier, FleetSummary,
    FrequentFault, MeterReading, PortalKind, RunStatus, RunSummary, RunTrigger, VehicleDetail, VehicleListItem,
    VehiclePage, VehicleQuery, VehicleSort,
};
use ts_rs::{Config, TS};

use crate::commands::{AccountInput, AlertActionRequest, MuteScope, SecretsSet};
use crate::{AppInfo, ErrorCode, IpcError, SyncProgress, SyncStep};
use truckiq::sync::SyncSettings;
use truckiq::sync::alerts::{MutedCode, NotificationPrefs, QuietHours};

fn bindings_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings")
}

fn render<T: TS + 'static>() -> (String, String) {
    // Row ids and counters stay far below 2^53, so plain `number` is exact and easier to use than bigint.
    let config = Config::new().with_large_int("number");
    let text = T::export_to_string(&config).unwrap_or_else(|e| panic!("cannot render {}: {e}", T::name(&config)));
    (format!("{}.ts", T::name(&config)), text)
}

#[test]
fn typescript_bindings_are_up_to_date() {
    let generated = [
        render::<AppInfo>(),
        render::<AccountSummary>(),
        render::<RunSummary>(),
        render::<PortalKind>(),
        render::<RunTrigger>(),
        render::<RunStatus>(),
        render::<ErrorCode>(),
        render::<IpcError>(),
        render::<Alert>(),
        render::<AlertKind>(),
        render::<Severity>(),
        render::<SyncProgress>(),
        render::<SyncStep>(),
        render::<VehicleListItem>(),
        render::<VehicleQuery>(),
        render::<VehicleSort>(),
        render::<VehiclePage>(),
        render::<FaultTier>(),
        render::<HealthBand>(),
        render::<VehicleDetail>(),
        render::<FaultEpisode>(),
        render::<MeterReading>(),
        render::<AlertActionRequest>(),
        render::<MuteScope>(),
        render::<NotificationPrefs>(),
        render::<QuietHours>(),
        render::<MutedCode>(),
        render::<FleetSummary>(),
        render::<FrequentFault>(),
        render::<FaultFilter>(),
        render::<FaultListItem>(),
        render::<FaultPage>(),
        render::<SyncSettings>(),
        render::<AccountInput>(),
        render::<SecretsSet>(),
    ];
    let dir = bindings_dir();
    let update = std::env::var_os("UPDATE_BINDINGS").is_some();
    let mut stale = Vec::new();
    for (file, text) in &generated {
        let path = dir.join(file);
        if update {
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(file.clone());
        }
    }
    let known: Vec<String> = generated.iter().map(|(file, _)| file.clone()).collect();
    let strays: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| !known.contains(name))
        .collect();
    assert!(strays.is_empty(), "files in ui/src/bindings that no Rust type generates: {strays:?}");
    assert!(
        stale.is_empty(),
        "stale TypeScript bindings {stale:?}; regenerate with `UPDATE_BINDINGS=1 cargo test -p truckiq-desktop bindings`"
    );
}
