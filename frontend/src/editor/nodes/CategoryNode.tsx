import { Handle, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import type { CategoryFlowNode } from '../../lib/flowTypes';
import { ModuleNodeBody } from './ModuleNodeBody';

/** A category module: its features leave on the right. */
export const CategoryNode = memo(function CategoryNode({ data, selected }: NodeProps<CategoryFlowNode>) {
  return (
    <div
      className={`module-node module-node--category${selected ? ' is-selected' : ''}`}
      role="group"
      aria-label={`Category module ${data.module.name}`}
      data-node-id={data.nodeId}
    >
      <ModuleNodeBody module={data.module} role="category" />
      <Handle
        type="source"
        position={Position.Right}
        id="features"
        className="module-node__handle"
        aria-label={`Output features of ${data.module.name} (${data.module.output_shape[0]} channels)`}
      />
    </div>
  );
});
