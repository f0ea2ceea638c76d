import type { ProgressPoint } from '../api/types';

/**
 * Merges progress points from two sources (the API backfill and live WebSocket events).
 *
 * Points are keyed by step. A later source wins for a step it repeats, so a stored point
 * replaces the coalesced live one. The result is sorted by step with no duplicates.
 *
 * @param existing points already shown, sorted by step
 * @param incoming points to add, in any order
 * @returns a new sorted array; `existing` itself when nothing changed (keeps React renders cheap)
 */
export function mergePoints(
  existing: readonly ProgressPoint[],
  incoming: readonly ProgressPoint[],
): ProgressPoint[] {
  if (incoming.length === 0) return existing as ProgressPoint[];
  const last = existing.at(-1);
  const sortedIncoming = [...incoming].sort((a, b) => a.step - b.step);
  // Fast path: live points arrive in order after everything we have.
  if (!last || sortedIncoming[0].step > last.step) {
    return [...existing, ...dedupeSorted(sortedIncoming)];
  }
  const byStep = new Map<number, ProgressPoint>();
  for (const point of existing) byStep.set(point.step, point);
  for (const point of sortedIncoming) byStep.set(point.step, point);
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

function dedupeSorted(points: ProgressPoint[]): ProgressPoint[] {
  const out: ProgressPoint[] = [];
  for (const point of points) {
    if (out.length && out[out.length - 1].step === point.step) out[out.length - 1] = point;
    else out.push(point);
  }
  return out;
}

/** The last step present, or null when there are no points (the `after` for a backfill). */
export function lastStep(points: readonly ProgressPoint[] | undefined): number | null {
  return points && points.length ? points[points.length - 1].step : null;
}

/**
 * True when a live point at `step` would leave a hole after the points shown. Progress messages
 * are coalesced (several steps per message), so the steps in between must come from the API.
 *
 * @param points the curve so far, sorted by step (steps start at 1)
 * @param step the step of the incoming live point
 */
export function leavesGap(points: readonly ProgressPoint[], step: number): boolean {
  return step > (lastStep(points) ?? 0) + 1;
}

export type SeqVerdict = 'first' | 'next' | 'duplicate' | 'gap';

/**
 * Classifies a WebSocket message's `seq` against the last one applied.
 *
 * `duplicate` messages are dropped; a `gap` means messages were lost and the page must backfill.
 *
 * @param last the last applied seq, or null on a fresh connection
 * @param seq the incoming message's seq
 */
export function classifySeq(last: number | null, seq: number): SeqVerdict {
  if (last === null) return 'first';
  if (seq <= last) return 'duplicate';
  return seq === last + 1 ? 'next' : 'gap';
}

/**
 * Exponential moving average like TensorBoard's smoothing slider.
 *
 * @param values raw series (nulls pass through)
 * @param weight 0 (none) to <1 (heavy); debiased so the start is not pulled towards 0
 */
export function smooth(values: readonly (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return [...values];
  let accumulated = 0;
  let count = 0;
  return values.map((value) => {
    if (value === null || !Number.isFinite(value)) return value;
    accumulated = accumulated * weight + (1 - weight) * value;
    count += 1;
    return accumulated / (1 - weight ** count);
  });
}

/** Names of all loss terms seen in the points, `loss` first. */
export function lossTerms(points: readonly ProgressPoint[]): string[] {
  const names = new Set<string>();
  for (const point of points) for (const name of Object.keys(point.losses)) names.add(name);
  return [...names].sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a.localeCompare(b)));
}

/** Names of all metrics seen in the points. */
export function metricNames(points: readonly ProgressPoint[]): string[] {
  const names = new Set<string>();
  for (const point of points) for (const name of Object.keys(point.metrics ?? {})) names.add(name);
  return [...names].sort();
}
