//! The proxy every run goes through, and its sign-in. The address and user name are settings; the
//! password lives only in the keychain, reaches Chromium through its auth challenge and reqwest
//! through `Proxy-Authorization`, and is never on a command line, in the database or sent to the
//! window.

use crate::secrets::Sensitive;

use super::SyncSettings;

/// What saving the settings does with the proxy password in the keychain.
#[derive(Debug, PartialEq)]
pub enum PasswordChange {
    Keep,
    Save(Sensitive<String>),
    Forget,
}

/// A proxy address split from the credentials pasted into it (`http://user:pass@host:3128`).
#[derive(Debug, PartialEq)]
pub struct SplitProxy {
    /// The address without credentials; `None` for no proxy.
    pub url: Option<String>,
    pub username: Option<String>,
    pub password: Option<Sensitive<String>>,
}

/// Takes the credentials out of a proxy address. Addresses that do not parse are left for
/// [`SyncSettings::check`] to refuse with its message.
pub fn split_credentials(proxy: Option<&str>) -> SplitProxy {
    let Some(text) = proxy.map(str::trim).filter(|p| !p.is_empty()) else {
        return SplitProxy { url: None, username: None, password: None };
    };
    let Ok(mut url) = url::Url::parse(text) else {
        return SplitProxy { url: Some(text.to_owned()), username: None, password: None };
    };
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    let username = Some(decode(url.username())).filter(|u| !u.is_empty());
    let password = url.password().map(decode).filter(|p| !p.is_empty()).map(Sensitive::new);
    // Only fails for URLs that cannot have credentials, which have none to take.
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let mut shown = url.to_string();
    // `Url` adds a path; a proxy address has none.
    if url.path() == "/" && !text.ends_with('/') {
        shown.pop();
    }
    SplitProxy { url: Some(shown), username, password }
}

/// Where a proxy address points (scheme, host, port): the password belongs to that proxy only.
fn proxy_origin(proxy: Option<&str>) -> Option<String> {
    let url = url::Url::parse(proxy?).ok()?;
    Some(url.origin().ascii_serialization())
}

