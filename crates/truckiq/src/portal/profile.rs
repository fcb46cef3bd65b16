//! Portal profiles: the URLs, CSS selectors and text patterns of one portal layout, kept in data
//! (TOML) so a portal change is fixed by editing a file, not by a new release. Built-in defaults
//! for both layouts ship inside the binary; a user file overrides just the keys it sets.

use std::path::{Path, PathBuf};

use scraper::Selector;
use serde::Deserialize;

use crate::store::PortalKind;

const TRUCKTECH: &str = include_str!("../../profiles/trucktech.toml");
const DECISIV_SRM: &str = include_str!("../../profiles/decisiv_srm.toml");

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("the {0} portal kind is read as JSON, not as pages; it has no page profile")]
    NotABrowserLayout(PortalKind),
    #[error("cannot read the portal profile override {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the portal profile {origin} is not valid: {message}")]
    Invalid { origin: String, message: String },
}

/// CSS selectors tried in order; the first that matches anything wins. The source text is kept for
/// error messages ("selector `.fault-row` matched nothing").
#[derive(Debug, Clone)]
pub struct Selectors {
    sources: Vec<String>,
    compiled: Vec<Selector>,
}

impl Selectors {
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    pub fn compiled(&self) -> &[Selector] {
        &self.compiled
    }

    /// The list as one CSS selector group (`a, b, c`), for waiting on any of them in a browser.
    pub fn css(&self) -> String {
        self.sources.join(", ")
    }
}

