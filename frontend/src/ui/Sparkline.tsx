import { memo } from 'react';

/**
 * A tiny loss curve for an edge label. SVG, because dozens of edges each with a full uPlot
 * instance would cost more than the curve is worth; the panel uses uPlot.
 */
export const Sparkline = memo(function Sparkline({
  values,
  width = 96,
  height = 24,
}: {
  values: number[];
  width?: number;
  height?: number;
}) {
  const finite = values.filter(Number.isFinite);
  if (finite.length < 2)
    return <svg width={width} height={height} aria-hidden="true" className="sparkline" />;
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const span = max - min || 1;
  const path = finite
    .map((value, index) => {
      const x = (index / (finite.length - 1)) * (width - 2) + 1;
      const y = height - 2 - ((value - min) / span) * (height - 4);
      return `${index === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join('');
  return (
    <svg width={width} height={height} className="sparkline" aria-hidden="true" data-points={finite.length}>
      <path d={path} fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinejoin="round" />
    </svg>
  );
});
