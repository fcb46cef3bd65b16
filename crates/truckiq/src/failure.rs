//! Why a run failed, as one closed set: stored in `sync_runs.error_kind`, sent to the window (with
//! generated TypeScript), printed by the CLI's JSON, and turned into the error code the UI acts on.
//! The texts are the ones TruckIQ 0.1 already stored, so old runs still read.

use crate::store::sql_text_enum;

sql_text_enum! {
    /// What stopped a sync run (or, for `partial`, what it could not read).
    pub enum FailureReason {
        UnknownAccount => "unknown_account",
        /// The account waits for a person to set its password again.
        Paused => "paused",
        Unsupported => "unsupported",
        /// The portal refused the password (or the account is locked). Never retried.
        LoginRejected => "login_rejected",
        /// A verification code only a person can enter.
        MfaRequired => "mfa_required",
        MfaRejected => "mfa_rejected",
        SessionExpired => "session_expired",
        RateLimited => "rate_limited",
        /// A page no longer matches the portal profile; a screenshot and the HTML are kept.
        PortalChanged => "portal_changed",
        /// The sign-in page was on another origin than the portal's: nothing was typed there.
        CredentialsOriginMismatch => "credentials_origin_mismatch",
        Network => "network",
        /// The proxy refused its saved user name and password. Not tried again until they are
        /// entered again.
        ProxyRefused => "proxy_refused",
        Timeout => "timeout",
        BrowserUnavailable => "browser_unavailable",
        KeychainMissingSecret => "keychain_missing_secret",
        KeychainLocked => "keychain_locked",
        KeychainUnavailable => "keychain_unavailable",
        KeychainError => "keychain_error",
        Database => "database",
        /// A portal profile override could not be read.
        PortalProfile => "portal_profile",
        Cancelled => "cancelled",
        /// The process stopped mid-run (a crash, a kill, a logout); found at the next start.
        Interrupted => "interrupted",
        /// The run finished, but some trucks could not be read and kept their stored data.
        Partial => "partial",
        /// A bug or an unexpected condition, such as a crashed task.
        Internal => "internal",
    }
}
