import { useCallback } from 'react';
import { useGraph } from '../../api/graphs';
import type { Graph, GraphEdge, ModuleLite } from '../../api/types';

export interface EdgeView {
  edge: GraphEdge;
  source: ModuleLite | null;
  target: ModuleLite | null;
}

/**
 * One edge of the open graph with its two modules, read from the graph query (which the
 * WebSocket keeps live). Re-renders only when this edge or its modules change.
 */
export function useEdgeView(graphId: number | null, edgeId: number | null): EdgeView | undefined {
  const select = useCallback(
    (graph: Graph): EdgeView | undefined => {
      const edge = graph.edges.find((candidate) => candidate.id === edgeId);
      if (!edge) return undefined;
      const moduleOf = (nodeId: number) => graph.nodes.find((node) => node.id === nodeId)?.module ?? null;
      return { edge, source: moduleOf(edge.source), target: moduleOf(edge.target) };
    },
    [edgeId],
  );
  return useGraph(edgeId === null ? null : graphId, select).data;
}
