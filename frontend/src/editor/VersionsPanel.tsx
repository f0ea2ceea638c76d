import { type FormEvent, useState } from 'react';
import { errorMessage } from '../api/client';
import { useRestoreVersion, useSaveVersion, useVersions } from '../api/versions';
import { emptyHistory } from '../lib/history';
import { useEditorStore } from '../store/editor';
import { useShowNotice } from '../store/notices';
import { SidePanelFrame } from '../ui/SidePanelFrame';

/** Save the graph under a name and restore earlier versions. */
export function VersionsPanel({ graphId, onClose }: { graphId: number; onClose: () => void }) {
  const versions = useVersions(graphId);
  const save = useSaveVersion(graphId);
  const restore = useRestoreVersion(graphId);
  const showNotice = useShowNotice();
  const [name, setName] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    save.mutate(name.trim(), {
      onSuccess: (version) => {
        setName('');
        showNotice('success', `Saved version “${version.name}”.`);
      },
    });
  };

  const restoreVersion = (id: number, versionName: string) =>
    restore.mutate(id, {
      onSuccess: () => {
        // Restoring replaces the graph wholesale; earlier edits no longer apply.
        useEditorStore.getState().setHistory(emptyHistory());
        showNotice('success', `Restored “${versionName}”.`);
      },
    });

  const error = save.error ?? restore.error;
  const list = [...(versions.data ?? [])].sort((a, b) => b.created.localeCompare(a.created));

  return (
    <SidePanelFrame title="Versions" onClose={onClose}>
      <form className="inline-form" onSubmit={submit}>
        <input
          className="input"
          aria-label="Version name"
          placeholder="e.g. before 3-layer adapters"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={200}
        />
        <button type="submit" className="button button--primary" disabled={save.isPending || !name.trim()}>
          Save version
        </button>
      </form>
      {error && (
        <p className="alert alert--error" role="alert">
          {errorMessage(error)}
        </p>
      )}
      {versions.isPending && (
        <p className="muted" aria-busy="true">
          Loading versions…
        </p>
      )}
      {versions.isSuccess && list.length === 0 && (
        <p className="empty-inline muted">No saved versions yet.</p>
      )}
      <ul className="version-list" aria-label="Saved versions">
        {list.map((version) => (
          <li key={version.id} className="version-row">
            <div>
              <strong>{version.name}</strong>
              <div className="muted small">{new Date(version.created).toLocaleString()}</div>
            </div>
            <button
              type="button"
              className="button button--small"
              onClick={() => restoreVersion(version.id, version.name)}
              disabled={restore.isPending}
              aria-label={`Restore ${version.name}`}
            >
              Restore
            </button>
          </li>
        ))}
      </ul>
    </SidePanelFrame>
  );
}
