import { describe, expect, it } from 'vitest';
import type { EdgeSettingsSpec } from '../api/types';
import {
  DEFAULT_SETTINGS,
  defaultSettingsFor,
  formSettings,
  LABELLED_START,
  methodInfo,
  samplesCaution,
  validateSettings,
} from './edgeSettings';

/** The shape GET /api/edge-settings/ answers with (tests/webapp/test_web_security.py checks the server's side). */
const spec: EdgeSettingsSpec = {
  fields: {
    method: {
      type: 'choice',
      default: 'auto',
      choices: ['back-distill', 'direct-learn', 'distill', 'jacobian', 'stitch', 'auto', 'magic-2'],
      help: '',
    },
    samples: { type: 'integer', default: 0, minimum: 0, maximum: 800, help: '' },
    adapter_layers: { type: 'integer', default: 1, minimum: 1, maximum: 3, choices: [1, 3], help: '' },
    steps: { type: 'integer', default: 300, minimum: 1, maximum: 20000, help: '' },
    seed: { type: 'integer', default: 0, minimum: 0, maximum: 2 ** 31 - 1, help: '' },
  },
  cross_net_samples: 10,
  cross_net_adapter_layers: 3,
  cross_net_steps: 1000,
};

describe('validateSettings', () => {
  it('accepts the server defaults', () => {
    expect(validateSettings(defaultSettingsFor(spec, true), spec)).toEqual({});
    expect(validateSettings(defaultSettingsFor(spec, false), spec)).toEqual({});
  });

  it('needs labelled samples for every method but back-distillation', () => {
    for (const method of ['direct-learn', 'distill', 'jacobian'] as const) {
      expect(validateSettings({ ...DEFAULT_SETTINGS, method, samples: 0 }, spec).samples).toMatch(
        /at least 1/,
      );
      expect(validateSettings({ ...DEFAULT_SETTINGS, method, samples: 10 }, spec)).toEqual({});
    }
  });

  it('takes the ranges and choices from the spec', () => {
    expect(validateSettings({ ...DEFAULT_SETTINGS, adapter_layers: 2 as 1 }, spec).adapter_layers).toMatch(
      /1 or 3/,
    );
    expect(validateSettings({ ...DEFAULT_SETTINGS, samples: 801 }, spec).samples).toMatch(/0 to 800/);
    expect(validateSettings({ ...DEFAULT_SETTINGS, samples: 800 }, spec)).toEqual({});
    expect(validateSettings({ ...DEFAULT_SETTINGS, seed: -1 }, spec).seed).toBeDefined();
    expect(validateSettings({ ...DEFAULT_SETTINGS, seed: 2 ** 31 }, spec).seed).toBeDefined();
    expect(validateSettings({ ...DEFAULT_SETTINGS, steps: 1.5 }, spec).steps).toMatch(/whole number/);
    expect(validateSettings({ ...DEFAULT_SETTINGS, steps: 10 ** 9 }, spec).steps).toBeDefined();
    expect(
      validateSettings({ ...DEFAULT_SETTINGS, method: 'magic' as 'distill' }, spec).method,
    ).toBeDefined();
  });

  it('accepts a method the server adds, named as the server names it', () => {
    expect(
      validateSettings({ ...DEFAULT_SETTINGS, method: 'magic-2' as 'distill', samples: 10 }, spec),
    ).toEqual({});
    expect(methodInfo('magic-2').label).toBe('magic-2');
    expect(methodInfo('back-distill').label).toBe('Back-distillation');
  });

  it('lets auto, back-distillation and stitching learn without labels, and stitching only without', () => {
    for (const method of ['auto', 'back-distill', 'stitch'] as const) {
      expect(validateSettings({ ...DEFAULT_SETTINGS, method, samples: 0 }, spec)).toEqual({});
    }
    expect(validateSettings({ ...DEFAULT_SETTINGS, method: 'stitch', samples: 10 }, spec).samples).toMatch(
      /unlabelled images only/,
    );
  });
});

