import type { ModuleLite } from '../api/types';

/** One end of a proposed connection: the graph node id and its module. */
export interface Endpoint {
  nodeId: number;
  module: Pick<ModuleLite, 'kind' | 'name' | 'input_shape' | 'output_shape'>;
}

export type ConnectionCheck = { ok: true; source: number; target: number } | { ok: false; reason: string };

/**
 * Decides whether two nodes may be joined by a transplant edge.
 *
 * A category module's output feeds a task module's input when the feature channels match
 * (category `output_shape[0]` equals task `input_shape[0]`). The ends may be given in either
 * order; the result is oriented category -> task.
 *
 * @param from the node the drag started on
 * @param to the node it was dropped on
 * @param existing edges already in the graph, as node id pairs
 * @returns the oriented pair, or a reason a person can act on
 */
export function checkConnection(
  from: Endpoint,
  to: Endpoint,
  existing: readonly { source: number; target: number }[],
): ConnectionCheck {
  if (from.nodeId === to.nodeId) return { ok: false, reason: 'A module cannot be connected to itself.' };
  const kinds = [from.module.kind, to.module.kind];
  if (kinds.includes('adapter')) {
    return {
      ok: false,
      reason: 'Adapters are created by training; connect a category module to a task module instead.',
    };
  }
  if (from.module.kind === to.module.kind) {
    const other = from.module.kind === 'category' ? 'task' : 'category';
    return {
      ok: false,
      reason: `Both "${from.module.name}" and "${to.module.name}" are ${from.module.kind} modules. Drop the connection on a ${other} module: edges join a category module to a task module.`,
    };
  }
  const [category, task] = from.module.kind === 'category' ? [from, to] : [to, from];
  const produced = category.module.output_shape[0];
  const expected = task.module.input_shape[0];
  if (produced !== expected) {
    return {
      ok: false,
      reason: `Feature shapes do not fit: "${category.module.name}" outputs ${produced} channels but "${task.module.name}" expects ${expected}. Pick a task module with ${produced} input channels.`,
    };
  }
  if (existing.some((edge) => edge.source === category.nodeId && edge.target === task.nodeId)) {
    return { ok: false, reason: `"${category.module.name}" is already connected to "${task.module.name}".` };
  }
  return { ok: true, source: category.nodeId, target: task.nodeId };
}
