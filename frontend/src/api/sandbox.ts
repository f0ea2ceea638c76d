import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import { keys } from './keys';
import type { SandboxOffer, UserEnvelope } from './types';

/** GET /api/auth/sandbox/ — whether "Try the demo" is set up, its idle time and quotas. */
export function useSandboxOffer() {
  return useQuery({
    queryKey: keys.sandboxOffer,
    queryFn: ({ signal }) => api<SandboxOffer>('/api/auth/sandbox/', { signal }),
    staleTime: 5 * 60_000,
  });
}

/** POST /api/auth/sandbox/ — a fresh private sandbox; the visitor is signed into it. */
export function useStartSandbox() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<UserEnvelope>('/api/auth/sandbox/', { method: 'POST' }),
    onSuccess: ({ user }) => {
      client.clear();
      client.setQueryData(keys.me, user);
    },
  });
}
