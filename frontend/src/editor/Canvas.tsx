import {
  Background,
  type Connection,
  ConnectionMode,
  Controls,
  type EdgeChange,
  MiniMap,
  type NodeChange,
  type OnBeforeDelete,
  ReactFlow,
  useReactFlow,
} from '@xyflow/react';
import { type DragEvent, useCallback, useEffect, useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { keys } from '../api/keys';
import type { Graph, Module } from '../api/types';
import type { Command, EdgeSnapshot, Move } from '../lib/commands';
import type { FlowEdge, FlowNode } from '../lib/flowTypes';
import { checkConnection } from '../lib/validation';
import { useEditorStore, useFlowEdges, useFlowNodes } from '../store/editor';
import { useShowNotice } from '../store/notices';
import { edgeTypes } from './edges';
import { nodeTypes } from './nodes';
import { MODULE_DRAG_TYPE } from './PaletteItem';
import type { useGraphCommands } from './useGraphCommands';

type Commands = ReturnType<typeof useGraphCommands>;

const DELETE_KEYS = ['Backspace', 'Delete'];

/** The React Flow canvas: drop modules, drag nodes, draw and delete edges. */
export function Canvas({
  commands,
  onConnectRequest,
}: {
  commands: Commands;
  onConnectRequest: (source: number, target: number) => void;
}) {
  const nodes = useFlowNodes();
  const edges = useFlowEdges();
  const showNotice = useShowNotice();
  const flow = useReactFlow<FlowNode, FlowEdge>();
  const queryClient = useQueryClient();
  const dragStart = useRef(new Map<string, { x: number; y: number }>());
  const container = useRef<HTMLDivElement>(null);

  // A side panel opening or closing (or the window resizing) changes the canvas's size: fit the
  // graph to the new size so that no node ends up hidden under the panel.
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    let last = { width: element.clientWidth, height: element.clientHeight };
    let timer: number | undefined;
    const observer = new ResizeObserver(([entry]) => {
      const { width, height } = entry.contentRect;
      if (Math.abs(width - last.width) < 1 && Math.abs(height - last.height) < 1) return;
      last = { width, height };
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void flow.fitView({ maxZoom: 1, padding: 0.3, duration: 200 }), 60);
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      window.clearTimeout(timer);
    };
  }, [flow]);

  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    // Removal goes through onBeforeDelete and the server; the rest is local canvas state.
    useEditorStore.getState().applyNodeChanges(changes.filter((change) => change.type !== 'remove'));
  }, []);
  const onEdgesChange = useCallback((changes: EdgeChange<FlowEdge>[]) => {
    useEditorStore.getState().applyEdgeChanges(changes.filter((change) => change.type !== 'remove'));
  }, []);

  const onConnect = useCallback(
    (connection: Connection) => {
      const { nodes: current, edges: currentEdges } = useEditorStore.getState();
      const from = current.find((node) => node.id === connection.source);
      const to = current.find((node) => node.id === connection.target);
      if (!from || !to) return;
      const result = checkConnection(
        { nodeId: from.data.nodeId, module: from.data.module },
        { nodeId: to.data.nodeId, module: to.data.module },
        currentEdges.map((edge) => ({ source: Number(edge.source), target: Number(edge.target) })),
      );
      if (!result.ok) {
        showNotice('error', `Connection refused. ${result.reason}`);
        return;
      }
      onConnectRequest(result.source, result.target);
    },
    [onConnectRequest, showNotice],
  );

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(MODULE_DRAG_TYPE)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const raw = event.dataTransfer.getData(MODULE_DRAG_TYPE);
      if (!raw) return;
      event.preventDefault();
      const module = JSON.parse(raw) as Module;
      const position = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      // Centre the node card (about 220×110) on the pointer.
      void commands.addNode(module, { x: Math.round(position.x - 110), y: Math.round(position.y - 50) });
    },
    [commands, flow],
  );

  const onNodeDragStart = useCallback((_event: unknown, _node: FlowNode, dragged: FlowNode[]) => {
    dragStart.current = new Map(dragged.map((node) => [node.id, { ...node.position }]));
  }, []);

  const onNodeDragStop = useCallback(
    (_event: unknown, _node: FlowNode, dragged: FlowNode[]) => {
      const moves: Move[] = dragged
        .map((node) => ({
          id: node.data.nodeId,
          from: dragStart.current.get(node.id) ?? node.position,
          to: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
        }))
        .filter((move) => move.from.x !== move.to.x || move.from.y !== move.to.y);
      if (moves.length) void commands.perform({ type: 'moveNodes', moves });
    },
    [commands],
  );

  const onBeforeDelete: OnBeforeDelete<FlowNode, FlowEdge> = useCallback(
    async ({ nodes: doomedNodes, edges: doomedEdges }) => {
      const editorState = useEditorStore.getState();
      const doomedIds = new Set(doomedNodes.map((node) => node.id));
      const server = queryClient.getQueryData<Graph>(keys.graph(editorState.graphId ?? -1));
      const snapshots = new Map<number, EdgeSnapshot>(
        (server?.edges ?? []).map((edge) => [
          edge.id,
          { id: edge.id, source: edge.source, target: edge.target, settings: edge.settings },
        ]),
      );
      const steps: Command[] = [];
      for (const edge of doomedEdges) {
        if (doomedIds.has(edge.source) || doomedIds.has(edge.target)) continue;
        const snapshot = snapshots.get(Number(edge.id));
        if (snapshot) steps.push({ type: 'removeEdge', edge: snapshot });
      }
      for (const node of doomedNodes) {
        const attached = editorState.edges
          .filter((edge) => edge.source === node.id || edge.target === node.id)
          .map((edge) => snapshots.get(Number(edge.id)))
          .filter((edge) => edge !== undefined);
        steps.push({
          type: 'removeNode',
          node: { id: node.data.nodeId, module: node.data.module, x: node.position.x, y: node.position.y },
          edges: attached,
        });
      }
      for (const step of steps) await commands.perform(step);
      return false;
    },
    [commands, queryClient],
  );

  const onEdgeClick = useCallback((_event: unknown, edge: FlowEdge) => {
    useEditorStore.getState().selectEdge(edge.data?.edgeId ?? null);
  }, []);

  const onPaneClick = useCallback(() => useEditorStore.getState().selectEdge(null), []);

  return (
    <div
      className="canvas"
      ref={container}
      onDragOver={onDragOver}
      onDrop={onDrop}
      aria-label="Graph canvas"
      role="region"
    >
      <ReactFlow<FlowNode, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        connectionMode={ConnectionMode.Loose}
        onNodeDragStart={onNodeDragStart}
        onNodeDragStop={onNodeDragStop}
        onBeforeDelete={onBeforeDelete}
        onEdgeClick={onEdgeClick}
        onPaneClick={onPaneClick}
        deleteKeyCode={DELETE_KEYS}
        minZoom={0.2}
        maxZoom={2}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={24} size={1.5} color="#d4d9e2" />
        <Controls position="bottom-left" showInteractive={false} />
        <MiniMap pannable zoomable position="bottom-right" nodeColor={miniMapColor} ariaLabel="Mini map" />
      </ReactFlow>
      {nodes.length === 0 && (
        <div className="canvas__empty">
          <h2>An empty graph</h2>
          <p>
            Drag a category module and a task module from the palette, then draw an edge from the category’s
            right handle to the task’s left handle.
          </p>
        </div>
      )}
    </div>
  );
}

const miniMapColor = (node: FlowNode) => (node.type === 'category' ? '#6d5dfc' : '#0e9f8d');
