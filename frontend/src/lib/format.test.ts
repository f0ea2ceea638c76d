import { describe, expect, it } from 'vitest';
import { formatBytes, formatMetric, keyMetric } from './format';

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
