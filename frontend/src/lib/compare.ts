import type { Compare, Job, LiveEvent, ProgressPoint } from '../api/types';
import { METHODS } from './edgeSettings';
import { applyEventToJob } from './liveCache';
import { smooth } from './progress';

/** A race as the compare view shows it: a server compare group, or runs chosen in the job queue. */
export interface CompareView {
  /** The compare group's id; null for runs chosen by hand. */
  id: number | null;
  graph: number | null;
  methods: string[];
  seeds: number[];
  samples: number | null;
  steps: number | null;
  skipped: Compare['skipped'];
  jobs: Job[];
}

/** One run of the race and its points so far. */
export interface Run {
  job: Job;
  points: readonly ProgressPoint[];
}

export interface Spread {
  mean: number;
  /** Sample standard deviation; 0 for a single value. */
  sd: number;
  min: number;
  max: number;
  n: number;
}

export interface MethodCurve {
  method: string;
  label: string;
  color: string;
  /** Per step of `x`: the mean over the method's runs, null until every run has reached it. */
  mean: (number | null)[];
  /** The lowest and highest run at each step; present when the method has several runs. */
  low: (number | null)[] | null;
  high: (number | null)[] | null;
  runs: number;
}

export interface Curves {
  x: number[];
  methods: MethodCurve[];
}

/** Colours that stay apart on a projector and for the common colour-vision deficiencies (Okabe-Ito). */
const METHOD_COLORS: Record<string, string> = {
  'back-distill': '#0072b2',
  'direct-learn': '#d55e00',
  jacobian: '#009e73',
  auto: '#cc79a7',
  distill: '#e69f00',
};
const SPARE_COLORS = ['#56b4e9', '#000000', '#f0e442'];

/** The colour of a method in every chart, legend and table of the compare view. */
export function methodColor(method: string): string {
  if (method in METHOD_COLORS) return METHOD_COLORS[method];
  let hash = 0;
  for (const char of method) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return SPARE_COLORS[hash % SPARE_COLORS.length];
}

/** The method's readable name ("Back-distillation"), or its id when the editor does not know it. */
export function methodLabel(method: string): string {
  return METHODS.find((known) => known.value === method)?.label ?? method;
}

/**
 * Parses `?jobs=3,4,5`.
 *
 * @returns the distinct positive ids in the order given; empty when the text is not such a list
 */
export function parseJobIds(text: string | null): number[] {
  if (!text || !/^\d+(,\d+)*$/.test(text)) return [];
  return [...new Set(text.split(',').map(Number))].filter((id) => id > 0);
}

/** A compare view of runs chosen by hand: methods and seeds are read off the jobs. */
export function viewOfChosenJobs(jobs: readonly Job[]): CompareView {
  const latest = latestAttempts(jobs);
  return {
    id: null,
    graph: latest.find((job) => job.graph !== null)?.graph ?? null,
    methods: [...new Set(latest.map((job) => job.settings.method as string))],
    seeds: [...new Set(latest.map((job) => job.settings.seed))].sort((a, b) => a - b),
    samples: sameOrNull(latest.map((job) => job.settings.samples)),
    steps: sameOrNull(latest.map((job) => job.settings.steps)),
    skipped: [],
    jobs: latest,
  };
}

function sameOrNull(values: number[]): number | null {
  return values.length > 0 && values.every((value) => value === values[0]) ? values[0] : null;
}

/**
 * Keeps one job per (method, seed, edge): the latest attempt, so a retried run replaces the one
 * it retried. Ordered by method, then seed.
 */
export function latestAttempts(jobs: readonly Job[]): Job[] {
  const latest = new Map<string, Job>();
  for (const job of jobs) {
    const key = `${job.settings.method}|${job.settings.seed}|${job.edge}|${job.settings.samples}|${job.settings.steps}`;
    const kept = latest.get(key);
    if (!kept || job.id > kept.id) latest.set(key, job);
  }
  return [...latest.values()].sort(
    (a, b) =>
      a.settings.method.localeCompare(b.settings.method) || a.settings.seed - b.settings.seed || a.id - b.id,
  );
}

