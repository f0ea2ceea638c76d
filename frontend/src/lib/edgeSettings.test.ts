import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, validateSettings } from './edgeSettings';

describe('validateSettings', () => {
  it('accepts the defaults: back-distillation needs no labelled samples', () => {
    expect(validateSettings(DEFAULT_SETTINGS)).toEqual({});
  });

  it('refuses zero samples for methods that learn from labels', () => {
    for (const method of ['direct-learn', 'distill', 'jacobian'] as const) {
      expect(validateSettings({ ...DEFAULT_SETTINGS, method, samples: 0 }).samples).toMatch(/at least 1/);
      expect(validateSettings({ ...DEFAULT_SETTINGS, method, samples: 10 })).toEqual({});
    }
  });

  it('allows only 1 or 3 adapter layers', () => {
    expect(validateSettings({ ...DEFAULT_SETTINGS, adapter_layers: 2 as 1 }).adapter_layers).toBeDefined();
    expect(validateSettings({ ...DEFAULT_SETTINGS, adapter_layers: 3 })).toEqual({});
  });

  it('refuses negative or fractional counts', () => {
    expect(validateSettings({ ...DEFAULT_SETTINGS, samples: -1 }).samples).toBeDefined();
    expect(validateSettings({ ...DEFAULT_SETTINGS, steps: 1.5 }).steps).toBeDefined();
  });
});
