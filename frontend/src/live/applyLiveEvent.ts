import type { QueryClient } from '@tanstack/react-query';
import { applyEventToCompares, refetchCompares } from '../api/compare';
import { addJobPoints, fetchPointsAfter } from '../api/jobs';
import { keys } from '../api/keys';
import type { Graph, Job, LiveEvent, ProgressPoint } from '../api/types';
import {
  type LiveJob,
  applyEventToGraph,
  applyEventToJob,
  graphMissesJob,
  isFinished,
  progressPoint,
} from '../lib/liveCache';
import { lastStep, leavesGap } from '../lib/progress';

/**
 * Fetches the stored points a curve is missing, at most one request per job at a time. A request
 * skipped because one was in flight is made up by the next live message or the job's end.
 */
export class PointBackfiller {
  private readonly inFlight = new Set<number>();

  constructor(private readonly client: QueryClient) {}

  /** Fetches every stored point after the last one the job's curve shows and merges them in. */
  async fill(jobId: number): Promise<void> {
    if (this.inFlight.has(jobId)) return;
    const points = this.client.getQueryData<ProgressPoint[]>(keys.jobPoints(jobId));
    if (points === undefined) return; // no chart has loaded it; its own fetch gets everything
    this.inFlight.add(jobId);
    try {
      addJobPoints(this.client, jobId, await fetchPointsAfter(jobId, lastStep(points)));
    } catch {
      // A deleted job has no points any more; its chart is gone with it.
    } finally {
      this.inFlight.delete(jobId);
    }
  }

  /** Backfills every curve in the cache (after a reconnect or a skipped `seq`). */
  async fillAll(): Promise<void> {
    const curves = this.client.getQueriesData<ProgressPoint[]>({ queryKey: ['jobs', 'points'] });
    await Promise.all(curves.map(([key]) => (key[2] as number) >= 0 && this.fill(key[2] as number)));
  }
}

/**
 * Writes one WebSocket event into the query cache: the edge's job in the graph, the job queue,
 * and the job's loss curve (only if a chart has loaded or is loading it; otherwise the chart's
 * own fetch gets everything when it mounts).
 */
export function applyLiveEvent(
  client: QueryClient,
  graphId: number,
  event: LiveEvent,
  backfiller: PointBackfiller,
): void {
  const graph = client.getQueryData<Graph>(keys.graph(graphId));
  if (graph) {
    if (graphMissesJob(graph, event)) void client.invalidateQueries({ queryKey: keys.graph(graphId) });
    else client.setQueryData<Graph>(keys.graph(graphId), applyEventToGraph(graph, event));
  }
  const jobs = client.getQueryData<Job[]>(keys.jobs(graphId));
  if (jobs) {
    if (jobs.some((job) => job.id === event.job)) {
      client.setQueryData<Job[]>(
        keys.jobs(graphId),
        jobs.map((job) => applyEventToJob(job, event)),
      );
    } else {
      void client.invalidateQueries({ queryKey: keys.jobs(graphId) });
    }
  }
  applyEventToCompares(client, event);
  applyEventToPoints(client, event, backfiller);
}

/**
 * Writes one event into the job's loss curve in the cache, if a chart has loaded or is loading it
 * (otherwise the chart's own fetch gets everything when it mounts).
 */
function applyEventToPoints(client: QueryClient, event: LiveEvent, backfiller: PointBackfiller): void {
  if (
    event.type === 'job.started' &&
    client.getQueryData<ProgressPoint[]>(keys.jobPoints(event.job)) !== undefined
  ) {
    // A worker (re)started the job: a new run attempt starts from step 0, and the server keeps the
    // abandoned attempt's points apart, so the curve starts afresh rather than run backwards.
    client.setQueryData<ProgressPoint[]>(keys.jobPoints(event.job), []);
  }
  if (event.type === 'job.progress') {
    const state = client.getQueryState<ProgressPoint[]>(keys.jobPoints(event.job));
    if (state?.data !== undefined && leavesGap(state.data, event.step)) {
      // Coalesced messages skip steps: fetch the stored ones rather than draw a straight line.
      void backfiller.fill(event.job);
    } else if (state && (state.data !== undefined || state.fetchStatus === 'fetching')) {
      addJobPoints(client, event.job, [progressPoint(event)]);
    }
  } else if (isFinished(STATUS_AFTER[event.type] ?? 'queued')) {
    // The last points may have been written after the last progress message went out.
    void backfiller.fill(event.job);
  }
}

const STATUS_AFTER: Partial<Record<LiveEvent['type'], Job['status']>> = {
  'job.succeeded': 'succeeded',
  'job.failed': 'failed',
  'job.cancelled': 'cancelled',
};

/**
 * Writes one event of a job's own socket (`/ws/jobs/{id}/`, a teacher job) into the query cache: the
 * job itself and its loss curve. When it succeeds, the catalog is refetched: its modules joined it.
 */
export function applyJobLiveEvent(client: QueryClient, event: LiveEvent, backfiller: PointBackfiller): void {
  const job = client.getQueryData<LiveJob>(keys.job(event.job));
  if (job) client.setQueryData<LiveJob>(keys.job(event.job), applyEventToJob(job, event));
  else void client.invalidateQueries({ queryKey: keys.job(event.job) });
  applyEventToPoints(client, event, backfiller);
  if (event.type === 'job.succeeded') void client.invalidateQueries({ queryKey: ['modules'] });
}

/** After a (re)connect or a lost message on a job's own socket: refetch the job and its curve. */
export async function backfillJob(
  client: QueryClient,
  jobId: number,
  backfiller: PointBackfiller,
): Promise<void> {
  await client.invalidateQueries({ queryKey: keys.job(jobId) });
  await backfiller.fill(jobId);
}

/**
 * After a (re)connect or a lost message: refetch the graph and queue, and fetch every loaded
 * curve's points after the last step it shows, so charts have no gaps and no duplicates.
 */
export async function backfill(
  client: QueryClient,
  graphId: number,
  backfiller: PointBackfiller,
): Promise<void> {
  await client.invalidateQueries({ queryKey: keys.graph(graphId) });
  void client.invalidateQueries({ queryKey: keys.jobs(graphId) });
  void refetchCompares(client);
  await backfiller.fillAll();
}
