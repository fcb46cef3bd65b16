//! Profile files: the built-in profile of each portal kind, and the files a person lays over one:
//! a kind's override (`<data dir>/profiles/<kind>.toml`), or an account's own profile file, which
//! names the built-in profile it is `based_on`. Layering keeps the built-in file's comments, so the
//! effective profile can be shown as a person would read it.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item};

use crate::store::PortalKind;

// Every page profile starts from the shared words, so a layout's file only adds its own.
const TRUCKTECH: &str = concat!(include_str!("../profiles/words.toml"), include_str!("../profiles/trucktech.toml"));
const DECISIV_SRM: &str = concat!(include_str!("../profiles/words.toml"), include_str!("../profiles/decisiv_srm.toml"));
const PACCAR_SOLUTIONS: &str = include_str!("../profiles/paccar_solutions.toml");
/// The portal words every page profile shares, alone (for readers without a page profile).
pub(crate) const WORDS: &str = include_str!("../profiles/words.toml");

/// The key an account's own profile file starts with.
const BASED_ON: &str = "based_on";

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("the {0} portal kind has no profile: TruckIQ reads it through its published API")]
    NoProfile(PortalKind),
    #[error("the {0} portal kind is read as JSON, not as pages; it has no page profile")]
    NotABrowserLayout(PortalKind),
    #[error("cannot read the portal profile {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the portal profile {origin} is not valid: {message}")]
    Invalid { origin: String, message: String },
}

/// The profile TruckIQ ships for a portal kind, as TOML with its comments.
pub fn builtin_text(kind: PortalKind) -> Result<&'static str, ProfileError> {
    match kind {
        PortalKind::TruckTech => Ok(TRUCKTECH),
        PortalKind::DecisivSrm => Ok(DECISIV_SRM),
        PortalKind::PaccarSolutions => Ok(PACCAR_SOLUTIONS),
        PortalKind::DecisivApi => Err(ProfileError::NoProfile(kind)),
    }
}

/// `<dir>/<kind>.toml`, or a file under a name older versions used, if one exists.
pub fn override_file(kind: PortalKind, dir: &Path) -> Option<PathBuf> {
    std::iter::once(kind.as_str())
        .chain(kind.aliases().iter().copied())
        .map(|name| dir.join(format!("{name}.toml")))
        .find(|path| path.is_file())
}

/// Where a profile's keys come from besides the built-in ones.
#[derive(Debug, Clone, Copy)]
pub enum Overlay<'a> {
    /// The built-in profile alone.
    None,
    /// The kind's override file in this folder, if there is one.
    KindOverride(&'a Path),
    /// An account's own profile file.
    AccountFile(&'a Path),
}

/// A built-in profile with a file laid over it: the whole text, with the built-in comments and a
/// note on every key the file set.
#[derive(Debug, Clone)]
pub struct Layered {
    pub document: DocumentMut,
    /// The file laid over the built-in profile, if any.
    pub file: Option<PathBuf>,
    /// The built-in profile it starts from.
    pub based_on: PortalKind,
}

impl Layered {
    /// For messages: the file, or the built-in profile.
    pub fn origin(&self) -> String {
        match &self.file {
            Some(path) => path.display().to_string(),
            None => format!("built into TruckIQ ({})", self.based_on),
        }
    }

    pub fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T, ProfileError> {
        let invalid = |message: String| ProfileError::Invalid { origin: self.origin(), message };
        let table: toml::Table = toml::from_str(&self.document.to_string()).map_err(|e| invalid(e.to_string()))?;
        toml::Value::Table(table).try_into().map_err(|e: toml::de::Error| invalid(e.to_string()))
    }
}

/// The profile an account of `kind` reads with.
pub fn layered(kind: PortalKind, overlay: Overlay<'_>) -> Result<Layered, ProfileError> {
    let (path, account_file) = match overlay {
        Overlay::None => (None, false),
        Overlay::KindOverride(dir) => (override_file(kind, dir), false),
        Overlay::AccountFile(path) => (Some(path.to_path_buf()), true),
    };
    let Some(path) = path else {
        return Ok(Layered { document: parse(builtin_text(kind)?, kind)?, file: None, based_on: kind });
    };
    let text = std::fs::read_to_string(&path).map_err(|source| ProfileError::Read { path: path.clone(), source })?;
    let origin = path.display().to_string();
    let based_on = if account_file { based_on(&text, kind, &origin)? } else { kind };
    let document = lay_over(builtin_text(based_on)?, &text, &origin)?;
    Ok(Layered { document, file: Some(path), based_on })
}

/// `builtin` with the keys in `overlay` replacing its own (for tests and text held in memory).
pub fn layered_text(kind: PortalKind, overlay: &str, origin: &str) -> Result<Layered, ProfileError> {
    let document = lay_over(builtin_text(kind)?, overlay, origin)?;
    Ok(Layered { document, file: Some(PathBuf::from(origin)), based_on: kind })
}

fn parse(text: &str, kind: PortalKind) -> Result<DocumentMut, ProfileError> {
    text.parse().map_err(|e: toml_edit::TomlError| ProfileError::Invalid {
        origin: format!("built into TruckIQ ({kind})"),
        message: e.to_string(),
    })
}

/// The built-in profile an account's file is based on: its `based_on`, else the account's own
/// kind. Page layouts can be based on one another; a JSON portal only on itself.
fn based_on(text: &str, kind: PortalKind, origin: &str) -> Result<PortalKind, ProfileError> {
    let invalid = |message: String| ProfileError::Invalid { origin: origin.to_owned(), message };
    let document: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| invalid(e.to_string()))?;
    let Some(item) = document.get(BASED_ON) else { return Ok(kind) };
    let name = item.as_str().ok_or_else(|| invalid(format!("{BASED_ON} must be a portal kind's name in quotes")))?;
    let base = PortalKind::from_name(name).map_err(|e| invalid(format!("{BASED_ON} = {name:?}: {e}")))?;
    let pages = |k: PortalKind| matches!(k, PortalKind::TruckTech | PortalKind::DecisivSrm);
    if base != kind && !(pages(base) && pages(kind)) {
        return Err(invalid(format!("an account of kind {kind} cannot read with a profile based on {base}")));
    }
    Ok(base)
}

