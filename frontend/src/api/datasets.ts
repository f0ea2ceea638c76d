import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, query } from './client';
import { keys } from './keys';
import type {
  Dataset,
  DatasetSample,
  DatasetTask,
  GalleryItem,
  Job,
  Page,
  TeacherJobRequest,
  Visibility,
} from './types';

export interface DatasetFilters {
  task?: DatasetTask | '';
  category?: string;
  search?: string;
  page_size?: number;
}

export const datasetKeys = {
  list: (filters: object) => ['datasets', 'list', filters] as const,
  samples: (id: number) => ['datasets', 'samples', id] as const,
};

/** GET /api/datasets/ with filters. */
export function useDatasets(filters: DatasetFilters = {}) {
  return useQuery({
    queryKey: datasetKeys.list(filters),
    queryFn: ({ signal }) => api<Page<Dataset>>(`/api/datasets/${query({ ...filters })}`, { signal }),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

/** GET /api/datasets/{id}/samples/: the first images of each class, for the thumbnail grid. */
export function useDatasetSamples(id: number, enabled = true) {
  return useQuery({
    queryKey: datasetKeys.samples(id),
    queryFn: ({ signal }) => api<DatasetSample[]>(`/api/datasets/${id}/samples/`, { signal }),
    enabled,
    staleTime: Infinity, // content-addressed: a dataset's images never change
  });
}

export const datasetThumbnailUrl = (id: number, path: string) =>
  `/api/datasets/${id}/thumbnail/${query({ path })}`;
export const datasetDownloadUrl = (id: number) => `/api/datasets/${id}/download/`;

export { servesEdge, trainingSamples } from '../lib/datasets';

function readCookie(name: string): string | null {
  const match = document.cookie.split('; ').find((part) => part.startsWith(`${name}=`));
  return match ? decodeURIComponent(match.slice(name.length + 1)) : null;
}

/**
 * POST /api/datasets/ with upload progress (fetch cannot report it, so XMLHttpRequest).
 *
 * @param onProgress receives the fraction sent, 0..1
 * @throws ApiError with the server's error (it names the file and the rule)
 */
export function uploadDataset(form: FormData, onProgress: (fraction: number) => void): Promise<Dataset> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/api/datasets/');
    request.setRequestHeader('Accept', 'application/json');
    const token = readCookie('csrftoken');
    if (token) request.setRequestHeader('X-CSRFToken', token);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onerror = () =>
      reject(
        new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.'),
      );
    request.onload = () => {
      let body:
        | { error?: { code?: string; message?: string; details?: Record<string, unknown> } }
        | Dataset
        | undefined;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = undefined;
      }
      if (request.status === 201) return resolve(body as Dataset);
      const error = (
        body as { error?: { code?: string; message?: string; details?: Record<string, unknown> } }
      )?.error;
      reject(
        new ApiError(
          request.status,
          error?.code ?? 'error',
          error?.message ?? `The server answered ${request.status}.`,
          error?.details ?? {},
        ),
      );
    };
    request.send(form);
  });
}

/** Upload a zip, with progress; the dataset list refreshes after. */
export function useUploadDataset(onProgress: (fraction: number) => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ file, visibility }: { file: File; visibility: Visibility }) => {
      const form = new FormData();
      form.append('archive', file);
      form.append('visibility', visibility);
      return uploadDataset(form, onProgress);
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ['datasets'] }),
  });
}

/** POST /api/jobs/ kind=teacher: train a teacher from a dataset. */
export function useTrainTeacher() {
  return useMutation({
    mutationFn: (body: TeacherJobRequest) =>
      api<TeacherJob>('/api/jobs/', { method: 'POST', json: { kind: 'teacher', ...body } }),
  });
}

/**
 * GET /api/jobs/{id}/ for a teacher job. Not polled: `useJobSocket` keeps this cache entry live
 * from the job's own socket and refetches it on every (re)connect, as the graph's socket does for
 * edge jobs. A fetch that finds it succeeded (a missed event) refreshes the catalog too.
 */
/** A teacher job as GET /api/jobs/{id}/ answers: its settings are a teacher's, not an edge's. */
export type TeacherJob = Omit<Job, 'settings'> & {
  settings: Required<TeacherJobRequest> & { tasks: string[]; seed: number };
};

export function useTeacherJob(id: number | null) {
  const client = useQueryClient();
  return useQuery({
    queryKey: keys.job(id ?? -1),
    queryFn: async ({ signal }) => {
      const job = await api<TeacherJob>(`/api/jobs/${id}/`, { signal });
      if (job.status === 'succeeded') void client.invalidateQueries({ queryKey: ['modules'] });
      return job;
    },
    enabled: id !== null,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** GET /api/graphs/{id}/edges/{edge_id}/gallery/: test images of the edge's dataset (none without one). */
export function useEdgeGallery(graphId: number, edgeId: number) {
  return useQuery({
    queryKey: ['edges', 'gallery', graphId, edgeId],
    queryFn: async ({ signal }) => {
      try {
        return await api<GalleryItem[]>(`/api/graphs/${graphId}/edges/${edgeId}/gallery/`, { signal });
      } catch (error) {
        if (error instanceof ApiError && error.code === 'no_dataset') return [];
        throw error;
      }
    },
    staleTime: Infinity,
  });
}

export const galleryImageUrl = (graphId: number, edgeId: number, index: number) =>
  `/api/graphs/${graphId}/edges/${edgeId}/gallery/${index}/`;
