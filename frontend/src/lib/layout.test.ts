import { describe, expect, it } from 'vitest';
import { COLUMN_GAP, autoLayout } from './layout';

describe('autoLayout', () => {
  it('puts category modules left of the task modules they feed', () => {
    const positions = autoLayout([{ id: 't' }, { id: 'c' }], [{ source: 'c', target: 't' }]);
    expect(positions.c.x).toBe(0);
    expect(positions.t.x).toBe(COLUMN_GAP);
  });

  it('never stacks two nodes on the same spot', () => {
    const nodes = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));
    const positions = autoLayout(nodes, [
      { source: 'a', target: 'd' },
      { source: 'b', target: 'd' },
      { source: 'c', target: 'e' },
    ]);
    const spots = new Set(Object.values(positions).map((p) => `${p.x},${p.y}`));
    expect(spots.size).toBe(nodes.length);
  });

  it('orders children by their parents to avoid crossings', () => {
    const positions = autoLayout(
      [{ id: 'c1' }, { id: 'c2' }, { id: 't2' }, { id: 't1' }],
      [
        { source: 'c1', target: 't1' },
        { source: 'c2', target: 't2' },
      ],
    );
    expect(positions.t1.y).toBeLessThan(positions.t2.y);
  });

  it('survives a cycle', () => {
    const positions = autoLayout(
      [{ id: 'a' }, { id: 'b' }],
      [
        { source: 'a', target: 'b' },
        { source: 'b', target: 'a' },
      ],
    );
    expect(Object.keys(positions)).toHaveLength(2);
  });
});
