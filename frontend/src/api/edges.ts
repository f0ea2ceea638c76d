import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { EdgeSettings, Graph, GraphEdge, Prediction } from './types';

/** POST /api/graphs/{id}/edges/ — starts the edge's job (or reuses a finished adapter). */
export function useCreateEdge(graphId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { source: number; target: number; settings: EdgeSettings }) =>
      api<GraphEdge>(`/api/graphs/${graphId}/edges/`, { method: 'POST', json: body }),
    onSuccess: (edge) => {
      client.setQueryData<Graph>(keys.graph(graphId), (graph) =>
        graph ? { ...graph, edges: [...graph.edges.filter((e) => e.id !== edge.id), edge] } : graph,
      );
      return client.invalidateQueries({ queryKey: keys.jobs(graphId) });
    },
  });
}

/** DELETE /api/graphs/{id}/edges/{edge_id}/ — cancels a running job. */
export function useDeleteEdge(graphId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api<void>(`/api/graphs/${graphId}/edges/${id}/`, { method: 'DELETE' }),
    onSuccess: (_data, id) => {
      client.setQueryData<Graph>(keys.graph(graphId), (graph) =>
        graph ? { ...graph, edges: graph.edges.filter((e) => e.id !== id) } : graph,
      );
      return client.invalidateQueries({ queryKey: keys.jobs(graphId) });
    },
  });
}

export type PredictInput = { kind: 'pixels'; pixels: number[][] } | { kind: 'image'; file: File };

/** POST /api/graphs/{id}/edges/{edge_id}/predict/ with a drawn grid or an uploaded image. */
export function usePredict(graphId: number, edgeId: number) {
  return useMutation({
    mutationFn: (input: PredictInput) => {
      const path = `/api/graphs/${graphId}/edges/${edgeId}/predict/`;
      if (input.kind === 'pixels')
        return api<Prediction>(path, { method: 'POST', json: { pixels: input.pixels } });
      const form = new FormData();
      form.append('image', input.file);
      return api<Prediction>(path, { method: 'POST', form });
    },
  });
}
