import type { MeterReading } from '../bindings/MeterReading';
import { formatHours, formatMiles } from '../lib/vehicles';

const WIDTH = 720;
const HEIGHT = 200;
const PAD = { left: 8, right: 8, top: 12, bottom: 12 };

/** Points of one series, scaled into the chart on its own axis (miles and hours differ). */
export function seriesPoints(times: number[], values: (number | null)[]): string {
  const known = values.flatMap((v, i) => (v === null ? [] : [{ t: times[i] ?? 0, v }]));
  if (known.length === 0) return '';
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const [v0, v1] = [Math.min(...known.map((p) => p.v)), Math.max(...known.map((p) => p.v))];
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0 || 1)) * (WIDTH - PAD.left - PAD.right);
  const y = (v: number) => HEIGHT - PAD.bottom - ((v - v0) / (v1 - v0 || 1)) * (HEIGHT - PAD.top - PAD.bottom);
  return known.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
}

/**
 * Odometer and engine hours at each sync, as two lines on their own scales. Plain SVG: a chart
 * library (uPlot) stopped the whole window from rendering in the desktop webview (WebKitGTK).
 */
export function MeterChart({ readings }: { readings: MeterReading[] }) {
  if (readings.length < 2) {
    return <p className="muted">The chart starts after the second sync: one reading so far.</p>;
  }
  const times = readings.map((r) => Date.parse(r.recordedAt));
  const first = readings[0];
  const last = readings[readings.length - 1];
  return (
    <figure className="meter-chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label="Odometer and engine hours at each sync"
        preserveAspectRatio="none"
      >
        <polyline className="meter-line meter-odometer" points={seriesPoints(times, readings.map((r) => r.odometerMi))} />
        <polyline className="meter-line meter-hours" points={seriesPoints(times, readings.map((r) => r.engineHours))} />
      </svg>
      <figcaption className="meter-legend">
        <span className="legend-odometer">
          Odometer {formatMiles(first?.odometerMi ?? null)} → {formatMiles(last?.odometerMi ?? null)}
        </span>
        <span className="legend-hours">
          Engine hours {formatHours(first?.engineHours ?? null)} → {formatHours(last?.engineHours ?? null)}
        </span>
        <span className="muted">{readings.length} readings</span>
      </figcaption>
    </figure>
  );
}
