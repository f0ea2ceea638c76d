/** A node as the layout sees it. */
export interface LayoutNode {
  id: string;
  width?: number;
  height?: number;
}

export const COLUMN_GAP = 420;
export const ROW_GAP = 140;

/**
 * Layered left-to-right layout: sources in the first column, each node one column right of its
 * deepest parent, rows ordered by the mean row of their parents to keep edges from crossing.
 *
 * @param nodes nodes in a stable order (used to break ties)
 * @param edges directed edges between node ids
 * @returns the top-left position of every node
 */
export function autoLayout(
  nodes: readonly LayoutNode[],
  edges: readonly { source: string; target: string }[],
): Record<string, { x: number; y: number }> {
  const ids = nodes.map((node) => node.id);
  const parents = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const edge of edges) {
    if (parents.has(edge.source) && parents.has(edge.target)) parents.get(edge.target)!.push(edge.source);
  }
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0; // a cycle: break it rather than recurse forever
    visiting.add(id);
    const value = Math.max(-1, ...parents.get(id)!.map(depthOf)) + 1;
    visiting.delete(id);
    depth.set(id, value);
    return value;
  };
  const columns: string[][] = [];
  for (const id of ids) (columns[depthOf(id)] ??= []).push(id);

  const row = new Map<string, number>();
  const positions: Record<string, { x: number; y: number }> = {};
  columns.forEach((column, columnIndex) => {
    const order = ids.indexOf.bind(ids);
    const ranked = [...column].sort((a, b) => {
      const mean = (id: string) => {
        const rows = parents
          .get(id)!
          .map((p) => row.get(p))
          .filter((r): r is number => r !== undefined);
        return rows.length ? rows.reduce((s, r) => s + r, 0) / rows.length : Number.POSITIVE_INFINITY;
      };
      return mean(a) - mean(b) || order(a) - order(b);
    });
    const offset = -((ranked.length - 1) * ROW_GAP) / 2;
    ranked.forEach((id, rowIndex) => {
      row.set(id, rowIndex);
      positions[id] = { x: columnIndex * COLUMN_GAP, y: offset + rowIndex * ROW_GAP };
    });
  });
  return positions;
}
