import { useReactFlow } from '@xyflow/react';
import { type ChangeEvent, useRef } from 'react';
import { errorMessage } from '../api/client';
import { fetchGraphExport, useImportGraph } from '../api/graphs';
import { describeCommand } from '../lib/commands';
import { autoLayout } from '../lib/layout';
import { exportFileName, parseGraphDocument } from '../lib/serialisation';
import { useCanRedo, useCanUndo, useEditorStore, useRedoLabel, useUndoLabel } from '../store/editor';
import { useShowNotice } from '../store/notices';
import type { SidePanel } from './GraphWorkspace';
import type { useGraphCommands } from './useGraphCommands';

/** Undo/redo, connect, layout, versions, jobs and import/export. */
export function EditorToolbar({
  graphId,
  commands,
  side,
  onSide,
  onImported,
  onConnect,
}: {
  graphId: number;
  commands: ReturnType<typeof useGraphCommands>;
  side: SidePanel;
  onSide: (side: SidePanel) => void;
  onImported: (id: number) => void;
  onConnect: () => void;
}) {
  const canUndo = useCanUndo();
  const canRedo = useCanRedo();
  const undoCommand = useUndoLabel();
  const redoCommand = useRedoLabel();
  const flow = useReactFlow();
  const showNotice = useShowNotice();
  const importGraph = useImportGraph();
  const fileInput = useRef<HTMLInputElement>(null);

  const layout = () => {
    const { nodes, edges } = useEditorStore.getState();
    const positions = autoLayout(nodes, edges);
    const moves = nodes
      .map((node) => ({ id: node.data.nodeId, from: node.position, to: positions[node.id] }))
      .filter((move) => move.to && (move.from.x !== move.to.x || move.from.y !== move.to.y));
    if (moves.length === 0) return;
    void commands.perform({ type: 'moveNodes', moves }).then(() => {
      window.requestAnimationFrame(() => void flow.fitView({ maxZoom: 1, padding: 0.3, duration: 300 }));
    });
  };

  const exportGraph = async () => {
    try {
      const document_ = await fetchGraphExport(graphId);
      const blob = new Blob([JSON.stringify(document_, null, 2)], { type: 'application/json' });
      const link = Object.assign(document.createElement('a'), {
        href: URL.createObjectURL(blob),
        download: exportFileName(document_.name),
      });
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (error) {
      showNotice('error', `Export failed: ${errorMessage(error)}`);
    }
  };

  const onImportFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    const parsed = parseGraphDocument(await file.text());
    if (!parsed.ok) {
      showNotice('error', `Import refused. ${parsed.reason}`);
      return;
    }
    importGraph.mutate(parsed.document, {
      onSuccess: (graph) => {
        showNotice('success', `Imported “${graph.name}”.`);
        onImported(graph.id);
      },
      onError: (error) => showNotice('error', `Import failed: ${errorMessage(error)}`),
    });
  };

  const toggle = (panel: Exclude<SidePanel, null>) => {
    useEditorStore.getState().selectEdge(null);
    onSide(side === panel ? null : panel);
  };

  return (
    <div className="toolbar" role="toolbar" aria-label="Editor tools">
      <div className="toolbar__group">
        <button
          type="button"
          className="tool"
          onClick={() => void commands.undo()}
          disabled={!canUndo}
          aria-label="Undo"
          title={undoCommand ? `Undo ${describeCommand(undoCommand)} (Ctrl+Z)` : 'Nothing to undo'}
        >
          <span aria-hidden="true">↶</span> Undo
        </button>
        <button
          type="button"
          className="tool"
          onClick={() => void commands.redo()}
          disabled={!canRedo}
          aria-label="Redo"
          title={redoCommand ? `Redo ${describeCommand(redoCommand)} (Ctrl+Shift+Z)` : 'Nothing to redo'}
        >
          <span aria-hidden="true">↷</span> Redo
        </button>
      </div>
      <div className="toolbar__group">
        <button
          type="button"
          className="tool"
          onClick={onConnect}
          aria-label="Connect modules"
          title="Connect a category module to a task module without dragging"
        >
          Connect
        </button>
        <button type="button" className="tool" onClick={layout} aria-label="Auto-layout">
          Auto-layout
        </button>
        <button
          type="button"
          className="tool"
          onClick={() => void flow.fitView({ maxZoom: 1, padding: 0.3, duration: 300 })}
          aria-label="Fit view"
        >
          Fit
        </button>
      </div>
      <div className="toolbar__group">
        <button
          type="button"
          className="tool"
          aria-pressed={side === 'versions'}
          onClick={() => toggle('versions')}
        >
          Versions
        </button>
        <button type="button" className="tool" aria-pressed={side === 'jobs'} onClick={() => toggle('jobs')}>
          Job queue
        </button>
      </div>
      <div className="toolbar__group">
        <button type="button" className="tool" onClick={() => void exportGraph()} aria-label="Export JSON">
          Export
        </button>
        <button
          type="button"
          className="tool"
          onClick={() => fileInput.current?.click()}
          aria-label="Import JSON"
          disabled={importGraph.isPending}
        >
          Import
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          hidden
          onChange={(e) => void onImportFile(e)}
          aria-label="Graph file to import"
        />
      </div>
    </div>
  );
}
