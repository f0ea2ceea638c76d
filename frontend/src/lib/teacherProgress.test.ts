import { describe, expect, it } from 'vitest';
import type { ProgressPoint } from '../api/types';
import { type TeacherJobState, teacherProgress } from './teacherProgress';

const job = (over: Partial<TeacherJobState> = {}): TeacherJobState => ({
  status: 'running',
  error: '',
  last_step: null,
  total_steps: 30,
  final_metrics: {},
  settings: { epochs: 3 },
  ...over,
});
const point = (step: number, loss: number, metrics: Record<string, number> | null = null): ProgressPoint => ({
  step,
  losses: { loss, classification: loss },
  metrics,
});

describe('teacherProgress', () => {
  it('counts epochs from the steps and shows the latest loss', () => {
    const progress = teacherProgress(job({ last_step: 4 }), [point(1, 0.9), point(4, 0.7)]);
    expect(progress).toMatchObject({ epoch: 1, epochs: 3, loss: 0.7, evaluation: null, percent: 13 });
    expect(progress.text).toBe('Epoch 1 of 3 · loss 0.7');
  });

  it("names the last epoch's test error while the next epoch trains", () => {
    const points = [point(10, 0.5, { error: 20 }), point(12, 0.45, { error: 20 })];
    const progress = teacherProgress(job({ last_step: 12 }), points);
    expect(progress.epoch).toBe(2);
    expect(progress.evaluation).toEqual({ epoch: 1, name: 'error', value: 20 });
    expect(progress.text).toBe('Epoch 2 of 3 · loss 0.45 · test error 20.0% after epoch 1');
  });

  it('trusts the job for the step when the curve lags behind the live job', () => {
    expect(teacherProgress(job({ last_step: 21 }), [point(2, 0.8)]).epoch).toBe(3);
  });

  it('says queued, starting, failed and cancelled in words', () => {
    expect(teacherProgress(job({ status: 'queued', total_steps: null }), []).text).toBe(
      'Queued: waiting for a worker…',
    );
    expect(teacherProgress(job({ total_steps: null }), []).text).toBe('Starting: 3 epochs…');
    expect(teacherProgress(job({ status: 'failed', error: 'no images' }), []).text).toBe('Failed: no images');
    expect(teacherProgress(job({ status: 'cancelled' }), []).text).toBe('Cancelled.');
  });

  it("ends with the test metric of the teacher's task, or says it was not evaluated", () => {
    const done = teacherProgress(
      job({ status: 'succeeded', last_step: 30, final_metrics: { 'classification.error': 12.34 } }),
      [point(30, 0.2, { error: 12.34 })],
    );
    expect(done.percent).toBe(100);
    expect(done.text).toBe('Done: test error 12.3%. Its modules are in the palette.');
    const segmentation = teacherProgress(
      job({
        status: 'succeeded',
        final_metrics: { 'segmentation.mean_iou': 61.5, 'segmentation.pixel_accuracy': 90 },
      }),
      [],
    );
    expect(segmentation.text).toBe('Done: test mean iou 61.5%. Its modules are in the palette.');
    expect(teacherProgress(job({ status: 'succeeded' }), []).text).toBe(
      'Done: not evaluated. Its modules are in the palette.',
    );
  });
});
