import type { EdgeSettings, Method } from '../api/types';

/** The server's defaults (docs/api.md), used when a person accepts the dialog unchanged. */
export const DEFAULT_SETTINGS: EdgeSettings = {
  method: 'back-distill',
  samples: 0,
  adapter_layers: 1,
  steps: 300,
  seed: 0,
};

export const METHODS: { value: Method; label: string; hint: string }[] = [
  { value: 'back-distill', label: 'Back-distillation', hint: 'Needs no labelled samples: matches the teacher’s pseudo-gradients.' },
  { value: 'direct-learn', label: 'Direct learning', hint: 'Trains the adapter on labelled samples only.' },
  { value: 'distill', label: 'Distillation', hint: 'Matches the teacher’s outputs on labelled samples.' },
  { value: 'jacobian', label: 'Jacobian matching', hint: 'Matches outputs and input gradients on labelled samples.' },
];

export type SettingsErrors = Partial<Record<keyof EdgeSettings, string>>;

/**
 * Checks settings before an edge is created, mirroring the server's rules.
 *
 * @returns a message per invalid field; empty when the settings may be sent
 */
export function validateSettings(settings: EdgeSettings): SettingsErrors {
  const errors: SettingsErrors = {};
  if (!METHODS.some((method) => method.value === settings.method)) errors.method = 'Choose one of the listed methods.';
  if (!Number.isInteger(settings.samples) || settings.samples < 0) {
    errors.samples = 'Use a whole number of samples, 0 or more.';
  } else if (settings.samples === 0 && settings.method !== 'back-distill') {
    errors.samples = 'Only back-distillation works without labelled samples; use at least 1.';
  }
  if (settings.adapter_layers !== 1 && settings.adapter_layers !== 3) errors.adapter_layers = 'Adapters have 1 or 3 layers.';
  if (!Number.isInteger(settings.steps) || settings.steps < 1) errors.steps = 'Use at least 1 training step.';
  if (!Number.isInteger(settings.seed) || settings.seed < 0) errors.seed = 'Use a whole number seed, 0 or more.';
  return errors;
}

/** A short human summary such as "Back-distillation · 0 samples · 1 layer". */
export function describeSettings(settings: EdgeSettings): string {
  const method = METHODS.find((m) => m.value === settings.method)?.label ?? settings.method;
  const layers = settings.adapter_layers === 1 ? '1 layer' : `${settings.adapter_layers} layers`;
  return `${method} · ${settings.samples} samples · ${layers} · ${settings.steps} steps`;
}
