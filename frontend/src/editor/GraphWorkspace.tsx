import { useReactFlow } from '@xyflow/react';
import { useEffect, useState } from 'react';
import { errorMessage } from '../api/client';
import { useGraph } from '../api/graphs';
import type { Module } from '../api/types';
import { useGraphSocket } from '../live/useGraphSocket';
import { useEditorStore, useSelectedEdgeId } from '../store/editor';
import { Canvas } from './Canvas';
import { EditorToolbar } from './EditorToolbar';
import { JobQueuePanel } from './JobQueuePanel';
import { LiveIndicator } from './LiveIndicator';
import { NewEdgeDialog, type PendingEdge } from './NewEdgeDialog';
import { NoticeBar } from './NoticeBar';
import { Palette } from './Palette';
import { EdgePanel } from './panel/EdgePanel';
import { useEditorShortcuts } from './useEditorShortcuts';
import { useGraphCommands } from './useGraphCommands';
import { VersionsPanel } from './VersionsPanel';

export type SidePanel = 'jobs' | 'versions' | null;

/** One open graph: palette, toolbar, canvas and side panels, kept live over the WebSocket. */
export function GraphWorkspace({ graphId, onOpen }: { graphId: number; onOpen: (id: number) => void }) {
  const graph = useGraph(graphId);
  const socket = useGraphSocket(graphId);
  const commands = useGraphCommands(graphId);
  const selectedEdgeId = useSelectedEdgeId();
  const flow = useReactFlow();
  const [pending, setPending] = useState<PendingEdge | null>(null);
  const [side, setSide] = useState<SidePanel>(null);
  useEditorShortcuts(commands);

  const loadedId = graph.data?.id;
  useEffect(() => {
    if (graph.data && useEditorStore.getState().graphId !== graph.data.id) {
      useEditorStore.getState().openGraph(graph.data);
      // Frame the graph once when it opens; later edits never move the viewport under the pointer.
      if (graph.data.nodes.length > 0)
        window.setTimeout(() => void flow.fitView({ maxZoom: 1, padding: 0.3 }), 50);
    }
  }, [loadedId, graph.data, flow]);
  useEffect(() => {
    if (graph.data) useEditorStore.getState().syncFromServer(graph.data);
  }, [graph.data]);
  useEffect(() => () => useEditorStore.getState().closeGraph(), []);

  const addFromPalette = (module: Module) => {
    // Keyboard path: place the module in the middle of the visible canvas.
    const box = document.querySelector('.canvas')?.getBoundingClientRect();
    const centre = box
      ? flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 })
      : { x: 0, y: 0 };
    const jitter = (useEditorStore.getState().nodes.length % 5) * 24;
    void commands.addNode(module, {
      x: Math.round(centre.x - 110 + jitter),
      y: Math.round(centre.y - 50 + jitter),
    });
  };

  return (
    <div className="editor__layout">
      <Palette onAdd={addFromPalette} disabled={!graph.data} />
      <section className="workspace" aria-label="Graph editor">
        <EditorToolbar
          graphId={graphId}
          commands={commands}
          side={side}
          onSide={setSide}
          onImported={onOpen}
          onConnect={() => setPending({ source: null, target: null })}
        />
        <NoticeBar />
        <LiveIndicator state={socket} />
        {graph.isPending && (
          <div className="empty-state" aria-busy="true">
            <h2>Loading graph…</h2>
          </div>
        )}
        {graph.isError && (
          <div className="empty-state">
            <h2>This graph cannot be opened</h2>
            <p role="alert">{errorMessage(graph.error)}</p>
          </div>
        )}
        {graph.data && (
          <Canvas commands={commands} onConnectRequest={(source, target) => setPending({ source, target })} />
        )}
      </section>
      {selectedEdgeId !== null ? (
        <EdgePanel
          graphId={graphId}
          edgeId={selectedEdgeId}
          onClose={() => useEditorStore.getState().selectEdge(null)}
        />
      ) : side === 'jobs' ? (
        <JobQueuePanel graphId={graphId} onClose={() => setSide(null)} />
      ) : side === 'versions' ? (
        <VersionsPanel graphId={graphId} onClose={() => setSide(null)} />
      ) : null}
      {pending && (
        <NewEdgeDialog
          graphId={graphId}
          pending={pending}
          onCancel={() => setPending(null)}
          onSubmit={async (source, target, settings) => {
            const ok = await commands.addEdge(source, target, settings);
            setPending(null);
            return ok;
          }}
        />
      )}
    </div>
  );
}