describe('defaultSettingsFor', () => {
  it('starts across nets with the server’s few samples, three convs and more steps', () => {
    expect(defaultSettingsFor(spec, true)).toEqual(DEFAULT_SETTINGS);
    expect(defaultSettingsFor(spec, false)).toEqual({
      ...DEFAULT_SETTINGS,
      samples: 10,
      adapter_layers: 3,
      steps: 1000,
    });
  });
});

describe('formSettings', () => {
  const defaults = defaultSettingsFor(spec, true);

  it('follows the edge’s default samples for auto and back-distillation until a count is typed', () => {
    expect(formSettings(defaults, {}, { samples: 10, adapter_layers: 1, steps: 300 })).toEqual({
      ...DEFAULT_SETTINGS,
      samples: 10,
    });
    expect(
      formSettings(defaults, { method: 'back-distill' }, { samples: 0, adapter_layers: 1, steps: 300 })
        .samples,
    ).toBe(0);
    expect(
      formSettings(defaults, { samples: 0 }, { samples: 10, adapter_layers: 1, steps: 300 }).samples,
    ).toBe(0);
    expect(
      formSettings(
        defaults,
        { method: 'back-distill', samples: 25 },
        { samples: 10, adapter_layers: 1, steps: 300 },
      ).samples,
    ).toBe(25);
  });

  it('follows the edge’s default layers and steps until they are changed', () => {
    const across = { samples: 10, adapter_layers: 3, steps: 1000 } as const;
    expect(formSettings(defaults, {}, across)).toEqual({
      ...DEFAULT_SETTINGS,
      samples: 10,
      adapter_layers: 3,
      steps: 1000,
    });
    expect(formSettings(defaults, { adapter_layers: 1 }, across).adapter_layers).toBe(1);
    expect(formSettings(defaults, { steps: 50 }, across).steps).toBe(50);
  });

  it('gives the methods that need labels a count, and stitching none', () => {
    expect(
      formSettings(defaults, { method: 'direct-learn' }, { samples: 0, adapter_layers: 1, steps: 300 })
        .samples,
    ).toBe(LABELLED_START);
    expect(
      formSettings(defaults, { method: 'distill' }, { samples: 10, adapter_layers: 1, steps: 300 }).samples,
    ).toBe(10);
    expect(
      formSettings(defaults, { method: 'stitch' }, { samples: 10, adapter_layers: 1, steps: 300 }).samples,
    ).toBe(0);
    for (const method of ['direct-learn', 'jacobian', 'stitch', 'auto'] as const) {
      expect(
        validateSettings(
          formSettings(defaults, { method }, { samples: 0, adapter_layers: 1, steps: 300 }),
          spec,
        ),
      ).toEqual({});
    }
  });

  it('keeps every other field the person changed over the server’s defaults', () => {
    const settings = formSettings(
      defaults,
      { steps: 50, seed: 7, dataset: 3, adapter_layers: 3 },
      { samples: 0, adapter_layers: 1, steps: 300 },
    );
    expect(settings).toEqual({ ...DEFAULT_SETTINGS, steps: 50, seed: 7, dataset: 3, adapter_layers: 3 });
  });
});

describe('samplesCaution', () => {
  it('warns only for zero-sample back-distillation onto another net (auto has the teacher label images)', () => {
    const backDistill = { ...DEFAULT_SETTINGS, method: 'back-distill' as const };
    expect(samplesCaution(backDistill, false, 10)).toMatch(/near chance; 10 samples/);
    expect(samplesCaution(backDistill, true, 10)).toBeUndefined();
    expect(samplesCaution(DEFAULT_SETTINGS, true, 10)).toBeUndefined();
    expect(samplesCaution({ ...DEFAULT_SETTINGS, samples: 10 }, false, 10)).toBeUndefined();
    expect(samplesCaution({ ...DEFAULT_SETTINGS, method: 'direct-learn' }, false, 10)).toBeUndefined();
  });
});
