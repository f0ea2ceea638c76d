import { useEffect, useEffectEvent, useRef } from 'react';
import uPlot from 'uplot';
import type { Curves } from '../lib/compare';

const AXIS_FONT = '600 15px system-ui, sans-serif';
const LABEL_FONT = '700 16px system-ui, sans-serif';

function seriesOf(
  curves: Curves,
  markers = false,
): { series: uPlot.Series[]; bands: uPlot.Band[]; data: (number | null)[][] } {
  const series: uPlot.Series[] = [{ label: 'step' }];
  const bands: uPlot.Band[] = [];
  const data: (number | null)[][] = [curves.x];
  for (const curve of curves.methods) {
    series.push({
      label: curve.label,
      stroke: curve.color,
      width: 4,
      spanGaps: true,
      points: markers ? { show: true, size: 11, fill: curve.color } : { show: false },
    });
    data.push(curve.mean);
    if (curve.low && curve.high) {
      // The range over seeds: a faint band between the lowest and highest run.
      const high = series.length;
      series.push({
        label: `${curve.label} highest`,
        stroke: `${curve.color}55`,
        width: 1,
        spanGaps: true,
        points: { show: false },
      });
      series.push({
        label: `${curve.label} lowest`,
        stroke: `${curve.color}55`,
        width: 1,
        spanGaps: true,
        points: { show: false },
      });
      data.push(curve.high, curve.low);
      bands.push({ series: [high, high + 1], fill: `${curve.color}22` });
    }
  }
  return { series, bands, data };
}

/**
 * One race chart: a thick line per method (the mean over its seeds) and a faint band for the
 * range (`markers` also marks each point: evaluations are few), with axis text large enough to
 * read from the back of a room. Rebuilt when the set of methods changes; live points flow in
 * through setData.
 */
export function RaceChart({
  curves,
  yLabel,
  label,
  height = 360,
  logScale = false,
  markers = false,
  xMax,
}: {
  curves: Curves;
  yLabel: string;
  label: string;
  height?: number;
  logScale?: boolean;
  markers?: boolean;
  /** The last step on the x axis (so sparse evaluations line up with the loss chart's steps). */
  xMax?: number;
}) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  // Read by the x scale's range whenever uPlot rescales (on setData), so it follows the prop.
  const xMaxRef = useRef(xMax);
  useEffect(() => {
    xMaxRef.current = xMax;
  }, [xMax]);
  const layout = `${curves.methods.map((c) => `${c.method}:${c.low ? 'band' : 'line'}`).join('|')}|${logScale}`;
  // A rebuild starts from the curves of the moment; new points alone do not rebuild (setData below).
  const currentSeries = useEffectEvent(() => seriesOf(curves, markers));

  useEffect(() => {
    const element = host.current;
    if (!element) return undefined;
    const { series, bands, data } = currentSeries();
    const axis = {
      stroke: '#1b2336',
      font: AXIS_FONT,
      labelFont: LABEL_FONT,
      grid: { stroke: '#e3e6ec' },
      ticks: { stroke: '#cfd4dd' },
    };
    const options: uPlot.Options = {
      width: Math.max(240, element.clientWidth),
      height,
      scales: {
        // From step 0; a lone evaluation would otherwise be padded to twice its step.
        x: { time: false, range: (_u, min, max) => [Math.min(0, min), xMaxRef.current ?? max] },
        y: logScale ? { distr: 3 } : {},
      },
      legend: { show: false },
      cursor: { drag: { x: true, y: false } },
      axes: [
        { ...axis, label: 'training step', labelSize: 30, size: 48 },
        { ...axis, label: yLabel, labelSize: 30, size: 72 },
      ],
      series,
      bands,
    };
    chart.current = new uPlot(options, data as uPlot.AlignedData, element);
    const observer = new ResizeObserver(() =>
      chart.current?.setSize({ width: Math.max(240, element.clientWidth), height }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.current?.destroy();
      chart.current = null;
    };
  }, [layout, height, yLabel, markers, logScale]);

  useEffect(() => {
    chart.current?.setData(seriesOf(curves).data as uPlot.AlignedData);
  }, [curves]);

  return (
    <div
      ref={host}
      className="race-chart"
      role="img"
      aria-label={label}
      data-points={curves.x.length}
      data-methods={curves.methods.length}
    />
  );
}
