import type { Edge, Node } from '@xyflow/react';
import type { ModuleLite } from '../api/types';

/** Node data is a union discriminated by module kind, one member per node type. */
export interface CategoryNodeData extends Record<string, unknown> {
  kind: 'category';
  nodeId: number;
  module: ModuleLite;
}

export interface TaskNodeData extends Record<string, unknown> {
  kind: 'task';
  nodeId: number;
  module: ModuleLite;
}

export type CategoryFlowNode = Node<CategoryNodeData, 'category'>;
export type TaskFlowNode = Node<TaskNodeData, 'task'>;
export type FlowNode = CategoryFlowNode | TaskFlowNode;

/** Edge data holds ids only; job state is read from the query cache. */
export interface JobEdgeData extends Record<string, unknown> {
  edgeId: number;
}

export type FlowEdge = Edge<JobEdgeData, 'job'>;
