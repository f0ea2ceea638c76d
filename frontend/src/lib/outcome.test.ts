import { describe, expect, it } from 'vitest';
import { describeOutcome } from './outcome';

describe('describeOutcome', () => {
  it('says what auto chose and why it stopped', () => {
    expect(
      describeOutcome({
        method: 'direct-learn',
        stopped: 'steps',
        steps_run: 300,
        choice: 'direct-learn from the zero-sample back-distillation solution: best',
      }),
    ).toBe(
      'Auto chose direct-learn from the zero-sample back-distillation solution: best. It ran all its steps after 300 steps.',
    );
  });

  it('names an exact solve without a step count, and a method picked by hand', () => {
    expect(describeOutcome({ method: 'back-distill', stopped: 'exact', steps_run: 1 })).toBe(
      'Learned by back-distill. It solved exactly (least squares).',
    );
    expect(describeOutcome({ method: 'back-distill', stopped: 'converged', steps_run: 420 })).toBe(
      'Learned by back-distill. It stopped when the loss stopped falling after 420 steps.',
    );
  });
});
