import type { JobOutcome } from '../api/types';

const STOPPED: Record<NonNullable<JobOutcome['stopped']>, string> = {
  exact: 'solved exactly (least squares)',
  converged: 'stopped when the loss stopped falling',
  steps: 'ran all its steps',
  'time-cap': 'stopped at its time cap',
};

/** One sentence on how a finished graft learned: auto's choice and reason, and why it stopped. */
export function describeOutcome(outcome: JobOutcome): string {
  const chosen = outcome.choice ? `Auto chose ${outcome.choice}.` : `Learned by ${outcome.method}.`;
  if (!outcome.stopped) return chosen;
  const steps =
    outcome.steps_run !== undefined && outcome.stopped !== 'exact' ? ` after ${outcome.steps_run} steps` : '';
  return `${chosen} It ${STOPPED[outcome.stopped]}${steps}.`;
}
