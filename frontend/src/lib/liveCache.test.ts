import { describe, expect, it } from 'vitest';
import type { Graph, Job, LiveEvent } from '../api/types';
import { DEFAULT_SETTINGS } from './edgeSettings';
import { applyEventToGraph, applyEventToJob, graphMissesJob } from './liveCache';

const job = (over: Partial<Job> = {}): Job => ({
  id: 7,
  kind: 'graft',
  edge: 3,
  graph: 1,
  status: 'queued',
  attempt: 1,
  run_attempt: 1,
  heartbeat: null,
  settings: DEFAULT_SETTINGS,
  reused: false,
  error: '',
  created: '',
  started: null,
  finished: null,
  last_step: null,
  total_steps: null,
  final_metrics: {},
  evaluated: null,
  adapter: null,
  dataset: null,
  made_modules: [],
  compare: null,
  outcome: null,
  ...over,
});
const graph = (j: Job | null): Graph => ({
  id: 1,
  name: 'g',
  owner: 'demo',
  created: '',
  updated: '',
  nodes: [],
  edges: [{ id: 3, source: 1, target: 2, settings: DEFAULT_SETTINGS, job: j, adapter: null }],
});
const progress = (step: number): LiveEvent => ({
  seq: step,
  type: 'job.progress',
  job: 7,
  edge: 3,
  step,
  total_steps: 300,
  losses: { loss: 1 },
  metrics: null,
});

describe('applyEventToJob', () => {
  it('moves a job through its life cycle', () => {
    let j = job();
    j = applyEventToJob(j, { seq: 1, type: 'job.started', job: 7, edge: 3, attempt: 2 });
    expect(j).toMatchObject({ status: 'running', attempt: 2 });
    j = applyEventToJob(j, progress(40));
    expect(j.last_step).toBe(40);
    j = applyEventToJob(j, {
      seq: 3,
      type: 'job.succeeded',
      job: 7,
      edge: 3,
      final_metrics: { accuracy: 0.9 },
      adapter: 12,
    });
    expect(j).toMatchObject({
      status: 'succeeded',
      adapter: 12,
      final_metrics: { accuracy: 0.9 },
      evaluated: true,
    });
  });

  it('ignores a progress message that arrives after the job finished', () => {
    const done = job({ status: 'succeeded' });
    expect(applyEventToJob(done, progress(50))).toBe(done);
  });

  it('keeps last_step from going backwards', () => {
    expect(applyEventToJob(job({ status: 'running', last_step: 80 }), progress(40)).last_step).toBe(80);
  });

  it('learns the total steps from progress, before the job is fetched again', () => {
    expect(applyEventToJob(job({ status: 'running' }), progress(1)).total_steps).toBe(300);
  });

  it("keeps a teacher job's own fields and adds the modules it made", () => {
    const teacher = { ...job({ edge: null, graph: null, status: 'running' }), made_modules: [] as number[] };
    const done = applyEventToJob(teacher, {
      seq: 9,
      type: 'job.succeeded',
      job: 7,
      edge: null,
      final_metrics: { 'classification.error': 12 },
      adapter: null,
      made_modules: [4, 5],
    });
    expect(done).toMatchObject({ status: 'succeeded', made_modules: [4, 5], adapter: null, graph: null });
    const unmeasured = applyEventToJob(job({ status: 'running' }), {
      seq: 2,
      type: 'job.succeeded',
      job: 7,
      edge: 3,
      final_metrics: {},
      evaluated: false,
      adapter: 12,
    });
    expect(unmeasured.evaluated).toBe(false);
  });
});

describe('applyEventToGraph', () => {
  it('updates the edge that holds the job', () => {
    const next = applyEventToGraph(graph(job()), {
      seq: 1,
      type: 'job.failed',
      job: 7,
      edge: 3,
      error: 'boom',
    });
    expect(next.edges[0].job).toMatchObject({ status: 'failed', error: 'boom' });
  });

  it('returns the same graph when no edge holds the job', () => {
    const g = graph(job());
    expect(applyEventToGraph(g, { seq: 1, type: 'job.queued', job: 99, edge: 3 })).toBe(g);
    expect(graphMissesJob(g, { seq: 1, type: 'job.queued', job: 99, edge: 3 })).toBe(true);
    expect(graphMissesJob(g, { seq: 1, type: 'job.queued', job: 7, edge: 3 })).toBe(false);
  });
});
