import type { SocketState } from '../live/useGraphSocket';

const SOCKET_TEXT: Record<SocketState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  forbidden: 'No live access',
};

/** Whether job updates are streaming; after a reconnect the page backfills what it missed. */
export function LiveIndicator({ state }: { state: SocketState }) {
  return (
    <span className={`live live--${state}`} role="status" aria-label={`Live updates: ${SOCKET_TEXT[state]}`}>
      <span className="live__dot" aria-hidden="true" />
      {SOCKET_TEXT[state]}
    </span>
  );
}
