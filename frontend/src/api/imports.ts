import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from './client';
import type { ImportArch, Imported, Visibility } from './types';

export interface ImportRequest {
  weights: File;
  arch: ImportArch;
  category: string;
  positiveIndex: number | null;
  visibility: Visibility;
}

/** POST /api/modules/import/: a torchvision state_dict (safetensors) split into two modules. */
export function useImportTorchvision() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ weights, arch, category, positiveIndex, visibility }: ImportRequest) => {
      const form = new FormData();
      form.append('weights', weights);
      form.append('arch', arch);
      form.append('category', category);
      if (positiveIndex !== null) form.append('positive_index', String(positiveIndex));
      form.append('visibility', visibility);
      return api<Imported>('/api/modules/import/', { method: 'POST', form });
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ['modules'] }),
  });
}
