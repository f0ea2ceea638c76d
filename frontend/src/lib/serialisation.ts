import type { DatasetReference, Graph, GraphDocument, GraphNode } from '../api/types';
import type { FlowEdge, FlowNode } from './flowTypes';

/**
 * Turns a server graph node into a canvas node.
 *
 * @returns null for node kinds the editor does not draw (adapters live on edges)
 */
export function toFlowNode(node: GraphNode): FlowNode | null {
  const id = String(node.id);
  const position = { x: node.x, y: node.y };
  if (node.module.kind === 'category') {
    return {
      id,
      type: 'category',
      position,
      data: { kind: 'category', nodeId: node.id, module: node.module },
    };
  }
  if (node.module.kind === 'task') {
    return { id, type: 'task', position, data: { kind: 'task', nodeId: node.id, module: node.module } };
  }
  return null;
}

/** Canvas nodes and edges for a server graph. */
export function graphToFlow(graph: Pick<Graph, 'nodes' | 'edges'>): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const nodes = graph.nodes.map(toFlowNode).filter((node): node is FlowNode => node !== null);
  const edges: FlowEdge[] = graph.edges.map((edge) => ({
    id: String(edge.id),
    type: 'job',
    source: String(edge.source),
    target: String(edge.target),
    data: { edgeId: edge.id },
  }));
  return { nodes, edges };
}

/**
 * Brings the canvas in line with the server graph while keeping what only the canvas knows:
 * selection, and the position of a node that is being dragged right now.
 *
 * @param current nodes and edges on the canvas
 * @param graph the server's graph (the source of truth for which nodes and edges exist)
 * @returns new arrays; unchanged items keep their identity so React Flow does not re-render them
 */
export function reconcile(
  current: { nodes: readonly FlowNode[]; edges: readonly FlowEdge[] },
  graph: Pick<Graph, 'nodes' | 'edges'>,
): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const fresh = graphToFlow(graph);
  const oldNodes = new Map(current.nodes.map((node) => [node.id, node]));
  const nodes = fresh.nodes.map((node) => {
    const old = oldNodes.get(node.id);
    if (!old) return node;
    const position = old.dragging ? old.position : node.position;
    const same =
      old.position.x === position.x && old.position.y === position.y && old.data.module === node.data.module;
    if (same) return old;
    return { ...old, position, data: node.data } as FlowNode;
  });
  const oldEdges = new Map(current.edges.map((edge) => [edge.id, edge]));
  const edges = fresh.edges.map((edge) => oldEdges.get(edge.id) ?? edge);
  return { nodes, edges };
}

export type ParsedDocument = { ok: true; document: GraphDocument } | { ok: false; reason: string };

/**
 * Checks an imported file before it is sent to `POST /api/graphs/import/`.
 *
 * @param text the file's contents
 * @returns the document, or why it cannot be imported
 */
export function parseGraphDocument(text: string): ParsedDocument {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return {
      ok: false,
      reason: 'The file is not JSON. Export a graph from Transplant Studio and import that file.',
    };
  }
  if (typeof data !== 'object' || data === null)
    return { ok: false, reason: 'The file does not hold a graph.' };
  const doc = data as Partial<GraphDocument>;
  if (doc.format !== 'transplant-graph/1') {
    return { ok: false, reason: `Unknown format "${String(doc.format)}"; expected "transplant-graph/1".` };
  }
  if (typeof doc.name !== 'string' || !Array.isArray(doc.nodes) || !Array.isArray(doc.edges)) {
    return { ok: false, reason: 'The graph needs a name, a list of nodes and a list of edges.' };
  }
  const keys = new Set<string>();
  for (const node of doc.nodes) {
    if (typeof node?.key !== 'string' || typeof node.module_sha256 !== 'string') {
      return { ok: false, reason: 'Every node needs a key and a module_sha256.' };
    }
    if (keys.has(node.key)) return { ok: false, reason: `Node key "${node.key}" appears twice.` };
    keys.add(node.key);
  }
  for (const edge of doc.edges) {
    if (!keys.has(edge?.source) || !keys.has(edge?.target)) {
      return {
        ok: false,
        reason: `An edge refers to a node that is not in the file (${edge?.source} -> ${edge?.target}).`,
      };
    }
    const dataset: unknown = edge.settings?.dataset;
    if (dataset !== undefined && dataset !== null && typeof dataset !== 'number') {
      const reference = dataset as Partial<DatasetReference>;
      if (typeof reference.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(reference.sha256)) {
        return {
          ok: false,
          reason: `The edge ${edge.source} -> ${edge.target} names its dataset without a SHA-256; export the graph again.`,
        };
      }
    }
  }
  return { ok: true, document: doc as GraphDocument };
}

/** A file name for an exported graph, e.g. "cat-to-segmentation.transplant.json". */
export function exportFileName(name: string): string {
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'graph';
  return `${slug}.transplant.json`;
}
