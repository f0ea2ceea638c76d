import { useQueryClient } from '@tanstack/react-query';
import { PointBackfiller, applyJobLiveEvent, backfillJob } from './applyLiveEvent';
import { type SocketState, useLiveSocket } from './useLiveSocket';

/**
 * Keeps a teacher job's query cache (the job and its loss curve) live from `/ws/jobs/{id}/`, the
 * socket of a job that belongs to no graph; it backfills from the API on every (re)connect and
 * whenever a `seq` is skipped, as the graph's socket does.
 *
 * @param jobId the job, or null for none
 * @returns the connection state
 */
export function useJobSocket(jobId: number | null): SocketState {
  const client = useQueryClient();
  return useLiveSocket(jobId === null ? null : `/ws/jobs/${jobId}/`, () => {
    const backfiller = new PointBackfiller(client);
    return {
      backfill: () => void backfillJob(client, jobId!, backfiller),
      apply: (event) => applyJobLiveEvent(client, event, backfiller),
    };
  });
}
