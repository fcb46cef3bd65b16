//! How urgent a fault is, in four tiers. The portal's own urgency always wins when it gives one
//! (its words are read by the portal profile's `[words.severity]`); otherwise the tier is derived
//! from J1939 facts (FMI, derate, the few SPNs that end engines).
//! Mapping from `shared/docs/domain.md`: critical = stop engine / pull over / derate active;
//! major = seek service / go to a dealer / derate warning; minor = service advised / next service;
//! info = inactive or informational.

use crate::store::sql_text_enum;

sql_text_enum! {
    pub enum Severity {
        Critical => "critical",
        Major => "major",
        Minor => "minor",
        Info => "info",
    }
}

/// SPNs whose most severe readings mean the engine should stop now: oil pressure, coolant
/// temperature, coolant level (SAE J1939-71 parameter names; PACCAR lists them as "Stop Engine").
const ENGINE_PROTECTION_SPNS: &[u32] = &[100, 110, 111];

/// The tier from J1939 facts alone, for when the portal gives no urgency of its own.
pub fn derive_severity(spn: u32, fmi: u8, derate: bool, active: bool) -> Severity {
    if !active {
        return Severity::Info;
    }
    if derate || (ENGINE_PROTECTION_SPNS.contains(&spn) && matches!(fmi, 0 | 1)) {
        return Severity::Critical;
    }
    match fmi {
        // Valid data far out of range, or moderately out of range.
        0 | 1 | 16 | 18 => Severity::Major,
        // Least-severe ranges, electrical faults, erratic or missing data.
        2..=15 | 17 | 19..=21 | 31 => Severity::Minor,
        _ => Severity::Info,
    }
}

/// The tier stored for a fault. A derate the portal reports on an active fault is its "Derate
/// Active" class (critical) whatever the wording next to it; otherwise the tier the portal's
/// wording means (by the profile's words) wins; without wording we know, J1939 facts decide.
pub fn judge_severity(portal_tier: Option<Severity>, spn: u32, fmi: u8, derate: bool, active: bool) -> Severity {
    if derate && active {
        return Severity::Critical;
    }
    portal_tier.unwrap_or_else(|| derive_severity(spn, fmi, derate, active))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derate_on_an_active_fault_is_critical_then_wording_then_facts() {
        assert_eq!(judge_severity(Some(Severity::Major), 3364, 2, true, true), Severity::Critical);
        assert_eq!(judge_severity(Some(Severity::Major), 3364, 2, true, false), Severity::Major);
        assert_eq!(judge_severity(Some(Severity::Minor), 100, 1, false, true), Severity::Minor, "wording wins");
        assert_eq!(judge_severity(None, 100, 1, false, true), Severity::Critical);
        assert_eq!(judge_severity(None, 3226, 4, false, true), Severity::Minor, "unknown wording: J1939 facts");
    }

    #[test]
    fn derived_tiers_follow_j1939() {
        assert_eq!(derive_severity(100, 1, false, true), Severity::Critical, "oil pressure, most severe");
        assert_eq!(derive_severity(3226, 4, true, true), Severity::Critical, "any derate");
        assert_eq!(derive_severity(4364, 18, false, true), Severity::Major);
        assert_eq!(derive_severity(3226, 4, false, true), Severity::Minor);
        assert_eq!(derive_severity(100, 1, false, false), Severity::Info, "inactive");
        assert_eq!(derive_severity(5000, 25, false, true), Severity::Info, "reserved FMI");
    }
}
