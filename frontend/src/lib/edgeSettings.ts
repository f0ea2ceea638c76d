import type { EdgeSettings, Method, ModuleLite } from '../api/types';

/** The server's defaults (docs/api.md) for an edge into the category module's own net. */
export const DEFAULT_SETTINGS: EdgeSettings = {
  method: 'back-distill',
  samples: 0,
  adapter_layers: 1,
  steps: 300,
  seed: 0,
};

/** Labelled samples an edge onto another net's task module starts with (the server's default too). */
export const CROSS_NET_SAMPLES = 10;

/** Whether a task module was trained in the same teacher net as the category module. */
export function sameNet(category: Pick<ModuleLite, 'teacher'>, task: Pick<ModuleLite, 'teacher'>): boolean {
  return category.teacher !== null && category.teacher === task.teacher;
}

/** The settings a new edge starts with: no labelled samples within one net, a few across nets. */
export function defaultSettingsFor(ontoOwnNet: boolean): EdgeSettings {
  return ontoOwnNet ? DEFAULT_SETTINGS : { ...DEFAULT_SETTINGS, samples: CROSS_NET_SAMPLES };
}

/**
 * A caution for settings that are allowed but unlikely to work, or undefined.
 *
 * Zero-sample back-distillation matches pseudo-gradients of linearised nets; that recovers the
 * adapter inside the category's own net (the paper's Experiment 1) but not across nets, where it
 * ends near chance.
 */
export function samplesCaution(settings: EdgeSettings, ontoOwnNet: boolean): string | undefined {
  if (ontoOwnNet || settings.method !== 'back-distill' || settings.samples !== 0) return undefined;
  return `Without labelled samples, back-distillation onto another net’s task module usually ends near chance; ${CROSS_NET_SAMPLES} samples are enough to start.`;
}

export const METHODS: { value: Method; label: string; hint: string }[] = [
  { value: 'back-distill', label: 'Back-distillation', hint: 'Matches the teacher’s pseudo-gradients: no labelled samples within the category’s own net, a few across nets.' },
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
