import { useEffect, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useChosenRuns, useCompare, useRunPoints } from '../api/compare';
import { errorMessage } from '../api/client';
import {
  type CompareView,
  type Run,
  lossOf,
  lowerIsBetter,
  methodCurves,
  parseJobIds,
  raceMetric,
} from '../lib/compare';
import { useGraphSocket } from '../live/useGraphSocket';
import { LiveIndicator } from '../editor/LiveIndicator';
import { FullPageMessage } from '../ui/FullPageMessage';
import { FinalTable } from './FinalTable';
import { RaceChart } from './RaceChart';
import { RaceLegend } from './RaceLegend';
import '../styles/compare.css';

const METRIC_AXIS: Record<string, string> = {
  error: 'test error (%)',
  accuracy: 'accuracy (%)',
  mean_iou: 'mean IoU (%)',
  pixel_accuracy: 'pixel accuracy (%)',
};
const METRIC_TITLE: Record<string, string> = {
  error: 'Test error',
  accuracy: 'Accuracy',
  mean_iou: 'Mean IoU',
  pixel_accuracy: 'Pixel accuracy',
};

/** Chart height that leaves the legend and the final table on screen on a laptop or projector. */
function useChartHeight(): number {
  const fit = () => Math.round(Math.min(420, Math.max(220, window.innerHeight - 600)));
  const [height, setHeight] = useState(fit);
  useEffect(() => {
    const onResize = () => setHeight(fit());
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return height;
}

/** `/compare/:compareId` (a race) and `/compare?jobs=3,4,5` (runs chosen in the job queue). */
export function ComparePage() {
  const { compareId } = useParams();
  const [params] = useSearchParams();
  const groupId = Number(compareId) > 0 ? Number(compareId) : null;
  const chosenIds = useMemo(
    () => (groupId === null ? parseJobIds(params.get('jobs')) : []),
    [groupId, params],
  );
  const group = useCompare(groupId);
  const chosen = useChosenRuns(chosenIds);
  const result = groupId !== null ? group : chosen;

  if (groupId === null && chosenIds.length === 0) {
    return (
      <FullPageMessage
        title="Nothing to compare"
        detail="Open a race with “Compare methods” on an edge, or tick finished runs in the job queue and choose “Compare”."
      />
    );
  }
  if (result.isPending) return <FullPageMessage title="Loading the race…" busy />;
  if (result.isError)
    return <FullPageMessage title="This comparison cannot be shown" detail={errorMessage(result.error)} />;
  if (result.data.jobs.length === 0)
    return (
      <FullPageMessage
        title="No runs found"
        detail="None of these jobs exist any more, or they are not yours."
      />
    );
  return <Race view={result.data} />;
}

function Race({ view }: { view: CompareView }) {
  const socket = useGraphSocket(view.graph);
  const pointData = useRunPoints(view.jobs);
  const [smoothing, setSmoothing] = useState(0.6);
  const chartHeight = useChartHeight();
  const runs: Run[] = useMemo(
    () => view.jobs.map((job, i) => ({ job, points: pointData[i] ?? [] })),
    [view.jobs, pointData],
  );
  const metric = raceMetric(runs);
  const lossCurves = useMemo(() => methodCurves(runs, lossOf, smoothing), [runs, smoothing]);
  const metricCurves = useMemo(
    () => methodCurves(runs, (p) => (metric ? (p.metrics?.[metric] ?? null) : null)),
    [runs, metric],
  );
  const positiveLoss = lossCurves.methods.every((c) => c.mean.every((v) => v === null || v > 0));
  const running = view.jobs.filter((job) => job.status === 'running').length;
  const queued = view.jobs.filter((job) => job.status === 'queued').length;
  const totalPoints = runs.reduce((sum, run) => sum + run.points.length, 0);
  const title = view.id !== null ? `Race #${view.id}` : `${view.jobs.length} chosen runs`;

  return (
    <div className="race" data-total-points={totalPoints}>
      <header className="race__head">
        <div>
          <h1 className="race__title">{title}</h1>
          <p className="race__facts">
            {view.samples !== null && <span>{view.samples} labelled samples</span>}
            {view.steps !== null && <span>{view.steps} steps</span>}
            <span>
              {view.seeds.length === 1 ? `seed ${view.seeds[0]}` : `seeds ${view.seeds.join(', ')}`}
            </span>
            {(running > 0 || queued > 0) && (
              <span>
                {running} training · {queued} waiting
              </span>
            )}
          </p>
        </div>
        <div className="race__tools">
          {view.graph !== null && <LiveIndicator state={socket} />}
          <label className="slider">
            <span>Loss smoothing</span>
            <input
              type="range"
              min={0}
              max={0.95}
              step={0.05}
              value={smoothing}
              onChange={(e) => setSmoothing(e.target.valueAsNumber)}
              aria-label="Loss smoothing"
            />
            <output>{smoothing.toFixed(2)}</output>
          </label>
          {view.graph !== null && (
            <Link className="button button--ghost" to={`/?graph=${view.graph}`}>
              Back to the graph
            </Link>
          )}
        </div>
      </header>
      <RaceLegend view={view} />
      <div className="race__charts">
        <section aria-labelledby="race-loss-title" className="race__chart">
          <h2 id="race-loss-title" className="race-section-title">
            Training loss<span className="race-section-title__hint">{positiveLoss ? 'log scale' : ''}</span>
          </h2>
          {lossCurves.x.length === 0 ? (
            <div className="race-chart race-chart--empty" style={{ height: chartHeight }}>
              Waiting for the first steps…
            </div>
          ) : (
            <RaceChart
              curves={lossCurves}
              yLabel="loss"
              label={`Loss curves of ${lossCurves.methods.length} methods`}
              logScale={positiveLoss}
              height={chartHeight}
            />
          )}
        </section>
        <section aria-labelledby="race-metric-title" className="race__chart">
          <h2 id="race-metric-title" className="race-section-title">
            {metric ? (METRIC_TITLE[metric] ?? metric) : 'Test metric'}
            {metric && (
              <span className="race-section-title__hint">
                {lowerIsBetter(metric) ? 'lower is better' : 'higher is better'}
              </span>
            )}
          </h2>
          {metricCurves.x.length === 0 || !metric ? (
            <div className="race-chart race-chart--empty" style={{ height: chartHeight }}>
              Shown from the first evaluation on.
            </div>
          ) : (
            <RaceChart
              curves={metricCurves}
              yLabel={METRIC_AXIS[metric] ?? metric}
              label={`${metric} curves of ${metricCurves.methods.length} methods`}
              height={chartHeight}
              xMax={lossCurves.x.at(-1)}
              markers
            />
          )}
        </section>
      </div>
      <FinalTable jobs={view.jobs} seedCount={view.seeds.length} />
    </div>
  );
}
