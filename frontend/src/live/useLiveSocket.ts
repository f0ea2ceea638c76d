import { useEffect, useEffectEvent, useState } from 'react';
import type { LiveEvent } from '../api/types';
import { classifySeq } from '../lib/progress';

export type SocketState = 'connecting' | 'live' | 'reconnecting' | 'forbidden';

const FORBIDDEN = 4403;
const PING_MS = 25_000;
const MAX_BACKOFF_MS = 10_000;

export interface LiveSocketHandlers {
  /** Called on every (re)connect and whenever a `seq` is skipped: fetch what may have been missed. */
  backfill: () => void;
  /** Called with each new job event, in `seq` order, duplicates dropped. */
  apply: (event: LiveEvent) => void;
}

function socketUrl(path: string): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${window.location.host}${path}`;
}

/**
 * Keeps one live socket open (`/ws/graphs/{id}/` or `/ws/jobs/{id}/`): reconnects with backoff,
 * pings, drops duplicate messages and backfills on every (re)connect and whenever a `seq` is
 * skipped. What an event changes is the caller's (`handlers`, read once per connection path).
 *
 * @param path the socket's path, or null for none
 * @param makeHandlers builds the handlers for a connection (called once per path)
 * @returns the connection state for a status indicator
 */
export function useLiveSocket(path: string | null, makeHandlers: () => LiveSocketHandlers): SocketState {
  const [state, setState] = useState<SocketState>('connecting');
  // Read once per connection: a new closure each render must not reconnect.
  const handlersNow = useEffectEvent(makeHandlers);

  useEffect(() => {
    if (path === null) return undefined;
    const handlers = handlersNow();
    let socket: WebSocket | null = null;
    let stopped = false;
    let attempt = 0;
    let lastSeq: number | null = null;
    let retryTimer: number | undefined;
    let pingTimer: number | undefined;

    const connect = () => {
      setState(attempt === 0 ? 'connecting' : 'reconnecting');
      socket = new WebSocket(socketUrl(path));
      socket.onopen = () => {
        attempt = 0;
        lastSeq = null;
        setState('live');
        handlers.backfill();
        pingTimer = window.setInterval(() => socket?.send(JSON.stringify({ type: 'ping' })), PING_MS);
      };
      socket.onmessage = (message) => {
        let event: LiveEvent | { type: string; seq?: number };
        try {
          event = JSON.parse(String(message.data));
        } catch {
          return;
        }
        if (!event.type.startsWith('job.') || typeof event.seq !== 'number') return;
        const verdict = classifySeq(lastSeq, event.seq);
        if (verdict === 'duplicate') return;
        lastSeq = event.seq;
        handlers.apply(event as LiveEvent);
        if (verdict === 'gap') handlers.backfill();
      };
      socket.onclose = (close) => {
        window.clearInterval(pingTimer);
        if (stopped) return;
        if (close.code === FORBIDDEN) {
          setState('forbidden');
          return;
        }
        attempt += 1;
        setState('reconnecting');
        retryTimer = window.setTimeout(connect, Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt));
      };
    };

    connect();
    return () => {
      stopped = true;
      window.clearTimeout(retryTimer);
      window.clearInterval(pingTimer);
      socket?.close();
    };
  }, [path]);

  return state;
}
