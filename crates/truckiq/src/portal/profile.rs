//! Portal profiles: the URLs, CSS selectors and text patterns of one portal layout, kept in data
//! (TOML) so a portal change is fixed by editing a file, not by a new release. Built-in defaults
//! for both layouts ship inside the binary; a user file overrides just the keys it sets.

use std::path::Path;

use scraper::Selector;
use serde::Deserialize;

use super::field::{Field, ValueMap};
use crate::j1939::Severity;
pub use crate::profile_files::ProfileError;
use crate::profile_files::{self, Layered, Overlay};
use crate::store::PortalKind;

/// CSS selectors tried in order; the first that matches anything wins. The source text is kept for
/// error messages ("selector `.fault-row` matched nothing"). Empty when a profile leaves it out.
#[derive(Debug, Clone, Default)]
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

    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
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
    /// Something only a signed-in page shows ("Signed in as …", a sign-out link). Without it, any
    /// page that is not a sign-in step counts as signed in.
    #[serde(default)]
    pub signed_in: Selectors,
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
    pub vin: Field,
    pub unit: Field,
    pub year: Field,
    pub make: Field,
    pub model: Field,
    /// One text holding "2022 Kenworth T680", for layouts that do not split them.
    pub year_make_model: Field,
    pub odometer: Field,
    #[serde(default)]
    pub engine: Field,
    #[serde(default)]
    pub engine_hours: Field,
    #[serde(default)]
    pub location: Field,
    /// A link to the next page; absent (or disabled) on the last page. A "load more" link whose
    /// pages repeat the rows before works too: each VIN is taken once.
    #[serde(default)]
    pub next: Selectors,
    /// Pages by number instead of a link: `/units?page={page}`, from 2 until a page shows `empty`.
    #[serde(default)]
    pub page_url: String,
}

