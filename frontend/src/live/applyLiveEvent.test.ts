import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { keys } from '../api/keys';
import type { LiveEvent, ProgressPoint } from '../api/types';
import { applyLiveEvent, PointBackfiller } from './applyLiveEvent';

describe('applyLiveEvent', () => {
  it('starts the curve afresh when a worker starts a new run attempt, so it never runs backwards', () => {
    const client = new QueryClient();
    const abandoned: ProgressPoint[] = [1, 2, 3].map((step) => ({
      step,
      losses: { loss: 1 / step },
      metrics: null,
    }));
    client.setQueryData(keys.jobPoints(7), abandoned);
    const started = { type: 'job.started', job: 7, edge: null, seq: 5, attempt: 1 } as unknown as LiveEvent;
    applyLiveEvent(client, 1, started, new PointBackfiller(client));
    expect(client.getQueryData(keys.jobPoints(7))).toEqual([]);
  });
});
