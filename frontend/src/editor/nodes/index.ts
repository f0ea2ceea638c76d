import type { NodeTypes } from '@xyflow/react';
import { CategoryNode } from './CategoryNode';
import { TaskNode } from './TaskNode';

/** At module scope so React Flow never sees a new object and remounts every node. */
export const nodeTypes: NodeTypes = { category: CategoryNode, task: TaskNode };
