//! The PACCAR Solutions profile: how to sign in on the app's page, where the gateway is, its
//! endpoints, the JSON paths of every field, and what each recommended action means. All data
//! (`profiles/paccar_solutions.toml`), so a renamed field is fixed by an override file.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::j1939::Severity;
use crate::portal::field::Field;
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

/// Where each field of a vehicle document is (a JSON path, then a pattern and a value map, as for
/// the page layouts).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VehiclePaths {
    pub required: Vec<String>,
    pub vin: Field,
    pub unit_number: Field,
    pub model_year: Field,
    pub make: Field,
    pub model: Field,
    pub engine_make: Field,
    pub engine_model: Field,
    pub odometer_mi: Field,
    pub engine_hours: Field,
    pub location: Field,
    pub last_reported: Field,
    pub recommendation: Field,
    pub timestamp: Field,
}

impl VehiclePaths {
    /// Every field by name, in the order a person reads them.
    pub fn fields(&self) -> [(&'static str, &Field); 13] {
        [
            ("vin", &self.vin),
            ("unit_number", &self.unit_number),
            ("model_year", &self.model_year),
            ("make", &self.make),
            ("model", &self.model),
            ("engine_make", &self.engine_make),
            ("engine_model", &self.engine_model),
            ("odometer_mi", &self.odometer_mi),
            ("engine_hours", &self.engine_hours),
            ("location", &self.location),
            ("last_reported", &self.last_reported),
            ("recommendation", &self.recommendation),
            ("timestamp", &self.timestamp),
        ]
    }
}

/// Where each field of a fault-log entry is.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultPaths {
    pub required: Vec<String>,
    pub spn: Field,
    pub fmi: Field,
    pub recommendation: Field,
    pub description: Field,
    pub code: Field,
    pub first_seen: Field,
    pub occurrences: Field,
    pub status: Field,
    /// Status values (after the status field's map) that mean active.
    pub active: Vec<String>,
}

impl FaultPaths {
    pub fn fields(&self) -> [(&'static str, &Field); 8] {
        [
            ("spn", &self.spn),
            ("fmi", &self.fmi),
            ("recommendation", &self.recommendation),
            ("description", &self.description),
            ("code", &self.code),
            ("first_seen", &self.first_seen),
            ("occurrences", &self.occurrences),
            ("status", &self.status),
        ]
    }
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
        let p = SolutionsProfile::with_override("[vehicle]\nmake = { json = 'chassis.make' }\n", "drift.toml").unwrap();
        assert_eq!(p.vehicle.make.describe(), "json chassis.make");
        assert_eq!(p.vehicle.model.describe(), "json chassisDetailInfo.model");
        let old = SolutionsProfile::with_override("[vehicle]\nmake = 'chassis.make'\n", "old.toml").unwrap();
        assert_eq!(old.vehicle.make.describe(), "json chassis.make", "an older file's bare path still loads");
        let typo = SolutionsProfile::with_override("[vehicle]\nmakes = 'x'\n", "drift.toml").unwrap_err();
        assert!(typo.to_string().contains("makes") && typo.to_string().contains("drift.toml"), "{typo}");
        let tier = SolutionsProfile::with_override("[recommendations]\nCOMING_SOON = 'minor'\n", "t").unwrap();
        assert_eq!(tier.meaning("COMING_SOON"), Some(Meaning::Minor));
    }
}
