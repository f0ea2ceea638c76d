import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { Graph, GraphDocument, GraphSummary, Page } from './types';

/** GET /api/graphs/ (first 200; a person's graphs fit). */
export function useGraphs() {
  return useQuery({
    queryKey: keys.graphs,
    queryFn: ({ signal }) => api<Page<GraphSummary>>('/api/graphs/?page_size=200', { signal }),
  });
}

/** GET /api/graphs/{id}/ — nodes and edges with their jobs; the WebSocket keeps it fresh. */
export function useGraph<T = Graph>(id: number | null, select?: (graph: Graph) => T) {
  return useQuery({
    queryKey: keys.graph(id ?? -1),
    queryFn: ({ signal }) => api<Graph>(`/api/graphs/${id}/`, { signal }),
    enabled: id !== null,
    select,
    staleTime: 5_000,
  });
}

/** POST /api/graphs/ */
export function useCreateGraph() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api<Graph>('/api/graphs/', { method: 'POST', json: { name } }),
    onSuccess: (graph) => {
      client.setQueryData(keys.graph(graph.id), graph);
      return client.invalidateQueries({ queryKey: keys.graphs });
    },
  });
}

/** PATCH /api/graphs/{id}/ (rename). */
export function useRenameGraph() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, name }: { id: number; name: string }) =>
      api<Graph>(`/api/graphs/${id}/`, { method: 'PATCH', json: { name } }),
    onSuccess: (graph) => {
      client.setQueryData<Graph>(keys.graph(graph.id), (old) => (old ? { ...old, name: graph.name } : old));
      return client.invalidateQueries({ queryKey: keys.graphs });
    },
  });
}

/** GET /api/graphs/{id}/export/ — fetched on demand for a download. */
export const fetchGraphExport = (id: number) => api<GraphDocument>(`/api/graphs/${id}/export/`);

/** POST /api/graphs/import/ */
export function useImportGraph() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (document: GraphDocument) =>
      api<Graph>('/api/graphs/import/', { method: 'POST', json: document }),
    onSuccess: (graph) => {
      client.setQueryData(keys.graph(graph.id), graph);
      return client.invalidateQueries({ queryKey: keys.graphs });
    },
  });
}
