import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { servesEdge, trainingSamples, useDatasets } from '../api/datasets';
import { useEdgeSettingsPreview, useEdgeSettingsSpec } from '../api/edgeSettings';
import { useGraph } from '../api/graphs';
import type { DatasetTask, EdgeSettings, Graph, GraphNode, Method } from '../api/types';
import {
  DEFAULT_SETTINGS,
  defaultSettingsFor,
  formSettings,
  LABELLED_START,
  LEARN_WITHOUT_LABELS,
  methodInfo,
  samplesCaution,
  validateSettings,
} from '../lib/edgeSettings';
import { checkConnection } from '../lib/validation';
import { Field } from '../ui/Field';

export interface PendingEdge {
  source: number | null;
  target: number | null;
}

/**
 * Asks how to train a new edge; the defaults are one Enter away: back-distillation with no labels
 * into the category's own net, with a few labels onto another net's task module (where zero-sample
 * back-distillation ends near chance), which the samples field says when it is set to 0.
 * Opened by drawing a connection (ends known) or from the toolbar (pick both ends: the keyboard
 * way to connect modules).
 */
export function NewEdgeDialog({
  graphId,
  pending,
  onCancel,
  onSubmit,
}: {
  graphId: number;
  pending: PendingEdge;
  onCancel: () => void;
  onSubmit: (source: number, target: number, settings: EdgeSettings) => Promise<boolean>;
}) {
  // Only what the person changed is state; the rest follows the server (see formSettings).
  const [edits, setEdits] = useState<Partial<EdgeSettings>>({});
  const [source, setSource] = useState<number | null>(pending.source);
  const [target, setTarget] = useState<number | null>(pending.target);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const graph = useGraph(
    graphId,
    useCallback((g: Graph) => ({ nodes: g.nodes, edges: g.edges }), []),
  ).data;
  const pickEnds = pending.source === null || pending.target === null;
  const categories = graph?.nodes.filter((n) => n.module.kind === 'category') ?? [];
  const tasks = graph?.nodes.filter((n) => n.module.kind === 'task') ?? [];
  const nameOf = (id: number | null) => graph?.nodes.find((n) => n.id === id)?.module.name ?? '…';
  const spec = useEdgeSettingsSpec().data;
  const ends = [source, target].map((id) => graph?.nodes.find((n) => n.id === id));
  // Whether the edge stays inside one net is the server's rule; unknown ends count as one net. Asked
  // about the sample count the person typed, or else the edge's own default.
  const preview = useEdgeSettingsPreview(
    ends[0]?.module.id,
    ends[1]?.module.id,
    edits.samples,
    edits.adapter_layers,
    edits.dataset,
  ).data;
  const defaults = spec ? defaultSettingsFor(spec, true) : DEFAULT_SETTINGS;
  const settings = formSettings(defaults, edits, preview?.defaults ?? defaults);
  const errors = spec ? validateSettings(settings, spec) : {};
  // The edge's defaults (samples, layers) come with the preview: wait for it, or a quick click would
  // start the edge with the placeholders.
  const valid =
    spec !== undefined &&
    preview !== undefined &&
    Object.keys(errors).length === 0 &&
    source !== null &&
    target !== null;
  const methodHint = methodInfo(settings.method).hint;
  const ontoOwnNet = preview?.own_net ?? true;
  const caution = samplesCaution(settings, ontoOwnNet, spec?.cross_net_samples ?? 0);
  const limits = (name: 'samples' | 'steps' | 'seed') => {
    const field = spec?.fields[name];
    return field?.type === 'integer' ? { min: field.minimum, max: field.maximum } : {};
  };

  // Datasets that can serve this edge: of the task module's task, with a class of the category.
  const category = ends[0]?.module.category ?? null;
  const task = ends[1]?.module.task ?? null;
  const datasets = useDatasets({
    task: (task ?? '') as DatasetTask | '',
    page_size: 100,
  });
  const usable = (datasets.data?.results ?? []).filter((d) => servesEdge(d, category, task));
  const chosen = usable.find((d) => d.id === settings.dataset);
  const held = chosen ? trainingSamples(chosen, category) : null;
  const dataHint = chosen
    ? `${chosen.name} holds ${held} labelled training samples for ${category ?? 'this category'}; the adapter is tested on its test split.`
    : 'Built-in Animal-MNIST serves its ten animals; another category needs a dataset to use labelled samples.';
  const tooMany =
    held !== null && settings.samples > held
      ? `At most ${held}: that is all the dataset's training split holds.`
      : undefined;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onCancel();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCancel]);

  const update = <K extends keyof EdgeSettings>(key: K, value: EdgeSettings[K]) =>
    setEdits((old) => ({ ...old, [key]: value }));

  const chooseMethod = (method: Method) =>
    // A method that needs labels with 0 samples typed would be invalid; offer a sensible count.
    setEdits((old) => ({
      ...old,
      method,
      ...(!LEARN_WITHOUT_LABELS.includes(method) && old.samples === 0 ? { samples: LABELLED_START } : {}),
    }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!valid || !graph) return;
    const from = graph.nodes.find((n) => n.id === source)!;
    const to = graph.nodes.find((n) => n.id === target)!;
    const check = checkConnection(endpoint(from), endpoint(to), graph.edges);
    if (!check.ok) {
      setRefusal(check.reason);
      return;
    }
    setSubmitting(true);
    await onSubmit(check.source, check.target, settings);
    setSubmitting(false);
  };

  return (
    <div className="modal-backdrop">
      <form
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="new-edge-title"
        onSubmit={(e) => void submit(e)}
      >
        <h2 id="new-edge-title">Train a new adapter</h2>
        {pickEnds ? (
          <>
            <p className="muted">
              Join a category module’s features to a task module with matching channels.
            </p>
            <div className="field-row">
              <Field label="From category module">
                <select
                  className="select"
                  value={source ?? ''}
                  onChange={(e) => {
                    setSource(Number(e.target.value) || null);
                    setRefusal(null);
                  }}
                  autoFocus
                >
                  <option value="">Choose…</option>
                  {categories.map((node) => (
                    <NodeOption key={node.id} node={node} />
                  ))}
                </select>
              </Field>
              <Field label="To task module">
                <select
                  className="select"
                  value={target ?? ''}
                  onChange={(e) => {
                    setTarget(Number(e.target.value) || null);
                    setRefusal(null);
                  }}
                >
                  <option value="">Choose…</option>
                  {tasks.map((node) => (
                    <NodeOption key={node.id} node={node} />
                  ))}
                </select>
              </Field>
            </div>
          </>
        ) : (
          <p className="muted">
            {nameOf(source)} → {nameOf(target)}
          </p>
        )}
        <Field
          label="Method"
          hint={
            settings.method === 'auto' && preview?.auto_choice ? `Auto: ${preview.auto_choice}.` : methodHint
          }
        >
          <select
            className="select"
            value={settings.method}
            onChange={(e) => chooseMethod(e.target.value as Method)}
          >
            {(spec?.fields.method.type === 'choice' ? spec.fields.method.choices : [settings.method]).map(
              (value) => (
                <option key={value} value={value}>
                  {methodInfo(value).label}
                </option>
              ),
            )}
          </select>
        </Field>
        <Field label="Data" hint={dataHint}>
          <select
            className="select"
            aria-label="Data"
            value={settings.dataset ?? ''}
            onChange={(e) => update('dataset', Number(e.target.value) || undefined)}
          >
            <option value="">Built-in (Animal-MNIST)</option>
            {usable.map((dataset) => (
              <option key={dataset.id} value={dataset.id}>
                {dataset.name} ({trainingSamples(dataset, category)} training samples)
              </option>
            ))}
          </select>
        </Field>
        <Field label="Labelled samples" hint={caution} error={errors.samples ?? tooMany}>
          <input
            className="input"
            type="number"
            {...limits('samples')}
            step={1}
            value={numberValue(settings.samples)}
            onChange={(e) => update('samples', e.target.valueAsNumber)}
          />
        </Field>
        <fieldset className="field field--inline">
          <legend>Adapter layers</legend>
          {([1, 3] as const).map((layers) => (
            <label key={layers} className="radio">
              <input
                type="radio"
                name="adapter_layers"
                checked={settings.adapter_layers === layers}
                onChange={() => update('adapter_layers', layers)}
              />
              {layers} {layers === 1 ? 'layer' : 'layers'}
            </label>
          ))}
        </fieldset>
        <div className="field-row">
          <Field label="Training steps" error={errors.steps}>
            <input
              className="input"
              type="number"
              {...limits('steps')}
              step={1}
              value={numberValue(settings.steps)}
              onChange={(e) => update('steps', e.target.valueAsNumber)}
            />
          </Field>
          <Field label="Seed" error={errors.seed}>
            <input
              className="input"
              type="number"
              {...limits('seed')}
              step={1}
              value={numberValue(settings.seed)}
              onChange={(e) => update('seed', e.target.valueAsNumber)}
            />
          </Field>
        </div>
        {refusal && (
          <p className="alert alert--error" role="alert">
            {refusal}
          </p>
        )}
        <div className="modal__actions">
          <button type="button" className="button button--ghost" onClick={onCancel}>
            Cancel
          </button>
          <button
            type="submit"
            className="button button--primary"
            disabled={!valid || submitting || tooMany !== undefined}
            autoFocus={!pickEnds}
          >
            {submitting ? 'Starting…' : 'Start training'}
          </button>
        </div>
      </form>
    </div>
  );
}

const numberValue = (value: number) => (Number.isNaN(value) ? '' : value);

const endpoint = (node: GraphNode) => ({ nodeId: node.id, module: node.module });

function NodeOption({ node }: { node: GraphNode }) {
  const channels = node.module.kind === 'category' ? node.module.output_shape[0] : node.module.input_shape[0];
  return (
    <option value={node.id}>
      {node.module.name} ({channels} ch)
    </option>
  );
}
