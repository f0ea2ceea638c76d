import { type EdgeChange, type NodeChange, applyEdgeChanges, applyNodeChanges } from '@xyflow/react';
import { create } from 'zustand';
import type { Graph } from '../api/types';
import type { FlowEdge, FlowNode } from '../lib/flowTypes';
import { type History, emptyHistory } from '../lib/history';
import { graphToFlow, reconcile } from '../lib/serialisation';

/**
 * Editor state only: what the canvas shows, what is selected, and the undo history.
 * Server data (jobs, modules, metrics) stays in TanStack Query.
 */
interface EditorState {
  graphId: number | null;
  nodes: FlowNode[];
  edges: FlowEdge[];
  selectedEdgeId: number | null;
  history: History;
  busy: boolean;
  openGraph: (graph: Graph) => void;
  closeGraph: () => void;
  syncFromServer: (graph: Graph) => void;
  applyNodeChanges: (changes: NodeChange<FlowNode>[]) => void;
  applyEdgeChanges: (changes: EdgeChange<FlowEdge>[]) => void;
  selectEdge: (edgeId: number | null) => void;
  setHistory: (history: History) => void;
  setBusy: (busy: boolean) => void;
}

export const useEditorStore = create<EditorState>()((set, get) => ({
  graphId: null,
  nodes: [],
  edges: [],
  selectedEdgeId: null,
  history: emptyHistory(),
  busy: false,
  openGraph: (graph) =>
    set({ graphId: graph.id, ...graphToFlow(graph), selectedEdgeId: null, history: emptyHistory() }),
  closeGraph: () =>
    set({ graphId: null, nodes: [], edges: [], selectedEdgeId: null, history: emptyHistory() }),
  syncFromServer: (graph) => {
    const state = get();
    if (state.graphId !== graph.id) return;
    const next = reconcile(state, graph);
    const selectedStillThere = next.edges.some((edge) => edge.data?.edgeId === state.selectedEdgeId);
    set({ ...next, selectedEdgeId: selectedStillThere ? state.selectedEdgeId : null });
  },
  applyNodeChanges: (changes) => set({ nodes: applyNodeChanges(changes, get().nodes) }),
  applyEdgeChanges: (changes) => set({ edges: applyEdgeChanges(changes, get().edges) }),
  selectEdge: (selectedEdgeId) => set({ selectedEdgeId }),
  setHistory: (history) => set({ history }),
  setBusy: (busy) => set({ busy }),
}));

// Selector hooks: components subscribe to the slice they draw, nothing more.
export const useGraphId = () => useEditorStore((s) => s.graphId);
export const useFlowNodes = () => useEditorStore((s) => s.nodes);
export const useFlowEdges = () => useEditorStore((s) => s.edges);
export const useSelectedEdgeId = () => useEditorStore((s) => s.selectedEdgeId);
export const useCanUndo = () => useEditorStore((s) => s.history.past.length > 0 && !s.busy);
export const useCanRedo = () => useEditorStore((s) => s.history.future.length > 0 && !s.busy);
export const useUndoLabel = () => useEditorStore((s) => s.history.past.at(-1));
export const useRedoLabel = () => useEditorStore((s) => s.history.future.at(-1));
