import type { EdgeSettings, ModuleLite } from '../api/types';

/** What undo needs to re-create a node on the server. */
export interface NodeSnapshot {
  id: number;
  module: ModuleLite;
  x: number;
  y: number;
}

/** What undo needs to re-create an edge on the server. */
export interface EdgeSnapshot {
  id: number;
  source: number;
  target: number;
  settings: EdgeSettings;
}

export interface Move {
  id: number;
  from: { x: number; y: number };
  to: { x: number; y: number };
}

/**
 * An editing step that can be replayed against the server. Ids are server ids; they change when
 * undo re-creates something, so commands are rewritten with `remapCommand` afterwards.
 */
export type Command =
  | { type: 'addNode'; node: NodeSnapshot; edges: EdgeSnapshot[] }
  | { type: 'removeNode'; node: NodeSnapshot; edges: EdgeSnapshot[] }
  | { type: 'moveNodes'; moves: Move[] }
  | { type: 'addEdge'; edge: EdgeSnapshot }
  | { type: 'removeEdge'; edge: EdgeSnapshot };

/** The command that undoes `command`. */
export function invert(command: Command): Command {
  switch (command.type) {
    case 'addNode':
      return { type: 'removeNode', node: command.node, edges: command.edges };
    case 'removeNode':
      return { type: 'addNode', node: command.node, edges: command.edges };
    case 'moveNodes':
      return { type: 'moveNodes', moves: command.moves.map((m) => ({ id: m.id, from: m.to, to: m.from })) };
    case 'addEdge':
      return { type: 'removeEdge', edge: command.edge };
    case 'removeEdge':
      return { type: 'addEdge', edge: command.edge };
  }
}

/** Old server id -> new server id, per kind, produced when a command re-creates things. */
export interface IdRemap {
  nodes: Map<number, number>;
  edges: Map<number, number>;
}

export const emptyRemap = (): IdRemap => ({ nodes: new Map(), edges: new Map() });

const pick = (map: Map<number, number>, id: number) => map.get(id) ?? id;

function remapEdge(edge: EdgeSnapshot, remap: IdRemap): EdgeSnapshot {
  return {
    ...edge,
    id: pick(remap.edges, edge.id),
    source: pick(remap.nodes, edge.source),
    target: pick(remap.nodes, edge.target),
  };
}

/** Rewrites the ids in `command` after things it refers to were re-created with new ids. */
export function remapCommand(command: Command, remap: IdRemap): Command {
  if (remap.nodes.size === 0 && remap.edges.size === 0) return command;
  switch (command.type) {
    case 'addNode':
    case 'removeNode':
      return {
        type: command.type,
        node: { ...command.node, id: pick(remap.nodes, command.node.id) },
        edges: command.edges.map((edge) => remapEdge(edge, remap)),
      };
    case 'moveNodes':
      return { type: 'moveNodes', moves: command.moves.map((m) => ({ ...m, id: pick(remap.nodes, m.id) })) };
    case 'addEdge':
    case 'removeEdge':
      return { type: command.type, edge: remapEdge(command.edge, remap) };
  }
}

/** Short text for the undo/redo button titles, e.g. "Undo: connect edge". */
export function describeCommand(command: Command): string {
  switch (command.type) {
    case 'addNode':
      return `add ${command.node.module.name}`;
    case 'removeNode':
      return `delete ${command.node.module.name}`;
    case 'moveNodes':
      return command.moves.length === 1 ? 'move node' : `move ${command.moves.length} nodes`;
    case 'addEdge':
      return 'connect edge';
    case 'removeEdge':
      return 'delete edge';
  }
}
