import type { CompareView } from '../lib/compare';
import { methodColor, methodLabel } from '../lib/compare';

/** The race's methods with their colours, large, above the charts; then any left out and why. */
export function RaceLegend({ view }: { view: CompareView }) {
  const methods = [...new Set(view.jobs.map((job) => job.settings.method as string))];
  return (
    <div className="race-legend">
      <ul className="race-legend__methods" aria-label="Methods">
        {methods.map((method) => (
          <li key={method} className="race-legend__item">
            <span
              className="race-legend__swatch"
              style={{ background: methodColor(method) }}
              aria-hidden="true"
            />
            {methodLabel(method)}
          </li>
        ))}
        {view.seeds.length > 1 && (
          <li className="race-legend__note">
            line: mean of {view.seeds.length} seeds · band: lowest to highest
          </li>
        )}
      </ul>
      {view.skipped.length > 0 && (
        <ul className="race-legend__skipped" aria-label="Methods left out">
          {view.skipped.map((item) => (
            <li key={item.method}>
              <strong>{methodLabel(item.method)} left out:</strong> {item.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
