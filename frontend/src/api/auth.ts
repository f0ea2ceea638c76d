import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api } from './client';
import { keys } from './keys';
import type { User, UserEnvelope } from './types';

/** GET /api/auth/me/ — the signed-in user, or null when signed out (401). */
export function useMe() {
  return useQuery({
    queryKey: keys.me,
    queryFn: async (): Promise<User | null> => {
      try {
        return (await api<UserEnvelope>('/api/auth/me/')).user;
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

/** POST /api/auth/login/ */
export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { username: string; password: string }) =>
      api<UserEnvelope>('/api/auth/login/', { method: 'POST', json: body }),
    onSuccess: ({ user }) => {
      client.clear();
      client.setQueryData(keys.me, user);
    },
  });
}

/** POST /api/auth/logout/ */
export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<void>('/api/auth/logout/', { method: 'POST' }),
    onSuccess: () => {
      client.clear();
      client.setQueryData(keys.me, null);
    },
  });
}
