import type { ModuleLite } from '../../api/types';
import { formatMetric, formatShape } from '../../lib/format';
import { moduleMetric } from '../../lib/moduleMetric';

/** What both node types show: name, architecture, shapes and the metric that belongs to the kind. */
export function ModuleNodeBody({ module, role }: { module: ModuleLite; role: 'category' | 'task' }) {
  const metric = moduleMetric(module);
  const subject = role === 'category' ? module.category : module.task;
  return (
    <>
      <div className="module-node__kind">
        {role === 'category' ? 'Category' : 'Task'}
        {subject && <span className="module-node__subject">{subject}</span>}
      </div>
      <div className="module-node__name">{module.name}</div>
      <div className="module-node__meta">
        <span>{module.architecture}</span>
        <span title="input → output shape">
          {formatShape(module.input_shape)} → {formatShape(module.output_shape)}
        </span>
      </div>
      {metric && (
        <div
          className="module-node__metric"
          aria-label={`${metric.label} ${formatMetric(metric.name, metric.value)}`}
        >
          <span>{metric.label}</span>
          <strong>{formatMetric(metric.name, metric.value)}</strong>
        </div>
      )}
    </>
  );
}