/** Mean, sample standard deviation and range of some numbers; null for none. */
export function spreadOf(values: readonly number[]): Spread | null {
  const finite = values.filter(Number.isFinite);
  const n = finite.length;
  if (n === 0) return null;
  const mean = finite.reduce((sum, value) => sum + value, 0) / n;
  const variance = n > 1 ? finite.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, sd: Math.sqrt(variance), min: Math.min(...finite), max: Math.max(...finite), n };
}

/**
 * Puts several runs' values on one step axis: the sorted union of their steps, and for each run
 * its value at each of those steps (null where it has none).
 *
 * @param series per run, its [step, value] pairs in any order
 */
export function alignSeries(series: readonly (readonly [number, number][])[]): {
  x: number[];
  values: (number | null)[][];
} {
  const x = [...new Set(series.flatMap((pairs) => pairs.map(([step]) => step)))].sort((a, b) => a - b);
  const index = new Map(x.map((step, i) => [step, i]));
  const values = series.map((pairs) => {
    const row: (number | null)[] = new Array(x.length).fill(null);
    for (const [step, value] of pairs) row[index.get(step)!] = value;
    return row;
  });
  return { x, values };
}

/** The loss the race is judged on: the total `loss`, else the first term a run reports. */
export function lossOf(point: ProgressPoint): number | null {
  if ('loss' in point.losses) return point.losses.loss;
  const first = Object.keys(point.losses).sort()[0];
  return first === undefined ? null : point.losses[first];
}

/**
 * Per method, the mean curve over its runs (and their range) on one step axis.
 *
 * @param runs the race's runs with their points
 * @param pick the value a point contributes, or null when it has none (e.g. no evaluation yet)
 * @param smoothing EMA weight applied to each run before averaging (0 for none)
 */
export function methodCurves(
  runs: readonly Run[],
  pick: (point: ProgressPoint) => number | null,
  smoothing = 0,
): Curves {
  const methods = [...new Set(runs.map((run) => run.job.settings.method as string))];
  const perRun = runs.map((run) => {
    const picked = run.points
      .map((point) => [point.step, pick(point)] as const)
      .filter((pair): pair is readonly [number, number] => pair[1] !== null && Number.isFinite(pair[1]));
    const smoothed = smooth(
      picked.map(([, value]) => value),
      smoothing,
    );
    return picked.map(([step], i) => [step, smoothed[i] as number] as [number, number]);
  });
  const { x, values } = alignSeries(perRun);
  const curves = methods.map((method): MethodCurve => {
    const rows = values.filter((_, i) => runs[i].job.settings.method === method);
    const column = (i: number) => rows.map((row) => row[i]);
    const complete = (i: number) => column(i).every((value) => value !== null);
    const stat = (i: number, f: (values: number[]) => number) =>
      complete(i) ? f(column(i) as number[]) : null;
    const several = rows.length > 1;
    return {
      method,
      label: methodLabel(method),
      color: methodColor(method),
      mean: x.map((_, i) => stat(i, (v) => v.reduce((sum, value) => sum + value, 0) / v.length)),
      low: several ? x.map((_, i) => stat(i, (v) => Math.min(...v))) : null,
      high: several ? x.map((_, i) => stat(i, (v) => Math.max(...v))) : null,
      runs: rows.length,
    };
  });
  return { x, methods: curves };
}

/** The metric the accuracy chart and the table lead with (error for classification, IoU for masks). */
export function raceMetric(runs: readonly Run[]): string | null {
  const names = new Set<string>();
  for (const run of runs) {
    for (const name of Object.keys(run.job.final_metrics ?? {})) names.add(name);
    for (const point of run.points) for (const name of Object.keys(point.metrics ?? {})) names.add(name);
  }
  const preferred = ['error', 'accuracy', 'mean_iou', 'pixel_accuracy'];
  return preferred.find((name) => names.has(name)) ?? [...names].sort()[0] ?? null;
}

