import type { JobStatus, ProgressPoint } from '../api/types';
import { formatMetric, keyMetric } from './format';

/** The fields of a teacher job the progress line reads (REST, kept live by its socket). */
export interface TeacherJobState {
  status: JobStatus;
  error: string;
  last_step: number | null;
  total_steps: number | null;
  final_metrics: Record<string, number>;
  settings: { epochs: number };
}

export interface TeacherProgress {
  /** 0 to 100. */
  percent: number;
  /** The epoch under way (1-based), or null before the first step. */
  epoch: number | null;
  epochs: number;
  /** The latest step's loss, or null before the first step. */
  loss: number | null;
  /** The latest evaluation on the test split, with the epoch it ended. */
  evaluation: { epoch: number; name: string; value: number } | null;
  /** One line for the dialog, e.g. "Epoch 2 of 3 · loss 0.412 · test error 12.5% after epoch 1". */
  text: string;
}

/**
 * How far a teacher job is, in epochs: its steps are `epochs` epochs of equal length, and each
 * epoch ends with an evaluation on the dataset's test split (the points that carry metrics).
 *
 * @param job the teacher job
 * @param points its loss curve so far, sorted by step
 */
export function teacherProgress(job: TeacherJobState, points: readonly ProgressPoint[]): TeacherProgress {
  const epochs = Math.max(1, job.settings.epochs);
  const total = job.total_steps ?? 0;
  const step = Math.max(job.last_step ?? 0, points.at(-1)?.step ?? 0);
  const perEpoch = total > 0 ? total / epochs : 0;
  const epoch = step > 0 && perEpoch > 0 ? Math.min(epochs, Math.ceil(step / perEpoch)) : null;
  const lastLoss = points.at(-1)?.losses.loss;
  const loss = step > 0 && lastLoss !== undefined ? lastLoss : null;
  const evaluated = [...points].reverse().find((point) => point.metrics && keyMetric(point.metrics));
  const metric = evaluated?.metrics ? keyMetric(evaluated.metrics) : null;
  const evaluation =
    evaluated && metric && perEpoch > 0
      ? { epoch: Math.min(epochs, Math.max(1, Math.round(evaluated.step / perEpoch))), ...metric }
      : null;
  const percent = job.status === 'succeeded' ? 100 : total > 0 ? Math.round((100 * step) / total) : 0;
  return { percent, epoch, epochs, loss, evaluation, text: describe(job, epoch, epochs, loss, evaluation) };
}

function testMetric(name: string, value: number): string {
  return `test ${name.replace(/_/g, ' ')} ${formatMetric(name, value)}`;
}

function describe(
  job: TeacherJobState,
  epoch: number | null,
  epochs: number,
  loss: number | null,
  evaluation: TeacherProgress['evaluation'],
): string {
  switch (job.status) {
    case 'succeeded': {
      // Final metrics are named "<task>.<metric>"; the first task's key metric stands for them.
      const finals = Object.fromEntries(
        Object.entries(job.final_metrics).map(([name, value]) => [name.split('.').pop()!, value]),
      );
      const final = keyMetric(finals);
      const result = final ? testMetric(final.name, final.value) : 'not evaluated';
      return `Done: ${result}. Its modules are in the palette.`;
    }
    case 'failed':
      return `Failed: ${job.error}`;
    case 'cancelled':
      return 'Cancelled.';
    case 'queued':
      return 'Queued: waiting for a worker…';
    default: {
      if (epoch === null) return `Starting: ${epochs} epochs…`;
      const parts = [`Epoch ${epoch} of ${epochs}`];
      if (loss !== null) parts.push(`loss ${formatMetric('loss', loss)}`);
      if (evaluation)
        parts.push(`${testMetric(evaluation.name, evaluation.value)} after epoch ${evaluation.epoch}`);
      return parts.join(' · ');
    }
  }
}
