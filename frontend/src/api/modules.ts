import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query } from './client';
import { keys } from './keys';
import type { Facets, Lineage, Module, ModuleIntegrity, ModuleKind, ModuleUsage, Page } from './types';

export interface ModuleFilters {
  kind?: ModuleKind | '';
  category?: string;
  task?: string;
  architecture?: string;
  search?: string;
  metric?: string;
  metric_min?: string;
  metric_max?: string;
  ordering?: string;
  page?: number;
  page_size?: number;
}

/** GET /api/modules/ with filters, one page. */
export function useModules(filters: ModuleFilters) {
  return useQuery({
    queryKey: keys.modules(filters),
    queryFn: ({ signal }) => api<Page<Module>>(`/api/modules/${query({ ...filters })}`, { signal }),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

/** GET /api/modules/facets/ — counts for the current filters. */
export function useModuleFacets(filters: ModuleFilters) {
  // Facets count over every page and ordering: leave those out.
  const { page, page_size, ordering, ...rest } = filters;
  return useQuery({
    queryKey: keys.moduleFacets(rest),
    queryFn: ({ signal }) => api<Facets>(`/api/modules/facets/${query({ ...rest })}`, { signal }),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

/** GET /api/modules/{id}/lineage/ */
export function useModuleLineage(id: number, enabled = true) {
  return useQuery({
    queryKey: keys.lineage(id),
    queryFn: ({ signal }) => api<Lineage>(`/api/modules/${id}/lineage/`, { signal }),
    enabled,
    staleTime: 60_000,
  });
}

/** POST /api/modules/ multipart (weights + manifest). */
export function useUploadModule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({
      weights,
      manifest,
      visibility,
    }: {
      weights: File;
      manifest: File;
      visibility: Module['visibility'];
    }) => {
      const form = new FormData();
      form.append('weights', weights);
      form.append('manifest', manifest);
      form.append('visibility', visibility);
      return api<Module>('/api/modules/', { method: 'POST', form });
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ['modules'] }),
  });
}

/** The download URL (a zip); a plain link so the browser streams it. */
export const moduleDownloadUrl = (id: number) => `/api/modules/${id}/download/`;

/** GET /api/modules/{id}/ */
export function useModule(id: number) {
  return useQuery({
    queryKey: keys.module(id),
    queryFn: ({ signal }) => api<Module>(`/api/modules/${id}/`, { signal }),
    staleTime: 30_000,
  });
}

/** GET /api/modules/{id}/usage/ — the reader's graphs and jobs that use the module. */
export function useModuleUsage(id: number) {
  return useQuery({
    queryKey: keys.moduleUsage(id),
    queryFn: ({ signal }) => api<ModuleUsage>(`/api/modules/${id}/usage/`, { signal }),
  });
}

/** GET /api/modules/{id}/integrity/ — the weights hashed again and the no-forgetting check. */
export function useModuleIntegrity(id: number) {
  return useQuery({
    queryKey: keys.moduleIntegrity(id),
    queryFn: ({ signal }) => api<ModuleIntegrity>(`/api/modules/${id}/integrity/`, { signal }),
    staleTime: 60_000,
  });
}
