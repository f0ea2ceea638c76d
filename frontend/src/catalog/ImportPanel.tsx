import { type FormEvent, useState } from 'react';
import { errorMessage } from '../api/client';
import { type ImportRequest, useImportTorchvision } from '../api/imports';

/** Import a standard net: torchvision's VGG-16 or FCN-8s weights (safetensors), split after pool1. */
export function ImportPanel() {
  const importNet = useImportTorchvision();
  const [weights, setWeights] = useState<File | null>(null);
  const [arch, setArch] = useState<ImportRequest['arch']>('vgg16');
  const [category, setCategory] = useState('');
  const [positiveIndex, setPositiveIndex] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (weights && category) {
      importNet.mutate({
        weights,
        arch,
        category,
        positiveIndex: positiveIndex === '' ? null : Number(positiveIndex),
        visibility: 'private',
      });
    }
  };

  return (
    <form className="upload card" onSubmit={submit} aria-label="Import a torchvision network">
      <p className="muted small">
        A state_dict saved with safetensors and torchvision’s key names (never a pickle) becomes a category
        module and a task module.
      </p>
      <div className="upload__fields">
        <label className="field">
          <span>Weights (.safetensors)</span>
          <input
            type="file"
            accept=".safetensors"
            required
            onChange={(e) => setWeights(e.target.files?.[0] ?? null)}
          />
        </label>
        <label className="field">
          <span>Network</span>
          <select
            className="select"
            value={arch}
            onChange={(e) => setArch(e.target.value as ImportRequest['arch'])}
          >
            <option value="vgg16">VGG-16 classifier</option>
            <option value="fcn8s">FCN-8s segmenter</option>
          </select>
        </label>
        <label className="field">
          <span>Category name</span>
          <input
            className="input"
            required
            value={category}
            onChange={(e) => setCategory(e.target.value)}
            placeholder="e.g. forklift"
          />
        </label>
        <label className="field">
          <span>Category’s output (heads of more than 2)</span>
          <input
            className="input"
            type="number"
            min={0}
            value={positiveIndex}
            onChange={(e) => setPositiveIndex(e.target.value)}
          />
        </label>
      </div>
      {importNet.isError && (
        <p className="alert alert--error" role="alert">
          {errorMessage(importNet.error)}
        </p>
      )}
      {importNet.isSuccess && (
        <p className="alert alert--success" role="status">
          Imported “{importNet.data.category.name}” and “{importNet.data.task.name}”.
        </p>
      )}
      <div className="modal__actions">
        <button
          type="submit"
          className="button button--primary"
          disabled={!weights || !category || importNet.isPending}
        >
          {importNet.isPending ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  );
}
