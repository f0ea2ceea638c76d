import { useQueryClient } from '@tanstack/react-query';
import { PointBackfiller, applyLiveEvent, backfill } from './applyLiveEvent';
import { type SocketState, useLiveSocket } from './useLiveSocket';

export type { SocketState } from './useLiveSocket';

/**
 * Keeps the graph's query cache live from `/ws/graphs/{id}/`, reconnecting with backoff and
 * backfilling from the API on every (re)connect and whenever a `seq` is skipped.
 *
 * @param graphId the open graph, or null for none
 * @returns the connection state for the status indicator
 */
export function useGraphSocket(graphId: number | null): SocketState {
  const client = useQueryClient();
  return useLiveSocket(graphId === null ? null : `/ws/graphs/${graphId}/`, () => {
    const backfiller = new PointBackfiller(client);
    return {
      backfill: () => void backfill(client, graphId!, backfiller),
      apply: (event) => applyLiveEvent(client, graphId!, event, backfiller),
    };
  });
}
