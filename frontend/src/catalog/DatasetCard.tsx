import { memo, useState } from 'react';
import { datasetDownloadUrl, datasetThumbnailUrl, useDatasetSamples } from '../api/datasets';
import type { Dataset } from '../api/types';
import { formatBytes } from '../lib/format';

/** A dataset in the catalog: counts, class balance and a grid of thumbnails. */
export const DatasetCard = memo(function DatasetCard({ dataset }: { dataset: Dataset }) {
  const [showImages, setShowImages] = useState(true);
  const samples = useDatasetSamples(dataset.id, showImages);
  const total = Object.values(dataset.counts).reduce((sum, n) => sum + n, 0);
  const sizes = dataset.image_sizes.map(([h, w]) => `${w}×${h}`);
  return (
    <li className="module-card dataset-card" aria-label={`dataset ${dataset.name}`}>
      <div className="module-card__top">
        <span className="chip chip--dataset">dataset</span>
        <span className="module-card__subject">{dataset.task}</span>
        <span className="module-card__visibility" title="Visibility">
          {dataset.visibility}
        </span>
      </div>
      <h3 className="module-card__name">{dataset.name}</h3>
      {dataset.description && <p className="module-card__desc">{dataset.description}</p>}
      <ClassBalance counts={dataset.counts} total={total} />
      <dl className="facts">
        <dt>Images</dt>
        <dd>
          {dataset.task === 'segmentation'
            ? `${total} with masks`
            : `${total} in ${dataset.classes.length} classes`}
        </dd>
        <dt>Image size</dt>
        <dd>
          {sizes.length > 3 ? `${sizes.length} sizes` : sizes.join(', ')} ·{' '}
          {dataset.channels === 1 ? 'grey' : 'colour'}
        </dd>
        <dt>Licence</dt>
        <dd>{dataset.license || '—'}</dd>
        <dt>Owner</dt>
        <dd>{dataset.owner}</dd>
        <dt>Size</dt>
        <dd>{formatBytes(dataset.size_bytes)}</dd>
      </dl>
      {showImages && samples.isSuccess && (
        <ul className="thumb-grid" aria-label={`Images of ${dataset.name}`}>
          {samples.data.map((sample) => (
            <li key={sample.path} title={sample.label}>
              <img
                src={datasetThumbnailUrl(dataset.id, sample.path)}
                alt={`${sample.label} example`}
                loading="lazy"
                width={48}
                height={48}
              />
            </li>
          ))}
        </ul>
      )}
      <div className="module-card__actions">
        <button
          type="button"
          className="button button--small button--ghost"
          aria-expanded={showImages}
          onClick={() => setShowImages((v) => !v)}
        >
          {showImages ? 'Hide images' : 'Show images'}
        </button>
        <a
          className="button button--small"
          href={datasetDownloadUrl(dataset.id)}
          download
          aria-label={`Download ${dataset.name}`}
        >
          Download
        </a>
      </div>
    </li>
  );
});

/** One bar per class, as wide as its share of the images. */
function ClassBalance({ counts, total }: { counts: Record<string, number>; total: number }) {
  return (
    <ul className="class-balance" aria-label="Images per class">
      {Object.entries(counts).map(([name, count]) => (
        <li key={name}>
          <span className="class-balance__name">{name}</span>
          <span
            className="class-balance__bar"
            style={{ width: `${Math.max(4, (100 * count) / Math.max(1, total))}%` }}
          />
          <span className="class-balance__count">{count}</span>
        </li>
      ))}
    </ul>
  );
}
