//! The UI's TypeScript is generated from the Rust that crosses IPC: the types, and the command and
//! event names. These tests fail when `ui/src/bindings/` is stale (run them with `UPDATE_BINDINGS=1`
//! to rewrite it), and when the capability file, the TypeScript facade or the UI tests' fake
//! backend disagree with the one list of commands.

use std::collections::BTreeSet;
use std::path::PathBuf;

use truckiq::app::{
    AccountInput, AlertActionRequest, ApiLoginInput, ChannelAdded, ChannelInput, Delivery, ErrorCode, Exported,
    LayoutCheck, MuteScope, PendingApiLogin, SecretsSet, TestAnswer,
};
use truckiq::decisiv_api::SrmAccount;
use truckiq::failure::FailureReason;
use truckiq::ids::{AccountUid, AlertUid, ChannelUid};
use truckiq::j1939::Severity;
use truckiq::j1939::health::HealthBand;
use truckiq::portal::doctor::{FieldReport, PageKind, PageReport};
use truckiq::portal::parse::RowProblem;
use truckiq::portal_kinds::PortalChoice;
use truckiq::store::{
    AccountSummary, ActionTruck, Alert, AlertKind, AttemptEntry, AttemptOutcome, Channel, ChannelKind, ChannelRules,
    ChannelSettings, DeliveryStatus, EmailSettings, FaultEpisode, FaultFilter, FaultListItem, FaultPage, FaultQuery,
    FaultSort, FaultSource, FaultTier, FleetSummary, FrequentFault, MeterReading, MutedCode, MutedTruckCode,
    MutedVehicle, NeedsAction, OutboxEntry, PortalKind, RunStatus, RunSummary, RunTrigger, ServiceCase, SmtpSecurity,
    TrendPoint, TruckStatus, VehicleDetail, VehicleListItem, VehiclePage, VehicleQuery, VehicleSort,
};
use truckiq::sync::SyncSettings;
use truckiq::sync::alerts::{NotificationPrefs, QuietHours};
use ts_rs::{Config, TS};

use crate::events::{ALERT_EVENT, NAVIGATE_EVENT, SYNC_EVENT};
use crate::{AppInfo, COMMANDS, IpcError, SyncProgress, SyncStep};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn bindings_dir() -> PathBuf {
    repo().join("ui/src/bindings")
}

fn read(path: &str) -> String {
    let path = repo().join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn render<T: TS + 'static>() -> (String, String) {
    // Row ids and counters stay far below 2^53, so plain `number` is exact and easier to use than bigint.
    let config = Config::new().with_large_int("number");
    let text = T::export_to_string(&config).unwrap_or_else(|e| panic!("cannot render {}: {e}", T::name(&config)));
    (format!("{}.ts", T::name(&config)), text)
}

/// `commands.ts`: the command names (the facade's `call` accepts only these) and the event names.
fn render_names() -> (String, String) {
    let commands: Vec<String> = COMMANDS.iter().map(|c| format!("  '{c}',\n")).collect();
    let text = format!(
        "// Generated from src-tauri/src/command_names.rs and events.rs by the bindings test. Do not edit.\n\n\
         /** Every command the window may call. */\n\
         export const COMMANDS = [\n{}] as const;\n\n\
         export type CommandName = (typeof COMMANDS)[number];\n\n\
         /** The events the app sends the window. */\n\
         export const EVENTS = {{\n  alert: '{ALERT_EVENT}',\n  syncProgress: '{SYNC_EVENT}',\n  navigate: '{NAVIGATE_EVENT}',\n}} as const;\n",
        commands.concat()
    );
    ("commands.ts".to_owned(), text)
}

