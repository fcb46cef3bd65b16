//! How many faults were active, tier by tier, at the same time of day over the last days: the
//! Fleet page's trend, read from the fault episodes.

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;

use super::{Result, SqlTime, Store};
use crate::j1939::Severity;

/// Active faults per tier at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrendPoint {
    pub at: DateTime<Utc>,
    pub critical: u32,
    pub major: u32,
    pub minor: u32,
}

/// The most days one trend covers.
pub const MAX_TREND_DAYS: u32 = 90;

impl Store {
    /// Active faults per tier at `now` and at the same time on each of the `days` days before,
    /// oldest first. An episode counts from its first report until it cleared (until now while it
    /// is active); one the portal lists as inactive counts only until it cleared, as it was active
    /// then.
    pub fn fault_trend(&self, days: u32, now: DateTime<Utc>) -> Result<Vec<TrendPoint>> {
        let days = days.min(MAX_TREND_DAYS);
        let moments: Vec<DateTime<Utc>> = (0..=days).rev().map(|k| now - Duration::days(i64::from(k))).collect();
        let texts: Vec<String> = moments.iter().map(|&t| SqlTime::from(t).into_text()).collect();
        let (Some(first), Some(last)) = (texts.first(), texts.last()) else { return Ok(Vec::new()) };
        // One pass over the episodes that overlap the days asked for (a join of every moment with
        // every episode took a second at 100 000 episodes); the counting is `ActiveCounts`.
        let mut counts = ActiveCounts::new(&texts);
        let mut stmt = self.conn.prepare_cached(
            "SELECT severity, first_seen_at, cleared_at
               FROM faults
              WHERE severity IN ('critical', 'major', 'minor')
                AND (cleared_at IS NOT NULL OR active = 1)
                AND first_seen_at <= ?2
                AND (cleared_at IS NULL OR cleared_at > ?1)",
        )?;
        let mut rows = stmt.query(params![first, last])?;
        while let Some(row) = rows.next()? {
            let severity: Severity = row.get(0)?;
            let first_seen: String = row.get(1)?;
            let cleared: Option<String> = row.get(2)?;
            counts.add(severity, &first_seen, cleared.as_deref());
        }
        Ok(counts.into_points(&moments))
    }
}

/// Episodes active at each of a few moments, counted by a sweep: an episode adds one from the
/// first moment at or after its first report to the last one before it cleared. Times are the
/// database's text form, which sorts as time does.
struct ActiveCounts<'a> {
    moments: &'a [String],
    /// Per tier (critical, major, minor), +1 where an episode starts counting and −1 where it stops.
    steps: [Vec<i64>; 3],
}

impl<'a> ActiveCounts<'a> {
    fn new(moments: &'a [String]) -> Self {
        let steps = std::array::from_fn(|_| vec![0; moments.len() + 1]);
        Self { moments, steps }
    }

    /// An episode first reported at `first_seen` and cleared at `cleared` (never, when `None`).
    fn add(&mut self, severity: Severity, first_seen: &str, cleared: Option<&str>) {
        let tier = match severity {
            Severity::Critical => 0,
            Severity::Major => 1,
            Severity::Minor => 2,
            Severity::Info => return,
        };
        let from = self.moments.partition_point(|m| m.as_str() < first_seen);
        let until = cleared.map_or(self.moments.len(), |c| self.moments.partition_point(|m| m.as_str() < c));
        if from < until {
            self.steps[tier][from] += 1;
            self.steps[tier][until] -= 1;
        }
    }

    fn into_points(self, moments: &[DateTime<Utc>]) -> Vec<TrendPoint> {
        let mut running = [0i64; 3];
        moments
            .iter()
            .enumerate()
            .map(|(i, &at)| {
                for (tier, sum) in running.iter_mut().enumerate() {
                    *sum += self.steps[tier][i];
                }
                let count = |tier: usize| u32::try_from(running[tier]).unwrap_or(0);
                TrendPoint { at, critical: count(0), major: count(1), minor: count(2) }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments() -> Vec<String> {
        ["2026-11-01", "2026-11-02", "2026-11-03"].map(String::from).to_vec()
    }

    fn counts(episodes: &[(Severity, &str, Option<&str>)]) -> Vec<(u32, u32, u32)> {
        let texts = moments();
        let mut counts = ActiveCounts::new(&texts);
        for &(severity, first, cleared) in episodes {
            counts.add(severity, first, cleared);
        }
        let at: Vec<DateTime<Utc>> = (0..texts.len()).map(|_| Utc::now()).collect();
        counts.into_points(&at).into_iter().map(|p| (p.critical, p.major, p.minor)).collect()
    }

    #[test]
    fn an_episode_counts_from_its_first_report_until_it_cleared() {
        // Reported exactly at the first moment, cleared exactly at the third: counted at 1 and 2.
        assert_eq!(counts(&[(Severity::Major, "2026-11-01", Some("2026-11-03"))]), [(0, 1, 0), (0, 1, 0), (0, 0, 0)]);
        // Still active: counted from the first moment after its report to the end.
        assert_eq!(counts(&[(Severity::Critical, "2026-11-01 12", None)]), [(0, 0, 0), (1, 0, 0), (1, 0, 0)]);
        // Between two moments: never counted.
        assert_eq!(counts(&[(Severity::Minor, "2026-11-01 01", Some("2026-11-01 02"))]), [(0, 0, 0); 3]);
        // Before every moment, or informational: not counted.
        assert_eq!(
            counts(&[(Severity::Minor, "2026-10-01", Some("2026-10-02")), (Severity::Info, "2026-10-01", None)]),
            [(0, 0, 0); 3]
        );
        assert_eq!(
            counts(&[(Severity::Minor, "2026-10-01", None), (Severity::Minor, "2026-11-02", None)]),
            [(0, 0, 1), (0, 0, 2), (0, 0, 2)]
        );
    }
}
