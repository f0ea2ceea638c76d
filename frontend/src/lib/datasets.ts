/** Pure rules about datasets that the edge and teacher dialogs share. */
import type { Dataset } from '../api/types';

/** What the rules read of a dataset; `split_counts` is per positive class ("" for segmentation). */
export type SplitSummary = Pick<Dataset, 'task' | 'classes' | 'split_counts'>;

/** Labelled samples a dataset's training split holds for a category (what an edge may ask for). */
export function trainingSamples(dataset: SplitSummary, category: string | null | undefined): number {
  const key = dataset.task === 'segmentation' ? '' : (category ?? '');
  const split = dataset.split_counts[key];
  return split ? Object.values(split.train).reduce((sum, n) => sum + n, 0) : 0;
}

/** Whether a dataset can serve an edge: the task module's task, and a class named as the category. */
export function servesEdge(
  dataset: SplitSummary,
  category: string | null | undefined,
  task: string | null | undefined,
): boolean {
  if (!task || dataset.task !== task) return false;
  return dataset.task === 'segmentation' || (!!category && dataset.classes.includes(category));
}
