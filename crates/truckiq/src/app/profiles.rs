//! Portal profiles as a person meets them: the effective profile shown with its comments, an
//! account's own profile file, and the doctor that shows what a profile finds on real pages.

use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use super::{App, AppError, Result, blocking};
use crate::portal::doctor::{PageReport, check_saved_page};
use crate::portal::profile::Profile;
use crate::profile_files::{self, Layered, Overlay};
use crate::solutions::profile::SolutionsProfile;
use crate::store::{AccountSummary, PortalKind};

/// What the doctor found, and which profile it used.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LayoutCheck {
    /// The profile read with: a file laid over a built-in profile, or the built-in one alone.
    pub profile: String,
    /// Where a person puts an override file for the account's portal kind.
    pub override_folder: String,
    pub pages: Vec<PageReport>,
}

impl App {
    /// The folder of the per-kind override files (`<data dir>/profiles`).
    pub fn profiles_folder(&self) -> PathBuf {
        self.engine.config().data_dir.join("profiles")
    }

    /// The override folder, made if it is not there yet, for a person to open and put files in.
    pub async fn ensure_profiles_folder(&self) -> Result<PathBuf> {
        let folder = self.profiles_folder();
        let made = folder.clone();
        blocking(move || {
            std::fs::create_dir_all(&made)
                .map_err(|e| AppError::invalid(format!("cannot make the profiles folder {}: {e}", made.display())))
        })
        .await?;
        Ok(folder)
    }

    /// The profile `account` reads with (its own file, else its kind's override), or with no
    /// account, the kind's.
    fn layered_for(&self, kind: PortalKind, account: Option<&AccountSummary>) -> Result<Layered> {
        let folder = self.profiles_folder();
        let overlay = match account.and_then(|a| a.profile_file.as_deref()) {
            Some(file) => Overlay::AccountFile(Path::new(file)),
            None => Overlay::KindOverride(&folder),
        };
        Ok(profile_files::layered(account.map_or(kind, |a| a.portal_kind), overlay)?)
    }

    /// The profile an account reads with, as a person would read it: the built-in file with its
    /// comments, every key a file set marked where it came from.
    pub fn show_profile(&self, kind: PortalKind, account: Option<&AccountSummary>) -> Result<String> {
        let folder = self.profiles_folder();
        let layered = self.layered_for(kind, account)?;
        // Shown only if it would load: a person is never shown a profile that cannot be used.
        loads(kind, &layered)?;
        let head = match &layered.file {
            Some(file) => format!("# The {kind} profile: built into TruckIQ, with {} laid over it.\n", file.display()),
            None => format!(
                "# The {kind} profile as built into TruckIQ. Override keys in {}.\n",
                folder.join(format!("{}.toml", kind.as_str())).display()
            ),
        };
        Ok(format!("{head}{}", layered.document))
    }

    /// Signs in to the account's portal and reports what its profile finds on a vehicle-list
    /// page and three trucks' pages (or the gateway's answers for them). Writes nothing to the
    /// database.
    pub async fn check_layout(&self, account_id: i64) -> Result<LayoutCheck> {
        let account = self.engine.account(account_id).await?;
        if let Some(reason) = &account.paused_reason {
            // The check signs in with the saved password, which the portal refused: trying it
            // again could lock the account.
            return Err(AppError::invalid(format!(
                "{} is paused ({reason}); set its password again before checking its portal layout",
                account.name
            )));
        }
        let pages = self.engine.check_layout(account_id).await?;
        let profile = self.layered_for(account.portal_kind, Some(&account))?.origin();
        Ok(LayoutCheck { profile, override_folder: self.folder_text(), pages })
    }

    /// The doctor on a saved page or gateway answer (e.g. one a failed run kept), read with the
    /// account's profile or a kind's. Offline: no browser, no portal.
    pub async fn check_saved_page(
        &self,
        html_file: &Path,
        account: Option<&AccountSummary>,
        kind: PortalKind,
    ) -> Result<LayoutCheck> {
        let path = html_file.to_path_buf();
        let html = blocking(move || {
            std::fs::read_to_string(&path)
                .map_err(|e| AppError::invalid(format!("cannot read the saved page {}: {e}", path.display())))
        })
        .await?;
        let layered = self.layered_for(kind, account)?;
        let source = html_file.display().to_string();
        let pages = if layered.based_on == PortalKind::PaccarSolutions {
            // What a failed run keeps of the gateway is its JSON answer.
            let answer: serde_json::Value = serde_json::from_str(&html)
                .map_err(|e| AppError::invalid(format!("{source} is not a JSON answer of the gateway ({e})")))?;
            let profile: SolutionsProfile = layered.deserialize()?;
            vec![crate::solutions::doctor::check_saved_answer(&answer, &source, &profile)]
        } else {
            check_saved_page(&html, &source, &Profile::from_layered(&layered)?)
        };
        Ok(LayoutCheck { profile: layered.origin(), override_folder: self.folder_text(), pages })
    }

    /// Reads the account with its own profile file from now on (`Some`), or with its kind's
    /// (`None`). The file must load before it is saved.
    pub async fn set_profile_file(&self, account_id: i64, file: Option<&Path>) -> Result<()> {
        let account = self.engine.account(account_id).await?;
        let file = match file {
            Some(path) => {
                let path = std::path::absolute(path)
                    .map_err(|e| AppError::invalid(format!("cannot use the path {}: {e}", path.display())))?;
                loads(account.portal_kind, &profile_files::layered(account.portal_kind, Overlay::AccountFile(&path))?)?;
                Some(path.display().to_string())
            }
            None => None,
        };
        self.write(move |store| store.set_profile_file(account_id, file.as_deref())).await
    }

    fn folder_text(&self) -> String {
        self.profiles_folder().display().to_string()
    }
}

/// Whether a layered profile loads as the profile type its kind reads with.
fn loads(kind: PortalKind, layered: &Layered) -> Result<()> {
    match kind {
        PortalKind::PaccarSolutions => layered.deserialize::<SolutionsProfile>().map(drop),
        _ => Profile::from_layered(layered).map(drop),
    }
    .map_err(AppError::from)
}
