import type { Lineage, ModuleLite } from '../api/types';

export interface TreeNode {
  module: ModuleLite;
  role: string | null;
  children: TreeNode[];
}

/**
 * Builds a forest from lineage edges (parent -> child), roots first; cycles are cut.
 *
 * @returns one tree per module without a parent in the lineage
 */
export function lineageForest(lineage: Lineage): TreeNode[] {
  const byId = new Map(lineage.nodes.map((node) => [node.id, node]));
  const childEdges = new Map<number, { to: number; role: string }[]>();
  const hasParent = new Set<number>();
  for (const edge of lineage.edges) {
    if (!byId.has(edge.from) || !byId.has(edge.to)) continue;
    (childEdges.get(edge.from) ?? childEdges.set(edge.from, []).get(edge.from)!).push({
      to: edge.to,
      role: edge.role,
    });
    hasParent.add(edge.to);
  }
  const build = (id: number, role: string | null, seen: Set<number>): TreeNode => ({
    module: byId.get(id)!,
    role,
    children: seen.has(id)
      ? []
      : (childEdges.get(id) ?? []).map((edge) => build(edge.to, edge.role, new Set([...seen, id]))),
  });
  return lineage.nodes
    .filter((node) => !hasParent.has(node.id))
    .map((node) => build(node.id, null, new Set()));
}
