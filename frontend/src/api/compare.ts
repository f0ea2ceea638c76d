import { type QueryClient, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { type CompareView, applyEventToCompare, viewOfChosenJobs } from '../lib/compare';
import { isFinished } from '../lib/liveCache';
import { mergePoints } from '../lib/progress';
import { api, query } from './client';
import { fetchPointsAfter } from './jobs';
import { keys } from './keys';
import type { Compare, CompareRequest, Job, LiveEvent, Page, ProgressPoint } from './types';

/** Every cached compare view lives under this prefix, so live events can find them all. */
const COMPARE_PREFIX = ['jobs', 'compare'] as const;
const compareKey = (id: number) => [...COMPARE_PREFIX, 'group', id] as const;
const chosenKey = (ids: readonly number[]) => [...COMPARE_PREFIX, 'chosen', ids.join(',')] as const;

/** POST /api/jobs/compares/ — starts the race; resolves to the new compare group. */
export function useStartCompare() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: CompareRequest) =>
      api<Compare>('/api/jobs/compares/', { method: 'POST', json: request }),
    onSuccess: (view) => {
      client.setQueryData<CompareView>(compareKey(view.id), view);
      return client.invalidateQueries({ queryKey: ['jobs', 'list'] });
    },
  });
}

/** GET /api/jobs/compares/{id}/ — a race started with "Compare methods". */
export function useCompare(id: number | null) {
  return useQuery({
    queryKey: compareKey(id ?? -1),
    queryFn: ({ signal }) => api<Compare>(`/api/jobs/compares/${id}/`, { signal }),
    enabled: id !== null,
  });
}

/** GET /api/jobs/?ids=… — runs chosen in the job queue, shaped as a compare view. */
export function useChosenRuns(ids: readonly number[]) {
  return useQuery({
    queryKey: chosenKey(ids),
    queryFn: async ({ signal }) => {
      const page = await api<Page<Job> | Job[]>(
        `/api/jobs/${query({ ids: ids.join(','), page_size: 200 })}`,
        { signal },
      );
      return viewOfChosenJobs(Array.isArray(page) ? page : page.results);
    },
    enabled: ids.length > 0,
  });
}

const pointsOf = (results: { data?: ProgressPoint[] }[]) => results.map((result) => result.data);

/**
 * Every run's points, in the same cache entries as the edge panel's curves, so the graph
 * WebSocket's progress messages extend them live. Queued runs are not fetched yet.
 *
 * @returns per job, its points (undefined until loaded); the same array while nothing changed
 */
export function useRunPoints(jobs: readonly Job[]) {
  const client = useQueryClient();
  return useQueries({
    combine: pointsOf,
    queries: jobs.map((job) => ({
      queryKey: keys.jobPoints(job.id),
      queryFn: async ({ signal }: { signal: AbortSignal }) => {
        const stored = await fetchPointsAfter(job.id, null, signal);
        return mergePoints(client.getQueryData<ProgressPoint[]>(keys.jobPoints(job.id)) ?? [], stored);
      },
      enabled: job.status !== 'queued',
      staleTime: Number.POSITIVE_INFINITY,
    })),
  });
}

/**
 * Writes a live event into every cached compare view that holds its job; refetches a view when
 * one of its runs ends, for the start and end times the event does not carry.
 */
export function applyEventToCompares(client: QueryClient, event: LiveEvent): void {
  for (const [key, view] of client.getQueriesData<CompareView>({ queryKey: COMPARE_PREFIX })) {
    if (!view) continue;
    const next = applyEventToCompare(view, event);
    if (next === view) continue;
    client.setQueryData(key, next);
    const job = next.jobs.find((candidate) => candidate.id === event.job);
    if (job && isFinished(job.status)) void client.invalidateQueries({ queryKey: key });
  }
}

/** After a reconnect: read every compare view again. */
export function refetchCompares(client: QueryClient): Promise<void> {
  return client.invalidateQueries({ queryKey: COMPARE_PREFIX });
}
