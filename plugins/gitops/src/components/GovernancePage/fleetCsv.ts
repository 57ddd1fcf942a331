import type { FleetItem } from '@backstage-gitops/plugin-gitops-common';

export const FLEET_CSV_HEADER = [
  'Entity',
  'Owner',
  'System',
  'Environment',
  'Application',
  'Sync',
  'Health',
  'Drifted fields',
  'Drift since',
  'Pending change requests',
];

/**
 * The rows as CSV (RFC 4180: CRLF line ends, fields with a comma, quote or line break quoted, quotes doubled).
 * `pending` gives each row's open change requests; an unknown count stays empty.
 */
export function fleetCsv(
  rows: FleetItem[],
  pending: (row: FleetItem) => number | undefined,
): string {
  const lines = [
    FLEET_CSV_HEADER,
    ...rows.map(row => [
      row.application.entityRef,
      row.owner ?? '',
      row.system ?? '',
      row.application.environment,
      row.application.name,
      row.sync,
      row.health,
      row.driftCount,
      row.driftSince ?? '',
      pending(row) ?? '',
    ]),
  ];
  return `${lines.map(line => line.map(csvField).join(',')).join('\r\n')}\r\n`;
}

export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  // A spreadsheet runs a cell that starts like a formula; an owner name must not become one.
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
