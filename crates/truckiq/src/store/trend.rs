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
        let moments_json = serde_json::to_string(&texts).unwrap_or_else(|_| "[]".to_owned());
        let mut points: Vec<TrendPoint> =
            moments.iter().map(|&at| TrendPoint { at, critical: 0, major: 0, minor: 0 }).collect();
        let mut stmt = self.conn.prepare_cached(
            "SELECT CAST(m.key AS INTEGER), f.severity, count(*)
               FROM json_each(?1) m
               JOIN faults f ON f.first_seen_at <= m.value
                            AND (f.cleared_at IS NOT NULL AND f.cleared_at > m.value
                                 OR f.cleared_at IS NULL AND f.active = 1)
              WHERE f.severity IN ('critical', 'major', 'minor')
              GROUP BY m.key, f.severity",
        )?;
        let rows = stmt.query_map(params![moments_json], |r| {
            Ok((r.get::<_, u32>(0)?, r.get::<_, Severity>(1)?, r.get::<_, u32>(2)?))
        })?;
        for row in rows {
            let (index, severity, count) = row?;
            let Some(point) = usize::try_from(index).ok().and_then(|i| points.get_mut(i)) else { continue };
            match severity {
                Severity::Critical => point.critical = count,
                Severity::Major => point.major = count,
                Severity::Minor => point.minor = count,
                Severity::Info => {}
            }
        }
        Ok(points)
    }
}
