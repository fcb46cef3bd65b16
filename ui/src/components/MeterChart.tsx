import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { MeterReading } from '../bindings/MeterReading';
import { formatHours, formatMiles } from '../lib/vehicles';

/** Odometer and engine hours at each sync (uPlot: small, fast, draws on a canvas). */
export function MeterChart({ readings }: { readings: MeterReading[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element || readings.length < 2) return;
    const data: uPlot.AlignedData = [
      readings.map((r) => Date.parse(r.recordedAt) / 1000),
      readings.map((r) => r.odometerMi),
      readings.map((r) => r.engineHours),
    ];
    const styles = getComputedStyle(element);
    const accent = styles.getPropertyValue('--accent').trim() || '#4f5bd5';
    const second = styles.getPropertyValue('--severity-major').trim() || '#e8620c';
    const chart = new uPlot(
      {
        width: element.clientWidth || 600,
        height: 220,
        series: [
          {},
          { label: 'Odometer', stroke: accent, width: 2, scale: 'mi', value: (_u, v) => formatMiles(v) },
          { label: 'Engine hours', stroke: second, width: 2, scale: 'h', value: (_u, v) => formatHours(v) },
        ],
        axes: [{}, { scale: 'mi', label: 'mi' }, { scale: 'h', side: 1, label: 'h', grid: { show: false } }],
      },
      data,
      element,
    );
    return () => chart.destroy();
  }, [readings]);

  if (readings.length < 2) {
    return <p className="muted">The chart starts after the second sync: one reading so far.</p>;
  }
  const first = readings[0];
  const last = readings[readings.length - 1];
  return (
    <figure className="meter-chart">
      <div ref={box} role="img" aria-label="Odometer and engine hours at each sync" />
      <figcaption className="muted">
        {formatMiles(first?.odometerMi ?? null)} → {formatMiles(last?.odometerMi ?? null)} over{' '}
        {readings.length} readings
      </figcaption>
    </figure>
  );
}
