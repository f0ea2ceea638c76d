import { useEffect, useEffectEvent, useRef } from 'react';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
}

/**
 * A uPlot line chart that follows its container's width. The instance is created once per
 * series layout and fed new data with setData, so live updates do not rebuild the chart.
 */
export function UPlotChart({
  x,
  series,
  height = 180,
  label,
  yLabel,
}: {
  x: number[];
  series: ChartSeries[];
  height?: number;
  label: string;
  yLabel?: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const layout = series.map((s) => `${s.label}:${s.color}`).join('|');
  // A rebuild starts from the series of the moment; new points alone do not rebuild (setData below).
  const current = useEffectEvent(() => ({ x, series }));

  useEffect(() => {
    const element = host.current;
    if (!element) return undefined;
    const { x, series } = current();
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height,
      scales: { x: { time: false } },
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false } },
      axes: [
        { label: 'step', stroke: '#5b6475', grid: { stroke: '#eef0f4' }, ticks: { stroke: '#e3e6ec' } },
        {
          label: yLabel,
          stroke: '#5b6475',
          grid: { stroke: '#eef0f4' },
          ticks: { stroke: '#e3e6ec' },
          size: 56,
        },
      ],
      series: [
        { label: 'step' },
        ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.75, points: { show: false } })),
      ],
    };
    chart.current = new uPlot(options, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, element);
    const observer = new ResizeObserver(() =>
      chart.current?.setSize({ width: Math.max(200, element.clientWidth), height }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, [layout, height, yLabel]);

  useEffect(() => {
    chart.current?.setData([x, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [x, series]);

  return <div ref={host} className="chart" role="img" aria-label={label} data-points={x.length} />;
}
