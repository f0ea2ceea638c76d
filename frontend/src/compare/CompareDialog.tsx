import { type FormEvent, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { useStartCompare } from '../api/compare';
import { errorMessage } from '../api/client';
import type { EdgeSettings } from '../api/types';
import { Field } from '../ui/Field';

const SEED_CHOICES = [1, 2, 3] as const;

/**
 * "Compare methods": races every method on the edge's pair at the same samples, steps and seeds
 * (sibling jobs), then opens the compare view. The server decides which methods can run.
 */
export function CompareDialog({
  edgeId,
  settings,
  onClose,
}: {
  edgeId: number;
  settings: EdgeSettings;
  onClose: () => void;
}) {
  const [samples, setSamples] = useState(settings.samples);
  const [steps, setSteps] = useState(settings.steps);
  const [seeds, setSeeds] = useState(1);
  const start = useStartCompare();
  const navigate = useNavigate();
  const samplesError =
    !Number.isInteger(samples) || samples < 0 ? 'Use a whole number of samples, 0 or more.' : undefined;
  const stepsError = !Number.isInteger(steps) || steps < 1 ? 'Use at least 1 training step.' : undefined;

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (samplesError || stepsError) return;
    start.mutate(
      { edge: edgeId, samples, steps, seeds },
      { onSuccess: (view) => navigate(`/compare/${view.id}`) },
    );
  };

  return (
    <div className="modal-backdrop">
      <form
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="compare-title"
        onSubmit={submit}
      >
        <h2 id="compare-title">Compare methods</h2>
        <p className="muted">
          Trains this pair with back-distillation, direct learning and Jacobian matching side by side, at the
          same samples and seeds, and draws their curves on one chart.
        </p>
        <Field
          label="Labelled samples"
          hint={
            samples === 0
              ? 'At 0, methods that need labelled samples are left out; the compare view says which.'
              : undefined
          }
          error={samplesError}
        >
          <input
            className="input"
            type="number"
            min={0}
            step={1}
            value={Number.isNaN(samples) ? '' : samples}
            onChange={(e) => setSamples(e.target.valueAsNumber)}
            autoFocus
          />
        </Field>
        <div className="field-row">
          <Field label="Training steps" error={stepsError}>
            <input
              className="input"
              type="number"
              min={1}
              step={1}
              value={Number.isNaN(steps) ? '' : steps}
              onChange={(e) => setSteps(e.target.valueAsNumber)}
            />
          </Field>
          <Field
            label="Seeds per method"
            hint={
              seeds > 1
                ? `Seeds ${settings.seed}–${settings.seed + seeds - 1}; the table shows mean ± spread.`
                : `Seed ${settings.seed}.`
            }
          >
            <select className="select" value={seeds} onChange={(e) => setSeeds(Number(e.target.value))}>
              {SEED_CHOICES.map((count) => (
                <option key={count} value={count}>
                  {count}
                </option>
              ))}
            </select>
          </Field>
        </div>
        {start.isError && (
          <p className="alert alert--error" role="alert">
            {errorMessage(start.error)}
          </p>
        )}
        <div className="modal__actions">
          <button type="button" className="button button--ghost" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="button button--primary"
            disabled={start.isPending || Boolean(samplesError || stepsError)}
          >
            {start.isPending ? 'Starting…' : 'Start the race'}
          </button>
        </div>
      </form>
    </div>
  );
}
