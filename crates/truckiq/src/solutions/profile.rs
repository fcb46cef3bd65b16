//! The PACCAR Solutions profile: how to sign in on the app's page, where the gateway is, its
//! endpoints, the JSON paths of every field, and what each recommended action means. All data
//! (`profiles/paccar_solutions.toml`), so a renamed field is fixed by an override file.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::j1939::Severity;
use crate::portal::profile::{LoginProfile, ProfileError};
use crate::profile_files::{self, Overlay};
use crate::store::{PortalKind, TruckStatus};

/// The app around its sign-in form: where the form is and where the app keeps its token.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppProfile {
    /// The app's login route, relative to the account's address (the app's origin).
    pub login: String,
    /// The `localStorage` key the app keeps its token under.
    pub token_key: String,
    /// Whether the stored value is a JSON string (with quotes) rather than the bare token.
    pub token_is_json: bool,
    pub wait_seconds: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayProfile {
    pub url: String,
    /// Learn the gateway from the app's own requests while it signs in.
    pub discover: bool,
    pub oem: String,
    pub accept: String,
    pub client_id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoints {
    pub login: String,
    pub refresh: String,
    pub search: String,
    /// `{vin}` is replaced by the truck's VIN.
    pub faults: String,
    pub page_size: usize,
    pub fault_page_size: usize,
    pub search_version: u32,
    pub search_sort: Vec<String>,
    pub search_exclude: Vec<String>,
}

impl Endpoints {
    /// For a VIN the vehicle list gave (checked to be letters and digits, so nothing to escape).
    pub fn faults_path(&self, vin: &str, page: usize) -> String {
        format!("{}?page={page}&pageSize={}", self.faults.replace("{vin}", vin), self.fault_page_size)
    }
}

/// How the gateway is read once the app has signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadMode {
    /// `fetch()` from inside the signed-in app page.
    Page,
    /// From TruckIQ itself, with the token the app stored; Chromium closes after sign-in.
    Direct,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadingProfile {
    pub mode: ReadMode,
    pub incremental: bool,
    pub full_every: u32,
}

/// Dotted JSON paths into a vehicle document.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VehiclePaths {
    pub required: Vec<String>,
    pub vin: String,
    pub unit_number: String,
    pub model_year: String,
    pub make: String,
    pub model: String,
    pub engine_make: String,
    pub engine_model: String,
    pub odometer_mi: String,
    pub engine_hours: String,
    pub location: String,
    pub last_reported: String,
    pub recommendation: String,
    pub timestamp: String,
}

/// Dotted JSON paths into a fault-log entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultPaths {
    pub required: Vec<String>,
    pub spn: String,
    pub fmi: String,
    pub recommendation: String,
    pub description: String,
    pub code: String,
    pub first_seen: String,
    pub occurrences: String,
    pub status: String,
    /// Status values that mean active.
    pub active: Vec<String>,
}

/// What a recommended action means to TruckIQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Meaning {
    Critical,
    Major,
    Minor,
    Info,
    /// Never opens a fault (NO_ACTION, COMING_SOON).
    None,
    /// The truck's own status, not a fault.
    NotCommunicating,
    InRepair,
}

impl Meaning {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Meaning::Critical => Some(Severity::Critical),
            Meaning::Major => Some(Severity::Major),
            Meaning::Minor => Some(Severity::Minor),
            Meaning::Info => Some(Severity::Info),
            Meaning::None | Meaning::NotCommunicating | Meaning::InRepair => None,
        }
    }

    pub fn truck_status(self) -> Option<TruckStatus> {
        match self {
            Meaning::NotCommunicating => Some(TruckStatus::NotCommunicating),
            Meaning::InRepair => Some(TruckStatus::InRepair),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SolutionsProfile {
    pub app: AppProfile,
    /// The sign-in form, described as for the server-rendered layouts.
    pub login: LoginProfile,
    pub gateway: GatewayProfile,
    pub endpoints: Endpoints,
    pub reading: ReadingProfile,
    pub vehicle: VehiclePaths,
    pub fault: FaultPaths,
    pub recommendations: BTreeMap<String, Meaning>,
}

const KIND: PortalKind = PortalKind::PaccarSolutions;

impl SolutionsProfile {
    pub fn builtin() -> Result<Self, ProfileError> {
        profile_files::layered(KIND, Overlay::None)?.deserialize()
    }

    /// The built-in profile with `<dir>/paccar_solutions.toml` laid over it when that file exists,
    /// or the account's own profile file when it names one.
    pub fn for_account(override_dir: &Path, own: Option<&Path>) -> Result<Self, ProfileError> {
        let overlay = own.map_or(Overlay::KindOverride(override_dir), Overlay::AccountFile);
        profile_files::layered(KIND, overlay)?.deserialize()
    }

    pub fn with_override(override_text: &str, origin: &str) -> Result<Self, ProfileError> {
        profile_files::layered_text(KIND, override_text, origin)?.deserialize()
    }

    /// What `action` means; an action the table does not list is unknown, never guessed.
    pub fn meaning(&self, action: &str) -> Option<Meaning> {
        self.recommendations.get(action.trim()).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_profile_maps_every_known_action() {
        let p = SolutionsProfile::builtin().unwrap();
        assert_eq!(p.meaning("STOP_NOW"), Some(Meaning::Critical));
        assert_eq!(p.meaning("SERVICE_NOW"), Some(Meaning::Major));
        assert_eq!(p.meaning("SERVICE_SOON"), Some(Meaning::Minor));
        assert_eq!(p.meaning("INFORMATIONAL"), Some(Meaning::Info));
        assert_eq!(p.meaning("NO_ACTION").and_then(Meaning::severity), None);
        assert_eq!(p.meaning("COMING_SOON").and_then(Meaning::severity), None);
        assert_eq!(p.meaning("NOT_COMMUNICATING").and_then(Meaning::truck_status), Some(TruckStatus::NotCommunicating));
        assert_eq!(p.meaning("IN_REPAIR").and_then(Meaning::truck_status), Some(TruckStatus::InRepair));
        assert_eq!(p.meaning("SOMETHING_NEW"), None);
        assert_eq!(
            p.endpoints.faults_path("1XKYD49X0NJ123456", 2),
            "/v2vehicles/1XKYD49X0NJ123456/faults?page=2&pageSize=100"
        );
    }

    #[test]
    fn an_override_renames_one_path_and_keeps_the_rest() {
        let p = SolutionsProfile::with_override("[vehicle]\nmake = 'chassis.make'\n", "drift.toml").unwrap();
        assert_eq!(p.vehicle.make, "chassis.make");
        assert_eq!(p.vehicle.model, "chassisDetailInfo.model");
        let typo = SolutionsProfile::with_override("[vehicle]\nmakes = 'x'\n", "drift.toml").unwrap_err();
        assert!(typo.to_string().contains("makes") && typo.to_string().contains("drift.toml"), "{typo}");
        let tier = SolutionsProfile::with_override("[recommendations]\nCOMING_SOON = 'minor'\n", "t").unwrap();
        assert_eq!(tier.meaning("COMING_SOON"), Some(Meaning::Minor));
    }
}
