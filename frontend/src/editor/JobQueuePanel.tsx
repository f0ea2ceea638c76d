import { useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../api/client';
import { useGraph } from '../api/graphs';
import { useCancelJob, useJobs, useRetryJob } from '../api/jobs';
import type { Graph } from '../api/types';
import { isFinished } from '../lib/liveCache';
import { describeSettings } from '../lib/edgeSettings';
import { useEditorStore } from '../store/editor';
import { SidePanelFrame } from '../ui/SidePanelFrame';
import { StatusBadge } from '../ui/StatusBadge';

/** Every job of this graph, newest first, with cancel and retry; finished runs can be ticked and compared. */
export function JobQueuePanel({ graphId, onClose }: { graphId: number; onClose: () => void }) {
  const jobs = useJobs(graphId);
  const edgeNames = useGraph(graphId, edgeNamesOf).data ?? {};
  const cancel = useCancelJob();
  const retry = useRetryJob();
  const list = [...(jobs.data ?? [])].sort((a, b) => b.id - a.id);
  const error = cancel.error ?? retry.error;
  const [picked, setPicked] = useState<number[]>([]);
  const toggle = (jobId: number) =>
    setPicked((old) => (old.includes(jobId) ? old.filter((id) => id !== jobId) : [...old, jobId]));
  const stillPicked = picked.filter((id) => list.some((job) => job.id === id && isFinished(job.status)));

  return (
    <SidePanelFrame title="Job queue" onClose={onClose}>
      {jobs.isPending && (
        <p className="muted" aria-busy="true">
          Loading jobs…
        </p>
      )}
      {jobs.isError && (
        <p className="alert alert--error" role="alert">
          {errorMessage(jobs.error)}
        </p>
      )}
      {error && (
        <p className="alert alert--error" role="alert">
          {errorMessage(error)}
        </p>
      )}
      {jobs.isSuccess && list.length === 0 && (
        <div className="empty-inline">
          <p>No jobs yet.</p>
          <p className="muted small">Each edge you draw starts one.</p>
        </div>
      )}
      <ul className="job-list" aria-label="Jobs">
        {list.map((job) => (
          <li key={job.id} className="job-row">
            <div className="job-row__head">
              <strong>{(job.edge !== null && edgeNames[job.edge]) || 'Deleted edge'}</strong>
              <StatusBadge status={job.status} reused={job.reused} />
            </div>
            <div className="muted small">
              Job #{job.id} · {describeSettings(job.settings)} · attempt {job.attempt}
              {job.status === 'running' && job.last_step !== null && ` · step ${job.last_step}`}
              {job.compare != null && (
                <>
                  {' · '}
                  <Link to={`/compare/${job.compare}`}>race #{job.compare}</Link>
                </>
              )}
            </div>
            {isFinished(job.status) && (
              <label className="job-row__pick">
                <input
                  type="checkbox"
                  checked={picked.includes(job.id)}
                  onChange={() => toggle(job.id)}
                  aria-label={`Compare job ${job.id}`}
                />
                Compare
              </label>
            )}
            {job.error && <div className="job-row__error">{job.error}</div>}
            <div className="job-row__actions">
              {job.edge !== null && (
                <button
                  type="button"
                  className="button button--small button--ghost"
                  onClick={() => useEditorStore.getState().selectEdge(job.edge)}
                >
                  Show edge
                </button>
              )}
              {!isFinished(job.status) && (
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => cancel.mutate(job.id)}
                  aria-label={`Cancel job ${job.id}`}
                >
                  Cancel
                </button>
              )}
              {(job.status === 'failed' || job.status === 'cancelled') && (
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => retry.mutate(job.id)}
                  aria-label={`Retry job ${job.id}`}
                >
                  Retry
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      {stillPicked.length > 0 && (
        <div className="job-compare-bar">
          <span className="small">
            {stillPicked.length === 1 ? 'Tick one more run to compare.' : `${stillPicked.length} runs ticked`}
          </span>
          {stillPicked.length > 1 && (
            <Link
              className="button button--small button--primary"
              to={`/compare?jobs=${[...stillPicked].sort((a, b) => a - b).join(',')}`}
            >
              Compare {stillPicked.length} runs
            </Link>
          )}
        </div>
      )}
    </SidePanelFrame>
  );
}

/** "cat-features → classifier" per edge id, for the queue rows. */
/** At module scope, so the query's `select` is one stable function. */
function edgeNamesOf(graph: Graph): Record<number, string> {
  const names: Record<number, string> = {};
  const moduleName = (nodeId: number) => graph.nodes.find((node) => node.id === nodeId)?.module.name ?? '?';
  for (const edge of graph.edges) names[edge.id] = `${moduleName(edge.source)} → ${moduleName(edge.target)}`;
  return names;
}
