import { describe, expect, it } from 'vitest';
import { classifySeq, lastStep, leavesGap, lossTerms, mergePoints, smooth } from './progress';
import type { ProgressPoint } from '../api/types';

const point = (step: number, loss = step): ProgressPoint => ({ step, losses: { loss }, metrics: null });
const steps = (points: ProgressPoint[]) => points.map((p) => p.step);

describe('mergePoints', () => {
  it('appends live points that come after the last one', () => {
    expect(steps(mergePoints([point(1), point(2)], [point(3)]))).toEqual([1, 2, 3]);
  });

  it('fills a reconnect gap from the backfill without duplicating the overlap', () => {
    const live = [point(1), point(2), point(3), point(9)];
    const backfill = [point(3), point(4), point(5), point(6), point(7), point(8), point(9), point(10)];
    expect(steps(mergePoints(live, backfill))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('lets the stored point replace the live one for the same step', () => {
    const merged = mergePoints([point(5, 0.9)], [point(5, 0.5)]);
    expect(merged).toHaveLength(1);
    expect(merged[0].losses.loss).toBe(0.5);
  });

  it('sorts unordered input and removes duplicates inside it', () => {
    expect(steps(mergePoints([], [point(3), point(1), point(3), point(2)]))).toEqual([1, 2, 3]);
  });

  it('returns the same array when nothing arrives', () => {
    const existing = [point(1)];
    expect(mergePoints(existing, [])).toBe(existing);
  });
});

describe('lastStep', () => {
  it('is null without points so the backfill starts from the beginning', () => {
    expect(lastStep([])).toBeNull();
    expect(lastStep(undefined)).toBeNull();
    expect(lastStep([point(1), point(7)])).toBe(7);
  });
});

describe('classifySeq', () => {
  it('accepts the first message of a connection whatever its seq', () => {
    expect(classifySeq(null, 42)).toBe('first');
  });
  it('accepts the next seq, drops repeats and reports gaps', () => {
    expect(classifySeq(4, 5)).toBe('next');
    expect(classifySeq(4, 4)).toBe('duplicate');
    expect(classifySeq(4, 2)).toBe('duplicate');
    expect(classifySeq(4, 7)).toBe('gap');
  });
});

describe('smooth', () => {
  it('leaves values alone at weight 0', () => {
    expect(smooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
  });
  it('is debiased so a constant series stays constant', () => {
    for (const value of smooth([2, 2, 2, 2], 0.9)) expect(value).toBeCloseTo(2);
  });
  it('passes gaps through', () => {
    expect(smooth([1, null, 3], 0.5)[1]).toBeNull();
  });
});

describe('lossTerms', () => {
  it('lists the total loss first, then the parts', () => {
    const points: ProgressPoint[] = [{ step: 1, losses: { task: 1, loss: 2, distill: 1 }, metrics: null }];
    expect(lossTerms(points)).toEqual(['loss', 'distill', 'task']);
  });
});

describe('leavesGap', () => {
  it('accepts the next step and asks for a backfill when steps were skipped', () => {
    expect(leavesGap([point(1), point(2)], 3)).toBe(false);
    expect(leavesGap([point(1), point(2)], 5)).toBe(true);
    expect(leavesGap([point(1), point(2)], 2)).toBe(false);
  });
  it('treats an empty curve as ending before step 1', () => {
    expect(leavesGap([], 1)).toBe(false);
    expect(leavesGap([], 4)).toBe(true);
  });
});
