import type { ModuleKind } from '../api/types';

/** The metric that measures a task (the engine reports both in percent). */
export const TASK_METRIC: Record<string, string> = { classification: 'error', segmentation: 'mean_iou' };

const METRIC_LABEL: Record<string, string> = {
  error: 'error',
  mean_iou: 'mean IoU',
  pixel_accuracy: 'pixel accuracy',
  accuracy: 'accuracy',
};

export const metricLabel = (name: string) => METRIC_LABEL[name] ?? name.replaceAll('_', ' ');

export interface ModuleMetric {
  name: string;
  value: number;
  /** What the card or node prints, e.g. "error" or "teacher error". */
  label: string;
  /** "own" when the number measures this module's path; "teacher" when it is borrowed. */
  source: 'own' | 'teacher';
}

interface MetricSubject {
  kind: ModuleKind;
  task: string | null;
  metrics: Record<string, number>;
}

/**
 * The one metric a node or card shows for a module, chosen by kind.
 *
 * A task module or adapter shows its task's metric (error for classification, mean IoU for
 * segmentation). A category module has no task of its own: what it carries are its teacher's
 * scores, so it shows the teacher's classification error, labelled as the teacher's.
 *
 * @returns the metric, or null when the module has none that fits
 */
export function moduleMetric(module: MetricSubject): ModuleMetric | null {
  const { metrics } = module;
  if (module.kind === 'category') {
    const name = ['error', 'mean_iou'].find((candidate) => candidate in metrics);
    return name
      ? { name, value: metrics[name], label: `teacher ${metricLabel(name)}`, source: 'teacher' }
      : null;
  }
  const preferred = module.task ? TASK_METRIC[module.task] : undefined;
  const name = preferred && preferred in metrics ? preferred : Object.keys(metrics).sort()[0];
  return name === undefined ? null : { name, value: metrics[name], label: metricLabel(name), source: 'own' };
}

interface MeasuredSubject extends MetricSubject {
  category: string | null;
  categories?: string[];
}

/** A sentence saying what a module's metrics were measured on. */
export function measuredOn(module: MeasuredSubject): string {
  if (module.kind === 'category') {
    return `Its teacher's scores: this category module with the teacher's own task modules, on the ${module.category ?? 'category'}'s test split. The category module alone has no task to score.`;
  }
  if (module.kind === 'adapter') {
    return `The grafted path (${module.category ?? 'category'} category module → this adapter → the ${module.task ?? ''} task module) on the ${module.category ?? 'category'}'s test split.`;
  }
  const categories = module.categories?.length
    ? module.categories.join(', ')
    : (module.category ?? 'its categories');
  return `The ${module.task ?? 'task'} task module behind its teacher's category module, on the test split of ${categories}.`;
}
