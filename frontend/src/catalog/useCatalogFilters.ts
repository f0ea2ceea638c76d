import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import type { ModuleFilters } from '../api/modules';

const FIELDS = [
  'kind',
  'category',
  'task',
  'architecture',
  'search',
  'metric',
  'metric_min',
  'metric_max',
  'ordering',
] as const;
export const PAGE_SIZE = 24;

/** Catalog filters live in the URL so a filtered view can be shared and survives reloads. */
export function useCatalogFilters() {
  const [params, setParams] = useSearchParams();
  const filters: ModuleFilters = useMemo(() => {
    const out: Record<string, string | number> = {};
    for (const field of FIELDS) {
      const value = params.get(field);
      if (value) out[field] = value;
    }
    out.page = Math.max(1, Number(params.get('page')) || 1);
    out.page_size = PAGE_SIZE;
    return out as ModuleFilters;
  }, [params]);

  const update = useCallback(
    (changes: Partial<Record<(typeof FIELDS)[number] | 'page', string | null>>) =>
      setParams(
        (old) => {
          const next = new URLSearchParams(old);
          for (const [key, value] of Object.entries(changes)) {
            if (value) next.set(key, value);
            else next.delete(key);
          }
          // Any change other than paging starts again at page 1.
          if (!('page' in changes)) next.delete('page');
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  const clear = useCallback(() => setParams(new URLSearchParams(), { replace: true }), [setParams]);
  return { filters, update, clear };
}
