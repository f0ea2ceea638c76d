import { describe, expect, it } from 'vitest';
import { edgeResult, formatBytes, formatMetric, keyMetric } from './format';

describe('keyMetric', () => {
  it('prefers accuracy-like metrics and falls back to the first name', () => {
    expect(keyMetric({ loss: 0.3, accuracy: 0.91 })).toEqual({ name: 'accuracy', value: 0.91 });
    expect(keyMetric({ error: 50, mean_iou: 41, pixel_accuracy: 82 })).toEqual({
      name: 'mean_iou',
      value: 41,
    });
    expect(keyMetric({ zeta: 1, alpha: 2 })).toEqual({ name: 'alpha', value: 2 });
    expect(keyMetric({})).toBeNull();
  });
});

describe('formatMetric', () => {
  it("shows the engine's percentages with a % sign and others to three figures", () => {
    expect(formatMetric('error', 12.345)).toBe('12.3%');
    expect(formatMetric('mean_iou', 41.0117)).toBe('41.0%');
    expect(formatMetric('loss', 0.012345)).toBe('0.0123');
    expect(formatMetric('error', Number.NaN)).toBe('—');
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
  });
});

describe('edgeResult', () => {
  const job = (over: object) => ({
    status: 'succeeded' as const,
    final_metrics: {},
    evaluated: true,
    ...over,
  });

  it("shows the key metric of a measured edge's job", () => {
    expect(edgeResult(job({ final_metrics: { error: 12.34 } }))).toMatchObject({
      kind: 'metric',
      name: 'error',
      text: 'error 12.3%',
    });
  });

  it('says "not evaluated" when the job succeeded with no test set, rather than nothing', () => {
    expect(edgeResult(job({ evaluated: false }))).toMatchObject({
      kind: 'not-evaluated',
      text: 'not evaluated',
    });
    // A job fetched before the server said `evaluated` still reads empty metrics the same way.
    expect(edgeResult(job({ evaluated: undefined }))).toMatchObject({ kind: 'not-evaluated' });
  });

  it('shows nothing before the job succeeds', () => {
    for (const status of ['queued', 'running', 'failed', 'cancelled'] as const) {
      expect(edgeResult(job({ status, evaluated: null }))).toBeNull();
    }
    expect(edgeResult(null)).toBeNull();
  });
});
