import { type FormEvent, useEffect, useState } from 'react';
import { errorMessage } from '../api/client';
import { useDatasets, useTeacherJob, useTrainTeacher } from '../api/datasets';
import { useJobPoints } from '../api/jobs';
import { teacherProgress } from '../lib/teacherProgress';
import { useJobSocket } from '../live/useJobSocket';
import { Field } from '../ui/Field';
import { Sparkline } from '../ui/Sparkline';

const ARCHITECTURES = ['vgg-mini'];

/**
 * Train a teacher from a dataset: its category module and task module join the catalog (with the
 * dataset in their lineage), ready to be dragged onto the canvas. The job streams live on its own
 * socket (epochs, loss, each epoch's test error, its end), which keeps its query cache current.
 */
export function TrainTeacherDialog({ onClose }: { onClose: () => void }) {
  const datasets = useDatasets({ task: 'classification', page_size: 100 });
  const [datasetId, setDatasetId] = useState<number | null>(null);
  const [category, setCategory] = useState('');
  const [architecture, setArchitecture] = useState(ARCHITECTURES[0]);
  const [epochs, setEpochs] = useState(10);
  const train = useTrainTeacher();
  const jobId = train.data?.id ?? null;
  const job = useTeacherJob(jobId);
  useJobSocket(jobId);
  const points = useJobPoints(jobId);
  const dataset = datasets.data?.results.find((d) => d.id === datasetId);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (datasetId !== null && category) train.mutate({ dataset: datasetId, category, architecture, epochs });
  };
  const current = job.data ?? train.data;
  const status = current?.status ?? null;
  const progress = current ? teacherProgress(current, points.data ?? []) : null;
  const losses = (points.data ?? []).map((point) => point.losses.loss);

  return (
    <div className="modal-backdrop">
      <form
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="teacher-title"
        onSubmit={submit}
      >
        <h2 id="teacher-title">Train a teacher</h2>
        <p className="muted">
          Learn a category module and a classifier from a dataset: one class is the category, the others its
          “other images”.
        </p>
        <Field label="Dataset">
          <select
            className="select"
            aria-label="Dataset"
            value={datasetId ?? ''}
            onChange={(e) => {
              setDatasetId(Number(e.target.value) || null);
              setCategory('');
            }}
            autoFocus
          >
            <option value="">Choose…</option>
            {datasets.data?.results.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} ({d.classes.join(', ')})
              </option>
            ))}
          </select>
        </Field>
        <div className="field-row">
          <Field label="Category (class)">
            <select
              className="select"
              aria-label="Category"
              value={category}
              onChange={(e) => setCategory(e.target.value)}
              disabled={!dataset}
            >
              <option value="">Choose…</option>
              {dataset?.classes.map((name) => (
                <option key={name} value={name}>
                  {name} ({dataset.counts[name]} images)
                </option>
              ))}
            </select>
          </Field>
          <Field label="Architecture">
            <select className="select" value={architecture} onChange={(e) => setArchitecture(e.target.value)}>
              {ARCHITECTURES.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </Field>
          <Field label="Epochs">
            <input
              className="input"
              type="number"
              aria-label="Epochs"
              min={1}
              max={200}
              value={epochs}
              onChange={(e) => setEpochs(e.target.valueAsNumber || 1)}
            />
          </Field>
        </div>
        {train.isError && (
          <p className="alert alert--error" role="alert">
            {errorMessage(train.error)}
          </p>
        )}
        {progress && (
          <div role="status" aria-label="Teacher training">
            <div
              className="progress"
              role="progressbar"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={progress.percent}
            >
              <span style={{ width: `${progress.percent}%` }} />
              <em>{progress.text}</em>
            </div>
            {losses.length > 1 && <Sparkline values={losses} />}
          </div>
        )}
        <div className="modal__actions">
          <button type="button" className="button button--ghost" onClick={onClose}>
            Close
          </button>
          <button
            type="submit"
            className="button button--primary"
            disabled={
              datasetId === null ||
              !category ||
              train.isPending ||
              (status !== null && status !== 'failed' && status !== 'succeeded')
            }
          >
            Train teacher
          </button>
        </div>
      </form>
    </div>
  );
}
