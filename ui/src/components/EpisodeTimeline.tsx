import { useState } from 'react';
import type { FaultEpisode } from '../bindings/FaultEpisode';
import type { Severity } from '../bindings/Severity';
import { formatAbsolute, formatTick } from '../lib/time';
import { SEVERITY } from '../lib/vehicles';

const WIDTH = 720;
const ROW = 22;
const LABEL = 132;
const PAD = { top: 6, right: 12, bottom: 26 };

const RANK: Record<Severity, number> = { critical: 0, major: 1, minor: 2, info: 3 };

export interface TimelineBar {
  episode: FaultEpisode;
  row: number;
  /** Left and right edges, 0–1 along the time axis. */
  from: number;
  to: number;
  /** Still active: the bar runs to now. */
  open: boolean;
}

export interface TimelineLayout {
  rows: { key: string; label: string }[];
  bars: TimelineBar[];
  start: number;
  end: number;
  /** Tick times, first to last. */
  ticks: number[];
}

/**
 * Every episode as a bar from its first report to its clearing (to now while it is active), one
 * row per code, the worst code first. The axis runs from the earliest report to now.
 */
export function timelineLayout(faults: FaultEpisode[], now: number): TimelineLayout {
  const codeOf = (f: FaultEpisode) => `${f.sourceAddress}/${f.spn}/${f.fmi}`;
  const worst = new Map<string, FaultEpisode>();
  for (const f of faults) {
    const seen = worst.get(codeOf(f));
    if (!seen || RANK[f.severity] < RANK[seen.severity]) worst.set(codeOf(f), f);
  }
  const rows = [...worst.entries()]
    .sort(([, a], [, b]) => RANK[a.severity] - RANK[b.severity] || a.spn - b.spn || a.fmi - b.fmi)
    .map(([key, f]) => ({ key, label: `SPN ${f.spn} / FMI ${f.fmi}` }));
  const rowOf = new Map(rows.map((r, i) => [r.key, i]));
  const endOf = (f: FaultEpisode) => {
    const active = f.active && f.clearedAt === null;
    return Math.min(now, active ? now : Date.parse(f.clearedAt ?? f.lastSeenAt));
  };
  const start = Math.min(now - 24 * 3600 * 1000, ...faults.map((f) => Math.min(now, Date.parse(f.firstSeenAt))));
  const span = now - start || 1;
  const at = (t: number) => Math.max(0, Math.min(1, (t - start) / span));
  const bars = faults.map((f) => ({
    episode: f,
    row: rowOf.get(codeOf(f)) ?? 0,
    from: at(Date.parse(f.firstSeenAt)),
    to: at(endOf(f)),
    open: f.active && f.clearedAt === null,
  }));
  const ticks = [0, 1, 2, 3].map((i) => start + (span * i) / 3);
  return { rows, bars, start, end: now, ticks };
}

/** When an episode ran, in words, for the hover readout. */
function describe(bar: TimelineBar): string {
  const f = bar.episode;
  const until = bar.open ? 'now (active)' : `${formatAbsolute(f.clearedAt ?? f.lastSeenAt)} (cleared)`;
  return `SPN ${f.spn} / FMI ${f.fmi} · ${SEVERITY[f.severity].label} · ${f.description}: ${formatAbsolute(f.firstSeenAt)} → ${until}`;
}

/** The truck's fault episodes along time: what was wrong when, at a glance. Plain SVG, as the meter charts. */
export function EpisodeTimeline({ faults, now }: { faults: FaultEpisode[]; now: number }) {
  const [hovered, setHovered] = useState<TimelineBar | null>(null);
  if (faults.length === 0) return <p className="muted">No fault has been reported on this truck.</p>;
  const layout = timelineLayout(faults, now);
  const height = PAD.top + layout.rows.length * ROW + PAD.bottom;
  const plot = WIDTH - LABEL - PAD.right;
  const x = (fraction: number) => LABEL + fraction * plot;
  const span = layout.end - layout.start;
  return (
    <figure className="episode-timeline">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label="Fault episodes over time">
        {layout.ticks.map((t, i) => {
          const tx = x((t - layout.start) / (span || 1));
          return (
            <g key={t} className="timeline-axis">
              <line x1={tx} x2={tx} y1={PAD.top} y2={height - PAD.bottom} className="timeline-grid" />
              <text x={tx} y={height - 8} textAnchor={i === 0 ? 'start' : i === layout.ticks.length - 1 ? 'end' : 'middle'}>
                {i === layout.ticks.length - 1 ? 'now' : formatTick(t, span)}
              </text>
            </g>
          );
        })}
        {layout.rows.map((row, i) => (
          <text key={row.key} className="timeline-label" x={0} y={PAD.top + i * ROW + ROW / 2} dominantBaseline="middle">
            {row.label}
          </text>
        ))}
        {layout.bars.map((bar) => (
          <rect
            key={bar.episode.id}
            className={`timeline-bar timeline-${bar.episode.severity}${bar.open ? ' timeline-open' : ''}`}
            x={x(bar.from)}
            y={PAD.top + bar.row * ROW + 4}
            width={Math.max(3, x(bar.to) - x(bar.from))}
            height={ROW - 8}
            rx={3}
            onMouseEnter={() => setHovered(bar)}
            onMouseLeave={() => setHovered(null)}
          >
            <title>{describe(bar)}</title>
          </rect>
        ))}
      </svg>
      <figcaption className="timeline-readout muted" aria-live="polite">
        {hovered ? describe(hovered) : 'Point at a bar to see when that fault was reported and when it cleared.'}
      </figcaption>
    </figure>
  );
}
