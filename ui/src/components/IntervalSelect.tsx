const INTERVALS = [15, 30, 60, 120, 240, 480, 720, 1440];

/** "Sync every …", as both account forms ask it. */
export function IntervalSelect({ value, onChange }: { value: number; onChange: (minutes: number) => void }) {
  return (
    <label>
      <span>Sync every</span>
      <select className="input input-narrow" value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {INTERVALS.map((m) => (
          <option key={m} value={m}>
            {m < 60 ? `${m} min` : `${m / 60} h`}
          </option>
        ))}
      </select>
    </label>
  );
}
