//! A 0-100 health score per vehicle from its active faults, with the reasons behind it, and the
//! band it falls in. Only active faults count: an inactive code is history, not a risk today.

use serde::Serialize;
use ts_rs::TS;

use super::Severity;
use crate::store::sql_text_enum;

sql_text_enum! {
    /// Where a vehicle's health puts it. Ordered from best to worst.
    pub enum HealthBand {
        Good => "good",
        Attention => "attention",
        Critical => "critical",
    }
}

impl HealthBand {
    fn rank(self) -> u8 {
        match self {
            HealthBand::Good => 0,
            HealthBand::Attention => 1,
            HealthBand::Critical => 2,
        }
    }

    pub fn is_worse_than(self, other: HealthBand) -> bool {
        self.rank() > other.rank()
    }
}

/// An active fault as the score sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActiveFault<'a> {
    pub spn: u32,
    pub fmi: u8,
    pub severity: Severity,
    pub derate: bool,
    pub description: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    pub score: u8,
    pub band: HealthBand,
    /// Why points were taken off, worst first, e.g. "Critical: SPN 100/FMI 1 Engine oil pressure: −60
    /// points of 100".
    pub reasons: Vec<String>,
}

/// Points one active fault takes off. One critical fault alone puts a truck in the critical band;
/// minor faults add up slowly, so a handful of sensor codes reads as "attention", not "critical".
fn penalty(fault: &ActiveFault<'_>) -> u8 {
    let base = match fault.severity {
        Severity::Critical => 60,
        Severity::Major => 25,
        Severity::Minor => 8,
        Severity::Info => 0,
    };
    // An engine already derated costs the owner money by the mile.
    base + if fault.derate { DERATE_POINTS } else { 0 }
}

const DERATE_POINTS: u8 = 10;
const ATTENTION_BELOW: u8 = 80;
const CRITICAL_BELOW: u8 = 50;

/// How the score is made, in one sentence for people, from the same numbers the score uses.
pub fn rule() -> String {
    let points = |severity| penalty(&ActiveFault { spn: 0, fmi: 0, severity, derate: false, description: None });
    format!(
        "Every truck starts at 100 and each active fault takes points off (critical {}, major {}, minor {}, \
         {DERATE_POINTS} more if the engine is derated); any critical fault or a score under {CRITICAL_BELOW} is Critical, \
         any major fault or a score under {ATTENTION_BELOW} is Attention.",
        points(Severity::Critical),
        points(Severity::Major),
        points(Severity::Minor),
    )
}

/// The score and band alone, without the reasons: what a sync stores for every truck.
pub fn assess(active: &[ActiveFault<'_>]) -> (u8, HealthBand) {
    let lost: u32 = active.iter().map(|f| u32::from(penalty(f))).sum();
    let score = u8::try_from(100u32.saturating_sub(lost)).unwrap_or(0);
    let any_critical = active.iter().any(|f| f.severity == Severity::Critical);
    let band = if any_critical || score < CRITICAL_BELOW {
        HealthBand::Critical
    } else if score < ATTENTION_BELOW || active.iter().any(|f| f.severity == Severity::Major) {
        HealthBand::Attention
    } else {
        HealthBand::Good
    };
    (score, band)
}

/// The score, band and the reasons behind them.
pub fn health(active: &[ActiveFault<'_>]) -> Health {
    let (score, band) = assess(active);
    let mut scored: Vec<(u8, &ActiveFault<'_>)> =
        active.iter().map(|f| (penalty(f), f)).filter(|(p, _)| *p > 0).collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.spn.cmp(&b.1.spn)));
    let reasons = scored
        .iter()
        .map(|(points, f)| {
            let tier = match f.severity {
                Severity::Critical => "Critical",
                Severity::Major => "Major",
                Severity::Minor => "Minor",
                Severity::Info => "Info",
            };
            let what = f.description.map_or_else(|| super::reference::describe_fault(f.spn, f.fmi), str::to_owned);
            let derate = if f.derate { ", engine derated" } else { "" };
            format!("{tier}: SPN {}/FMI {} {what}{derate}: \u{2212}{points} points of 100", f.spn, f.fmi)
        })
        .collect();
    Health { score, band, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(spn: u32, severity: Severity, derate: bool) -> ActiveFault<'static> {
        ActiveFault { spn, fmi: 1, severity, derate, description: None }
    }

    #[test]
    fn no_faults_is_full_health() {
        assert_eq!(health(&[]), Health { score: 100, band: HealthBand::Good, reasons: vec![] });
        let info = health(&[fault(97, Severity::Info, false)]);
        assert_eq!((info.score, info.band, info.reasons.len()), (100, HealthBand::Good, 0));
    }

    #[test]
    fn one_critical_fault_is_the_critical_band_with_its_reason() {
        let h = health(&[fault(100, Severity::Critical, true), fault(97, Severity::Minor, false)]);
        assert_eq!((h.score, h.band), (22, HealthBand::Critical));
        assert_eq!(h.reasons.len(), 2);
        assert!(h.reasons[0].starts_with("Critical: SPN 100/FMI 1 Engine oil pressure"), "{}", h.reasons[0]);
        assert!(h.reasons[0].ends_with("engine derated: \u{2212}70 points of 100"), "{}", h.reasons[0]);
    }

    #[test]
    fn majors_and_minors_add_up_to_attention_then_critical() {
        assert_eq!(health(&[fault(3226, Severity::Minor, false)]).band, HealthBand::Good);
        assert_eq!(health(&[fault(3226, Severity::Major, false)]).band, HealthBand::Attention);
        let three_majors: Vec<_> = (0..3).map(|i| fault(3000 + i, Severity::Major, false)).collect();
        assert_eq!(health(&three_majors).band, HealthBand::Critical, "score 25");
        let many: Vec<_> = (0..20).map(|i| fault(3000 + i, Severity::Minor, false)).collect();
        assert_eq!(health(&many).score, 0, "never below zero");
    }

    #[test]
    fn the_rule_names_the_numbers_the_score_uses() {
        let rule = rule();
        assert!(rule.contains("critical 60, major 25, minor 8, 10 more if the engine is derated"), "{rule}");
        assert!(rule.contains("score under 50 is Critical") && rule.contains("score under 80 is Attention"), "{rule}");
    }

    #[test]
    fn bands_are_ordered() {
        assert!(HealthBand::Critical.is_worse_than(HealthBand::Attention));
        assert!(!HealthBand::Good.is_worse_than(HealthBand::Attention));
    }
}
