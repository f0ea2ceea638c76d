import { describe, expect, it } from 'vitest';
import { checkConnection, type Endpoint } from './validation';

const category = (nodeId: number, channels = 64, name = 'cat features'): Endpoint => ({
  nodeId,
  module: { kind: 'category', name, input_shape: [1, 28, 28], output_shape: [channels, 7, 7] },
});
const task = (nodeId: number, channels = 64, name = 'classifier'): Endpoint => ({
  nodeId,
  module: { kind: 'task', name, input_shape: [channels, 7, 7], output_shape: [1, 1, 1] },
});

describe('checkConnection', () => {
  it('accepts a category output into a task input with the same channels', () => {
    expect(checkConnection(category(1), task(2), [])).toEqual({ ok: true, source: 1, target: 2 });
  });

  it('orients a drag that started on the task module', () => {
    expect(checkConnection(task(2), category(1), [])).toEqual({ ok: true, source: 1, target: 2 });
  });

  it('refuses mismatched channels and names both numbers', () => {
    const result = checkConnection(category(1, 64), task(2, 32), []);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toContain('64 channels');
      expect(result.reason).toContain('expects 32');
    }
  });

  it('refuses two modules of the same kind', () => {
    const result = checkConnection(category(1), category(2, 64, 'dog features'), []);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.reason).toMatch(/both .* category modules/i);
  });

  it('refuses a node joined to itself', () => {
    expect(checkConnection(category(1), category(1), [])).toMatchObject({ ok: false });
  });

  it('refuses a duplicate edge', () => {
    const result = checkConnection(category(1), task(2), [{ source: 1, target: 2 }]);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.reason).toContain('already connected');
  });
});
