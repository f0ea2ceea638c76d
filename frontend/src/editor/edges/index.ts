import type { EdgeTypes } from '@xyflow/react';
import { JobEdge } from './JobEdge';

/** At module scope so React Flow keeps the same edge components between renders. */
export const edgeTypes: EdgeTypes = { job: JobEdge };
