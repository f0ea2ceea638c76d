import { type FormEvent, type ReactNode, useState } from 'react';
import { useMe } from '../api/auth';
import { errorMessage } from '../api/client';
import { useUploadModule } from '../api/modules';
import type { Module } from '../api/types';
import { ImportPanel } from './ImportPanel';

/** Upload a module: a safetensors weights file and its JSON manifest. */
export function UploadPanel({ onDone }: { onDone: () => void }) {
  const [mode, setMode] = useState<'module' | 'torchvision'>('module');
  const switcher = (
    <div className="segmented" role="radiogroup" aria-label="What to upload">
      {(['module', 'torchvision'] as const).map((value) => (
        <label key={value} className={mode === value ? 'is-active' : ''}>
          <input type="radio" name="upload-mode" checked={mode === value} onChange={() => setMode(value)} />
          {value === 'module' ? 'Module files' : 'Import a torchvision network'}
        </label>
      ))}
    </div>
  );
  if (mode === 'torchvision') {
    return (
      <section className="upload card" aria-label="Upload">
        {switcher}
        <ImportPanel />
        <div className="modal__actions">
          <button type="button" className="button button--ghost" onClick={onDone}>
            Close
          </button>
        </div>
      </section>
    );
  }
  return <ModuleFilesForm onDone={onDone} switcher={switcher} />;
}

function ModuleFilesForm({ onDone, switcher }: { onDone: () => void; switcher: ReactNode }) {
  const upload = useUploadModule();
  const [weights, setWeights] = useState<File | null>(null);
  const [manifest, setManifest] = useState<File | null>(null);
  const [visibility, setVisibility] = useState<Module['visibility']>('private');
  const isLabManager = useMe().data?.is_lab_manager ?? false;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (weights && manifest) upload.mutate({ weights, manifest, visibility });
  };

  return (
    <form className="upload card" onSubmit={submit} aria-label="Upload a module">
      {switcher}
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
          <span>Manifest (.json)</span>
          <input
            type="file"
            accept="application/json,.json"
            required
            onChange={(e) => setManifest(e.target.files?.[0] ?? null)}
          />
        </label>
        <label className="field">
          <span>Visibility</span>
          <select
            className="select"
            value={visibility}
            onChange={(e) => setVisibility(e.target.value as Module['visibility'])}
          >
            <option value="private">Private (only you)</option>
            <option value="public">Public (everyone)</option>
            {isLabManager && <option value="lab">Lab (published by a lab manager)</option>}
          </select>
        </label>
      </div>
      {upload.isError && (
        <p className="alert alert--error" role="alert">
          {errorMessage(upload.error)}
        </p>
      )}
      {upload.isSuccess && (
        <p className="alert alert--success" role="status">
          Uploaded “{upload.data.name}”.
        </p>
      )}
      <div className="modal__actions">
        <button type="button" className="button button--ghost" onClick={onDone}>
          Close
        </button>
        <button
          type="submit"
          className="button button--primary"
          disabled={!weights || !manifest || upload.isPending}
        >
          {upload.isPending ? 'Uploading…' : 'Upload'}
        </button>
      </div>
    </form>
  );
}
