import { Select } from '@backstage/ui';

const DAY_MS = 86_400_000;

/** The ranges offered, in days; the backend takes at most 365. */
export const RANGE_DAYS = [7, 30, 90, 365] as const;
export type RangeDays = (typeof RANGE_DAYS)[number];
export const DEFAULT_RANGE_DAYS: RangeDays = 30;

/** The start of a range of `days` ending at `now`, as the metrics routes take it. */
export function rangeStart(days: RangeDays, now: number): string {
  return new Date(now - days * DAY_MS).toISOString();
}

/** Picks how many days back the metrics of a section reach. */
export function RangeSelect(props: {
  label: string;
  value: RangeDays;
  onChange: (days: RangeDays) => void;
}) {
  return (
    <div style={{ width: 180 }}>
      <Select
        label={props.label}
        options={RANGE_DAYS.map(days => ({
          id: String(days),
          label: days === 365 ? 'Last year' : `Last ${days} days`,
        }))}
        value={String(props.value)}
        onChange={value => {
          const days = Number(value);
          if ((RANGE_DAYS as readonly number[]).includes(days)) {
            props.onChange(days as RangeDays);
          }
        }}
      />
    </div>
  );
}
