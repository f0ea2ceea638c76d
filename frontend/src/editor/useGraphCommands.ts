import { useCallback } from 'react';
import { useCreateEdge, useDeleteEdge } from '../api/edges';
import { errorMessage } from '../api/client';
import { useCreateNode, useDeleteNode, useMoveNode } from '../api/nodes';
import type { EdgeSettings, ModuleLite } from '../api/types';
import {
  type Command,
  type IdRemap,
  describeCommand,
  emptyRemap,
  invert,
  remapCommand,
} from '../lib/commands';
import { pushFuture, pushPast, record, remapHistory, takeRedo, takeUndo } from '../lib/history';
import { useEditorStore } from '../store/editor';
import { useShowNotice } from '../store/notices';

let temporaryId = 0;
/** Ids for things not created yet; replaced through the remap once the server answers. */
const nextTemporaryId = () => (temporaryId -= 1);

/**
 * Editing operations that write to the server and record themselves for undo/redo.
 *
 * @param graphId the open graph
 */
export function useGraphCommands(graphId: number) {
  const createNode = useCreateNode(graphId);
  const moveNode = useMoveNode(graphId);
  const deleteNode = useDeleteNode(graphId);
  const createEdge = useCreateEdge(graphId);
  const deleteEdge = useDeleteEdge(graphId);
  const showNotice = useShowNotice();

  const execute = useCallback(
    async (command: Command): Promise<IdRemap> => {
      const remap = emptyRemap();
      switch (command.type) {
        case 'addNode': {
          const { node } = command;
          const created = await createNode.mutateAsync({ module: node.module.id, x: node.x, y: node.y });
          remap.nodes.set(node.id, created.id);
          for (const edge of command.edges) {
            const mapped = remapCommand({ type: 'addEdge', edge }, remap);
            if (mapped.type !== 'addEdge') continue;
            const made = await createEdge.mutateAsync({
              source: mapped.edge.source,
              target: mapped.edge.target,
              settings: edge.settings,
            });
            remap.edges.set(edge.id, made.id);
          }
          break;
        }
        case 'removeNode':
          await deleteNode.mutateAsync(command.node.id);
          break;
        case 'moveNodes':
          await Promise.all(command.moves.map((move) => moveNode.mutateAsync({ id: move.id, ...move.to })));
          break;
        case 'addEdge': {
          const { edge } = command;
          const made = await createEdge.mutateAsync({
            source: edge.source,
            target: edge.target,
            settings: edge.settings,
          });
          remap.edges.set(edge.id, made.id);
          break;
        }
        case 'removeEdge':
          await deleteEdge.mutateAsync(command.edge.id);
          break;
      }
      return remap;
    },
    [createNode, moveNode, deleteNode, createEdge, deleteEdge],
  );

  /** Runs an edit, then records it (with real ids) for undo. Errors are shown, not thrown. */
  const perform = useCallback(
    async (command: Command): Promise<boolean> => {
      const store = useEditorStore.getState();
      store.setBusy(true);
      try {
        const remap = await execute(command);
        const { history } = useEditorStore.getState();
        store.setHistory(record(remapHistory(history, remap), remapCommand(command, remap)));
        return true;
      } catch (error) {
        showNotice('error', errorMessage(error));
        return false;
      } finally {
        store.setBusy(false);
      }
    },
    [execute, showNotice],
  );

  const step = useCallback(
    async (direction: 'undo' | 'redo') => {
      const store = useEditorStore.getState();
      if (store.busy) return;
      const taken = direction === 'undo' ? takeUndo(store.history) : takeRedo(store.history);
      if (!taken) return;
      store.setBusy(true);
      try {
        const remap = await execute(direction === 'undo' ? invert(taken.command) : taken.command);
        const rest = remapHistory(taken.rest, remap);
        const done = remapCommand(taken.command, remap);
        store.setHistory(direction === 'undo' ? pushFuture(rest, done) : pushPast(rest, done));
        showNotice('info', `${direction === 'undo' ? 'Undid' : 'Redid'}: ${describeCommand(taken.command)}.`);
      } catch (error) {
        // The server refused (for example the module was deleted meanwhile): drop that step.
        store.setHistory(taken.rest);
        showNotice(
          'error',
          `Could not ${direction} ${describeCommand(taken.command)}: ${errorMessage(error)}`,
        );
      } finally {
        store.setBusy(false);
      }
    },
    [execute, showNotice],
  );

  return {
    addNode: (module: ModuleLite, position: { x: number; y: number }) =>
      perform({ type: 'addNode', node: { id: nextTemporaryId(), module, ...position }, edges: [] }),
    addEdge: (source: number, target: number, settings: EdgeSettings) =>
      perform({ type: 'addEdge', edge: { id: nextTemporaryId(), source, target, settings } }),
    perform,
    undo: () => step('undo'),
    redo: () => step('redo'),
  };
}
