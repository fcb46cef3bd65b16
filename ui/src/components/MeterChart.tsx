import type { MeterReading } from '../bindings/MeterReading';
import { formatAbsolute, formatTick } from '../lib/time';
import { formatHours, formatMiles } from '../lib/vehicles';

const WIDTH = 360;
const HEIGHT = 170;
const PAD = { left: 78, right: 14, top: 12, bottom: 28 };

export interface Plot {
  points: { x: number; y: number; t: number; v: number }[];
  /** Where the value labels go on the left axis: lowest, middle, highest. */
  yTicks: { y: number; v: number }[];
  /** Where the time labels go along the bottom: first, middle, last. */
  xTicks: { x: number; t: number }[];
}

/** One series scaled into its chart, with its axis ticks; readings without a value are skipped. */
export function plot(times: number[], values: (number | null)[]): Plot {
  const known = values.flatMap((v, i) => (v === null ? [] : [{ t: times[i] ?? 0, v }]));
  if (known.length === 0) return { points: [], yTicks: [], xTicks: [] };
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  let [v0, v1] = [Math.min(...known.map((p) => p.v)), Math.max(...known.map((p) => p.v))];
  // A meter that did not move is a flat line in the middle, not a line on the floor.
  if (v0 === v1) [v0, v1] = [v0 - 1, v1 + 1];
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0 || 1)) * (WIDTH - PAD.left - PAD.right);
  const y = (v: number) => HEIGHT - PAD.bottom - ((v - v0) / (v1 - v0)) * (HEIGHT - PAD.top - PAD.bottom);
  const middle = (a: number, b: number) => a + (b - a) / 2;
  return {
    points: known.map((p) => ({ x: x(p.t), y: y(p.v), ...p })),
    yTicks: [v0, middle(v0, v1), v1].map((v) => ({ y: y(v), v })),
    xTicks: (t1 > t0 ? [t0, middle(t0, t1), t1] : [t0]).map((t) => ({ x: x(t), t })),
  };
}

const METERS = [
  { title: 'Odometer', className: 'meter-odometer', value: (r: MeterReading) => r.odometerMi, format: formatMiles },
  { title: 'Engine hours', className: 'meter-hours', value: (r: MeterReading) => r.engineHours, format: formatHours },
];

/**
 * Odometer and engine hours at each sync, as two small charts with their own axes (miles and
 * hours differ by orders of magnitude). Plain SVG: a chart library (uPlot) stopped the whole window
 * from rendering in the desktop webview (WebKitGTK).
 */
export function MeterChart({ readings }: { readings: MeterReading[] }) {
  if (readings.length < 2) {
    return <p className="muted">The charts start after the second sync: one reading so far.</p>;
  }
  const times = readings.map((r) => Date.parse(r.recordedAt));
  return (
    <div className="meter-charts">
      {METERS.map(({ value, ...meter }) => (
        <MeterPanel key={meter.title} {...meter} times={times} values={readings.map(value)} />
      ))}
    </div>
  );
}

function MeterPanel(props: {
  title: string;
  className: string;
  times: number[];
  values: (number | null)[];
  format: (value: number | null) => string;
}) {
  const { title, className, times, values, format } = props;
  const { points, yTicks, xTicks } = plot(times, values);
  const span = Math.max(...times) - Math.min(...times);
  const known = values.filter((v): v is number => v !== null);
  const caption =
    known.length > 0 ? `${format(known[0] ?? null)} → ${format(known[known.length - 1] ?? null)}` : 'not reported';
  return (
    <figure className={`meter-chart ${className}`}>
      <figcaption className="meter-title">
        <span className="meter-name">{title}</span> <span className="muted">{caption}</span>
      </figcaption>
      {points.length === 0 ? (
        <p className="muted">The portal has not reported it for this truck.</p>
      ) : (
        <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${title} at each sync`}>
          {yTicks.map((tick) => (
            <g key={`y${tick.v}`} className="meter-axis">
              <line x1={PAD.left} x2={WIDTH - PAD.right} y1={tick.y} y2={tick.y} className="meter-grid" />
              <text x={PAD.left - 6} y={tick.y} textAnchor="end" dominantBaseline="middle">
                {format(Math.round(tick.v))}
              </text>
            </g>
          ))}
          {xTicks.map((tick, i) => (
            <text
              key={`x${tick.t}`}
              className="meter-axis"
              x={tick.x}
              y={HEIGHT - 8}
              textAnchor={i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle'}
            >
              {formatTick(tick.t, span)}
            </text>
          ))}
          <polyline className="meter-line" points={points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')} />
          {points.map((p) => (
            <circle key={p.t} className="meter-point" cx={p.x} cy={p.y} r={3}>
              <title>{`${format(p.v)} · ${formatAbsolute(new Date(p.t).toISOString())}`}</title>
            </circle>
          ))}
        </svg>
      )}
    </figure>
  );
}
