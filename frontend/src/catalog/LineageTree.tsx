import { errorMessage } from '../api/client';
import { useModuleLineage } from '../api/modules';
import type { Module } from '../api/types';
import { type TreeNode, lineageForest } from '../lib/lineage';

/** Which modules an adapter joins, and what was built from this module. */
export function LineageTree({ module }: { module: Module }) {
  const lineage = useModuleLineage(module.id);
  if (lineage.isPending)
    return (
      <p className="muted small" aria-busy="true">
        Loading lineage…
      </p>
    );
  if (lineage.isError)
    return (
      <p className="alert alert--error" role="alert">
        {errorMessage(lineage.error)}
      </p>
    );
  const forest = lineageForest(lineage.data);
  if (lineage.data.edges.length === 0)
    return <p className="muted small lineage">No adapters join this module yet.</p>;
  return (
    <ul className="lineage" aria-label={`Lineage of ${module.name}`}>
      {forest.map((tree) => (
        <Branch key={tree.module.id} node={tree} current={module.id} />
      ))}
    </ul>
  );
}

function Branch({ node, current }: { node: TreeNode; current: number }) {
  return (
    <li>
      <span
        className={`lineage__node chip chip--${node.module.kind}${node.module.id === current ? ' is-current' : ''}`}
      >
        {node.module.name}
      </span>
      {node.role && <span className="lineage__role">{node.role}</span>}
      {node.children.length > 0 && (
        <ul>
          {node.children.map((child) => (
            <Branch key={`${child.module.id}-${child.role}`} node={child} current={current} />
          ))}
        </ul>
      )}
    </li>
  );
}