/** Whether a smaller value of the metric is better (error, loss) or a larger one (accuracy, IoU). */
export function lowerIsBetter(metric: string): boolean {
  return /error|loss/i.test(metric);
}

export interface TableRow {
  method: string;
  label: string;
  color: string;
  runs: number;
  finished: number;
  failed: number;
  metrics: Record<string, Spread | null>;
  /** Wall-clock seconds of the finished runs. */
  seconds: Spread | null;
}

export interface FinalTable {
  metrics: string[];
  rows: TableRow[];
  /** Per metric, the method with the best mean (only once every run has finished). */
  best: Record<string, string | null>;
  done: boolean;
}

const secondsOf = (job: Job): number | null =>
  job.started && job.finished ? (Date.parse(job.finished) - Date.parse(job.started)) / 1000 : null;

/** The final metrics per method: mean and spread over its succeeded runs, and the best of each. */
export function finalTable(jobs: readonly Job[]): FinalTable {
  const methods = [...new Set(jobs.map((job) => job.settings.method as string))];
  const metrics = [...new Set(jobs.flatMap((job) => Object.keys(job.final_metrics ?? {})))].sort(
    (a, b) => rank(a) - rank(b) || a.localeCompare(b),
  );
  const rows = methods.map((method): TableRow => {
    const own = jobs.filter((job) => job.settings.method === method);
    const succeeded = own.filter((job) => job.status === 'succeeded');
    return {
      method,
      label: methodLabel(method),
      color: methodColor(method),
      runs: own.length,
      finished: own.filter(
        (job) => job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled',
      ).length,
      failed: own.filter((job) => job.status === 'failed').length,
      metrics: Object.fromEntries(
        metrics.map((name) => [
          name,
          spreadOf(succeeded.flatMap((job) => (name in job.final_metrics ? [job.final_metrics[name]] : []))),
        ]),
      ),
      seconds: spreadOf(
        succeeded.flatMap((job) =>
          job.reused ? [] : [secondsOf(job)].filter((s): s is number => s !== null),
        ),
      ),
    };
  });
  const done = rows.every((row) => row.finished === row.runs);
  const best = Object.fromEntries(
    metrics.map((name) => {
      if (!done) return [name, null];
      const scored = rows.filter((row) => row.metrics[name] !== null);
      if (scored.length < 2) return [name, null];
      const sign = lowerIsBetter(name) ? 1 : -1;
      const winner = scored.reduce((a, b) =>
        sign * a.metrics[name]!.mean <= sign * b.metrics[name]!.mean ? a : b,
      );
      return [name, winner.method];
    }),
  );
  return { metrics, rows, best, done };
}

function rank(metric: string): number {
  const order = ['error', 'accuracy', 'mean_iou', 'pixel_accuracy'];
  const index = order.indexOf(metric);
  return index < 0 ? order.length : index;
}

/** "21.3% ± 1.2" with several runs, "21.3%" with one; formatting the mean with `format`. */
export function formatSpread(spread: Spread | null, format: (value: number) => string): string {
  if (spread === null) return '—';
  if (spread.n < 2) return format(spread.mean);
  return `${format(spread.mean)} ± ${format(spread.sd).replace('%', '')}`;
}

/** Applies a WebSocket event to a cached compare view (its jobs' status, step and final metrics). */
export function applyEventToCompare(view: CompareView, event: LiveEvent): CompareView {
  let changed = false;
  const jobs = view.jobs.map((job) => {
    const next = applyEventToJob(job, event);
    if (next !== job) changed = true;
    return next;
  });
  return changed ? { ...view, jobs } : view;
}
