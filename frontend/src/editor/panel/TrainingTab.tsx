import { describeOutcome } from '../../lib/outcome';
import { useMemo, useState } from 'react';
import { errorMessage } from '../../api/client';
import { useJobPoints } from '../../api/jobs';
import type { GraphEdge, ProgressPoint } from '../../api/types';
import { describeSettings, METHODS } from '../../lib/edgeSettings';
import { edgeResult, formatMetric } from '../../lib/format';
import { lossTerms, metricNames, smooth } from '../../lib/progress';
import { type ChartSeries, UPlotChart } from './UPlotChart';

/** One empty list for every render before the points arrive (the memos below depend on it). */
const NO_POINTS: ProgressPoint[] = [];
const PALETTE = ['#1f2a44', '#6d5dfc', '#0e9f8d', '#e8730c', '#d23f57', '#2f80ed'];

/** Live loss and metric charts with smoothing, the settings and the final evaluation. */
export function TrainingTab({ edge }: { edge: GraphEdge }) {
  const job = edge.job;
  const points = useJobPoints(job && job.status !== 'queued' ? job.id : null);
  const [smoothing, setSmoothing] = useState(0.6);
  const data = points.data ?? NO_POINTS;

  const steps = useMemo(() => data.map((p) => p.step), [data]);
  const lossSeries: ChartSeries[] = useMemo(
    () =>
      lossTerms(data).map((term, i) => ({
        label: term,
        color: PALETTE[i % PALETTE.length],
        values: smooth(
          data.map((p) => p.losses[term] ?? null),
          smoothing,
        ),
      })),
    [data, smoothing],
  );
  const metricPoints = useMemo(
    () => data.filter((p) => p.metrics && Object.keys(p.metrics).length > 0),
    [data],
  );
  const metricSteps = useMemo(() => metricPoints.map((p) => p.step), [metricPoints]);
  const metricSeries: ChartSeries[] = useMemo(
    () =>
      metricNames(metricPoints).map((name, i) => ({
        label: name,
        color: PALETTE[(i + 2) % PALETTE.length],
        values: metricPoints.map((p) => p.metrics?.[name] ?? null),
      })),
    [metricPoints],
  );
  const method = METHODS.find((m) => m.value === edge.settings.method);
  const finals = Object.entries(job?.final_metrics ?? {});
  const result = edgeResult(job);

  return (
    <div className="training">
      <section aria-labelledby="loss-title">
        <div className="section-head">
          <h3 id="loss-title" className="section-title">
            Loss
          </h3>
          <label className="slider">
            <span>Smoothing</span>
            <input
              type="range"
              min={0}
              max={0.95}
              step={0.05}
              value={smoothing}
              onChange={(e) => setSmoothing(e.target.valueAsNumber)}
              aria-label="Smoothing"
            />
            <output>{smoothing.toFixed(2)}</output>
          </label>
        </div>
        {points.isError && (
          <p className="alert alert--error" role="alert">
            {errorMessage(points.error)}
          </p>
        )}
        {data.length === 0 ? (
          <div className="chart-empty">
            {job?.status === 'queued'
              ? 'Waiting for a worker…'
              : job?.reused
                ? 'This adapter was reused; there was no training run.'
                : points.isFetching
                  ? 'Loading points…'
                  : 'No points yet.'}
          </div>
        ) : (
          <UPlotChart
            x={steps}
            series={lossSeries}
            label={`Loss curve, ${data.length} points`}
            yLabel="loss"
          />
        )}
      </section>
      {metricSeries.length > 0 && (
        <section aria-labelledby="metric-title">
          <h3 id="metric-title" className="section-title">
            Accuracy and metrics
          </h3>
          <UPlotChart
            x={metricSteps}
            series={metricSeries}
            label={`Metric curve, ${metricPoints.length} points`}
            height={150}
          />
        </section>
      )}
      <section aria-labelledby="settings-title">
        <h3 id="settings-title" className="section-title">
          Settings
        </h3>
        <dl className="facts facts--wide">
          <dt>Method</dt>
          <dd>{method?.label ?? edge.settings.method}</dd>
          <dt>Labelled samples</dt>
          <dd>{edge.settings.samples}</dd>
          <dt>Adapter layers</dt>
          <dd>{edge.settings.adapter_layers}</dd>
          <dt>Steps</dt>
          <dd>{edge.settings.steps}</dd>
          <dt>Seed</dt>
          <dd>{edge.settings.seed}</dd>
        </dl>
        <p className="muted small">{describeSettings(edge.settings)}</p>
        {job?.outcome && (
          <p className="small" aria-label="How it learned">
            {describeOutcome(job.outcome)}
          </p>
        )}
      </section>
      <section aria-labelledby="eval-title">
        <h3 id="eval-title" className="section-title">
          Final evaluation
        </h3>
        {finals.length === 0 ? (
          <p className="muted small">
            {result?.kind === 'not-evaluated'
              ? `Not evaluated. ${result.why}`
              : 'Shown when training finishes.'}
          </p>
        ) : (
          <ul className="metric-tiles" aria-label="Final metrics">
            {finals.map(([name, value]) => (
              <li key={name}>
                <span>{name}</span>
                <strong>{formatMetric(name, value)}</strong>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
