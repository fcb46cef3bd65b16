//! Pages and screenshots kept for a person to see what a run saw: private to this user (files
//! 0600 in folders 0700, as the keychain-less rest of the data folder), without the tokens a page
//! carries, and only the latest few per account.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

/// Kept files per account; older ones go when a new one is kept.
pub const KEPT_PER_ACCOUNT: usize = 30;

/// Writes `bytes` as `dir/name`, readable by this user only, then drops the account's oldest kept
/// files beyond [`KEPT_PER_ACCOUNT`].
pub fn keep(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    private_dir(dir)?;
    let path = dir.join(name);
    write_private(&path, bytes)?;
    prune(dir, KEPT_PER_ACCOUNT);
    Ok(path)
}

/// A kept page's HTML without the secrets forms and meta tags carry: CSRF and session tokens,
/// nonces and OAuth state become `[redacted]`.
pub fn redact_html(html: &str) -> String {
    static SECRET_INPUT: LazyLock<Regex> = LazyLock::new(|| {
        crate::portal::parse::pattern(
            r#"(?is)(<(?:input|meta)\b[^>]*?\b(?:name|id)\s*=\s*["']?[^"'\s>]*(?:csrf|xsrf|token|authenticity|session|nonce|state|code_verifier|saml)[^"'\s>]*["']?[^>]*?\b(?:value|content)\s*=\s*)(?:"[^"]*"|'[^']*'|[^\s>]+)"#,
        )
    });
    static SECRET_INPUT_VALUE_FIRST: LazyLock<Regex> = LazyLock::new(|| {
        crate::portal::parse::pattern(
            r#"(?is)(<(?:input|meta)\b[^>]*?\b(?:value|content)\s*=\s*)(?:"[^"]*"|'[^']*'|[^\s>]+)([^>]*?\b(?:name|id)\s*=\s*["']?[^"'\s>]*(?:csrf|xsrf|token|authenticity|session|nonce|state|code_verifier|saml))"#,
        )
    });
    let once = SECRET_INPUT.replace_all(html, r#"${1}"[redacted]""#);
    SECRET_INPUT_VALUE_FIRST.replace_all(&once, r#"${1}"[redacted]"${2}"#).into_owned()
}

/// A folder only this user can enter.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Writes a file only this user can read, replacing any file of that name.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        private_dir(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
        options.mode(0o600);
        let mut file = options.open(path)?;
        // A file that existed keeps its mode through `open`: make it private too.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(bytes)
    }
    #[cfg(not(unix))]
    {
        options.open(path)?.write_all(bytes)
    }
}

/// Removes all but the `keep` newest files in `dir`.
fn prune(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let meta = e.metadata().ok().filter(std::fs::Metadata::is_file)?;
            Some((meta.modified().ok()?, e.path()))
        })
        .collect();
    if files.len() <= keep {
        return;
    }
    files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
    for (_, old) in files.into_iter().skip(keep) {
        if let Err(error) = std::fs::remove_file(&old) {
            tracing::warn!(path = %old.display(), %error, "could not remove an old kept page");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_in_forms_and_meta_tags_are_redacted_and_the_rest_is_kept() {
        let html = r#"<meta name="csrf-token" content="abc123"><form><input type="hidden" name="authenticity_token" value="s3cr3t">
            <input value='xyz' type=hidden name=__RequestVerificationToken><input name="email" value="ops@fleet.example">
            <input type="hidden" name="state" value="st8"></form><p>Fault 100/1</p>"#;
        let redacted = redact_html(html);
        for secret in ["abc123", "s3cr3t", "xyz", "st8"] {
            assert!(!redacted.contains(secret), "{secret} left in {redacted}");
        }
        assert!(redacted.contains(r#"value="ops@fleet.example""#) && redacted.contains("Fault 100/1"), "{redacted}");
    }

    #[cfg(unix)]
    #[test]
    fn kept_files_are_private_and_only_the_newest_stay() {
        use std::os::unix::fs::PermissionsExt as _;
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = root.path().join("artifacts").join("account-1");
        for n in 0..KEPT_PER_ACCOUNT + 5 {
            let path = keep(&dir, &format!("page-{n:03}.html"), b"<p>x</p>").unwrap_or_else(|e| panic!("{e}"));
            let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777).unwrap_or_default();
            assert_eq!(mode, 0o600, "{}", path.display());
        }
        let mode = std::fs::metadata(&dir).map(|m| m.permissions().mode() & 0o777).unwrap_or_default();
        assert_eq!(mode, 0o700);
        let left = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or_default();
        assert_eq!(left, KEPT_PER_ACCOUNT, "the oldest went");
        assert!(dir.join(format!("page-{:03}.html", KEPT_PER_ACCOUNT + 4)).exists(), "the newest stayed");
    }
}
