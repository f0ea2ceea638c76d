import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { useCancelJob, useRetryJob } from '../../api/jobs';
import { CompareDialog } from '../../compare/CompareDialog';
import { isFinished } from '../../lib/liveCache';
import { SidePanelFrame } from '../../ui/SidePanelFrame';
import { StatusBadge } from '../../ui/StatusBadge';
import { useEdgeView } from '../edges/useEdgeView';
import { InsightTab } from './InsightTab';
import { TrainingTab } from './TrainingTab';
import { TryItTab } from './TryItTab';

type Tab = 'training' | 'insight' | 'try';
const TABS: { id: Tab; label: string }[] = [
  { id: 'training', label: 'Training' },
  { id: 'insight', label: 'Insight' },
  { id: 'try', label: 'Try it' },
];

/** Details of one edge: live charts, settings, evaluation, insight and a playground. */
export function EdgePanel({
  graphId,
  edgeId,
  onClose,
}: {
  graphId: number;
  edgeId: number;
  onClose: () => void;
}) {
  const view = useEdgeView(graphId, edgeId);
  const [tab, setTab] = useState<Tab>('training');
  const [comparing, setComparing] = useState(false);
  const cancel = useCancelJob();
  const retry = useRetryJob();
  if (!view) return null;
  const { edge, source, target } = view;
  const job = edge.job;
  const succeeded = job?.status === 'succeeded';
  const actionError = cancel.error ?? retry.error;

  return (
    <SidePanelFrame
      title="Edge details"
      onClose={onClose}
      subtitle={
        <span className="edge-title">
          <span className="chip chip--category">{source?.name ?? '?'}</span>
          <span className="edge-title__to">
            <span aria-hidden="true">→</span>
            <span className="visually-hidden">to</span>
            <span className="chip chip--task">{target?.name ?? '?'}</span>
          </span>
        </span>
      }
    >
      <div className="edge-panel__status">
        <StatusBadge status={job?.status ?? null} reused={job?.reused} />
        {job && (
          <span className="muted small">
            Job #{job.id} · attempt {job.attempt}
          </span>
        )}
        <div className="edge-panel__actions">
          <button
            type="button"
            className="button button--small"
            onClick={() => setComparing(true)}
            title="Train this pair with every method side by side"
          >
            Compare methods
          </button>
          {job && !isFinished(job.status) && (
            <button
              type="button"
              className="button button--small"
              onClick={() => cancel.mutate(job.id)}
              disabled={cancel.isPending}
            >
              Cancel job
            </button>
          )}
          {job && (job.status === 'failed' || job.status === 'cancelled') && (
            <button
              type="button"
              className="button button--small button--primary"
              onClick={() => retry.mutate(job.id)}
              disabled={retry.isPending}
            >
              Retry
            </button>
          )}
        </div>
      </div>
      {comparing && (
        <CompareDialog edgeId={edge.id} settings={edge.settings} onClose={() => setComparing(false)} />
      )}
      {job?.status === 'failed' && job.error && (
        <p className="alert alert--error" role="alert">
          {job.error}
        </p>
      )}
      {actionError && (
        <p className="alert alert--error" role="alert">
          {errorMessage(actionError)}
        </p>
      )}
      <div className="tabs" role="tablist" aria-label="Edge views">
        {TABS.map((item) => (
          <button
            key={item.id}
            type="button"
            role="tab"
            id={`edge-tab-${item.id}`}
            aria-selected={tab === item.id}
            aria-controls={`edge-tabpanel-${item.id}`}
            className="tabs__tab"
            onClick={() => setTab(item.id)}
          >
            {item.label}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`edge-tabpanel-${tab}`}
        aria-labelledby={`edge-tab-${tab}`}
        className="tabs__panel"
      >
        {tab === 'training' && <TrainingTab edge={edge} />}
        {tab === 'insight' &&
          (succeeded && job ? (
            <InsightTab jobId={job.id} />
          ) : (
            <WaitForSuccess what="The pseudo-gradient maps and PCA" />
          ))}
        {tab === 'try' &&
          (succeeded ? (
            <TryItTab
              graphId={graphId}
              edgeId={edge.id}
              taskName={target?.task || null}
              className={source?.category || null}
            />
          ) : (
            <WaitForSuccess what="Trying the transplanted network" />
          ))}
      </div>
    </SidePanelFrame>
  );
}

function WaitForSuccess({ what }: { what: string }) {
  return (
    <div className="empty-inline">
      <p>{what} becomes available once this edge’s job has succeeded.</p>
    </div>
  );
}