#[test]
fn typescript_bindings_are_up_to_date() {
    let generated = [
        render::<AppInfo>(),
        render::<AccountSummary>(),
        render::<LayoutCheck>(),
        render::<PageReport>(),
        render::<PageKind>(),
        render::<FieldReport>(),
        render::<RowProblem>(),
        render::<AccountUid>(),
        render::<AlertUid>(),
        render::<RunSummary>(),
        render::<FailureReason>(),
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
        render::<ServiceCase>(),
        render::<AlertActionRequest>(),
        render::<MuteScope>(),
        render::<NotificationPrefs>(),
        render::<QuietHours>(),
        render::<MutedCode>(),
        render::<MutedVehicle>(),
        render::<MutedTruckCode>(),
        render::<FleetSummary>(),
        render::<FrequentFault>(),
        render::<NeedsAction>(),
        render::<ActionTruck>(),
        render::<FaultFilter>(),
        render::<FaultListItem>(),
        render::<FaultPage>(),
        render::<FaultQuery>(),
        render::<FaultSort>(),
        render::<FaultSource>(),
        render::<TrendPoint>(),
        render::<Exported>(),
        render::<SyncSettings>(),
        render::<AccountInput>(),
        render::<ApiLoginInput>(),
        render::<PendingApiLogin>(),
        render::<SrmAccount>(),
        render::<SecretsSet>(),
        render::<PortalChoice>(),
        render::<TruckStatus>(),
        render::<ChannelUid>(),
        render::<Channel>(),
        render::<ChannelKind>(),
        render::<ChannelRules>(),
        render::<ChannelSettings>(),
        render::<EmailSettings>(),
        render::<SmtpSecurity>(),
        render::<ChannelInput>(),
        render::<ChannelAdded>(),
        render::<TestAnswer>(),
        render::<Delivery>(),
        render::<OutboxEntry>(),
        render::<AttemptEntry>(),
        render::<DeliveryStatus>(),
        render::<AttemptOutcome>(),
        render_names(),
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

/// The names found in `text` between each `before` and the next `'`.
fn quoted_after(text: &str, before: &str) -> BTreeSet<String> {
    text.split(before).skip(1).filter_map(|rest| rest.split('\'').next()).map(str::to_owned).collect()
}

#[test]
fn the_capability_grants_exactly_our_commands() {
    let capability: serde_json::Value =
        serde_json::from_str(&read("src-tauri/capabilities/default.json")).expect("capability file is JSON");
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .expect("a permissions list")
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|command| command.replace('-', "_"))
        .collect();
    let ours: BTreeSet<String> = COMMANDS.iter().map(|c| (*c).to_owned()).collect();
    assert_eq!(granted, ours, "src-tauri/capabilities/default.json must grant allow-<command> for each command");
    // Beyond our commands, only listening to our events: notifications are sent from Rust, so a
    // compromised webview cannot raise one that looks like TruckIQ's.
    let others: BTreeSet<&str> = capability["permissions"]
        .as_array()
        .expect("a permissions list")
        .iter()
        .filter_map(|p| p.as_str())
        .filter(|p| !p.starts_with("allow-"))
        .collect();
    assert_eq!(others, BTreeSet::from(["core:event:allow-listen", "core:event:allow-unlisten"]));
}

#[test]
fn the_typescript_facade_and_the_ui_tests_fake_answer_every_command() {
    let ours: BTreeSet<String> = COMMANDS.iter().map(|c| (*c).to_owned()).collect();
    // `call<AppInfo>('app_info')`: the name in the quotes right after the type argument.
    let called: BTreeSet<String> = read("ui/src/backend/tauri.ts")
        .split("call<")
        .skip(1)
        .filter_map(|rest| {
            let (type_argument, after) = rest.split_once(">('")?;
            (!type_argument.contains('(')).then(|| after.split('\'').next().unwrap_or_default().to_owned())
        })
        .collect();
    assert_eq!(called, ours, "ui/src/backend/tauri.ts must call each command once by name");
    let faked = quoted_after(&read("tests/ui/smoke.test.mjs"), "case '");
    let missing: Vec<&String> = ours.difference(&faked).collect();
    assert!(missing.is_empty(), "tests/ui/smoke.test.mjs fakes no answer for {missing:?}");
}
