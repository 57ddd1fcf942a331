import { formatAge } from './formatAge';

/** "3m ago", with the exact local time on hover. */
export function RelativeTime(props: { at?: string; now: number }) {
  const { at, now } = props;
  if (!at) return <>never</>;
  return (
    <time dateTime={at} title={new Date(at).toLocaleString()}>
      {formatAge(at, now)} ago
    </time>
  );
}
