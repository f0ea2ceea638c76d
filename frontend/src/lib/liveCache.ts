import type { Graph, Job, JobStatus, LiveEvent, ProgressPoint } from '../api/types';

const STATUS_BY_EVENT: Record<LiveEvent['type'], JobStatus> = {
  'job.queued': 'queued',
  'job.started': 'running',
  'job.progress': 'running',
  'job.succeeded': 'succeeded',
  'job.failed': 'failed',
  'job.cancelled': 'cancelled',
};

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** The fields of a job that live events change (an edge's job, or a teacher job). */
export type LiveJob = Pick<
  Writable<Job>,
  | 'id'
  | 'status'
  | 'attempt'
  | 'last_step'
  | 'total_steps'
  | 'final_metrics'
  | 'evaluated'
  | 'adapter'
  | 'error'
> & { made_modules?: number[] };

/**
 * Applies one WebSocket event to a job as stored in the query cache.
 *
 * @returns the updated job, or the same object when the event does not change it
 */
export function applyEventToJob<T extends LiveJob>(job: T, event: LiveEvent): T {
  if (job.id !== event.job) return job;
  const status = STATUS_BY_EVENT[event.type];
  // A late progress message must not turn a finished job back into a running one.
  if (event.type === 'job.progress' && isFinished(job.status)) return job;
  const next: T = { ...job, status };
  switch (event.type) {
    case 'job.started':
      next.attempt = event.attempt;
      break;
    case 'job.progress':
      next.last_step = Math.max(job.last_step ?? 0, event.step);
      next.total_steps = event.total_steps ?? job.total_steps;
      break;
    case 'job.succeeded':
      next.final_metrics = event.final_metrics;
      next.evaluated = event.evaluated ?? Object.keys(event.final_metrics).length > 0;
      next.adapter = event.adapter;
      if (event.made_modules) next.made_modules = event.made_modules;
      break;
    case 'job.failed':
      next.error = event.error;
      break;
    default:
      break;
  }
  return next;
}

export function isFinished(status: JobStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

/**
 * Applies a WebSocket event to the graph in the cache: the edge's job changes status.
 *
 * @returns the updated graph; `graph` itself when no edge holds the event's job, so the caller
 *   can tell that it must refetch (for example a retry created a job it has not seen)
 */
export function applyEventToGraph(graph: Graph, event: LiveEvent): Graph {
  let changed = false;
  const edges = graph.edges.map((edge) => {
    if (!edge.job || edge.job.id !== event.job) return edge;
    const job = applyEventToJob(edge.job, event);
    if (job === edge.job) return edge;
    changed = true;
    return { ...edge, job };
  });
  return changed ? { ...graph, edges } : graph;
}

/** True when the graph's edge for this event holds a different (or no) job: refetch the graph. */
export function graphMissesJob(graph: Graph, event: LiveEvent): boolean {
  if (event.edge === null) return false;
  const edge = graph.edges.find((candidate) => candidate.id === event.edge);
  return edge !== undefined && edge.job?.id !== event.job;
}

/** The chart point carried by a progress event. */
export function progressPoint(event: Extract<LiveEvent, { type: 'job.progress' }>): ProgressPoint {
  return { step: event.step, losses: event.losses, metrics: event.metrics };
}
