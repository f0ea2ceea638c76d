import { useMemo, useState } from 'react';
import { errorMessage } from '../api/client';
import { useModules } from '../api/modules';
import type { Module } from '../api/types';
import { PaletteItem } from './PaletteItem';
import { TrainTeacherDialog } from './TrainTeacherDialog';

const GROUPS: { kind: 'category' | 'task'; title: string }[] = [
  { kind: 'category', title: 'Category modules' },
  { kind: 'task', title: 'Task modules' },
];

/** Searchable list of catalog modules, grouped by kind, to drag onto the canvas. */
export function Palette({ onAdd, disabled }: { onAdd: (module: Module) => void; disabled: boolean }) {
  const [search, setSearch] = useState('');
  const [trainingTeacher, setTrainingTeacher] = useState(false);
  // Adapters are made by training, never dragged: ask only for the two kinds the palette shows.
  const categories = useModules({ kind: 'category', page_size: 200, ordering: 'name' });
  const tasks = useModules({ kind: 'task', page_size: 200, ordering: 'name' });
  const modules = {
    isPending: categories.isPending || tasks.isPending,
    isError: categories.isError || tasks.isError,
    isSuccess: categories.isSuccess && tasks.isSuccess,
    error: categories.error ?? tasks.error,
  };
  const filtered = useMemo(() => {
    const needle = search.trim().toLowerCase();
    const all = [...(categories.data?.results ?? []), ...(tasks.data?.results ?? [])];
    if (!needle) return all;
    return all.filter((m) =>
      [m.name, m.category, m.task, m.architecture, m.description].some((text) =>
        text?.toLowerCase().includes(needle),
      ),
    );
  }, [categories.data, tasks.data, search]);

  return (
    <aside className="palette" aria-label="Module palette">
      <div className="palette__head">
        <h2 className="section-title">Modules</h2>
        <input
          type="search"
          className="input"
          placeholder="Search modules"
          aria-label="Search modules"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <p className="muted small">Drag a module onto the canvas, or press its + button.</p>
        <button type="button" className="button button--small" onClick={() => setTrainingTeacher(true)}>
          Train teacher…
        </button>
      </div>
      {trainingTeacher && <TrainTeacherDialog onClose={() => setTrainingTeacher(false)} />}
      {modules.isPending && (
        <p className="palette__state" aria-busy="true">
          Loading the catalog…
        </p>
      )}
      {modules.isError && (
        <p className="alert alert--error" role="alert">
          {errorMessage(modules.error)}
        </p>
      )}
      {modules.isSuccess &&
        GROUPS.map((group) => {
          const items = filtered.filter((m) => m.kind === group.kind);
          return (
            <section key={group.kind} className="palette__group" aria-label={group.title}>
              <h3 className="palette__group-title">
                {group.title} <span className="count">{items.length}</span>
              </h3>
              {items.length === 0 ? (
                <p className="palette__state muted small">
                  {search ? 'No module matches your search.' : 'None in the catalog yet.'}
                </p>
              ) : (
                <ul className="palette__list">
                  {items.map((module) => (
                    <PaletteItem key={module.id} module={module} onAdd={onAdd} disabled={disabled} />
                  ))}
                </ul>
              )}
            </section>
          );
        })}
    </aside>
  );
}
