import { type FormEvent, useState } from 'react';
import type { ModuleFilters } from '../api/modules';
import type { Facets } from '../api/types';

type Field = 'kind' | 'category' | 'task' | 'architecture';
const GROUPS: { field: Field; title: string }[] = [
  { field: 'kind', title: 'Kind' },
  { field: 'category', title: 'Category' },
  { field: 'task', title: 'Task' },
  { field: 'architecture', title: 'Architecture' },
];
/** Metrics the engine reports (percent); module manifests may add others. */
const METRICS = ['error', 'mean_iou', 'pixel_accuracy'];

/** Facet filters with counts for the current filters, and a metric range. */
export function FacetSidebar({
  facets,
  filters,
  update,
  clear,
}: {
  facets: Facets | undefined;
  filters: ModuleFilters;
  update: (changes: Record<string, string | null>) => void;
  clear: () => void;
}) {
  const active = GROUPS.some((g) => filters[g.field]) || !!filters.metric || !!filters.search;

  return (
    <aside className="facets" aria-label="Filters">
      <div className="facets__head">
        <h2 className="section-title">Filters</h2>
        {active && (
          <button type="button" className="link-button" onClick={clear}>
            Clear all
          </button>
        )}
      </div>
      {GROUPS.map(({ field, title }) => {
        const counts = Object.entries(facets?.[field] ?? {}).sort(
          (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
        );
        const selected = filters[field];
        return (
          <section key={field} className="facet" aria-label={title}>
            <h3 className="facet__title">{title}</h3>
            {counts.length === 0 && <p className="muted small">{facets ? 'None' : 'Loading…'}</p>}
            <ul>
              {counts.map(([value, count]) => (
                <li key={value}>
                  <button
                    type="button"
                    className="facet__option"
                    aria-pressed={selected === value}
                    aria-label={`${title}: ${value} (${count})`}
                    onClick={() => update({ [field]: selected === value ? null : value })}
                  >
                    <span className="facet__check" aria-hidden="true" />
                    <span className="facet__value">{value}</span>
                    <span className="count">{count}</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
      {/* Keyed by the applied range: when the URL changes it (Clear all, Back), the form starts over. */}
      <MetricRangeForm
        key={[filters.metric, filters.metric_min, filters.metric_max].join('|')}
        filters={filters}
        update={update}
      />
    </aside>
  );
}

/** The metric range being edited; applied to the filters on submit. */
function MetricRangeForm({
  filters,
  update,
}: {
  filters: ModuleFilters;
  update: (changes: Record<string, string | null>) => void;
}) {
  const [metric, setMetric] = useState(filters.metric ?? '');
  const [min, setMin] = useState(filters.metric_min ?? '');
  const [max, setMax] = useState(filters.metric_max ?? '');

  const applyRange = (event: FormEvent) => {
    event.preventDefault();
    update({
      metric: metric || null,
      metric_min: metric ? min || null : null,
      metric_max: metric ? max || null : null,
    });
  };

  return (
    <form className="facet" aria-label="Metric range" onSubmit={applyRange}>
      <h3 className="facet__title">Metric range</h3>
      <label className="field">
        <span>Metric</span>
        <select className="select" value={metric} onChange={(e) => setMetric(e.target.value)}>
          <option value="">Any</option>
          {METRICS.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <div className="field-row">
        <label className="field">
          <span>Min</span>
          <input
            className="input"
            type="number"
            step="any"
            value={min}
            onChange={(e) => setMin(e.target.value)}
            disabled={!metric}
          />
        </label>
        <label className="field">
          <span>Max</span>
          <input
            className="input"
            type="number"
            step="any"
            value={max}
            onChange={(e) => setMax(e.target.value)}
            disabled={!metric}
          />
        </label>
      </div>
      <button type="submit" className="button button--small">
        Apply range
      </button>
    </form>
  );
}
