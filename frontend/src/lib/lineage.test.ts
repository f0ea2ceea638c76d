import { describe, expect, it } from 'vitest';
import type { ModuleLite } from '../api/types';
import { lineageForest } from './lineage';

const mod = (id: number, kind: ModuleLite['kind']): ModuleLite => ({
  id,
  kind,
  name: `m${id}`,
  category: null,
  task: null,
  architecture: 'a',
  input_shape: [1, 1, 1],
  output_shape: [1, 1, 1],
  metrics: {},
  teacher: null,
});

describe('lineageForest', () => {
  it('hangs an adapter under both modules it joins', () => {
    const forest = lineageForest({
      nodes: [mod(1, 'category'), mod(2, 'task'), mod(3, 'adapter')],
      edges: [
        { from: 1, to: 3, role: 'category' },
        { from: 2, to: 3, role: 'task' },
      ],
    });
    expect(forest.map((t) => t.module.id)).toEqual([1, 2]);
    expect(forest[0].children[0]).toMatchObject({ module: { id: 3 }, role: 'category' });
    expect(forest[1].children[0]).toMatchObject({ module: { id: 3 }, role: 'task' });
  });

  it('ignores edges to modules outside the lineage and cuts cycles', () => {
    const forest = lineageForest({
      nodes: [mod(1, 'category'), mod(2, 'adapter')],
      edges: [
        { from: 1, to: 2, role: 'category' },
        { from: 2, to: 1, role: 'x' },
        { from: 1, to: 99, role: 'y' },
      ],
    });
    // Every node has a parent in a pure cycle, so nothing is a root; no infinite recursion either.
    expect(forest).toEqual([]);
  });
});
