import { type FormEvent, useState } from 'react';
import { errorMessage } from '../api/client';
import { useCreateGraph, useRenameGraph } from '../api/graphs';
import type { GraphSummary } from '../api/types';

/** Graph picker: choose, create and rename graphs. */
export function GraphBar({
  graphs,
  graphId,
  onOpen,
  loading,
}: {
  graphs: GraphSummary[];
  graphId: number | null;
  onOpen: (id: number) => void;
  loading: boolean;
}) {
  const create = useCreateGraph();
  const rename = useRenameGraph();
  const [mode, setMode] = useState<'pick' | 'create' | 'rename'>('pick');
  const [name, setName] = useState('');
  const current = graphs.find((graph) => graph.id === graphId);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    if (mode === 'create') {
      create.mutate(trimmed, {
        onSuccess: (graph) => {
          setMode('pick');
          onOpen(graph.id);
        },
      });
    } else if (mode === 'rename' && graphId !== null) {
      rename.mutate({ id: graphId, name: trimmed }, { onSuccess: () => setMode('pick') });
    }
  };
  const error = create.error ?? rename.error;

  return (
    <div className="graphbar" role="toolbar" aria-label="Graphs">
      {mode === 'pick' ? (
        <>
          <label className="graphbar__picker">
            <span className="visually-hidden">Graph</span>
            <select
              className="select"
              aria-label="Graph"
              value={graphId ?? ''}
              onChange={(e) => onOpen(Number(e.target.value))}
              disabled={loading || graphs.length === 0}
            >
              {graphs.length === 0 && <option value="">{loading ? 'Loading…' : 'No graphs'}</option>}
              {graphs.map((graph) => (
                <option key={graph.id} value={graph.id}>
                  {graph.name}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="button"
            onClick={() => {
              setName('');
              setMode('create');
            }}
          >
            New graph
          </button>
          <button
            type="button"
            className="button button--ghost"
            disabled={!current}
            onClick={() => {
              setName(current?.name ?? '');
              setMode('rename');
            }}
          >
            Rename
          </button>
        </>
      ) : (
        <form className="graphbar__form" onSubmit={submit}>
          <label>
            <span className="visually-hidden">{mode === 'create' ? 'New graph name' : 'Graph name'}</span>
            <input
              className="input"
              aria-label={mode === 'create' ? 'New graph name' : 'Graph name'}
              placeholder={mode === 'create' ? 'Name of the new graph' : 'Graph name'}
              value={name}
              onChange={(e) => setName(e.target.value)}
              autoFocus
              required
              maxLength={200}
            />
          </label>
          <button
            type="submit"
            className="button button--primary"
            disabled={create.isPending || rename.isPending}
          >
            {mode === 'create' ? 'Create graph' : 'Save name'}
          </button>
          <button type="button" className="button button--ghost" onClick={() => setMode('pick')}>
            Cancel
          </button>
        </form>
      )}
      {error && (
        <span className="alert alert--error alert--inline" role="alert">
          {errorMessage(error)}
        </span>
      )}
    </div>
  );
}