impl<'de> Deserialize<'de> for Selectors {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let sources = Vec::<String>::deserialize(deserializer)?;
        let compiled = sources
            .iter()
            .map(|s| Selector::parse(s).map_err(|e| serde::de::Error::custom(format!("bad CSS selector {s:?}: {e}"))))
            .collect::<Result<_, _>>()?;
        Ok(Self { sources, compiled })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Urls {
    pub login: String,
    pub dashboard: String,
    pub vehicle_list: String,
    /// `{vin}` is replaced by the vehicle's VIN.
    pub diagnostics: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginProfile {
    /// Origins (`https://login.example.com`) besides the portal's own where its sign-in form may
    /// be, for single sign-on. Credentials are typed nowhere else.
    #[serde(default)]
    pub sign_in_origins: Vec<String>,
    pub username: Selectors,
    pub password: Selectors,
    pub submit: Selectors,
    pub error: Selectors,
    /// Words in the error text that mean the account is locked, not just a wrong password.
    pub locked_text: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfaProfile {
    pub detect: Selectors,
    pub code: Selectors,
    pub trust_device: Selectors,
    pub submit: Selectors,
    /// Words on the MFA page that mean the code went by text or e-mail (a person must type it).
    pub sent_by_message: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoliciesProfile {
    pub detect: Selectors,
    pub accept: Selectors,
    pub submit: Selectors,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictProfile {
    pub detect: Selectors,
    pub continue_button: Selectors,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VehicleListProfile {
    /// The page's "no vehicles" message. Without it, a list page with no rows is a changed page,
    /// never silently an empty fleet.
    pub empty: Selectors,
    pub row: Selectors,
    pub vin: Selectors,
    pub unit: Selectors,
    pub year: Selectors,
    pub make: Selectors,
    pub model: Selectors,
    /// One cell holding "2022 Kenworth T680", for layouts that do not split them.
    pub year_make_model: Selectors,
    pub odometer: Selectors,
    /// A link to the next page; absent (or disabled) on the last page.
    pub next: Selectors,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiagnosticsProfile {
    /// The page's "no faults" message. Without it, a page with no fault rows is a changed page.
    pub no_faults: Selectors,
    pub row: Selectors,
    pub code: Selectors,
    pub source: Selectors,
    pub description: Selectors,
    pub severity: Selectors,
    pub derate: Selectors,
    pub occurrences: Selectors,
    pub first_seen: Selectors,
    pub status: Selectors,
    /// A row with this class is an active fault.
    pub active_class: String,
    pub odometer: Selectors,
    pub engine_hours: Selectors,
    pub engine: Selectors,
    pub location: Selectors,
}

/// How the HTML of a page is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadWith {
    /// `fetch()` inside the signed-in browser: the HTML the server sent, not rendered. Several
    /// times cheaper than a navigation, and many reads share one tab. For server-rendered pages.
    Fetch,
    /// Load the page in a tab and read the DOM: for pages the portal builds with JavaScript.
    Navigate,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadingProfile {
    pub vehicle_list: ReadWith,
    pub diagnostics: ReadWith,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub urls: Urls,
    pub reading: ReadingProfile,
    pub login: LoginProfile,
    pub mfa: MfaProfile,
    pub policies: PoliciesProfile,
    pub conflict: ConflictProfile,
    pub vehicle_list: VehicleListProfile,
    pub diagnostics: DiagnosticsProfile,
}

fn builtin_text(kind: PortalKind) -> Result<&'static str, ProfileError> {
    match kind {
        PortalKind::TruckTech => Ok(TRUCKTECH),
        PortalKind::DecisivSrm => Ok(DECISIV_SRM),
        PortalKind::DecisivApi | PortalKind::PaccarSolutions => Err(ProfileError::NotABrowserLayout(kind)),
    }
}

impl Profile {
    /// The profile shipped with TruckIQ for a layout.
    pub fn builtin(kind: PortalKind) -> Result<Self, ProfileError> {
        parse_builtin(kind, builtin_text(kind)?)
    }

    /// The built-in profile with `<dir>/<kind>.toml` laid over it when that file exists.
    pub fn load(kind: PortalKind, override_dir: &Path) -> Result<Self, ProfileError> {
        load_layered(kind, builtin_text(kind)?, override_dir)
    }

    /// The built-in profile with the keys in `override_text` replacing its own.
    pub fn with_override(kind: PortalKind, override_text: &str, origin: &str) -> Result<Self, ProfileError> {
        layered(builtin_text(kind)?, override_text, origin)
    }

    /// The diagnostics URL path for a VIN.
    pub fn diagnostics_path(&self, vin: &str) -> String {
        self.urls.diagnostics.replace("{vin}", vin)
    }
}

/// A built-in profile (`builtin`, TOML) with `<dir>/<kind>.toml` laid over it when that file
/// exists: any profile type, browser layout or gateway.
pub(crate) fn load_layered<T: serde::de::DeserializeOwned>(
    kind: PortalKind,
    builtin: &str,
    override_dir: &Path,
) -> Result<T, ProfileError> {
    // The kind's own name first, then the names older versions used.
    for name in std::iter::once(kind.as_str()).chain(kind.aliases().iter().copied()) {
        let path = override_dir.join(format!("{name}.toml"));
        match std::fs::read_to_string(&path) {
            Ok(text) => return layered(builtin, &text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(ProfileError::Read { path, source }),
        }
    }
    parse_builtin(kind, builtin)
}

pub(crate) fn parse_builtin<T: serde::de::DeserializeOwned>(kind: PortalKind, text: &str) -> Result<T, ProfileError> {
    toml::from_str(text)
        .map_err(|e| ProfileError::Invalid { origin: format!("built into TruckIQ ({kind})"), message: e.to_string() })
}

/// `builtin` with the keys in `override_text` replacing its own.
pub(crate) fn layered<T: serde::de::DeserializeOwned>(
    builtin: &str,
    override_text: &str,
    origin: &str,
) -> Result<T, ProfileError> {
    let invalid = |message: String| ProfileError::Invalid { origin: origin.to_owned(), message };
    let mut base: toml::Table = toml::from_str(builtin).map_err(|e| invalid(e.to_string()))?;
    let overlay: toml::Table = toml::from_str(override_text).map_err(|e| invalid(e.to_string()))?;
    merge(&mut base, overlay);
    toml::Value::Table(base).try_into().map_err(|e: toml::de::Error| invalid(e.to_string()))
}

/// Deep merge: tables merge key by key, anything else in `overlay` replaces what `base` had.
fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(existing)), toml::Value::Table(incoming)) => merge(existing, incoming),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_builtin_profiles_load() {
        let paccar = Profile::builtin(PortalKind::TruckTech).unwrap();
        assert_eq!(paccar.urls.vehicle_list, "/vehicles");
        assert_eq!(paccar.diagnostics_path("1XKYD49X0NJ123456"), "/vehicles/1XKYD49X0NJ123456/diagnostics");
        let decisiv = Profile::builtin(PortalKind::DecisivSrm).unwrap();
        assert_eq!(decisiv.login.username.sources(), ["#auth_key"]);
        assert!(matches!(Profile::builtin(PortalKind::DecisivApi), Err(ProfileError::NotABrowserLayout(_))));
        assert_eq!(paccar.reading.diagnostics, ReadWith::Fetch, "both layouts render on the server");
        assert_eq!(decisiv.reading.vehicle_list, ReadWith::Fetch);
        let navigate =
            Profile::with_override(PortalKind::TruckTech, "[reading]\ndiagnostics = 'navigate'\n", "t").unwrap();
        assert_eq!(navigate.reading.diagnostics, ReadWith::Navigate);
    }

    #[test]
    fn an_override_changes_only_the_keys_it_sets() {
        let text = "[diagnostics]\nrow = ['.dtc-entry']\n";
        let profile = Profile::with_override(PortalKind::TruckTech, text, "test").unwrap();
        assert_eq!(profile.diagnostics.row.sources(), [".dtc-entry"]);
        assert_eq!(profile.diagnostics.code.sources(), [".code", ".spn-fmi"], "untouched keys keep defaults");
    }

    #[test]
    fn a_bad_override_names_the_problem() {
        let bad_css = Profile::with_override(PortalKind::TruckTech, "[diagnostics]\nrow = ['..']\n", "my.toml");
        let message = bad_css.unwrap_err().to_string();
        assert!(message.contains("my.toml") && message.contains("bad CSS selector"), "{message}");
        let typo = Profile::with_override(PortalKind::TruckTech, "[diagnostics]\nrows = ['.x']\n", "my.toml");
        assert!(typo.unwrap_err().to_string().contains("rows"), "unknown keys are refused");
    }

    #[test]
    fn load_uses_the_override_file_when_present() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Profile::load(PortalKind::DecisivSrm, dir.path()).unwrap().urls.vehicle_list, "/assets");
        std::fs::write(dir.path().join("decisiv.toml"), "[urls]\nvehicle_list = '/fleet/assets'\n").unwrap();
        assert_eq!(Profile::load(PortalKind::DecisivSrm, dir.path()).unwrap().urls.vehicle_list, "/fleet/assets");
    }
}
