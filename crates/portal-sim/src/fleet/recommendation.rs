//! PACCAR Solutions' `RecommendedAction`: what the remote-diagnostics portal tells a fleet to do
//! about a fault, or says about the truck itself (`IN_REPAIR`, `NOT_COMMUNICATING`). The values
//! and their display names are known from public material (`shared/docs/paccar-solutions.md`);
//! which fault gets which value is the simulator's choice.

use serde::Serialize;

use super::catalog::Urgency;
use crate::scenario::roll;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Recommendation {
    StopNow,
    ServiceNow,
    ServiceSoon,
    Informational,
    NoAction,
    InRepair,
    ComingSoon,
    NotCommunicating,
}

impl Recommendation {
    pub const ALL: [Recommendation; 8] = [
        Recommendation::StopNow,
        Recommendation::ServiceNow,
        Recommendation::ServiceSoon,
        Recommendation::Informational,
        Recommendation::NoAction,
        Recommendation::InRepair,
        Recommendation::ComingSoon,
        Recommendation::NotCommunicating,
    ];

    /// The value on the wire, e.g. `STOP_NOW`.
    pub fn code(self) -> &'static str {
        match self {
            Recommendation::StopNow => "STOP_NOW",
            Recommendation::ServiceNow => "SERVICE_NOW",
            Recommendation::ServiceSoon => "SERVICE_SOON",
            Recommendation::Informational => "INFORMATIONAL",
            Recommendation::NoAction => "NO_ACTION",
            Recommendation::InRepair => "IN_REPAIR",
            Recommendation::ComingSoon => "COMING_SOON",
            Recommendation::NotCommunicating => "NOT_COMMUNICATING",
        }
    }

    /// What the portal shows, e.g. "Stop Now".
    pub fn label(self) -> &'static str {
        match self {
            Recommendation::StopNow => "Stop Now",
            Recommendation::ServiceNow => "Service Now",
            Recommendation::ServiceSoon => "Service Soon",
            Recommendation::Informational => "Informational",
            Recommendation::NoAction => "No Action",
            Recommendation::InRepair => "In Repair",
            Recommendation::ComingSoon => "Coming Soon",
            Recommendation::NotCommunicating => "Not Communicating",
        }
    }

    /// How much a fault with this value asks for; the truck's header shows its worst one.
    fn fault_rank(self) -> u8 {
        match self {
            Recommendation::StopNow => 6,
            Recommendation::ServiceNow => 5,
            Recommendation::ServiceSoon => 4,
            Recommendation::ComingSoon => 3,
            Recommendation::Informational => 2,
            Recommendation::NoAction | Recommendation::InRepair | Recommendation::NotCommunicating => 1,
        }
    }

    /// The recommendation a new fault gets: the catalogue's urgency, with a stable share of the
    /// "Service Advised" codes shown as informational, no-action or predictive ("Coming Soon").
    pub fn for_new_fault(seed: u64, fault_id: u64, urgency: Urgency) -> Self {
        match urgency {
            Urgency::StopEngine => Recommendation::StopNow,
            Urgency::SeekService => Recommendation::ServiceNow,
            Urgency::ServiceAdvised => match roll(seed, "recommendation", &fault_id.to_string()) {
                r if r < 0.6 => Recommendation::ServiceSoon,
                r if r < 0.8 => Recommendation::Informational,
                r if r < 0.9 => Recommendation::NoAction,
                _ => Recommendation::ComingSoon,
            },
        }
    }

    /// The truck's value: in repair or silent first (they describe the truck), else its worst
    /// active fault, else NO_ACTION.
    pub fn for_truck(in_repair: bool, communicating: bool, active: impl IntoIterator<Item = Self>) -> Self {
        if in_repair {
            return Recommendation::InRepair;
        }
        if !communicating {
            return Recommendation::NotCommunicating;
        }
        active.into_iter().max_by_key(|r| r.fault_rank()).unwrap_or(Recommendation::NoAction)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_truck_shows_its_status_before_its_worst_fault() {
        use Recommendation::*;
        assert_eq!(Recommendation::for_truck(false, true, [ServiceSoon, StopNow, Informational]), StopNow);
        assert_eq!(Recommendation::for_truck(false, true, []), NoAction);
        assert_eq!(Recommendation::for_truck(true, true, [StopNow]), InRepair);
        assert_eq!(Recommendation::for_truck(false, false, [StopNow]), NotCommunicating);
        assert_eq!(Recommendation::for_truck(false, true, [NoAction, ComingSoon]), ComingSoon);
    }

    #[test]
    fn advised_codes_spread_over_the_lesser_values() {
        let seen: std::collections::HashSet<_> =
            (0..400).map(|id| Recommendation::for_new_fault(1, id, Urgency::ServiceAdvised)).collect();
        for value in [
            Recommendation::ServiceSoon,
            Recommendation::Informational,
            Recommendation::NoAction,
            Recommendation::ComingSoon,
        ] {
            assert!(seen.contains(&value), "{value:?}");
        }
        assert_eq!(Recommendation::for_new_fault(1, 5, Urgency::StopEngine), Recommendation::StopNow);
    }
}
