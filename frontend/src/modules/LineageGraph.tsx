import { Handle, type Node, type NodeProps, Position, ReactFlow, type Edge as FlowEdge } from '@xyflow/react';
import { memo, useMemo } from 'react';
import { useNavigate } from 'react-router';
import type { Lineage, ModuleLite } from '../api/types';
import { formatMetric } from '../lib/format';
import { layoutLineage } from '../lib/lineageLayout';
import { moduleMetric } from '../lib/moduleMetric';

type LineageNodeData = { module: ModuleLite; current: boolean };
type LineageNode = Node<LineageNodeData, 'lineage'>;

const ROLE_LABEL: Record<string, string> = {
  category: 'category',
  task: 'task',
  teacher_task: "teacher's task",
};

const LineageNodeCard = memo(function LineageNodeCard({ data }: NodeProps<LineageNode>) {
  const { module, current } = data;
  const metric = moduleMetric(module);
  return (
    <div
      className={`lineage-node lineage-node--${module.kind}${current ? ' is-current' : ''}`}
      aria-label={`${module.kind} ${module.name}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <span className={`chip chip--${module.kind}`}>{module.kind}</span>
      <div className="lineage-node__name">{module.name}</div>
      {metric && (
        <div className="lineage-node__metric">
          {metric.label} <strong>{formatMetric(metric.name, metric.value)}</strong>
        </div>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

const nodeTypes = { lineage: LineageNodeCard };

/** The module's lineage drawn as a graph: parents on the left, what was built from it on the right. */
export function LineageGraph({ lineage, currentId }: { lineage: Lineage; currentId: number }) {
  const navigate = useNavigate();
  const { nodes, edges } = useMemo(() => {
    const placed = layoutLineage(lineage, currentId);
    const shown = new Set(placed.map((p) => p.module.id));
    const flowNodes: LineageNode[] = placed.map((p) => ({
      id: String(p.module.id),
      type: 'lineage',
      position: { x: p.x, y: p.y },
      data: { module: p.module, current: p.module.id === currentId },
      draggable: false,
    }));
    const flowEdges: FlowEdge[] = lineage.edges
      .filter((edge) => shown.has(edge.from) && shown.has(edge.to))
      .map((edge) => ({
        id: `${edge.from}-${edge.to}-${edge.role}`,
        source: String(edge.from),
        target: String(edge.to),
        label: ROLE_LABEL[edge.role] ?? edge.role,
        labelBgPadding: [6, 3] as [number, number],
        labelBgBorderRadius: 4,
      }));
    return { nodes: flowNodes, edges: flowEdges };
  }, [lineage, currentId]);

  return (
    <div className="lineage-graph" role="figure" aria-label="Lineage graph">
      <ReactFlow<LineageNode, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={{ padding: 0.25, maxZoom: 1 }}
        nodesConnectable={false}
        elementsSelectable={false}
        onNodeClick={(_event, node) => {
          if (Number(node.id) !== currentId) navigate(`/modules/${node.id}`);
        }}
        proOptions={{ hideAttribution: true }}
        minZoom={0.3}
        maxZoom={1.5}
      />
    </div>
  );
}
