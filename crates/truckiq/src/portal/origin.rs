//! Where a portal lives, and the rule that credentials go nowhere else. An origin is scheme, host
//! and port, as a browser compares them: `https://paccarsolutions.com` and
//! `https://paccarsolutions.com.evil.example` or `http://paccarsolutions.com` are different ones.

use url::{Origin, Url};

use super::error::ConnectorError;

/// An account's portal address and the sign-in origins its profile names (single sign-on pages).
#[derive(Debug, Clone)]
pub struct PortalOrigin {
    /// The address with a trailing `/`, so profile paths join under it.
    base: Url,
    sign_in: Vec<Origin>,
}

impl PortalOrigin {
    pub fn new(base_url: &str, sign_in_origins: &[String]) -> Result<Self, ConnectorError> {
        let parse = |text: &str| {
            Url::parse(text.trim())
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .ok_or_else(|| ConnectorError::InvalidAddress(format!("{text:?} is not an http(s) address")))
        };
        let mut base = parse(base_url)?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let sign_in = sign_in_origins.iter().map(|o| parse(o).map(|u| u.origin())).collect::<Result<_, _>>()?;
        Ok(Self { base, sign_in })
    }

    /// The portal's own origin, as text (`https://host:port`).
    pub fn origin(&self) -> String {
        self.base.origin().ascii_serialization()
    }

    /// A page of the portal: `path` (a profile URL such as `/vehicles`) under the portal's
    /// address. Joined as a URL, not glued as text, and refused if it would leave the portal's
    /// origin (`@evil.example/`, `//evil.example`, `https://evil.example`).
    pub fn url(&self, path: &str) -> Result<String, ConnectorError> {
        let joined = self
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|e| ConnectorError::InvalidAddress(format!("the portal page {path:?}: {e}")))?;
        if joined.origin() != self.base.origin() {
            return Err(ConnectorError::InvalidAddress(format!(
                "the portal page {path:?} would leave {} for {}",
                self.origin(),
                joined.origin().ascii_serialization()
            )));
        }
        Ok(joined.into())
    }

    /// Whether `url` is on the portal's own origin (a link it may follow).
    pub fn is_own(&self, url: &str) -> bool {
        Url::parse(url).is_ok_and(|u| u.origin() == self.base.origin())
    }

    /// Checked before any credential is typed: the page must be on the portal's own origin or on
    /// a sign-in origin its profile names.
    pub fn check_sign_in_page(&self, page_url: &str) -> Result<(), ConnectorError> {
        let found = Url::parse(page_url).map(|u| u.origin());
        match found {
            Ok(origin) if origin == self.base.origin() || self.sign_in.contains(&origin) => Ok(()),
            Ok(origin) => Err(ConnectorError::CredentialsOriginMismatch {
                expected: self.origin(),
                found: origin.ascii_serialization(),
            }),
            Err(_) => {
                Err(ConnectorError::CredentialsOriginMismatch { expected: self.origin(), found: page_url.to_owned() })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn portal() -> PortalOrigin {
        PortalOrigin::new("https://paccarsolutions.com/paccar", &["https://login.paccar.com".into()]).unwrap()
    }

    #[test]
    fn profile_paths_join_under_the_portal_and_never_leave_it() {
        let p = portal();
        assert_eq!(p.url("/vehicles").unwrap(), "https://paccarsolutions.com/paccar/vehicles");
        assert_eq!(
            p.url("vehicles/1XK/diagnostics?x=1").unwrap(),
            "https://paccarsolutions.com/paccar/vehicles/1XK/diagnostics?x=1"
        );
        assert_eq!(
            p.url("@evil.example/").unwrap(),
            "https://paccarsolutions.com/paccar/@evil.example/",
            "text glued on moved the host"
        );
        assert_eq!(p.url("//evil.example/login").unwrap(), "https://paccarsolutions.com/paccar/evil.example/login");
        for escape in [r"\\evil.example/login", "https://evil.example/", "http://paccarsolutions.com/x"] {
            assert!(matches!(p.url(escape), Err(ConnectorError::InvalidAddress(_))), "{escape}");
        }
        assert!(PortalOrigin::new("paccarsolutions.com", &[]).is_err(), "no scheme");
    }

    #[test]
    fn credentials_are_typed_only_on_the_portal_or_a_named_sign_in_origin() {
        let p = portal();
        assert!(p.check_sign_in_page("https://paccarsolutions.com/paccar/login?next=1").is_ok());
        assert!(p.check_sign_in_page("https://login.paccar.com/oauth/authorize").is_ok(), "named in the profile");
        for elsewhere in [
            "https://paccarsolutions.com.evil.example/login",
            "http://paccarsolutions.com/paccar/login",
            "https://paccarsolutions.com:8443/paccar/login",
            "about:blank",
        ] {
            match p.check_sign_in_page(elsewhere) {
                Err(ConnectorError::CredentialsOriginMismatch { expected, found }) => {
                    assert_eq!(expected, "https://paccarsolutions.com");
                    assert_ne!(found, expected, "{elsewhere}");
                }
                other => panic!("{elsewhere}: {other:?}"),
            }
        }
        assert!(p.is_own("https://paccarsolutions.com/paccar/vehicles?page=2"));
        assert!(!p.is_own("https://evil.example/paccar/vehicles?page=2"));
    }
}
