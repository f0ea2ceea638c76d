import { describe, expect, it } from 'vitest';
import { type Command, type EdgeSnapshot, type NodeSnapshot, emptyRemap, invert } from './commands';
import { DEFAULT_SETTINGS } from './edgeSettings';
import { emptyHistory, pushFuture, pushPast, record, remapHistory, takeRedo, takeUndo } from './history';

const node = (id: number): NodeSnapshot => ({
  id,
  x: 0,
  y: 0,
  module: {
    id: 100 + id,
    kind: 'category',
    name: `m${id}`,
    category: 'cat',
    task: null,
    architecture: 'vgg-mini',
    input_shape: [1, 28, 28],
    output_shape: [64, 7, 7],
    metrics: {},
    teacher: null,
  },
});
const edge = (id: number, source: number, target: number): EdgeSnapshot => ({
  id,
  source,
  target,
  settings: DEFAULT_SETTINGS,
});

describe('history', () => {
  it('undoes the newest edit first and can redo it', () => {
    let history = record(record(emptyHistory(), { type: 'addNode', node: node(1), edges: [] }), {
      type: 'addEdge',
      edge: edge(9, 1, 2),
    });
    const undo = takeUndo(history)!;
    expect(undo.command.type).toBe('addEdge');
    history = pushFuture(undo.rest, undo.command);
    const redo = takeRedo(history)!;
    expect(redo.command.type).toBe('addEdge');
    history = pushPast(redo.rest, redo.command);
    expect(history.past).toHaveLength(2);
    expect(history.future).toHaveLength(0);
  });

  it('forgets the redo stack when a new edit is recorded', () => {
    let history = record(emptyHistory(), { type: 'addNode', node: node(1), edges: [] });
    const undo = takeUndo(history)!;
    history = pushFuture(undo.rest, undo.command);
    history = record(history, { type: 'addNode', node: node(2), edges: [] });
    expect(takeRedo(history)).toBeNull();
  });

  it('returns null when there is nothing to undo', () => {
    expect(takeUndo(emptyHistory())).toBeNull();
  });

  it('keeps at most the limit of edits', () => {
    let history = emptyHistory();
    for (let i = 0; i < 5; i += 1)
      history = record(history, { type: 'addNode', node: node(i), edges: [] }, 3);
    expect(history.past.map((c) => (c.type === 'addNode' ? c.node.id : -1))).toEqual([2, 3, 4]);
  });

  it('rewrites ids after undo re-created a deleted node and its edges', () => {
    const removed: Command = { type: 'removeNode', node: node(1), edges: [edge(9, 1, 2)] };
    const later: Command = {
      type: 'moveNodes',
      moves: [{ id: 1, from: { x: 0, y: 0 }, to: { x: 5, y: 5 } }],
    };
    const remap = emptyRemap();
    remap.nodes.set(1, 11);
    remap.edges.set(9, 19);
    const history = remapHistory({ past: [removed], future: [later] }, remap);
    expect(history.past[0]).toMatchObject({ node: { id: 11 }, edges: [{ id: 19, source: 11, target: 2 }] });
    expect(history.future[0]).toMatchObject({ moves: [{ id: 11 }] });
  });
});

describe('invert', () => {
  it('turns each edit into its opposite and back', () => {
    const commands: Command[] = [
      { type: 'addNode', node: node(1), edges: [] },
      { type: 'addEdge', edge: edge(3, 1, 2) },
      { type: 'moveNodes', moves: [{ id: 1, from: { x: 0, y: 0 }, to: { x: 10, y: 20 } }] },
    ];
    for (const command of commands) expect(invert(invert(command))).toEqual(command);
    expect(invert(commands[1]).type).toBe('removeEdge');
    expect(invert(commands[2])).toMatchObject({ moves: [{ from: { x: 10, y: 20 }, to: { x: 0, y: 0 } }] });
  });
});
