import { describe, expect, it } from 'vitest';
import { measuredOn, moduleMetric } from './moduleMetric';

const teacherScores = { error: 4.2, pixel_accuracy: 91.0, mean_iou: 63.5 };

describe('moduleMetric', () => {
  it("shows a category module's teacher error, labelled as the teacher's, never its mean IoU", () => {
    expect(moduleMetric({ kind: 'category', task: null, metrics: teacherScores })).toEqual({
      name: 'error',
      value: 4.2,
      label: 'teacher error',
      source: 'teacher',
    });
  });

  it('shows the task metric of a task module by its task', () => {
    expect(
      moduleMetric({ kind: 'task', task: 'segmentation', metrics: { pixel_accuracy: 91, mean_iou: 63.5 } }),
    ).toMatchObject({
      name: 'mean_iou',
      label: 'mean IoU',
      source: 'own',
    });
    expect(moduleMetric({ kind: 'task', task: 'classification', metrics: { error: 4.2 } })?.name).toBe(
      'error',
    );
  });

  it("shows an adapter's own task metric and nothing when there is none", () => {
    expect(moduleMetric({ kind: 'adapter', task: 'classification', metrics: { error: 12.5 } })).toMatchObject(
      { value: 12.5, source: 'own' },
    );
    expect(moduleMetric({ kind: 'adapter', task: 'classification', metrics: {} })).toBeNull();
    expect(moduleMetric({ kind: 'category', task: null, metrics: { loss: 0.1 } })).toBeNull();
  });

  it('says what the metrics were measured on, per kind', () => {
    expect(measuredOn({ kind: 'category', task: null, category: 'cat', metrics: {} })).toMatch(
      /teacher.*cat's test split/,
    );
    expect(measuredOn({ kind: 'adapter', task: 'classification', category: 'cat', metrics: {} })).toMatch(
      /cat category module → this adapter/,
    );
    expect(
      measuredOn({
        kind: 'task',
        task: 'classification',
        category: null,
        categories: ['cat', 'dog'],
        metrics: {},
      }),
    ).toMatch(/cat, dog/);
  });
});
