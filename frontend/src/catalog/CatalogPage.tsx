import { type ReactNode, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { errorMessage } from '../api/client';
import { useModuleFacets, useModules } from '../api/modules';
import { DatasetsTab } from './DatasetsTab';
import { FacetSidebar } from './FacetSidebar';
import { ModuleCard } from './ModuleCard';
import { UploadPanel } from './UploadPanel';
import { PAGE_SIZE, useCatalogFilters } from './useCatalogFilters';

const ORDERINGS = [
  { value: '-created', label: 'Newest first' },
  { value: 'created', label: 'Oldest first' },
  { value: 'name', label: 'Name A–Z' },
  { value: '-name', label: 'Name Z–A' },
  { value: '-metric', label: 'Metric, high to low', needsMetric: true },
  { value: 'metric', label: 'Metric, low to high', needsMetric: true },
];

/** `/catalog`: modules (the default tab) and datasets (`?tab=datasets`). */
export function CatalogPage() {
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'datasets' ? 'datasets' : 'modules';
  const tabs = (
    <div className="catalog__tabs" role="tablist" aria-label="Catalog">
      {(['modules', 'datasets'] as const).map((name) => (
        <button
          key={name}
          type="button"
          role="tab"
          className="button button--ghost"
          aria-selected={tab === name}
          onClick={() => setParams(name === 'datasets' ? { tab: name } : {}, { replace: true })}
        >
          {name === 'modules' ? 'Modules' : 'Datasets'}
        </button>
      ))}
    </div>
  );
  if (tab === 'datasets') {
    return (
      <div className="catalog">
        <main className="catalog__main">
          {tabs}
          <DatasetsTab />
        </main>
      </div>
    );
  }
  return <ModulesTab tabs={tabs} />;
}

/** Find, inspect, upload and download modules. */
function ModulesTab({ tabs }: { tabs: ReactNode }) {
  const { filters, update, clear: clearFilters } = useCatalogFilters();
  const modules = useModules(filters);
  const facets = useModuleFacets(filters);
  const [search, setSearch] = useState(filters.search ?? '');
  const [showUpload, setShowUpload] = useState(false);
  // The search box holds its own text (debounced into the URL), so clearing resets both.
  const clear = () => {
    setSearch('');
    clearFilters();
  };

  // Debounce typing into the URL (and so into the query).
  useEffect(() => {
    const timer = window.setTimeout(() => {
      if ((filters.search ?? '') !== search) update({ search: search || null });
    }, 250);
    return () => window.clearTimeout(timer);
  }, [search, filters.search, update]);

  const page = filters.page ?? 1;
  const count = modules.data?.count ?? 0;
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));

  return (
    <div className="catalog">
      <FacetSidebar facets={facets.data} filters={filters} update={update} clear={clear} />
      <main className="catalog__main">
        {tabs}
        <header className="catalog__head">
          <div>
            <h1 className="page-title">Catalog</h1>
            <p className="muted">
              {modules.isSuccess
                ? `${count} module${count === 1 ? '' : 's'}`
                : 'Pretrained category, task and adapter modules'}
            </p>
          </div>
          <div className="catalog__controls">
            <input
              type="search"
              className="input"
              aria-label="Search the catalog"
              placeholder="Search name, description, category"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
            <label className="inline-label">
              <span>Sort</span>
              <select
                className="select"
                aria-label="Sort by"
                value={filters.ordering ?? '-created'}
                onChange={(e) => update({ ordering: e.target.value })}
              >
                {ORDERINGS.filter((o) => !o.needsMetric || filters.metric).map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              className="button button--primary"
              aria-expanded={showUpload}
              onClick={() => setShowUpload((v) => !v)}
            >
              Upload module
            </button>
          </div>
        </header>
        {showUpload && <UploadPanel onDone={() => setShowUpload(false)} />}
        {modules.isPending && (
          <div className="card-grid" aria-busy="true" aria-label="Loading modules">
            {Array.from({ length: 6 }, (_, i) => (
              <div key={i} className="module-card module-card--skeleton" />
            ))}
          </div>
        )}
        {modules.isError && (
          <p className="alert alert--error" role="alert">
            {errorMessage(modules.error)}
          </p>
        )}
        {modules.isSuccess && count === 0 && (
          <div className="empty-state">
            <h2>No module matches these filters</h2>
            <p>Loosen a filter or clear them all.</p>
            <button type="button" className="button" onClick={clear}>
              Clear filters
            </button>
          </div>
        )}
        {modules.isSuccess && count > 0 && (
          <ul className="card-grid" aria-label="Modules" aria-busy={modules.isFetching}>
            {modules.data.results.map((module) => (
              <ModuleCard key={module.id} module={module} />
            ))}
          </ul>
        )}
        {pages > 1 && (
          <nav className="pager" aria-label="Pages">
            <button
              type="button"
              className="button button--ghost"
              disabled={page <= 1}
              onClick={() => update({ page: String(page - 1) })}
            >
              Previous
            </button>
            <span>
              Page {page} of {pages}
            </span>
            <button
              type="button"
              className="button button--ghost"
              disabled={page >= pages}
              onClick={() => update({ page: String(page + 1) })}
            >
              Next
            </button>
          </nav>
        )}
      </main>
    </div>
  );
}
