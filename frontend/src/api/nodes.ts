import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { Graph, GraphNode } from './types';

/** POST /api/graphs/{id}/nodes/ — adds the node to the cached graph on success. */
export function useCreateNode(graphId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { module: number; x: number; y: number }) =>
      api<GraphNode>(`/api/graphs/${graphId}/nodes/`, { method: 'POST', json: body }),
    onSuccess: (node) =>
      client.setQueryData<Graph>(keys.graph(graphId), (graph) =>
        graph ? { ...graph, nodes: [...graph.nodes.filter((n) => n.id !== node.id), node] } : graph,
      ),
  });
}

/** PATCH /api/graphs/{id}/nodes/{node_id}/ — the position is written to the cache first. */
export function useMoveNode(graphId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, x, y }: { id: number; x: number; y: number }) =>
      api<GraphNode>(`/api/graphs/${graphId}/nodes/${id}/`, { method: 'PATCH', json: { x, y } }),
    onMutate: ({ id, x, y }) =>
      client.setQueryData<Graph>(keys.graph(graphId), (graph) =>
        graph ? { ...graph, nodes: graph.nodes.map((n) => (n.id === id ? { ...n, x, y } : n)) } : graph,
      ),
    onError: () => client.invalidateQueries({ queryKey: keys.graph(graphId) }),
  });
}

/** DELETE /api/graphs/{id}/nodes/{node_id}/ — also drops its edges from the cache. */
export function useDeleteNode(graphId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api<void>(`/api/graphs/${graphId}/nodes/${id}/`, { method: 'DELETE' }),
    onSuccess: (_data, id) => {
      client.setQueryData<Graph>(keys.graph(graphId), (graph) =>
        graph
          ? {
              ...graph,
              nodes: graph.nodes.filter((n) => n.id !== id),
              edges: graph.edges.filter((e) => e.source !== id && e.target !== id),
            }
          : graph,
      );
      return client.invalidateQueries({ queryKey: keys.jobs(graphId) });
    },
  });
}
