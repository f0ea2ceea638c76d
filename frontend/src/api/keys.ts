/** Query keys in one place so WebSocket handlers and hooks agree. */
export const keys = {
  me: ['me'] as const,
  modules: (filters: object) => ['modules', 'list', filters] as const,
  moduleFacets: (filters: object) => ['modules', 'facets', filters] as const,
  module: (id: number) => ['modules', 'detail', id] as const,
  lineage: (id: number) => ['modules', 'lineage', id] as const,
  moduleUsage: (id: number) => ['modules', 'usage', id] as const,
  moduleIntegrity: (id: number) => ['modules', 'integrity', id] as const,
  sandboxOffer: ['sandbox', 'offer'] as const,
  apiTokens: ['tokens'] as const,
  graphs: ['graphs', 'list'] as const,
  graph: (id: number) => ['graphs', 'detail', id] as const,
  versions: (graphId: number) => ['graphs', 'versions', graphId] as const,
  jobs: (graphId: number) => ['jobs', 'list', graphId] as const,
  job: (jobId: number) => ['jobs', 'detail', jobId] as const,
  jobPoints: (jobId: number) => ['jobs', 'points', jobId] as const,
  insight: (jobId: number) => ['jobs', 'insight', jobId] as const,
  edgeSettings: ['edge-settings'] as const,
  edgeSettingsPreview: (
    category: number,
    task: number,
    samples?: number,
    layers?: number,
    dataset?: number,
  ) =>
    ['edge-settings', 'preview', category, task, samples ?? null, layers ?? null, dataset ?? null] as const,
};
