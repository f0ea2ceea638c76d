import { memo, useState } from 'react';
import { Link } from 'react-router';
import { moduleDownloadUrl } from '../api/modules';
import type { Module } from '../api/types';
import { formatBytes, formatMetric, formatShape } from '../lib/format';
import { metricLabel, moduleMetric } from '../lib/moduleMetric';
import { LineageTree } from './LineageTree';
import '../styles/pages.css';

/** A catalog entry: what the module is, how good it is, where it came from. */
export const ModuleCard = memo(function ModuleCard({ module }: { module: Module }) {
  const [showLineage, setShowLineage] = useState(false);
  const headline = moduleMetric(module);
  const subject =
    module.kind === 'category'
      ? module.category
      : module.kind === 'task'
        ? module.task
        : module.categories.join(', ');
  return (
    <li
      className={`module-card module-card--${module.kind}`}
      aria-label={`${module.kind} module ${module.name}`}
    >
      <div className="module-card__top">
        <span className={`chip chip--${module.kind}`}>{module.kind}</span>
        {subject && <span className="module-card__subject">{subject}</span>}
        <span className="module-card__visibility" title="Visibility">
          {module.visibility}
        </span>
      </div>
      <h3 className="module-card__name">
        <Link to={`/modules/${module.id}`}>{module.name}</Link>
      </h3>
      {headline && (
        <p
          className="metric-headline"
          aria-label={`${headline.label} ${formatMetric(headline.name, headline.value)}`}
        >
          {headline.label} <strong>{formatMetric(headline.name, headline.value)}</strong>
        </p>
      )}
      {module.description && <p className="module-card__desc">{module.description}</p>}
      <dl className="facts">
        <dt>Architecture</dt>
        <dd>{module.architecture}</dd>
        <dt>Shapes</dt>
        <dd>
          {formatShape(module.input_shape)} → {formatShape(module.output_shape)}
        </dd>
        <dt>Licence</dt>
        <dd>{module.license || '—'}</dd>
        <dt>Owner</dt>
        <dd>{module.owner}</dd>
        <dt>Size</dt>
        <dd>{formatBytes(module.size_bytes)}</dd>
      </dl>
      {Object.keys(module.metrics).length > 0 && (
        <ul
          className="metric-chips"
          aria-label={module.kind === 'category' ? "Its teacher's metrics" : 'Metrics'}
        >
          {Object.entries(module.metrics).map(([name, value]) => (
            <li key={name}>
              {module.kind === 'category' ? `teacher ${metricLabel(name)}` : metricLabel(name)}{' '}
              <strong>{formatMetric(name, value)}</strong>
            </li>
          ))}
        </ul>
      )}
      <div className="module-card__actions">
        <button
          type="button"
          className="button button--small button--ghost"
          aria-expanded={showLineage}
          onClick={() => setShowLineage((v) => !v)}
          aria-label={`Lineage of ${module.name}`}
        >
          Lineage
        </button>
        <Link
          className="button button--small button--ghost"
          to={`/modules/${module.id}`}
          aria-label={`Open ${module.name}`}
        >
          Open
        </Link>
        <a
          className="button button--small"
          href={moduleDownloadUrl(module.id)}
          download
          aria-label={`Download ${module.name}`}
        >
          Download
        </a>
      </div>
      {showLineage && <LineageTree module={module} />}
    </li>
  );
});