impl VehicleListProfile {
    /// Every field by name, in the order a person reads them.
    pub fn fields(&self) -> [(&'static str, &Field); 10] {
        [
            ("vin", &self.vin),
            ("unit", &self.unit),
            ("year", &self.year),
            ("make", &self.make),
            ("model", &self.model),
            ("year_make_model", &self.year_make_model),
            ("odometer", &self.odometer),
            ("engine", &self.engine),
            ("engine_hours", &self.engine_hours),
            ("location", &self.location),
        ]
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiagnosticsProfile {
    /// The page's "no faults" message. Without it, a page with no fault rows is a changed page.
    pub no_faults: Selectors,
    pub row: Selectors,
    /// A link to more of the truck's faults ("Next", "Show more events"), followed to the end.
    #[serde(default)]
    pub more: Selectors,
    /// The `more` link's page repeats the rows before it (a "show more" list): only the last page
    /// is kept. Otherwise each page adds its own rows.
    #[serde(default)]
    pub cumulative: bool,
    /// SPN and FMI in one text ("SPN 3226 / FMI 4", "3226/4"), or `spn` and `fmi` on their own.
    pub code: Field,
    #[serde(default)]
    pub spn: Field,
    #[serde(default)]
    pub fmi: Field,
    pub source: Field,
    pub description: Field,
    /// The portal's urgency; its words become tiers through `map` and `[words.severity]`.
    pub severity: Field,
    /// Any text but a "no" word means the engine is derated.
    pub derate: Field,
    pub occurrences: Field,
    pub first_seen: Field,
    /// The fault's state; its words become active or inactive through `map` and `[words.active]`.
    /// (`status` is its older name.)
    #[serde(alias = "status")]
    pub active: Field,
    /// A row with this class is an active fault.
    #[serde(default)]
    pub active_class: String,
    // The truck itself, anywhere on the page.
    pub odometer: Field,
    pub engine_hours: Field,
    pub engine: Field,
    pub location: Field,
    #[serde(default)]
    pub unit: Field,
    #[serde(default)]
    pub year: Field,
    #[serde(default)]
    pub make: Field,
    #[serde(default)]
    pub model: Field,
}

impl DiagnosticsProfile {
    /// The fields of a fault row, by name.
    pub fn fault_fields(&self) -> [(&'static str, &Field); 10] {
        [
            ("code", &self.code),
            ("spn", &self.spn),
            ("fmi", &self.fmi),
            ("source", &self.source),
            ("description", &self.description),
            ("severity", &self.severity),
            ("derate", &self.derate),
            ("occurrences", &self.occurrences),
            ("first_seen", &self.first_seen),
            ("active", &self.active),
        ]
    }

    /// The fields about the truck, read anywhere on the page.
    pub fn truck_fields(&self) -> [(&'static str, &Field); 8] {
        [
            ("unit", &self.unit),
            ("year", &self.year),
            ("make", &self.make),
            ("model", &self.model),
            ("odometer", &self.odometer),
            ("engine_hours", &self.engine_hours),
            ("engine", &self.engine),
            ("location", &self.location),
        ]
    }
}

/// How times without a zone are read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatesProfile {
    /// The zone of times the page prints without one (IANA name, e.g. "America/Chicago").
    #[serde(deserialize_with = "time_zone")]
    pub time_zone: chrono_tz::Tz,
    /// chrono `strftime` formats tried before the built-in ones.
    pub formats: Vec<String>,
}

impl Default for DatesProfile {
    fn default() -> Self {
        Self { time_zone: chrono_tz::UTC, formats: Vec::new() }
    }
}

fn time_zone<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<chrono_tz::Tz, D::Error> {
    let name = String::deserialize(deserializer)?;
    name.parse().map_err(|_| {
        serde::de::Error::custom(format!("{name:?} is not a time zone; use an IANA name such as \"America/Chicago\""))
    })
}

/// The portal words TruckIQ understands, shared by every page profile (`profiles/words.toml`) and
/// extended or overridden by a layout's own.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "WordsText")]
pub struct Words {
    /// A fault's state: to "active" or "inactive", compared as whole words.
    pub active: ValueMap,
    /// Urgency wording: to "critical", "major", "minor" or "info". A text holding several of
    /// these takes the most urgent.
    pub severity: ValueMap,
    /// What a derate field says when there is none.
    pub no: Vec<String>,
}

impl Words {
    /// Whether a fault's state text means active; `None` for a word not in the list.
    pub fn active(&self, text: &str) -> Option<bool> {
        match self.active.get(text)? {
            "active" => Some(true),
            "inactive" => Some(false),
            _ => None,
        }
    }

    /// The tier a portal's wording means, if it holds a word we know: the whole text first, then
    /// any word inside it, the most urgent winning.
    pub fn severity(&self, text: &str) -> Option<Severity> {
        if let Some(tier) = self.severity.get(text) {
            return tier.parse().ok();
        }
        let lower = text.to_lowercase();
        self.severity
            .entries()
            .filter(|(word, _)| lower.contains(word))
            .filter_map(|(_, tier)| tier.parse::<Severity>().ok())
            .min_by_key(|tier| urgency_rank(*tier))
    }

    /// The words every profile shares (`profiles/words.toml`), for readers with no page profile.
    pub fn shared() -> Result<Self, ProfileError> {
        #[derive(Deserialize)]
        struct File {
            words: Words,
        }
        let file: File = toml::from_str(profile_files::WORDS).map_err(|e| ProfileError::Invalid {
            origin: "built into TruckIQ (words)".into(),
            message: e.to_string(),
        })?;
        Ok(file.words)
    }

    pub fn is_no(&self, text: &str) -> bool {
        self.no.iter().any(|w| w.eq_ignore_ascii_case(text.trim()))
    }
}

fn urgency_rank(tier: Severity) -> u8 {
    match tier {
        Severity::Critical => 0,
        Severity::Major => 1,
        Severity::Minor => 2,
        Severity::Info => 3,
    }
}

/// `[words]` as written, checked before use: every word must lead to a value TruckIQ knows.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WordsText {
    active: std::collections::BTreeMap<String, String>,
    severity: std::collections::BTreeMap<String, String>,
    no: Vec<String>,
}

impl TryFrom<WordsText> for Words {
    type Error = String;

    fn try_from(text: WordsText) -> Result<Self, String> {
        if let Some((word, value)) = text.active.iter().find(|(_, v)| !matches!(v.as_str(), "active" | "inactive")) {
            return Err(format!("[words.active] {word:?} = {value:?}: the value must be \"active\" or \"inactive\""));
        }
        if let Some((word, value)) = text.severity.iter().find(|(_, v)| v.parse::<Severity>().is_err()) {
            return Err(format!(
                "[words.severity] {word:?} = {value:?}: the value must be \"critical\", \"major\", \"minor\" or \"info\""
            ));
        }
        Ok(Words { active: ValueMap::new(text.active), severity: ValueMap::new(text.severity), no: text.no })
    }
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
    #[serde(default)]
    pub dates: DatesProfile,
    pub words: Words,
}

impl Profile {
    /// The profile shipped with TruckIQ for a layout.
    pub fn builtin(kind: PortalKind) -> Result<Self, ProfileError> {
        Self::from_layered(&profile_files::layered(kind, Overlay::None)?)
    }

    /// The built-in profile with `<dir>/<kind>.toml` laid over it when that file exists.
    pub fn load(kind: PortalKind, override_dir: &Path) -> Result<Self, ProfileError> {
        Self::from_layered(&profile_files::layered(kind, Overlay::KindOverride(override_dir))?)
    }

    /// The profile an account reads with: its own file when it names one, else the kind's.
    pub fn for_account(kind: PortalKind, override_dir: &Path, own: Option<&Path>) -> Result<Self, ProfileError> {
        let overlay = own.map_or(Overlay::KindOverride(override_dir), Overlay::AccountFile);
        Self::from_layered(&profile_files::layered(kind, overlay)?)
    }

    /// The built-in profile with the keys in `override_text` replacing its own.
    pub fn with_override(kind: PortalKind, override_text: &str, origin: &str) -> Result<Self, ProfileError> {
        Self::from_layered(&profile_files::layered_text(kind, override_text, origin)?)
    }

    /// A layered profile as a page profile (refused for a kind that is not a page layout).
    pub(crate) fn from_layered(layered: &Layered) -> Result<Self, ProfileError> {
        match layered.based_on {
            PortalKind::TruckTech | PortalKind::DecisivSrm => layered.deserialize(),
            other => Err(ProfileError::NotABrowserLayout(other)),
        }
    }

    /// The diagnostics URL path for a VIN.
    pub fn diagnostics_path(&self, vin: &str) -> String {
        self.urls.diagnostics.replace("{vin}", vin)
    }

    /// The vehicle list's page `number` by the profile's page-number pattern, if it has one.
    pub fn list_page_path(&self, number: usize) -> Option<String> {
        let pattern = &self.vehicle_list.page_url;
        (!pattern.is_empty()).then(|| pattern.replace("{page}", &number.to_string()))
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
        assert!(matches!(Profile::builtin(PortalKind::DecisivApi), Err(ProfileError::NoProfile(_))));
        assert!(matches!(Profile::builtin(PortalKind::PaccarSolutions), Err(ProfileError::NotABrowserLayout(_))));
        assert_eq!(paccar.reading.diagnostics, ReadWith::Fetch, "both layouts render on the server");
        assert_eq!(decisiv.reading.vehicle_list, ReadWith::Fetch);
        let navigate =
            Profile::with_override(PortalKind::TruckTech, "[reading]\ndiagnostics = 'navigate'\n", "t").unwrap();
        assert_eq!(navigate.reading.diagnostics, ReadWith::Navigate);
    }

    #[test]
    fn the_shared_words_map_portal_wording_to_tiers_and_states() {
        let words = Profile::builtin(PortalKind::TruckTech).unwrap().words;
        let tier = |text: &str| words.severity(text);
        assert_eq!(tier("Stop Engine Immediately"), Some(Severity::Critical), "the most urgent word wins");
        assert_eq!(tier("Seek Service Immediately"), Some(Severity::Major));
        assert_eq!(tier("Service Advised"), Some(Severity::Minor));
        assert_eq!(tier("Derate Active/Warning"), Some(Severity::Critical));
        assert_eq!(tier("Drive to a dealer"), Some(Severity::Major));
        assert_eq!(tier("Fix at next service"), Some(Severity::Minor));
        assert_eq!(tier("Keep driving"), Some(Severity::Info));
        assert_eq!(tier("Needs Attention"), Some(Severity::Minor));
        assert_eq!(
            (tier("Stop Now"), tier("Service Now"), tier("service  soon")),
            (Some(Severity::Critical), Some(Severity::Major), Some(Severity::Minor))
        );
        assert_eq!(tier("¯\\_(ツ)_/¯"), None);
        assert_eq!(
            (words.active("Previously active"), words.active("OPEN"), words.active("Pending")),
            (Some(false), Some(true), None)
        );
        assert!(words.is_no("No") && !words.is_no("Derate Active"));
    }

    #[test]
    fn a_layout_adds_its_own_words_and_a_bad_word_is_refused() {
        let text = "[words.severity]\n\"red stop lamp\" = \"critical\"\n\"immediately\" = \"critical\"\n";
        let words = Profile::with_override(PortalKind::TruckTech, text, "t").unwrap().words;
        assert_eq!(words.severity("Red Stop Lamp"), Some(Severity::Critical));
        assert_eq!(
            words.severity("Seek Service Immediately"),
            Some(Severity::Critical),
            "a word's meaning is overridden"
        );
        let bad = Profile::with_override(PortalKind::TruckTech, "[words.severity]\nurgent = \"high\"\n", "my.toml");
        let message = bad.unwrap_err().to_string();
        assert!(message.contains("my.toml") && message.contains("\"critical\", \"major\""), "{message}");
        let zone = Profile::with_override(PortalKind::TruckTech, "[dates]\ntime_zone = \"Central\"\n", "my.toml");
        assert!(zone.unwrap_err().to_string().contains("IANA"));
    }

    #[test]
    fn an_override_changes_only_the_keys_it_sets() {
        let text = "[diagnostics]\nrow = ['.dtc-entry']\n";
        let profile = Profile::with_override(PortalKind::TruckTech, text, "test").unwrap();
        assert_eq!(profile.diagnostics.row.sources(), [".dtc-entry"]);
        assert_eq!(profile.diagnostics.code.describe(), "css .code, .spn-fmi", "untouched keys keep defaults");
        let labelled = "[diagnostics]\nfirst_seen = { label = \"First reported\" }\n";
        let profile = Profile::with_override(PortalKind::TruckTech, labelled, "test").unwrap();
        assert_eq!(
            profile.diagnostics.first_seen.describe(),
            "label \"First reported\"",
            "a field is replaced whole, not mixed with the built-in css and attr"
        );
    }

    #[test]
    fn a_bad_override_names_the_problem() {
        let bad_css = Profile::with_override(PortalKind::TruckTech, "[diagnostics]\nrow = ['..']\n", "my.toml");
        let message = bad_css.unwrap_err().to_string();
        assert!(message.contains("my.toml") && message.contains("bad CSS selector"), "{message}");
        let old = Profile::with_override(PortalKind::TruckTech, "[diagnostics]\nstatus = ['.state']\n", "old.toml");
        assert_eq!(
            old.unwrap().diagnostics.active.describe(),
            "css .state",
            "an older file's status is the state field"
        );
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
