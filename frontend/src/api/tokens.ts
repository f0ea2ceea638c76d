import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { ApiToken, CreatedApiToken } from './types';

/** GET /api/auth/tokens/ */
export function useApiTokens() {
  return useQuery({
    queryKey: keys.apiTokens,
    queryFn: ({ signal }) => api<ApiToken[]>('/api/auth/tokens/', { signal }),
  });
}

/** POST /api/auth/tokens/ */
export function useCreateApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      api<CreatedApiToken>('/api/auth/tokens/', { method: 'POST', json: { name } }),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.apiTokens }),
  });
}

/** DELETE /api/auth/tokens/{id}/ */
export function useRevokeApiToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api<void>(`/api/auth/tokens/${id}/`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.apiTokens }),
  });
}
