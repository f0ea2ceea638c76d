import { ReactFlowProvider } from '@xyflow/react';
import { useEffect } from 'react';
import { useSearchParams } from 'react-router';
import { useGraphs } from '../api/graphs';
import type { GraphSummary } from '../api/types';
import { errorMessage } from '../api/client';
import { GraphBar } from './GraphBar';
import { GraphWorkspace } from './GraphWorkspace';
import { Palette } from './Palette';

/** One empty list for every render before the graphs arrive (an effect depends on it). */
const NO_GRAPHS: GraphSummary[] = [];

/** `/`: pick or create a graph, then edit it. The open graph is in the URL (`?graph=ID`). */
export function EditorPage() {
  const [params, setParams] = useSearchParams();
  const graphs = useGraphs();
  const requested = Number(params.get('graph'));
  const list = graphs.data?.results ?? NO_GRAPHS;
  const graphId = requested > 0 ? requested : null;

  // Open the most recently updated graph when none is named in the URL.
  useEffect(() => {
    if (graphId === null && list.length > 0) {
      const latest = [...list].sort((a, b) => b.updated.localeCompare(a.updated))[0];
      setParams({ graph: String(latest.id) }, { replace: true });
    }
  }, [graphId, list, setParams]);

  const openGraph = (id: number) => setParams({ graph: String(id) });

  return (
    <ReactFlowProvider>
      <div className="editor">
        <div className="editor__main">
          <GraphBar graphs={list} graphId={graphId} onOpen={openGraph} loading={graphs.isPending} />
          {graphs.isError && (
            <p className="alert alert--error" role="alert">
              {errorMessage(graphs.error)}
            </p>
          )}
          {graphId !== null ? (
            <GraphWorkspace key={graphId} graphId={graphId} onOpen={openGraph} />
          ) : (
            <div className="editor__layout">
              <Palette onAdd={() => undefined} disabled />
              <div className="empty-state">
                <h2>{graphs.isPending ? 'Loading your graphs…' : 'No graph yet'}</h2>
                {!graphs.isPending && (
                  <p>Create a graph with the “New graph” button above to start transplanting.</p>
                )}
              </div>
            </div>
          )}
        </div>
      </div>
    </ReactFlowProvider>
  );
}
