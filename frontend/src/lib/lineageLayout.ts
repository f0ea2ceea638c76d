import type { Lineage, ModuleLite } from '../api/types';

export interface PlacedModule {
  module: ModuleLite;
  /** Steps from the current module: negative for ancestors, positive for descendants. */
  depth: number;
  x: number;
  y: number;
}

export const LINEAGE_COLUMN = 400; // a 240 px card and room for the role label between columns
export const LINEAGE_ROW = 130;

/**
 * Lays a lineage out left to right: ancestors, the current module, then what was built from it.
 * Each column is centred on the current module's row, so labels never overlap.
 *
 * @returns one position per module reachable from `currentId`; unreachable ones are left out
 */
export function layoutLineage(lineage: Lineage, currentId: number): PlacedModule[] {
  const byId = new Map(lineage.nodes.map((node) => [node.id, node]));
  const depth = new Map<number, number>([[currentId, 0]]);
  // Breadth first over both directions: down an edge is one column right, up one column left.
  let frontier = [currentId];
  while (frontier.length) {
    const next: number[] = [];
    for (const id of frontier) {
      for (const edge of lineage.edges) {
        const hop =
          edge.from === id ? { to: edge.to, step: 1 } : edge.to === id ? { to: edge.from, step: -1 } : null;
        if (!hop || depth.has(hop.to) || !byId.has(hop.to)) continue;
        depth.set(hop.to, depth.get(id)! + hop.step);
        next.push(hop.to);
      }
    }
    frontier = next;
  }
  const columns = new Map<number, number[]>();
  for (const [id, d] of depth) (columns.get(d) ?? columns.set(d, []).get(d)!).push(id);
  const minDepth = Math.min(...columns.keys());
  const placed: PlacedModule[] = [];
  for (const [d, ids] of [...columns].sort((a, b) => a[0] - b[0])) {
    ids.sort((a, b) => a - b);
    ids.forEach((id, index) => {
      placed.push({
        module: byId.get(id)!,
        depth: d,
        x: (d - minDepth) * LINEAGE_COLUMN,
        y: (index - (ids.length - 1) / 2) * LINEAGE_ROW,
      });
    });
  }
  return placed;
}
