import { useState } from 'react';
import { errorMessage } from '../api/client';
import { useDatasets } from '../api/datasets';
import { DatasetCard } from './DatasetCard';
import { DatasetUpload } from './DatasetUpload';
import './datasets.css';

/** The catalog's Datasets tab: the images grafts and teachers learn from, and their upload. */
export function DatasetsTab() {
  const [search, setSearch] = useState('');
  const [showUpload, setShowUpload] = useState(false);
  const datasets = useDatasets({ search, page_size: 100 });
  const count = datasets.data?.count ?? 0;
  return (
    <>
      <header className="catalog__head">
        <div>
          <h1 className="page-title">Datasets</h1>
          <p className="muted">
            {datasets.isSuccess
              ? `${count} dataset${count === 1 ? '' : 's'}`
              : 'Your images, for grafts and teachers'}
          </p>
        </div>
        <div className="catalog__controls">
          <input
            type="search"
            className="input"
            aria-label="Search datasets"
            placeholder="Search name, description, class"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <button
            type="button"
            className="button button--primary"
            aria-expanded={showUpload}
            onClick={() => setShowUpload((v) => !v)}
          >
            Upload dataset
          </button>
        </div>
      </header>
      {showUpload && <DatasetUpload onDone={() => setShowUpload(false)} />}
      {datasets.isError && (
        <p className="alert alert--error" role="alert">
          {errorMessage(datasets.error)}
        </p>
      )}
      {datasets.isSuccess && count === 0 && (
        <div className="empty-state">
          <h2>No dataset yet</h2>
          <p>Upload a zip of class folders to graft with your own labelled images and test on them.</p>
        </div>
      )}
      {datasets.isSuccess && count > 0 && (
        <ul className="card-grid" aria-label="Datasets">
          {datasets.data.results.map((dataset) => (
            <DatasetCard key={dataset.id} dataset={dataset} />
          ))}
        </ul>
      )}
    </>
  );
}
