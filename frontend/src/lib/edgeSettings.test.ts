import { describe, expect, it } from 'vitest';
import { CROSS_NET_SAMPLES, DEFAULT_SETTINGS, defaultSettingsFor, sameNet, samplesCaution, validateSettings } from './edgeSettings';

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

describe('defaults across nets', () => {
  it('tells modules of one teacher net from modules of two', () => {
    expect(sameNet({ teacher: 'cat-net' }, { teacher: 'cat-net' })).toBe(true);
    expect(sameNet({ teacher: 'cat-net' }, { teacher: 'dog-net' })).toBe(false);
    expect(sameNet({ teacher: null }, { teacher: null })).toBe(false);
  });

  it('starts an edge onto another net with a few labelled samples, and one within a net with none', () => {
    expect(defaultSettingsFor(true).samples).toBe(0);
    expect(defaultSettingsFor(false)).toEqual({ ...DEFAULT_SETTINGS, samples: CROSS_NET_SAMPLES });
    expect(validateSettings(defaultSettingsFor(false))).toEqual({});
  });

  it('cautions against zero-sample back-distillation across nets only', () => {
    expect(samplesCaution(DEFAULT_SETTINGS, false)).toMatch(/near chance/);
    expect(samplesCaution(DEFAULT_SETTINGS, true)).toBeUndefined();
    expect(samplesCaution({ ...DEFAULT_SETTINGS, samples: 10 }, false)).toBeUndefined();
    expect(samplesCaution({ ...DEFAULT_SETTINGS, method: 'direct-learn' }, false)).toBeUndefined();
  });
});
