import { type DragEvent, useState } from 'react';
import { useMe } from '../api/auth';
import { ApiError, errorMessage } from '../api/client';
import { useUploadDataset } from '../api/datasets';
import type { Module } from '../api/types';

/**
 * Upload a dataset: drop a zip anywhere on the panel (or pick one). The zip holds one folder per
 * class (forklift/0001.png ...) or images/ with masks/. The server names the file and the rule of
 * any refusal, shown as it says it.
 */
export function DatasetUpload({ onDone }: { onDone: () => void }) {
  const [progress, setProgress] = useState(0);
  const [dragging, setDragging] = useState(false);
  const [visibility, setVisibility] = useState<Module['visibility']>('private');
  const upload = useUploadDataset(setProgress);
  const isLabManager = useMe().data?.is_lab_manager ?? false;

  const send = (file: File | undefined) => {
    if (!file) return;
    setProgress(0);
    upload.mutate({ file, visibility });
  };
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    send(event.dataTransfer.files[0]);
  };
  const refusedFile =
    upload.error instanceof ApiError ? (upload.error.details.file as string | undefined) : undefined;

  return (
    <section
      className={`upload card dataset-drop${dragging ? ' dataset-drop--over' : ''}`}
      aria-label="Upload a dataset"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={drop}
    >
      <p>
        <strong>Drop a zip of images here</strong> — one folder per class (<code>forklift/0001.png</code>), or{' '}
        <code>images/</code> with <code>masks/</code>. Every image is checked before anything is kept.
      </p>
      <div className="upload__fields">
        <label className="field">
          <span>Zip file</span>
          <input
            type="file"
            accept=".zip,application/zip"
            aria-label="Dataset zip"
            onChange={(e) => send(e.target.files?.[0])}
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
      {upload.isPending && (
        <div
          className="progress"
          role="progressbar"
          aria-label="Upload progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(progress * 100)}
        >
          <span style={{ width: `${progress * 100}%` }} />
          <em>{progress < 1 ? `Sending… ${Math.round(progress * 100)}%` : 'Checking every image…'}</em>
        </div>
      )}
      {upload.isError && (
        <div className="alert alert--error" role="alert">
          {refusedFile && (
            <p>
              Refused file: <code>{refusedFile}</code>
            </p>
          )}
          <p>{errorMessage(upload.error)}</p>
        </div>
      )}
      {upload.isSuccess && (
        <p className="alert alert--success" role="status">
          Added “{upload.data.name}”: {upload.data.file_count} images.
        </p>
      )}
      <div className="modal__actions">
        <button type="button" className="button button--ghost" onClick={onDone}>
          Close
        </button>
      </div>
    </section>
  );
}
