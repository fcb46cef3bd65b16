//! Finding a Chromium-family browser: the configured path, else the standard install locations.

use std::path::{Path, PathBuf};

use super::BrowserError;

/// Where Chrome, Chromium, Edge and Brave install themselves, most preferred first.
pub fn candidates() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = Vec::new();
    if cfg!(target_os = "macos") {
        for app in [
            "Google Chrome.app/Contents/MacOS/Google Chrome",
            "Chromium.app/Contents/MacOS/Chromium",
            "Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
            "Brave Browser.app/Contents/MacOS/Brave Browser",
        ] {
            paths.push(Path::new("/Applications").join(app));
            if let Some(home) = dirs::home_dir() {
                paths.push(home.join("Applications").join(app));
            }
        }
    } else if cfg!(windows) {
        let roots: Vec<PathBuf> = ["ProgramFiles", "ProgramFiles(x86)", "LOCALAPPDATA"]
            .iter()
            .filter_map(|var| std::env::var_os(var).map(PathBuf::from))
            .collect();
        for root in &roots {
            for exe in [
                r"Google\Chrome\Application\chrome.exe",
                r"Chromium\Application\chrome.exe",
                r"Microsoft\Edge\Application\msedge.exe",
                r"BraveSoftware\Brave-Browser\Application\brave.exe",
            ] {
                paths.push(root.join(exe));
            }
        }
    } else {
        for name in [
            "/usr/bin/chromium",
            "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome",
            "/usr/bin/google-chrome-stable",
            "/opt/google/chrome/chrome",
            "/usr/bin/microsoft-edge",
            "/usr/bin/brave-browser",
            "/snap/bin/chromium",
        ] {
            paths.push(PathBuf::from(name));
        }
    }
    paths
}

/// The configured browser if it exists, else the first candidate that does.
pub fn find_browser(configured: Option<&Path>, candidates: &[PathBuf]) -> Result<PathBuf, BrowserError> {
    if let Some(path) = configured {
        return if path.is_file() {
            Ok(path.to_path_buf())
        } else {
            Err(BrowserError::Unavailable(format!("the configured browser {} does not exist", path.display())))
        };
    }
    candidates.iter().find(|p| p.is_file()).cloned().ok_or_else(|| {
        BrowserError::Unavailable("no Chrome, Chromium, Edge or Brave found in the usual places".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_path_wins_and_a_missing_one_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("chrome");
        std::fs::write(&fake, "").unwrap();
        let elsewhere = dir.path().join("chromium");
        std::fs::write(&elsewhere, "").unwrap();
        assert_eq!(find_browser(Some(&fake), std::slice::from_ref(&elsewhere)).unwrap(), fake);
        let missing = find_browser(Some(&dir.path().join("nope")), std::slice::from_ref(&elsewhere)).unwrap_err();
        assert!(missing.to_string().contains("does not exist"), "{missing}");
    }

    #[test]
    fn first_existing_candidate_or_a_helpful_error() {
        let dir = tempfile::tempdir().unwrap();
        let present = dir.path().join("brave");
        std::fs::write(&present, "").unwrap();
        let list = vec![dir.path().join("chrome"), present.clone()];
        assert_eq!(find_browser(None, &list).unwrap(), present);
        let none = find_browser(None, &[dir.path().join("x")]).unwrap_err();
        assert!(none.to_string().contains("install Chromium or set the browser path"), "{none}");
    }
}