/// Keys older profile files used, under their current names, so those files still load.
const LEGACY_KEYS: &[(&str, &str, &str)] = &[("diagnostics", "status", "active")];
/// The JSON profile's sections of fields, where older files wrote a field as its bare path.
const JSON_FIELD_SECTIONS: &[&str] = &["vehicle", "fault"];

fn lay_over(builtin: &str, overlay_text: &str, origin: &str) -> Result<DocumentMut, ProfileError> {
    let invalid = |message: String| ProfileError::Invalid { origin: origin.to_owned(), message };
    let mut base: DocumentMut = builtin.parse().map_err(|e: toml_edit::TomlError| invalid(e.to_string()))?;
    let mut overlay: DocumentMut = overlay_text.parse().map_err(|e: toml_edit::TomlError| invalid(e.to_string()))?;
    overlay.remove(BASED_ON);
    for (section, old, new) in LEGACY_KEYS {
        if let Some(table) = overlay.get_mut(section).and_then(Item::as_table_like_mut)
            && let Some(value) = table.remove(old)
            && table.get(new).is_none()
        {
            table.insert(new, value);
        }
    }
    // PACCAR Solutions fields were bare JSON paths before they became fields like the others.
    for section in JSON_FIELD_SECTIONS {
        if let Some(table) = overlay.get_mut(section).and_then(Item::as_table_like_mut) {
            for (_, item) in table.iter_mut() {
                if let Some(path) = item.as_str().map(str::to_owned) {
                    let mut field = toml_edit::InlineTable::new();
                    field.insert("json", path.into());
                    *item = Item::Value(field.into());
                }
            }
        }
    }
    let note = format!("# ↓ from {origin}\n");
    for (section, item) in overlay.iter() {
        let Some(incoming) = item.as_table_like() else {
            return Err(invalid(format!("{section:?} must be a section ([{section}]), not a single value")));
        };
        let by_word = section == "words";
        match base.get_mut(section).and_then(Item::as_table_like_mut) {
            Some(existing) => {
                for (key, value) in incoming.iter() {
                    merge_key(existing, key, value, by_word, &note);
                }
            }
            None => {
                base.insert(section, item.clone());
            }
        }
    }
    Ok(base)
}

/// Sections merge key by key; a key the overlay sets replaces the built-in one whole, so a field
/// written as a table (`{ label = "VIN" }`) never mixes with the built-in `{ css = … }`. Only the
/// word lists under `[words]` merge word by word: a layout adds its own words to the shared ones.
fn merge_key(existing: &mut dyn toml_edit::TableLike, key: &str, value: &Item, by_word: bool, note: &str) {
    if by_word
        && let (Some(words), Some(added)) =
            (existing.get_mut(key).and_then(Item::as_table_like_mut), value.as_table_like())
    {
        for (word, meaning) in added.iter() {
            words.insert(word, meaning.clone());
        }
        return;
    }
    existing.insert(key, value.clone());
    if let Some(mut key) = existing.key_mut(key) {
        key.leaf_decor_mut().set_prefix(note);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_file_names_the_profile_it_is_based_on() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("yard.toml");
        std::fs::write(&file, "based_on = \"decisiv_srm\"\n[urls]\nvehicle_list = '/yard/assets'\n").unwrap();
        let yard = layered(PortalKind::TruckTech, Overlay::AccountFile(&file)).unwrap();
        assert_eq!(yard.based_on, PortalKind::DecisivSrm);
        let text = yard.document.to_string();
        assert!(text.contains(&format!("# ↓ from {}\nvehicle_list = '/yard/assets'", file.display())), "{text}");
        assert!(text.contains("[words.severity]"), "the built-in comments and words stay");

        std::fs::write(&file, "based_on = \"paccar_solutions\"\n").unwrap();
        let wrong = layered(PortalKind::TruckTech, Overlay::AccountFile(&file)).unwrap_err().to_string();
        assert!(wrong.contains("cannot read with a profile based on paccar_solutions"), "{wrong}");
        std::fs::write(&file, "based_on = \"kenworth\"\n").unwrap();
        assert!(
            layered(PortalKind::TruckTech, Overlay::AccountFile(&file)).unwrap_err().to_string().contains("kenworth")
        );
        let missing = layered(PortalKind::TruckTech, Overlay::AccountFile(&dir.path().join("gone.toml")));
        assert!(matches!(missing, Err(ProfileError::Read { .. })));
    }

    #[test]
    fn a_kind_override_is_found_under_its_name_or_an_older_one() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(override_file(PortalKind::TruckTech, dir.path()), None);
        std::fs::write(dir.path().join("paccar.toml"), "").unwrap();
        assert_eq!(override_file(PortalKind::TruckTech, dir.path()), Some(dir.path().join("paccar.toml")));
        assert!(matches!(layered(PortalKind::DecisivApi, Overlay::None), Err(ProfileError::NoProfile(_))));
    }
}
