import { Link, useParams } from 'react-router';
import { errorMessage } from '../api/client';
import {
  moduleDownloadUrl,
  useModule,
  useModuleIntegrity,
  useModuleLineage,
  useModuleUsage,
} from '../api/modules';
import type { Module } from '../api/types';
import { cliSnippet } from '../lib/cliSnippet';
import { formatBytes, formatMetric, formatShape, STATUS_LABEL } from '../lib/format';
import { measuredOn, metricLabel, moduleMetric } from '../lib/moduleMetric';
import { FullPageMessage } from '../ui/FullPageMessage';
import { LineageGraph } from './LineageGraph';
import '../styles/pages.css';

/** A module's own page, as on a model hub: what it is, how good, where from, where used. */
export function ModulePage() {
  const id = Number(useParams().moduleId);
  const module = useModule(id);
  if (module.isPending) return <FullPageMessage title="Loading the module…" busy />;
  if (module.isError)
    return <FullPageMessage title="This module cannot be shown" detail={errorMessage(module.error)} />;
  return <ModuleDetails module={module.data} />;
}

function ModuleDetails({ module }: { module: Module }) {
  const headline = moduleMetric(module);
  const subject =
    module.kind === 'category'
      ? module.category
      : module.kind === 'task'
        ? module.categories.join(', ')
        : `${module.category} → ${module.task}`;
  return (
    <main className="page module-page" aria-labelledby="module-title">
      <p className="small">
        <Link to="/catalog">← Catalog</Link>
      </p>
      <header className="module-page__head">
        <div>
          <span className={`chip chip--${module.kind}`}>{module.kind}</span>{' '}
          <span className="muted">{subject}</span>
          <h1 id="module-title">{module.name}</h1>
          <p className="module-page__desc">{module.description || 'No description.'}</p>
        </div>
        <div className="module-page__actions">
          {headline && (
            <div
              className="module-page__headline"
              aria-label={`${headline.label} ${formatMetric(headline.name, headline.value)}`}
            >
              <span>{headline.label}</span>
              <strong>{formatMetric(headline.name, headline.value)}</strong>
            </div>
          )}
          <a
            className="button button--primary"
            href={moduleDownloadUrl(module.id)}
            download
            aria-label={`Download ${module.name}`}
          >
            Download (.zip)
          </a>
        </div>
      </header>

      <div className="module-page__grid">
        <section aria-labelledby="facts-title" className="card">
          <h2 id="facts-title">Details</h2>
          <dl className="facts">
            <dt>Architecture</dt>
            <dd>{module.architecture}</dd>
            <dt>Input shape</dt>
            <dd>{formatShape(module.input_shape)}</dd>
            <dt>Output shape</dt>
            <dd>{formatShape(module.output_shape)}</dd>
            <dt>Licence</dt>
            <dd>{module.license || '—'}</dd>
            <dt>Owner</dt>
            <dd>{module.owner}</dd>
            <dt>Visibility</dt>
            <dd>{module.visibility}</dd>
            <dt>Size</dt>
            <dd>{formatBytes(module.size_bytes)}</dd>
            <dt>Added</dt>
            <dd>{new Date(module.created).toLocaleString()}</dd>
          </dl>
        </section>
        <section aria-labelledby="metrics-title" className="card">
          <h2 id="metrics-title">Metrics</h2>
          {Object.keys(module.metrics).length === 0 ? (
            <p className="muted">No metrics recorded.</p>
          ) : (
            <>
              <table className="table" aria-label="Metrics">
                <tbody>
                  {Object.entries(module.metrics).map(([name, value]) => (
                    <tr key={name}>
                      <th scope="row">{metricLabel(name)}</th>
                      <td>{formatMetric(name, value)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p className="muted small">Measured on: {measuredOn(module)}</p>
            </>
          )}
        </section>
        <IntegrityCard module={module} />
      </div>

      <LineageSection module={module} />
      <UsageSection module={module} />

      <section aria-labelledby="cli-title" className="card">
        <h2 id="cli-title">Use it from a script</h2>
        <pre className="code-block" aria-label="CLI snippet">
          {cliSnippet(module, window.location.origin)}
        </pre>
      </section>
    </main>
  );
}

function IntegrityCard({ module }: { module: Module }) {
  const integrity = useModuleIntegrity(module.id);
  return (
    <section aria-labelledby="integrity-title" className="card">
      <h2 id="integrity-title">Weights</h2>
      <p className="small">
        SHA-256{' '}
        <code className="sha" aria-label="SHA-256">
          {module.sha256}
        </code>
      </p>
      {integrity.isPending && <p className="muted small">Checking the stored weights…</p>}
      {integrity.isError && <p className="alert alert--error">{errorMessage(integrity.error)}</p>}
      {integrity.data && (
        <ul className="checks" aria-label="Integrity checks">
          <li className={integrity.data.weights_ok ? 'check--ok' : 'check--bad'}>
            {integrity.data.weights_ok
              ? '✓ The stored weights match this hash.'
              : '✗ The stored weights no longer match this hash.'}
          </li>
          {integrity.data.parents.length > 0 && (
            <li className={integrity.data.frozen_unchanged ? 'check--ok' : 'check--bad'}>
              {integrity.data.frozen_unchanged
                ? `✓ No forgetting: the ${integrity.data.parents.length} frozen modules it was made from are unchanged.`
                : '✗ A frozen module it was made from has changed since.'}
              <ul>
                {integrity.data.parents.map((parent) => (
                  <li key={parent.role} className="small">
                    {parent.role.replace('_', ' ')}: {parent.name}{' '}
                    {parent.unchanged === null ? (
                      <span className="muted">(not in the catalog or not visible)</span>
                    ) : parent.unchanged ? (
                      'unchanged'
                    ) : (
                      <strong>changed</strong>
                    )}
                  </li>
                ))}
              </ul>
            </li>
          )}
        </ul>
      )}
    </section>
  );
}

function LineageSection({ module }: { module: Module }) {
  const lineage = useModuleLineage(module.id);
  return (
    <section aria-labelledby="lineage-title" className="card">
      <h2 id="lineage-title">Lineage</h2>
      <p className="muted small">
        Adapters join a category module to a task module, trained against the teacher’s own task module. Click
        a module to open it.
      </p>
      {lineage.isPending && <p className="muted small">Loading…</p>}
      {lineage.isError && <p className="alert alert--error">{errorMessage(lineage.error)}</p>}
      {lineage.data && <LineageGraph lineage={lineage.data} currentId={module.id} />}
    </section>
  );
}

function UsageSection({ module }: { module: Module }) {
  const usage = useModuleUsage(module.id);
  return (
    <section aria-labelledby="usage-title" className="card">
      <h2 id="usage-title">Used in your graphs and jobs</h2>
      {usage.isPending && <p className="muted small">Loading…</p>}
      {usage.isError && <p className="alert alert--error">{errorMessage(usage.error)}</p>}
      {usage.data && (
        <div className="usage">
          <div>
            <h3>Graphs</h3>
            {usage.data.graphs.length === 0 ? (
              <p className="muted small">None of your graphs uses it.</p>
            ) : (
              <ul aria-label="Graphs using this module">
                {usage.data.graphs.map((graph) => (
                  <li key={graph.id}>
                    <Link to={`/?graph=${graph.id}`}>{graph.name}</Link>
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div>
            <h3>Jobs</h3>
            {usage.data.jobs.length === 0 ? (
              <p className="muted small">No jobs of yours used it.</p>
            ) : (
              <table className="table" aria-label="Jobs using this module">
                <thead>
                  <tr>
                    <th>Job</th>
                    <th>As</th>
                    <th>Method</th>
                    <th>Status</th>
                    <th>Result</th>
                  </tr>
                </thead>
                <tbody>
                  {usage.data.jobs.map((job) => (
                    <tr key={job.id}>
                      <td>#{job.id}</td>
                      <td>{job.role.replace('_', ' ')}</td>
                      <td>{job.method ?? '—'}</td>
                      <td>{STATUS_LABEL[job.status]}</td>
                      <td>
                        {Object.entries(job.final_metrics)
                          .map(([name, value]) => `${metricLabel(name)} ${formatMetric(name, value)}`)
                          .join(', ') || '—'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
