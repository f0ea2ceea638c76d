import { type Command, type IdRemap, remapCommand } from './commands';

/** Undo/redo stacks. Immutable: every function returns a new value. */
export interface History {
  past: Command[];
  future: Command[];
}

export const HISTORY_LIMIT = 100;

export const emptyHistory = (): History => ({ past: [], future: [] });

/** Records a finished edit. A new edit forgets what could have been redone. */
export function record(history: History, command: Command, limit = HISTORY_LIMIT): History {
  const past = [...history.past, command];
  return { past: past.length > limit ? past.slice(past.length - limit) : past, future: [] };
}

/** Takes the newest edit off the undo stack; null when there is nothing to undo. */
export function takeUndo(history: History): { command: Command; rest: History } | null {
  const command = history.past.at(-1);
  if (!command) return null;
  return { command, rest: { past: history.past.slice(0, -1), future: history.future } };
}

/** Takes the next edit off the redo stack; null when there is nothing to redo. */
export function takeRedo(history: History): { command: Command; rest: History } | null {
  const command = history.future.at(-1);
  if (!command) return null;
  return { command, rest: { past: history.past, future: history.future.slice(0, -1) } };
}

/** Puts an undone edit (with ids as they are now) where redo finds it. */
export function pushFuture(history: History, command: Command): History {
  return { past: history.past, future: [...history.future, command] };
}

/** Puts a redone edit back on the undo stack without clearing the redo stack. */
export function pushPast(history: History, command: Command): History {
  return { past: [...history.past, command], future: history.future };
}

/** Rewrites ids everywhere after an undo or redo re-created nodes or edges. */
export function remapHistory(history: History, remap: IdRemap): History {
  return {
    past: history.past.map((command) => remapCommand(command, remap)),
    future: history.future.map((command) => remapCommand(command, remap)),
  };
}
