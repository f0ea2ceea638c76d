import type { Job, JobStatus } from '../api/types';

/** Metrics people look at first, in order of preference (the engine reports percentages). */
const KEY_METRICS = ['accuracy', 'mean_iou', 'miou', 'iou', 'error', 'pixel_accuracy', 'dice', 'f1', 'loss'];

/** The metric a node shows on the canvas, or null when the module has none. */
export function keyMetric(metrics: Record<string, number>): { name: string; value: number } | null {
  const names = Object.keys(metrics);
  if (names.length === 0) return null;
  const name = KEY_METRICS.find((candidate) => candidate in metrics) ?? names.sort()[0];
  return { name, value: metrics[name] };
}

export type EdgeResult =
  | { kind: 'metric'; name: string; value: number; text: string }
  | { kind: 'not-evaluated'; text: string; why: string };

/**
 * What an edge's card shows of its job's result: the key metric on the test set, "not evaluated"
 * when the job succeeded with no test set to measure it on, or nothing before it succeeds.
 *
 * @param job the edge's job, or null
 */
export function edgeResult(
  job: Pick<Job, 'status' | 'final_metrics' | 'evaluated'> | null | undefined,
): EdgeResult | null {
  if (!job || job.status !== 'succeeded') return null;
  const metric = job.evaluated === false ? null : keyMetric(job.final_metrics ?? {});
  if (!metric) {
    return {
      kind: 'not-evaluated',
      text: 'not evaluated',
      why: 'No test set holds this category; draw the edge with a dataset to measure it.',
    };
  }
  return { kind: 'metric', ...metric, text: `${metric.name} ${formatMetric(metric.name, metric.value)}` };
}

const PERCENT_METRIC = /error|acc|iou|dice|f1|precision|recall/i;

/**
 * Formats a metric. The engine reports error, accuracy and IoU in percent (0..100), so those
 * get one decimal and a % sign; anything else is shown to three significant figures.
 */
export function formatMetric(name: string, value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (PERCENT_METRIC.test(name)) return `${value.toFixed(1)}%`;
  if (Math.abs(value) >= 100) return value.toFixed(0);
  return Number(value.toPrecision(3)).toString();
}

export const STATUS_LABEL: Record<JobStatus, string> = {
  queued: 'Queued',
  running: 'Training',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** "1×28×28" */
export const formatShape = (shape: readonly number[]) => shape.join('×');

/** "1.2 MB" */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value >= 10 ? 0 : 1)} ${units[unit]}`;
}
