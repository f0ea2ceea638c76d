import type { EdgeSettings, EdgeSettingsSpec, Method } from '../api/types';

/**
 * The form's first values while the server's statement of the settings (GET /api/edge-settings/)
 * loads; the dialog replaces them with the server's defaults for the chosen ends.
 */
export const DEFAULT_SETTINGS: EdgeSettings = {
  method: 'auto',
  samples: 0,
  adapter_layers: 1,
  steps: 300,
  seed: 0,
};

/**
 * The settings a new edge starts with, from the server's spec: no labels and one conv within one net;
 * a few labels, three convs and more steps across nets.
 */
export function defaultSettingsFor(spec: EdgeSettingsSpec, ontoOwnNet: boolean): EdgeSettings {
  const defaults = Object.fromEntries(
    Object.entries(spec.fields).map(([name, field]) => [name, field.default]),
  ) as unknown as EdgeSettings;
  return ontoOwnNet
    ? defaults
    : {
        ...defaults,
        samples: spec.cross_net_samples,
        adapter_layers: spec.cross_net_adapter_layers,
        steps: spec.cross_net_steps,
      };
}

/** Where a method that needs labels would start from no samples, it starts from this many. */
export const LABELLED_START = 100;

/**
 * The new-edge form's settings: the fields the person changed, over the server's defaults for the
 * edge (`edge`: none and one conv within one net, a few samples, three convs and more steps across). Until the
 * person types a sample count, back-distillation and auto follow the edge's default count, stitching
 * takes none (it learns from unlabelled images), and the methods that need labels start from
 * LABELLED_START where the edge's default is 0. The adapter's layers and the steps follow the edge until
 * changed.
 */
export function formSettings(
  defaults: EdgeSettings,
  edits: Partial<EdgeSettings>,
  edge: Pick<EdgeSettings, 'samples' | 'adapter_layers' | 'steps'>,
): EdgeSettings {
  const method = edits.method ?? defaults.method;
  const followsEdge = method === 'back-distill' || method === 'auto';
  const fallback = method === 'stitch' ? 0 : followsEdge || edge.samples > 0 ? edge.samples : LABELLED_START;
  const samples = edits.samples ?? fallback;
  const adapter_layers = edits.adapter_layers ?? edge.adapter_layers;
  const steps = edits.steps ?? edge.steps;
  return { ...defaults, ...edits, method, samples, adapter_layers, steps };
}

/**
 * A caution for settings that are allowed but unlikely to work, or undefined.
 *
 * Zero-sample back-distillation matches pseudo-gradients of linearised nets; that recovers the
 * adapter inside the category's own net (the paper's Experiment 1) but not across nets, where it
 * ends near chance. (Auto has the teacher label the training images there instead.)
 */
export function samplesCaution(
  settings: EdgeSettings,
  ontoOwnNet: boolean,
  crossNetSamples: number,
): string | undefined {
  if (ontoOwnNet || settings.method !== 'back-distill' || settings.samples !== 0) return undefined;
  return `Without labelled samples, back-distillation onto another net’s task module usually ends near chance; ${crossNetSamples} samples are enough to start.`;
}

/** Methods that can learn from zero labelled samples (the engine refuses the others at 0). */
export const LEARN_WITHOUT_LABELS: Method[] = ['auto', 'back-distill', 'stitch'];

export const METHODS: { value: Method; label: string; hint: string }[] = [
  {
    value: 'auto',
    label: 'Auto (recommended)',
    hint: 'Picks what the study measured best for this edge and says why.',
  },
  {
    value: 'back-distill',
    label: 'Back-distillation',
    hint: 'Matches the teacher’s pseudo-gradients: no labelled samples within the category’s own net, a few across nets.',
  },
  { value: 'direct-learn', label: 'Direct learning', hint: 'Trains the adapter on labelled samples only.' },
  { value: 'distill', label: 'Distillation', hint: 'Matches the teacher’s outputs on labelled samples.' },
  {
    value: 'jacobian',
    label: 'Jacobian matching',
    hint: 'Matches outputs and input gradients on labelled samples.',
  },
  {
    value: 'stitch',
    label: 'Stitching',
    hint: 'Maps the category’s features onto the task net’s own, from unlabelled images; no labels.',
  },
];

/** A method's label and hint; a method the server offers that this list lacks shows its own name. */
export function methodInfo(value: string): { value: string; label: string; hint?: string } {
  return METHODS.find((method) => method.value === value) ?? { value, label: value };
}

export type SettingsErrors = Partial<Record<keyof EdgeSettings, string>>;

/**
 * Checks settings against the server's spec (types, ranges, choices) before an edge is created;
 * the server checks again, and also which methods need labelled samples.
 *
 * @returns a message per invalid field; empty when the settings may be sent
 */
export function validateSettings(settings: EdgeSettings, spec: EdgeSettingsSpec): SettingsErrors {
  const errors: SettingsErrors = {};
  for (const [name, field] of Object.entries(spec.fields) as [
    keyof EdgeSettingsSpec['fields'],
    EdgeSettingsSpec['fields'][keyof EdgeSettingsSpec['fields']],
  ][]) {
    const value = settings[name];
    if (field.type === 'choice') {
      if (!field.choices.includes(value as string))
        errors[name] = `Choose one of: ${field.choices.join(', ')}.`;
    } else if (typeof value !== 'number' || !Number.isInteger(value)) {
      errors[name] = 'Use a whole number.';
    } else if (field.choices && !field.choices.includes(value)) {
      errors[name] = `Use ${field.choices.join(' or ')}.`;
    } else if (value < field.minimum || value > field.maximum) {
      errors[name] = `Use ${field.minimum} to ${field.maximum}.`;
    }
  }
  if (!errors.samples && settings.samples === 0 && !LEARN_WITHOUT_LABELS.includes(settings.method)) {
    errors.samples =
      'Only auto, back-distillation and stitching work without labelled samples; use at least 1.';
  }
  if (!errors.samples && settings.samples > 0 && settings.method === 'stitch') {
    errors.samples = 'Stitching learns from unlabelled images only; use 0, or another method.';
  }
  return errors;
}

/** A short human summary such as "Back-distillation · 0 samples · 1 layer". */
export function describeSettings(settings: EdgeSettings): string {
  const method = METHODS.find((m) => m.value === settings.method)?.label ?? settings.method;
  const layers = settings.adapter_layers === 1 ? '1 layer' : `${settings.adapter_layers} layers`;
  return `${method} · ${settings.samples} samples · ${layers} · ${settings.steps} steps`;
}
