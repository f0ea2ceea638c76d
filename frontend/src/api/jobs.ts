import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { mergePoints } from '../lib/progress';
import { api, query } from './client';
import { keys } from './keys';
import type { Graph, Insight, Job, Page, ProgressPoint } from './types';

/** GET /api/jobs/?graph=ID — the job queue panel. */
export function useJobs(graphId: number) {
  return useQuery({
    queryKey: keys.jobs(graphId),
    queryFn: async ({ signal }) => {
      const data = await api<Page<Job> | Job[]>(`/api/jobs/${query({ graph: graphId, page_size: 200 })}`, {
        signal,
      });
      return Array.isArray(data) ? data : data.results;
    },
  });
}

const POINTS_PAGE = 1000;

/**
 * Reads every stored point after `after`, following pages of at most 1000.
 *
 * @param jobId the job
 * @param after the last step already shown, or null for all
 */
export async function fetchPointsAfter(
  jobId: number,
  after: number | null,
  signal?: AbortSignal,
): Promise<ProgressPoint[]> {
  const all: ProgressPoint[] = [];
  let cursor = after;
  for (;;) {
    const page = await api<ProgressPoint[]>(`/api/jobs/${jobId}/points/${query({ after: cursor })}`, {
      signal,
    });
    all.push(...page);
    if (page.length < POINTS_PAGE) return all;
    cursor = page[page.length - 1].step;
  }
}

/**
 * GET /api/jobs/{id}/points/ — the loss curve. Live points from the WebSocket are merged into the
 * same cache entry; the fetch merges with whatever arrived while it ran, so nothing is lost.
 */
export function useJobPoints(jobId: number | null) {
  const client = useQueryClient();
  return useQuery({
    queryKey: keys.jobPoints(jobId ?? -1),
    queryFn: async ({ signal }) => {
      const stored = await fetchPointsAfter(jobId!, null, signal);
      const live = client.getQueryData<ProgressPoint[]>(keys.jobPoints(jobId!)) ?? [];
      return mergePoints(live, stored);
    },
    enabled: jobId !== null,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Appends points to a job's cached curve (WebSocket progress and reconnect backfill). */
export function addJobPoints(client: QueryClient, jobId: number, points: ProgressPoint[]): void {
  client.setQueryData<ProgressPoint[]>(keys.jobPoints(jobId), (old) => mergePoints(old ?? [], points));
}

/** Puts a job returned by cancel/retry on its edge in the cached graph, then refreshes the queue. */
function replaceJobEverywhere(client: QueryClient, job: Job): Promise<void> {
  if (job.graph !== null) {
    client.setQueryData<Graph>(keys.graph(job.graph), (graph) =>
      graph
        ? { ...graph, edges: graph.edges.map((edge) => (edge.id === job.edge ? { ...edge, job } : edge)) }
        : graph,
    );
  }
  return client.invalidateQueries({ queryKey: ['jobs', 'list'] });
}

/** POST /api/jobs/{id}/cancel/ */
export function useCancelJob() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (jobId: number) => api<Job>(`/api/jobs/${jobId}/cancel/`, { method: 'POST' }),
    onSuccess: (job) => replaceJobEverywhere(client, job),
  });
}

/** POST /api/jobs/{id}/retry/ — a new attempt with a new job id. */
export function useRetryJob() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (jobId: number) => api<Job>(`/api/jobs/${jobId}/retry/`, { method: 'POST' }),
    onSuccess: (job) => replaceJobEverywhere(client, job),
  });
}

/** GET /api/jobs/{id}/insight/ — pseudo-gradient maps and PCA points (succeeded jobs). */
export function useJobInsight(jobId: number | null) {
  return useQuery({
    queryKey: keys.insight(jobId ?? -1),
    queryFn: ({ signal }) => api<Insight>(`/api/jobs/${jobId}/insight/`, { signal }),
    enabled: jobId !== null,
    staleTime: Number.POSITIVE_INFINITY,
  });
}
