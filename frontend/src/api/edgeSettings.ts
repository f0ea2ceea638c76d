import { useQuery } from '@tanstack/react-query';
import { api, query } from './client';
import { keys } from './keys';
import type { EdgeSettingsPreview, EdgeSettingsSpec } from './types';

/** GET /api/edge-settings/ — fixed for a server's lifetime, so fetched once. */
export function useEdgeSettingsSpec() {
  return useQuery({
    queryKey: keys.edgeSettings,
    queryFn: ({ signal }) => api<EdgeSettingsSpec>('/api/edge-settings/', { signal }),
    staleTime: Infinity,
  });
}

/**
 * GET /api/edge-settings/preview/?category=&task=&samples=&adapter_layers=&dataset= (ids); idle until
 * both ends are known. `samples`, `adapterLayers` and `dataset` only change auto's sentence (the
 * server's defaults for the edge, and the built-in data, when left out).
 */
export function useEdgeSettingsPreview(
  categoryModule: number | undefined,
  taskModule: number | undefined,
  samples?: number,
  adapterLayers?: number,
  dataset?: number | null,
) {
  const asked = Number.isInteger(samples) ? samples : undefined;
  const data = dataset ?? undefined;
  return useQuery({
    queryKey: keys.edgeSettingsPreview(categoryModule ?? 0, taskModule ?? 0, asked, adapterLayers, data),
    queryFn: ({ signal }) =>
      api<EdgeSettingsPreview>(
        `/api/edge-settings/preview/${query({ category: categoryModule, task: taskModule, samples: asked, adapter_layers: adapterLayers, dataset: data })}`,
        { signal },
      ),
    enabled: categoryModule !== undefined && taskModule !== undefined,
    staleTime: Infinity,
    placeholderData: (previous) => previous,
  });
}
