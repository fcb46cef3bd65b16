//! The portals a person can add an account for, in the order they are offered, with the words the
//! window, the CLI and the first-run text all use. One place, so they never disagree.

use serde::Serialize;
use ts_rs::TS;

use crate::store::PortalKind;

/// One choice in "Add an account".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PortalChoice {
    pub kind: PortalKind,
    pub label: String,
    /// What the person signs in with and where, in a few words.
    pub hint: String,
    pub default_url: String,
    /// What the portal calls the sign-in name.
    pub username_label: String,
    /// For an API: where the person signs in to authorize TruckIQ (the authorization server).
    pub sign_in_url: Option<String>,
}

impl PortalKind {
    /// What the portal is called everywhere TruckIQ names it.
    pub fn label(self) -> &'static str {
        match self {
            PortalKind::PaccarSolutions => "PACCAR Solutions (paccarsolutions.com)",
            PortalKind::TruckTech => "TruckTech+ pages (integration spec v1 layout)",
            PortalKind::DecisivSrm => "Decisiv SRM pages (integration spec v2 layout)",
            PortalKind::DecisivApi => "Decisiv SRM Gateway API",
        }
    }

    /// Names older TruckIQ versions used, still accepted by the CLI and as profile file names.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            PortalKind::TruckTech => &["paccar"],
            PortalKind::DecisivSrm => &["decisiv"],
            PortalKind::PaccarSolutions | PortalKind::DecisivApi => &[],
        }
    }

    /// A kind by its name or one of its old names.
    pub fn from_name(text: &str) -> Result<Self, String> {
        let text = text.trim().to_lowercase().replace('-', "_");
        PortalKind::ALL.iter().copied().find(|k| k.as_str() == text || k.aliases().contains(&text.as_str())).ok_or_else(
            || {
                let names: Vec<&str> = choices().iter().map(|c| c.kind.as_str()).collect();
                format!("unknown portal {text:?}; choose one of {}", names.join(", "))
            },
        )
    }
}

/// What can be added, best first.
pub fn choices() -> Vec<PortalChoice> {
    let choice = |kind: PortalKind, hint: &str, default_url: &str, username_label: &str| PortalChoice {
        kind,
        label: kind.label().to_owned(),
        hint: hint.to_owned(),
        default_url: default_url.to_owned(),
        username_label: username_label.to_owned(),
        sign_in_url: None,
    };
    vec![
        choice(
            PortalKind::PaccarSolutions,
            "Remote diagnostics for Kenworth, Peterbilt and DAF: the e-mail and password you use on paccarsolutions.com",
            "https://www.paccarsolutions.com",
            "E-mail",
        ),
        choice(
            PortalKind::TruckTech,
            "Server-rendered TruckTech+ pages with source addresses and derates (e-mail sign-in)",
            "https://www.paccarsolutions.com",
            "E-mail",
        ),
        choice(
            PortalKind::DecisivSrm,
            "Decisiv SRM service portal pages (user ID sign-in)",
            "https://paccar.decisiv.net",
            "User ID",
        ),
        PortalChoice {
            sign_in_url: Some(crate::decisiv_api::DECISIV_LOGIN_URL.to_owned()),
            ..choice(
                PortalKind::DecisivApi,
                "Decisiv's published API, where your dealer registered TruckIQ: you sign in on Decisiv's own page, \
                 and TruckIQ never sees your password",
                crate::decisiv_api::DECISIV_API_URL,
                "Client id",
            )
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paccar_solutions_comes_first_and_old_names_still_work() {
        assert_eq!(choices()[0].kind, PortalKind::PaccarSolutions);
        assert_eq!(PortalKind::from_name("paccar"), Ok(PortalKind::TruckTech));
        assert_eq!(PortalKind::from_name("decisiv"), Ok(PortalKind::DecisivSrm));
        assert_eq!(PortalKind::from_name("paccar-solutions"), Ok(PortalKind::PaccarSolutions));
        assert_eq!(PortalKind::from_name("trucktech"), Ok(PortalKind::TruckTech));
        let unknown = PortalKind::from_name("peterbilt").unwrap_err();
        assert!(unknown.contains("paccar_solutions, trucktech, decisiv_srm, decisiv_api"), "{unknown}");
    }
}
