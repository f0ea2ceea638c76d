import type { Module } from '../api/types';
import { formatMetric, formatShape } from '../lib/format';

/** Details of a module shown beside the palette item that is hovered or focused. */
export function ModuleHoverCard({ id, module, top }: { id: string; module: Module; top: number }) {
  const metrics = Object.entries(module.metrics);
  return (
    <div className="hover-card" role="tooltip" id={id} style={{ top }}>
      <div className="hover-card__kind">
        {module.kind === 'category' ? `Category · ${module.category ?? '—'}` : `Task · ${module.task ?? '—'}`}
      </div>
      <div className="hover-card__name">{module.name}</div>
      {module.description && <p className="hover-card__desc">{module.description}</p>}
      <dl className="facts">
        <dt>Architecture</dt>
        <dd>{module.architecture}</dd>
        <dt>Input</dt>
        <dd>{formatShape(module.input_shape)}</dd>
        <dt>Output</dt>
        <dd>{formatShape(module.output_shape)}</dd>
        <dt>Licence</dt>
        <dd>{module.license || '—'}</dd>
        <dt>Owner</dt>
        <dd>{module.owner}</dd>
      </dl>
      {metrics.length > 0 && (
        <ul className="metric-chips" aria-label="Metrics">
          {metrics.map(([name, value]) => (
            <li key={name}>
              {name} <strong>{formatMetric(name, value)}</strong>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
