import { useMemo } from 'react';

const COLORS = ['#6d5dfc', '#0e9f8d', '#e8730c', '#d23f57', '#2f80ed', '#1f2a44'];

/** PCA points per method as an SVG scatter with a legend. */
export function PcaScatter({
  groups,
  width = 320,
  height = 220,
}: {
  groups: Record<string, [number, number][]>;
  width?: number;
  height?: number;
}) {
  const entries = Object.entries(groups);
  const scale = useMemo(() => {
    const all = entries.flatMap(([, points]) => points);
    const xs = all.map((p) => p[0]);
    const ys = all.map((p) => p[1]);
    const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const pad = 14;
    return {
      x: (v: number) => pad + ((v - minX) / (maxX - minX || 1)) * (width - 2 * pad),
      y: (v: number) => height - pad - ((v - minY) / (maxY - minY || 1)) * (height - 2 * pad),
    };
  }, [entries, width, height]);
  if (entries.length === 0) return <p className="muted small">No PCA points were returned.</p>;
  return (
    <figure className="scatter">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-label={`PCA of features: ${entries.map(([name, points]) => `${name} ${points.length} points`).join(', ')}`}
      >
        <rect x="0" y="0" width={width} height={height} rx="8" fill="#fafbfc" stroke="#e3e6ec" />
        {entries.map(([name, points], i) =>
          points.map(([px, py], j) => (
            <circle
              key={`${name}-${j}`}
              cx={scale.x(px)}
              cy={scale.y(py)}
              r="3.2"
              fill={COLORS[i % COLORS.length]}
              fillOpacity="0.75"
            />
          )),
        )}
      </svg>
      <figcaption className="legend">
        {entries.map(([name], i) => (
          <span key={name}>
            <span
              className="legend__swatch"
              style={{ background: COLORS[i % COLORS.length] }}
              aria-hidden="true"
            />
            {name.replace(/_/g, '-')}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
