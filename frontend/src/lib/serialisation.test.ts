import { describe, expect, it } from 'vitest';
import type { Graph, GraphNode, ModuleLite } from '../api/types';
import { DEFAULT_SETTINGS } from './edgeSettings';
import { exportFileName, graphToFlow, parseGraphDocument, reconcile } from './serialisation';

const mod = (id: number, kind: ModuleLite['kind']): ModuleLite => ({
  id,
  kind,
  name: `m${id}`,
  category: kind === 'category' ? 'cat' : null,
  task: kind === 'task' ? 'classification' : null,
  architecture: 'vgg-mini',
  input_shape: [1, 28, 28],
  output_shape: [64, 7, 7],
  metrics: {},
  teacher: null,
});
const gnode = (id: number, kind: ModuleLite['kind'], x = 0, y = 0): GraphNode => ({
  id,
  module: mod(id, kind),
  x,
  y,
});
const graph = (nodes: GraphNode[], edges: Graph['edges'] = []): Pick<Graph, 'nodes' | 'edges'> => ({
  nodes,
  edges,
});
const gedge = (id: number, source: number, target: number): Graph['edges'][number] => ({
  id,
  source,
  target,
  settings: DEFAULT_SETTINGS,
  job: null,
  adapter: null,
});

describe('graphToFlow', () => {
  it('gives each module kind its node type and keeps ids as strings', () => {
    const flow = graphToFlow(graph([gnode(1, 'category', 10, 20), gnode(2, 'task')], [gedge(5, 1, 2)]));
    expect(flow.nodes.map((n) => [n.id, n.type, n.data.kind])).toEqual([
      ['1', 'category', 'category'],
      ['2', 'task', 'task'],
    ]);
    expect(flow.nodes[0].position).toEqual({ x: 10, y: 20 });
    expect(flow.edges[0]).toMatchObject({
      id: '5',
      source: '1',
      target: '2',
      type: 'job',
      data: { edgeId: 5 },
    });
  });

  it('leaves adapter modules off the canvas', () => {
    expect(graphToFlow(graph([gnode(1, 'adapter')])).nodes).toEqual([]);
  });
});

describe('reconcile', () => {
  it('adds and removes nodes to match the server', () => {
    const before = graphToFlow(graph([gnode(1, 'category'), gnode(2, 'task')]));
    const after = reconcile(before, graph([gnode(2, 'task'), gnode(3, 'task')]));
    expect(after.nodes.map((n) => n.id)).toEqual(['2', '3']);
  });

  it('keeps selection and object identity of unchanged nodes', () => {
    const server = graph([gnode(1, 'category')]);
    const before = graphToFlow(server);
    before.nodes[0] = { ...before.nodes[0], selected: true };
    const after = reconcile(before, server);
    expect(after.nodes[0]).toBe(before.nodes[0]);
  });

  it('does not move a node the person is dragging', () => {
    const before = graphToFlow(graph([gnode(1, 'category', 0, 0)]));
    before.nodes[0] = { ...before.nodes[0], dragging: true, position: { x: 50, y: 60 } };
    const after = reconcile(before, graph([gnode(1, 'category', 0, 0)]));
    expect(after.nodes[0].position).toEqual({ x: 50, y: 60 });
  });
});

describe('parseGraphDocument', () => {
  const doc = {
    format: 'transplant-graph/1',
    name: 'g',
    nodes: [
      { key: 'a', module_sha256: 'x', x: 0, y: 0 },
      { key: 'b', module_sha256: 'y', x: 1, y: 1 },
    ],
    edges: [{ source: 'a', target: 'b', settings: {} }],
  };

  it('accepts an exported graph', () => {
    expect(parseGraphDocument(JSON.stringify(doc))).toMatchObject({ ok: true });
  });

  it('explains what is wrong with other files', () => {
    expect(parseGraphDocument('{')).toMatchObject({ ok: false, reason: expect.stringMatching(/not JSON/) });
    expect(parseGraphDocument(JSON.stringify({ ...doc, format: 'x' }))).toMatchObject({ ok: false });
    const dangling = { ...doc, edges: [{ source: 'a', target: 'zz', settings: {} }] };
    expect(parseGraphDocument(JSON.stringify(dangling))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/zz/),
    });
  });
});

describe('parseGraphDocument and datasets', () => {
  const withDataset = (dataset: unknown) =>
    JSON.stringify({
      format: 'transplant-graph/1',
      name: 'g',
      nodes: [
        { key: 'a', module_sha256: 'x', x: 0, y: 0 },
        { key: 'b', module_sha256: 'y', x: 1, y: 1 },
      ],
      edges: [{ source: 'a', target: 'b', settings: { samples: 10, dataset } }],
    });

  it('accepts an edge whose dataset is named by contents (or an older id)', () => {
    const reference = { sha256: 'ab'.repeat(32), name: 'forklifts' };
    const parsed = parseGraphDocument(withDataset(reference));
    expect(parsed).toMatchObject({ ok: true });
    expect(parsed.ok && parsed.document.edges[0]?.settings?.dataset).toEqual(reference);
    expect(parseGraphDocument(withDataset(7))).toMatchObject({ ok: true });
    expect(parseGraphDocument(withDataset(null))).toMatchObject({ ok: true });
  });

  it('refuses a dataset reference without its SHA-256 before anything is sent', () => {
    for (const dataset of [{ name: 'forklifts' }, { sha256: 'nope', name: 'f' }, 'forklifts']) {
      expect(parseGraphDocument(withDataset(dataset))).toMatchObject({
        ok: false,
        reason: expect.stringMatching(/a -> b names its dataset without a SHA-256/),
      });
    }
  });
});

describe('exportFileName', () => {
  it('makes a safe slug', () => {
    expect(exportFileName('Cat → Segmentation!')).toBe('cat-segmentation.transplant.json');
  });
});
