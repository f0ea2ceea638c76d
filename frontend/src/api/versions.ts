import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { Graph, GraphVersion, Page } from './types';

/** GET /api/graphs/{id}/versions/ (accepts a plain list or a page). */
export function useVersions(graphId: number) {
  return useQuery({
    queryKey: keys.versions(graphId),
    queryFn: async ({ signal }) => {
      const data = await api<Page<GraphVersion> | GraphVersion[]>(
        `/api/graphs/${graphId}/versions/?page_size=200`,
        { signal },
      );
      return Array.isArray(data) ? data : data.results;
    },
  });
}

/** POST /api/graphs/{id}/versions/ */
export function useSaveVersion(graphId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      api<GraphVersion>(`/api/graphs/${graphId}/versions/`, { method: 'POST', json: { name } }),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.versions(graphId) }),
  });
}

/** POST /api/graphs/{id}/versions/{version_id}/restore/ — replaces the cached graph. */
export function useRestoreVersion(graphId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (versionId: number) =>
      api<Graph>(`/api/graphs/${graphId}/versions/${versionId}/restore/`, { method: 'POST' }),
    onSuccess: (graph) => {
      client.setQueryData(keys.graph(graphId), graph);
      return client.invalidateQueries({ queryKey: keys.jobs(graphId) });
    },
  });
}
