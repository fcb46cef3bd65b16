//! Failure injection: what can go wrong between a client and a portal, switched on per scenario.

use serde::{Deserialize, Serialize};

/// The active scenario (`PUT /__sim/scenario`). Every field defaults to "behave".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Scenario {
    /// Fixed delay added to every portal page and API response.
    pub latency_ms: u64,
    /// Extra random delay, uniform in 0..=jitter_ms.
    pub jitter_ms: u64,
    /// Only paths containing this text get the failures below (latency applies everywhere);
    /// e.g. "/diagnostics". `None` = every portal/API path.
    pub fail_paths: Option<String>,
    /// Share of matching paths (0.0-1.0) that answer 500. A path that fails keeps failing, like a
    /// broken page, so a retry does not paper over it.
    pub error_rate: f64,
    /// Share of matching paths that never answer.
    pub hang_rate: f64,
    /// Answer 429 once more than `max_requests` arrive within `window_secs`.
    pub rate_limit: Option<RateLimit>,
    /// Invalidate a browser session after this many signed-in page views (mid-run expiry).
    pub expire_session_after_requests: Option<u32>,
    /// Share of table rows rendered with a garbled fault code or VIN.
    pub malformed_rate: f64,
    /// Share of table rows rendered with empty cells.
    pub missing_rate: f64,
    /// Renames classes and moves fields, as a portal redesign would.
    pub layout_drift: bool,
    /// Sends the sign-in page to this absolute URL (302), as a hijacked or misconfigured portal
    /// would: a client must not type credentials into another origin.
    pub login_redirect: Option<String>,
    /// PACCAR Solutions: the gateway renames and moves fields (`chassisInfo.make` becomes
    /// `chassis.make`; `faultHeader.suspectParameterNumber`/`failureModeIdentifier` become
    /// `faultHeader.spn`/`fmi`), as a gateway release might.
    pub json_drift: bool,
    /// PACCAR Solutions: sign-in moves to a hosted page on another origin (Auth0 style), and
    /// `/userLogin` no longer takes passwords.
    pub hosted_login: bool,
    /// PACCAR Solutions: every token's lifetime ends at this gateway data call (counted from when
    /// the scenario is set), as if time ran out in the middle of a run.
    pub expire_tokens_after_calls: Option<u32>,
    /// With `expire_tokens_after_calls`: past the hard expiry too, so only a new sign-in helps.
    pub expire_tokens_hard: bool,
    /// PACCAR Solutions: the next this many gateway data calls answer 401 whatever the token.
    pub unauthorized_storm: u32,
    /// PACCAR Solutions: every gateway data call answers 404 (what the real gateway is seen to do
    /// with a token it does not accept).
    pub gateway_not_found: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateLimit {
    pub max_requests: u32,
    pub window_secs: u64,
    /// Send `Retry-After` (seconds until the window resets) with each 429.
    #[serde(default)]
    pub retry_after: bool,
}

impl Scenario {
    pub fn matches(&self, path: &str) -> bool {
        self.fail_paths.as_deref().is_none_or(|p| path.contains(p))
    }

    pub fn should_fail(&self, seed: u64, path: &str) -> bool {
        self.matches(path) && roll(seed, "error", path) < self.error_rate
    }

    pub fn should_hang(&self, seed: u64, path: &str) -> bool {
        self.matches(path) && roll(seed, "hang", path) < self.hang_rate
    }

    pub fn malformed(&self, seed: u64, row: &str) -> bool {
        roll(seed, "malformed", row) < self.malformed_rate
    }

    pub fn missing(&self, seed: u64, row: &str) -> bool {
        roll(seed, "missing", row) < self.missing_rate
    }
}

/// A stable pseudo-random number in [0, 1) for `kind` + `key`: the same seed and key always give
/// the same answer on every build and platform (FNV-1a, then a SplitMix64 finaliser), so which
/// pages fail is reproducible.
pub fn roll(seed: u64, kind: &str, key: &str) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for byte in kind.bytes().chain([0]).chain(key.bytes()) {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_rate_selects_a_stable_share_of_matching_paths() {
        let scenario = Scenario { error_rate: 0.1, fail_paths: Some("/diagnostics".into()), ..Scenario::default() };
        let paths: Vec<String> = (0..2_000).map(|i| format!("/paccar/vehicles/{i}/diagnostics")).collect();
        let failing = paths.iter().filter(|p| scenario.should_fail(42, p)).count();
        assert!((150..250).contains(&failing), "{failing} of 2000");
        assert!(paths.iter().all(|p| scenario.should_fail(42, p) == scenario.should_fail(42, p)));
        assert!(!scenario.should_fail(42, "/paccar/vehicles"), "other paths are untouched");
    }
}
