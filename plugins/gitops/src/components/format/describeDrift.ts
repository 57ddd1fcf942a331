import { formatAge } from './formatAge';

/** "No drift", or "2 fields drifted for 3m" when the start of the drift is known. */
export function describeDrift(
  driftCount: number,
  driftSince: string | undefined,
  now: number,
): string {
  if (driftCount === 0) return 'No drift';
  const fields = `${driftCount} ${
    driftCount === 1 ? 'field' : 'fields'
  } drifted`;
  return driftSince ? `${fields} for ${formatAge(driftSince, now)}` : fields;
}
