const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A duration in seconds, to two units at most: `45s`, `1m 35s`, `2h 5m`, `3d 4h`; `–` when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '–';
  const total = Math.max(0, Math.round(seconds));
  const units: Array<[number, string]> = [
    [DAY, 'd'],
    [HOUR, 'h'],
    [MINUTE, 'm'],
    [1, 's'],
  ];
  const first = units.findIndex(([size]) => total >= size);
  if (first === -1) return '0s';
  const [size, unit] = units[first];
  const whole = Math.floor(total / size);
  const next = units[first + 1];
  const rest = next ? Math.floor((total - whole * size) / next[0]) : 0;
  return rest > 0 ? `${whole}${unit} ${rest}${next![1]}` : `${whole}${unit}`;
}

/** A share between 0 and 1 as a percentage: `25%`, `3.5%`; `–` when unknown. */
export function formatPercent(share: number | undefined): string {
  if (share === undefined || !Number.isFinite(share)) return '–';
  const percent = share * 100;
  return `${
    percent >= 10 || Number.isInteger(percent)
      ? Math.round(percent)
      : percent.toFixed(1)
  }%`;
}
