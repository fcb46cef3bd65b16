import { useState } from 'react';
import type { TrendPoint } from '../bindings/TrendPoint';
import { formatTick } from '../lib/time';

const WIDTH = 720;
const HEIGHT = 190;
const PAD = { left: 40, right: 12, top: 10, bottom: 26 };
const TIERS = ['critical', 'major', 'minor'] as const;
type Tier = (typeof TIERS)[number];

/** A round top for the count axis: 1, 2, 5, 10, 20, 50… at or above the highest count. */
export function niceMax(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].map((m) => m * magnitude).find((m) => m >= value) ?? 10 * magnitude);
}

export interface TrendLayout {
  top: number;
  x: number[];
  /** Per tier, the y of each point. */
  y: Record<Tier, number[]>;
  yTicks: { y: number; value: number }[];
}

/** The points placed in the chart: time along, count up, from zero to a round top. */
export function trendLayout(points: TrendPoint[]): TrendLayout {
  const top = niceMax(Math.max(0, ...points.flatMap((p) => TIERS.map((tier) => p[tier]))));
  const times = points.map((p) => Date.parse(p.at));
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const x = times.map((t) => PAD.left + ((t - t0) / (t1 - t0 || 1)) * (WIDTH - PAD.left - PAD.right));
  const yOf = (value: number) => HEIGHT - PAD.bottom - (value / top) * (HEIGHT - PAD.top - PAD.bottom);
  const y = Object.fromEntries(TIERS.map((tier) => [tier, points.map((p) => yOf(p[tier]))])) as Record<Tier, number[]>;
  return { top, x, y, yTicks: [0, top / 2, top].map((value) => ({ y: yOf(value), value })) };
}

const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

function readout(point: TrendPoint): string {
  return `${day.format(Date.parse(point.at))}: ${point.critical} critical, ${point.major} major, ${point.minor} minor active`;
}

/** Active faults per tier over the last days, from the fault episodes. Plain SVG, like the truck's charts. */
export function FaultTrend({ points }: { points: TrendPoint[] }) {
  const [hovered, setHovered] = useState<number | null>(null);
  if (points.length < 2) return null;
  const layout = trendLayout(points);
  const span = Date.parse(points[points.length - 1]?.at ?? '') - Date.parse(points[0]?.at ?? '');
  const ticks = [0, Math.floor((points.length - 1) / 2), points.length - 1];
  const shown = hovered ?? points.length - 1;
  const point = points[shown];
  return (
    <figure className="fault-trend" aria-label="Active faults per tier, last 30 days">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label="Active faults per tier over the last 30 days"
        onMouseLeave={() => setHovered(null)}
      >
        {layout.yTicks.map((tick) => (
          <g key={tick.value} className="trend-axis">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={tick.y} y2={tick.y} className="trend-grid" />
            <text x={PAD.left - 6} y={tick.y} textAnchor="end" dominantBaseline="middle">
              {Number.isInteger(tick.value) ? tick.value : ''}
            </text>
          </g>
        ))}
        {ticks.map((index, i) => (
          <text
            key={index}
            className="trend-axis"
            x={layout.x[index]}
            y={HEIGHT - 8}
            textAnchor={i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle'}
          >
            {i === ticks.length - 1 ? 'today' : formatTick(Date.parse(points[index]?.at ?? ''), span)}
          </text>
        ))}
        {hovered !== null ? (
          <line className="trend-cursor" x1={layout.x[hovered]} x2={layout.x[hovered]} y1={PAD.top} y2={HEIGHT - PAD.bottom} />
        ) : null}
        {TIERS.map((tier) => (
          <polyline
            key={tier}
            className={`trend-line trend-${tier}`}
            points={layout.x.map((x, i) => `${x.toFixed(1)},${(layout.y[tier][i] ?? 0).toFixed(1)}`).join(' ')}
          />
        ))}
        {/* One band per day takes the pointer, so the readout follows it along the axis. */}
        {layout.x.map((x, i) => {
          const half = (WIDTH - PAD.left - PAD.right) / (points.length - 1) / 2;
          return (
            <rect
              key={x}
              className="trend-hit"
              x={x - half}
              y={PAD.top}
              width={2 * half}
              height={HEIGHT - PAD.top - PAD.bottom}
              onMouseEnter={() => setHovered(i)}
            />
          );
        })}
      </svg>
      <figcaption className="trend-legend">
        <span className="legend-critical">Critical</span>
        <span className="legend-major">Major</span>
        <span className="legend-minor">Minor</span>
        <span className="trend-readout muted" aria-live="polite">
          {point ? readout(point) : null}
        </span>
      </figcaption>
    </figure>
  );
}
