import { BaseEdge, EdgeLabelRenderer, type EdgeProps, getBezierPath } from '@xyflow/react';
import { memo, useMemo } from 'react';
import { useJobPoints } from '../../api/jobs';
import type { FlowEdge } from '../../lib/flowTypes';
import { STATUS_LABEL, edgeResult } from '../../lib/format';
import { useEditorStore, useGraphId } from '../../store/editor';
import { StatusBadge } from '../../ui/StatusBadge';
import { Sparkline } from '../../ui/Sparkline';
import { useEdgeView } from './useEdgeView';

/** A transplant edge: its job's state, a loss sparkline while it trains, click for details. */
export const JobEdge = memo(function JobEdge(props: EdgeProps<FlowEdge>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected } = props;
  const graphId = useGraphId();
  const view = useEdgeView(graphId, data?.edgeId ?? null);
  const job = view?.edge.job ?? null;
  const status = job?.status ?? null;
  const points = useJobPoints(job && status !== 'queued' ? job.id : null);
  const losses = useMemo(() => (points.data ?? []).map((point) => point.losses.loss), [points.data]);
  const [path, labelX, labelY] = getBezierPath({
    sourceX,
    sourceY,
    targetX,
    targetY,
    sourcePosition,
    targetPosition,
  });
  const select = () => useEditorStore.getState().selectEdge(data?.edgeId ?? null);

  const names = view ? `${view.source?.name ?? '?'} to ${view.target?.name ?? '?'}` : 'edge';
  const total = job?.total_steps ?? view?.edge.settings.steps;
  const result = edgeResult(job);
  const label = `Edge ${names}: ${status ? STATUS_LABEL[status] : 'no job'}`;

  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        className={`job-edge job-edge--${status ?? 'none'}${selected ? ' is-selected' : ''}`}
      />
      <EdgeLabelRenderer>
        <button
          type="button"
          className={`edge-label nodrag nopan${selected ? ' is-selected' : ''}`}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          onClick={select}
          aria-label={label}
          data-edge-id={data?.edgeId}
          data-status={status ?? 'none'}
        >
          <StatusBadge status={status} reused={job?.reused} />
          {losses.length > 1 && <Sparkline values={losses} />}
          {result?.kind === 'metric' && <span className="edge-label__metric">{result.text}</span>}
          {result?.kind === 'not-evaluated' && (
            <span className="edge-label__metric edge-label__metric--none" title={result.why}>
              {result.text}
            </span>
          )}
          {status === 'running' && job?.last_step != null && total && (
            <span className="edge-label__steps">
              {job.last_step}/{total}
            </span>
          )}
        </button>
      </EdgeLabelRenderer>
    </>
  );
});
