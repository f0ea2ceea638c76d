import { describe, expect, it } from 'vitest';
import type { Job, LiveEvent, ProgressPoint } from '../api/types';
import {
  alignSeries,
  applyEventToCompare,
  finalTable,
  formatSpread,
  latestAttempts,
  lossOf,
  methodColor,
  methodCurves,
  parseJobIds,
  raceMetric,
  spreadOf,
  viewOfChosenJobs,
} from './compare';
import { DEFAULT_SETTINGS } from './edgeSettings';

let nextId = 1;
const job = (method: string, seed: number, over: Partial<Job> = {}): Job => ({
  id: nextId++,
  kind: 'graft',
  edge: 3,
  graph: 1,
  status: 'succeeded',
  attempt: 1,
  run_attempt: 1,
  heartbeat: null,
  settings: { ...DEFAULT_SETTINGS, method: method as Job['settings']['method'], seed, samples: 10 },
  reused: false,
  error: '',
  created: '',
  started: '2026-01-01T00:00:00Z',
  finished: '2026-01-01T00:00:10Z',
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
const point = (step: number, loss: number, metrics: Record<string, number> | null = null): ProgressPoint => ({
  step,
  losses: { loss, task: loss / 2 },
  metrics,
});

describe('alignSeries', () => {
  it('puts runs on the union of their steps with nulls where a run has no value', () => {
    const { x, values } = alignSeries([
      [
        [1, 10],
        [3, 30],
      ],
      [
        [2, 200],
        [1, 100],
      ],
    ]);
    expect(x).toEqual([1, 2, 3]);
    expect(values).toEqual([
      [10, null, 30],
      [100, 200, null],
    ]);
  });

  it('gives an empty axis for no points', () => {
    expect(alignSeries([[], []])).toEqual({ x: [], values: [[], []] });
  });
});

describe('spreadOf', () => {
  it('gives the mean, the sample standard deviation and the range', () => {
    const spread = spreadOf([20, 22, 24])!;
    expect(spread.mean).toBeCloseTo(22);
    expect(spread.sd).toBeCloseTo(2);
    expect(spread).toMatchObject({ min: 20, max: 24, n: 3 });
  });

  it('has no spread for one value and nothing for none', () => {
    expect(spreadOf([5])).toEqual({ mean: 5, sd: 0, min: 5, max: 5, n: 1 });
    expect(spreadOf([])).toBeNull();
    expect(spreadOf([Number.NaN])).toBeNull();
  });
});

describe('methodCurves', () => {
  it('averages a method over its seeds only where every seed has reached the step', () => {
    const runs = [
      { job: job('back-distill', 0), points: [point(1, 4), point(2, 2), point(3, 1)] },
      { job: job('back-distill', 1), points: [point(1, 6), point(2, 4)] },
      { job: job('direct-learn', 0), points: [point(1, 9)] },
    ];
    const curves = methodCurves(runs, lossOf);
    expect(curves.x).toEqual([1, 2, 3]);
    const [back, direct] = curves.methods;
    expect(back).toMatchObject({
      method: 'back-distill',
      label: 'Back-distillation',
      runs: 2,
      color: methodColor('back-distill'),
    });
    expect(back.mean).toEqual([5, 3, null]);
    expect(back.low).toEqual([4, 2, null]);
    expect(back.high).toEqual([6, 4, null]);
    expect(direct.mean).toEqual([9, null, null]);
    expect(direct.low).toBeNull();
  });

  it('reads accuracy curves only from evaluated points', () => {
    const runs = [
      {
        job: job('jacobian', 0),
        points: [point(1, 1), point(10, 1, { error: 30 }), point(20, 1, { error: 20 })],
      },
    ];
    const curves = methodCurves(runs, (p) => p.metrics?.error ?? null);
    expect(curves.x).toEqual([10, 20]);
    expect(curves.methods[0].mean).toEqual([30, 20]);
  });

  it('smooths each run before averaging', () => {
    const runs = [{ job: job('jacobian', 0), points: [point(1, 10), point(2, 0)] }];
    const raw = methodCurves(runs, lossOf, 0).methods[0].mean;
    const smoothed = methodCurves(runs, lossOf, 0.5).methods[0].mean;
    expect(raw).toEqual([10, 0]);
    expect(smoothed[0]).toBeCloseTo(10);
    expect(smoothed[1]!).toBeGreaterThan(0);
  });

  it('gives every method a different colour', () => {
    const colors = ['back-distill', 'direct-learn', 'jacobian', 'auto', 'distill'].map(methodColor);
    expect(new Set(colors).size).toBe(colors.length);
  });
});

describe('finalTable', () => {
  it('gives each method the mean and spread of its final metrics and names the best', () => {
    const jobs = [
      job('back-distill', 0, { final_metrics: { error: 20 } }),
      job('back-distill', 1, { final_metrics: { error: 24 } }),
      job('direct-learn', 0, { final_metrics: { error: 40 } }),
      job('direct-learn', 1, { final_metrics: { error: 44 } }),
    ];
    const table = finalTable(jobs);
    expect(table.metrics).toEqual(['error']);
    expect(table.done).toBe(true);
    expect(table.rows.map((row) => row.method)).toEqual(['back-distill', 'direct-learn']);
    expect(table.rows[0].metrics.error).toMatchObject({ mean: 22, n: 2 });
    expect(table.rows[0].metrics.error!.sd).toBeCloseTo(Math.SQRT2 * 2);
    expect(table.rows[0].seconds).toMatchObject({ mean: 10, n: 2 });
    expect(table.best.error).toBe('back-distill'); // lower error wins
  });

  it('prefers the higher value for accuracy-like metrics and names no best while runs are going', () => {
    const finished = [
      job('back-distill', 0, { final_metrics: { mean_iou: 50 } }),
      job('jacobian', 0, { final_metrics: { mean_iou: 70 } }),
    ];
    expect(finalTable(finished).best.mean_iou).toBe('jacobian');
    const running = [...finished, job('direct-learn', 0, { status: 'running', finished: null })];
    const table = finalTable(running);
    expect(table.done).toBe(false);
    expect(table.best.mean_iou).toBeNull();
    expect(table.rows[2]).toMatchObject({ runs: 1, finished: 0, metrics: { mean_iou: null } });
  });

  it('leaves failed runs out of the means and counts them', () => {
    const table = finalTable([
      job('jacobian', 0, { final_metrics: { error: 30 } }),
      job('jacobian', 1, { status: 'failed', error: 'boom' }),
    ]);
    expect(table.rows[0]).toMatchObject({ runs: 2, finished: 2, failed: 1 });
    expect(table.rows[0].metrics.error).toMatchObject({ mean: 30, n: 1 });
  });
});

describe('formatSpread', () => {
  it('shows ± only with several runs', () => {
    const percent = (v: number) => `${v.toFixed(1)}%`;
    expect(formatSpread(spreadOf([20, 24]), percent)).toBe('22.0% ± 2.8');
    expect(formatSpread(spreadOf([20]), percent)).toBe('20.0%');
    expect(formatSpread(null, percent)).toBe('—');
  });
});

describe('chosen runs', () => {
  it('parses job ids from the address and refuses anything else', () => {
    expect(parseJobIds('3,4,3,5')).toEqual([3, 4, 5]);
    expect(parseJobIds('3;4')).toEqual([]);
    expect(parseJobIds(null)).toEqual([]);
  });

  it('keeps the latest attempt of each run and reads the view off the jobs', () => {
    const first = job('jacobian', 0, { status: 'failed' });
    const retried = job('jacobian', 0, { attempt: 2 });
    const other = job('back-distill', 0);
    expect(latestAttempts([retried, first, other]).map((j) => j.id)).toEqual([other.id, retried.id]);
    const view = viewOfChosenJobs([first, retried, other]);
    expect(view).toMatchObject({
      id: null,
      graph: 1,
      methods: ['back-distill', 'jacobian'],
      seeds: [0],
      samples: 10,
      steps: 300,
    });
  });

  it('finds the metric to lead with', () => {
    expect(
      raceMetric([
        { job: job('jacobian', 0, { final_metrics: { pixel_accuracy: 90, mean_iou: 60 } }), points: [] },
      ]),
    ).toBe('mean_iou');
    expect(raceMetric([{ job: job('jacobian', 0), points: [point(1, 1, { error: 3 })] }])).toBe('error');
    expect(raceMetric([{ job: job('jacobian', 0), points: [] }])).toBeNull();
  });
});

describe('applyEventToCompare', () => {
  it('moves the race’s jobs along and leaves the view alone for other jobs', () => {
    const running = job('jacobian', 0, { status: 'running', final_metrics: {} });
    const view = viewOfChosenJobs([running]);
    const done: LiveEvent = {
      seq: 1,
      type: 'job.succeeded',
      job: running.id,
      edge: null,
      final_metrics: { error: 12 },
      adapter: 4,
    };
    expect(applyEventToCompare(view, done).jobs[0]).toMatchObject({
      status: 'succeeded',
      final_metrics: { error: 12 },
    });
    expect(applyEventToCompare(view, { ...done, job: 99999 })).toBe(view);
  });
});
