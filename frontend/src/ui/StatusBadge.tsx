import type { JobStatus } from '../api/types';
import { STATUS_LABEL } from '../lib/format';

/** A coloured pill for a job's state; colour is never the only cue (the word is shown). */
export function StatusBadge({ status, reused = false }: { status: JobStatus | null; reused?: boolean }) {
  const key = status ?? 'none';
  return (
    <span className={`badge badge--${key}`} data-status={key}>
      <span className="badge__dot" aria-hidden="true" />
      {status ? STATUS_LABEL[status] : 'No job'}
      {reused && status === 'succeeded' ? ' (reused)' : ''}
    </span>
  );
}
