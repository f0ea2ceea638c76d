import { Handle, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import type { TaskFlowNode } from '../../lib/flowTypes';
import { ModuleNodeBody } from './ModuleNodeBody';

/** A task module: features arrive on the left. */
export const TaskNode = memo(function TaskNode({ data, selected }: NodeProps<TaskFlowNode>) {
  return (
    <div
      className={`module-node module-node--task${selected ? ' is-selected' : ''}`}
      role="group"
      aria-label={`Task module ${data.module.name}`}
      data-node-id={data.nodeId}
    >
      <Handle
        type="target"
        position={Position.Left}
        id="features"
        className="module-node__handle"
        aria-label={`Input features of ${data.module.name} (${data.module.input_shape[0]} channels)`}
      />
      <ModuleNodeBody module={data.module} role="task" />
    </div>
  );
});
