import type { Job } from '../api/types';
import { finalTable, formatSpread, lowerIsBetter } from '../lib/compare';
import { formatMetric } from '../lib/format';

const METRIC_TITLES: Record<string, string> = {
  error: 'Test error',
  accuracy: 'Accuracy',
  mean_iou: 'Mean IoU',
  pixel_accuracy: 'Pixel accuracy',
};

const seconds = (value: number) => (value >= 90 ? `${(value / 60).toFixed(1)} min` : `${value.toFixed(1)} s`);

/** The race's result: per method, the final metrics (mean ± standard deviation over seeds) and time. */
export function FinalTable({ jobs, seedCount }: { jobs: readonly Job[]; seedCount: number }) {
  const table = finalTable(jobs);
  return (
    <section className="race-table" aria-labelledby="race-table-title">
      <h2 id="race-table-title" className="race-section-title">
        {table.done ? 'Final metrics' : 'Final metrics (filled in as runs finish)'}
      </h2>
      <table>
        <caption className="visually-hidden">Final metrics per method</caption>
        <thead>
          <tr>
            <th scope="col">Method</th>
            <th scope="col">Runs</th>
            {table.metrics.map((name) => (
              <th key={name} scope="col">
                {METRIC_TITLES[name] ?? name}
                <span className="race-table__direction">
                  {lowerIsBetter(name) ? 'lower is better' : 'higher is better'}
                </span>
              </th>
            ))}
            <th scope="col">Training time</th>
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row) => (
            <tr key={row.method}>
              <th scope="row">
                <span className="race-legend__swatch" style={{ background: row.color }} aria-hidden="true" />
                {row.label}
              </th>
              <td>
                {row.finished}/{row.runs} done
                {row.failed > 0 && <span className="race-table__failed"> · {row.failed} failed</span>}
              </td>
              {table.metrics.map((name) => (
                <td key={name} className={table.best[name] === row.method ? 'race-table__best' : undefined}>
                  {formatSpread(row.metrics[name], (value) => formatMetric(name, value))}
                  {table.best[name] === row.method && <span className="race-table__badge">best</span>}
                </td>
              ))}
              <td>{formatSpread(row.seconds, seconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {seedCount > 1 && (
        <p className="muted">
          Mean ± standard deviation over {seedCount} seeds; failed runs are left out of the means.
        </p>
      )}
    </section>
  );
}
