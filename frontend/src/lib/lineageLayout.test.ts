import { describe, expect, it } from 'vitest';
import type { Lineage, ModuleLite } from '../api/types';
import { LINEAGE_COLUMN, LINEAGE_ROW, layoutLineage } from './lineageLayout';

const module = (id: number, kind: ModuleLite['kind']): ModuleLite => ({
  id,
  kind,
  name: `m${id}`,
  category: null,
  task: null,
  architecture: 'vgg-mini',
  input_shape: [1, 28, 28],
  output_shape: [8, 14, 14],
  metrics: {},
  teacher: null,
});

// 1 cat category, 2 dog classifier, 3 cat classifier (teacher), 4 the adapter, 5 an unrelated module
const lineage: Lineage = {
  nodes: [
    module(1, 'category'),
    module(2, 'task'),
    module(3, 'task'),
    module(4, 'adapter'),
    module(5, 'task'),
  ],
  edges: [
    { from: 1, to: 4, role: 'category' },
    { from: 2, to: 4, role: 'task' },
    { from: 3, to: 4, role: 'teacher_task' },
  ],
};

describe('layoutLineage', () => {
  it("puts an adapter's three parents in one column before it, spread so they do not overlap", () => {
    const placed = layoutLineage(lineage, 4);
    const byId = new Map(placed.map((p) => [p.module.id, p]));
    expect([...byId.keys()].sort()).toEqual([1, 2, 3, 4]);
    expect([1, 2, 3].map((id) => byId.get(id)!.x)).toEqual([0, 0, 0]);
    expect(byId.get(4)).toMatchObject({ depth: 0, x: LINEAGE_COLUMN, y: 0 });
    const ys = [1, 2, 3].map((id) => byId.get(id)!.y);
    expect(ys).toEqual([-LINEAGE_ROW, 0, LINEAGE_ROW]);
  });

  it('from a parent, walks down to the adapter and back up to its other parents', () => {
    const placed = layoutLineage(lineage, 1);
    const depth = Object.fromEntries(placed.map((p) => [p.module.id, p.depth]));
    expect(depth).toEqual({ 1: 0, 4: 1, 2: 0, 3: 0 });
  });

  it('shows a module without lineage alone', () => {
    expect(layoutLineage(lineage, 5)).toEqual([{ module: lineage.nodes[4], depth: 0, x: 0, y: 0 }]);
  });
});