/// The settings to store, and what happens to the saved password, when `next` replaces `stored`
/// with `password` typed in the form (or pasted into the address). The password is asked again
/// whenever the proxy's address or user name changes, so a changed address can never carry the
/// saved password to another host.
pub fn plan_change(
    stored: &SyncSettings,
    mut next: SyncSettings,
    password: Option<Sensitive<String>>,
) -> Result<(SyncSettings, PasswordChange), String> {
    let split = split_credentials(next.proxy.as_deref());
    next.proxy = split.url;
    let username = split.username.or(next.proxy_username.take()).map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
    let password = split.password.or(password.filter(|p| !p.expose().is_empty()));
    next.proxy_username = username;
    if next.proxy.is_none() {
        next.proxy_username = None;
    }
    let is_socks = next.proxy.as_deref().is_some_and(|p| p.starts_with("socks"));
    if is_socks && (next.proxy_username.is_some() || password.is_some()) {
        return Err(
            "Chromium cannot sign in to a SOCKS proxy (it has no SOCKS authentication); use an HTTP proxy for a proxy that asks for a password, or a SOCKS proxy that needs none"
                .into(),
        );
    }
    let same_proxy = proxy_origin(stored.proxy.as_deref()) == proxy_origin(next.proxy.as_deref())
        && stored.proxy_username == next.proxy_username;
    let change = match (&next.proxy_username, password) {
        (None, Some(_)) => return Err("give the proxy's user name with its password".into()),
        (None, None) => PasswordChange::Forget,
        (Some(_), Some(password)) => PasswordChange::Save(password),
        (Some(_), None) if same_proxy && stored.proxy_password_saved => PasswordChange::Keep,
        (Some(_), None) if stored.proxy_password_saved => {
            return Err("the proxy's address or user name changed: enter its password again".into());
        }
        (Some(_), None) => return Err("enter the proxy's password".into()),
    };
    (next.proxy_password_saved, next.proxy_password_refused) = match &change {
        PasswordChange::Keep => (true, stored.proxy_password_refused),
        PasswordChange::Save(_) => (true, false),
        PasswordChange::Forget => (false, false),
    };
    next.check()?;
    Ok((next, change))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(proxy: &str, user: &str) -> SyncSettings {
        SyncSettings {
            proxy: Some(proxy.into()),
            proxy_username: Some(user.into()),
            proxy_password_saved: true,
            ..SyncSettings::default()
        }
    }

    #[test]
    fn credentials_pasted_into_the_address_are_taken_out_of_it() {
        let split = split_credentials(Some(" http://fleet%40corp:p%40ss%2Bw@proxy.example:3128 "));
        assert_eq!(split.url.as_deref(), Some("http://proxy.example:3128"));
        assert_eq!(split.username.as_deref(), Some("fleet@corp"));
        assert_eq!(split.password.as_ref().map(|p| p.expose().as_str()), Some("p@ss+w"));
        let plain = split_credentials(Some("http://proxy.example:3128"));
        assert_eq!(
            (plain.url.as_deref(), plain.username, plain.password),
            (Some("http://proxy.example:3128"), None, None)
        );
        assert_eq!(split_credentials(Some("  ")).url, None);
    }

    #[test]
    fn the_saved_password_stays_only_with_the_same_proxy_and_user() {
        let stored = saved("http://proxy.example:3128", "fleet");
        let (kept, change) = plan_change(&stored, saved("http://proxy.example:3128", "fleet"), None).unwrap();
        assert_eq!((change, kept.proxy_password_saved), (PasswordChange::Keep, true));
        for moved in [
            saved("http://evil.example:3128", "fleet"),
            saved("http://proxy.example:8080", "fleet"),
            saved("http://proxy.example:3128", "other"),
        ] {
            let error = plan_change(&stored, moved, None).unwrap_err();
            assert!(error.contains("enter its password again"), "{error}");
        }
        let (moved, change) =
            plan_change(&stored, saved("http://evil.example:3128", "fleet"), Some("new".into())).unwrap();
        assert_eq!(
            (change, moved.proxy.as_deref()),
            (PasswordChange::Save("new".into()), Some("http://evil.example:3128"))
        );
    }

    #[test]
    fn pasted_credentials_are_saved_as_a_password_and_the_address_is_stored_without_them() {
        let next =
            SyncSettings { proxy: Some("http://fleet:secret@proxy.example:3128".into()), ..SyncSettings::default() };
        let (settings, change) = plan_change(&SyncSettings::default(), next, None).unwrap();
        assert_eq!(settings.proxy.as_deref(), Some("http://proxy.example:3128"));
        assert_eq!(settings.proxy_username.as_deref(), Some("fleet"));
        assert_eq!(change, PasswordChange::Save("secret".into()));
        assert!(!serde_json::to_string(&settings).unwrap().contains("secret"), "nothing secret is stored");
    }

    #[test]
    fn a_new_password_lifts_a_refusal_and_no_proxy_forgets_it() {
        let refused = SyncSettings { proxy_password_refused: true, ..saved("http://proxy.example:3128", "fleet") };
        let (kept, _) = plan_change(&refused, saved("http://proxy.example:3128", "fleet"), None).unwrap();
        assert!(kept.proxy_password_refused, "saving other settings does not lift the refusal");
        let (fresh, _) =
            plan_change(&refused, saved("http://proxy.example:3128", "fleet"), Some("again".into())).unwrap();
        assert!(!fresh.proxy_password_refused);
        let (none, change) = plan_change(&refused, SyncSettings::default(), None).unwrap();
        assert_eq!((change, none.proxy_username, none.proxy_password_saved), (PasswordChange::Forget, None, false));
    }

    #[test]
    fn a_socks_proxy_with_a_password_is_refused_with_why() {
        let next =
            SyncSettings { proxy: Some("socks5://fleet:secret@proxy.example:1080".into()), ..SyncSettings::default() };
        assert!(plan_change(&SyncSettings::default(), next, None).unwrap_err().contains("SOCKS authentication"));
        let open = SyncSettings { proxy: Some("socks5://proxy.example:1080".into()), ..SyncSettings::default() };
        assert!(plan_change(&SyncSettings::default(), open, None).is_ok());
    }

    #[test]
    fn a_user_name_needs_a_password_the_first_time() {
        let next = saved("http://proxy.example:3128", "fleet");
        assert!(plan_change(&SyncSettings::default(), next, None).unwrap_err().contains("enter the proxy's password"));
    }
}
