import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { LiveEvent } from '../api/types';
import { classifySeq } from '../lib/progress';
import { PointBackfiller, applyLiveEvent, backfill } from './applyLiveEvent';

export type SocketState = 'connecting' | 'live' | 'reconnecting' | 'forbidden';

const FORBIDDEN = 4403;
const PING_MS = 25_000;
const MAX_BACKOFF_MS = 10_000;

function socketUrl(graphId: number): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${window.location.host}/ws/graphs/${graphId}/`;
}

/**
 * Keeps the graph's query cache live from `/ws/graphs/{id}/`, reconnecting with backoff and
 * backfilling from the API on every (re)connect and whenever a `seq` is skipped.
 *
 * @param graphId the open graph, or null for none
 * @returns the connection state for the status indicator
 */
export function useGraphSocket(graphId: number | null): SocketState {
  const client = useQueryClient();
  const [state, setState] = useState<SocketState>('connecting');

  useEffect(() => {
    if (graphId === null) return undefined;
    let socket: WebSocket | null = null;
    let stopped = false;
    let attempt = 0;
    let lastSeq: number | null = null;
    let retryTimer: number | undefined;
    let pingTimer: number | undefined;
    const backfiller = new PointBackfiller(client);

    const connect = () => {
      setState(attempt === 0 ? 'connecting' : 'reconnecting');
      socket = new WebSocket(socketUrl(graphId));
      socket.onopen = () => {
        attempt = 0;
        lastSeq = null;
        setState('live');
        void backfill(client, graphId, backfiller);
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
        applyLiveEvent(client, graphId, event as LiveEvent, backfiller);
        if (verdict === 'gap') void backfill(client, graphId, backfiller);
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
  }, [client, graphId]);

  return state;
}
