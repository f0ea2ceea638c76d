/** Wire types from docs/api.md. Keep these in step with the contract. */

export type ModuleKind = 'category' | 'task' | 'adapter';
export type Shape = [number, number, number];

export interface SandboxLimits {
  job: number;
  upload: number;
}

/** A "Try the demo" account's state: removed after idle_minutes without a request. */
export interface SandboxStatus {
  idle_minutes: number;
  expires: string;
  limits: SandboxLimits;
  used: SandboxLimits;
}

export interface User {
  id: number;
  username: string;
  is_lab_manager: boolean;
  /** Set for a demo sandbox account, null for a real one. */
  sandbox: SandboxStatus | null;
}

export interface ModuleParent {
  role: string;
  module_id: number | null;
  sha256: string;
  name: string;
}

export interface ModuleLite {
  id: number;
  kind: ModuleKind;
  name: string;
  category: string | null;
  task: string | null;
  architecture: string;
  input_shape: Shape;
  output_shape: Shape;
  metrics: Record<string, number>;
  /** The key of the teacher net the module was trained in; null for adapters and loose uploads. */
  teacher: string | null;
}

export interface Module extends ModuleLite {
  categories: string[];
  license: string;
  description: string;
  owner: string;
  visibility: 'private' | 'lab' | 'public';
  created: string;
  sha256: string;
  parents: ModuleParent[];
  size_bytes: number;
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export type Facets = Record<'kind' | 'category' | 'task' | 'architecture', Record<string, number>>;

export interface Lineage {
  nodes: ModuleLite[];
  edges: { from: number; to: number; role: string }[];
}

export type Method = 'auto' | 'back-distill' | 'direct-learn' | 'distill' | 'jacobian' | 'stitch';

export interface EdgeSettings {
  method: Method;
  samples: number;
  adapter_layers: 1 | 3;
  steps: number;
  seed: number;
  /** The dataset of the labelled samples and test split (Animal-MNIST when absent). */
  dataset?: number | null;
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Job {
  id: number;
  edge: number | null;
  graph: number | null;
  status: JobStatus;
  attempt: number;
  settings: EdgeSettings;
  reused: boolean;
  error: string;
  created: string;
  started: string | null;
  finished: string | null;
  last_step: number | null;
  /** Null before training starts. */
  total_steps: number | null;
  final_metrics: Record<string, number>;
  /**
   * Null until the job succeeds; false when there was no test set to measure it on (a zero-sample
   * edge of a category no data holds): its card says "not evaluated".
   */
  evaluated?: boolean | null;
  adapter: number | null;
  /** The compare group (a race between methods) this run belongs to, if any. */
  compare?: number | null;
  /** How a finished graft learned: the concrete method (auto's choice and why), start, and why it stopped. */
  outcome?: JobOutcome | null;
}

export interface JobOutcome {
  method: string;
  start?: string;
  stopped?: 'exact' | 'converged' | 'steps' | 'time-cap';
  steps_run?: number;
  choice?: string;
}

export interface GraphNode {
  id: number;
  module: ModuleLite;
  x: number;
  y: number;
}

export interface GraphEdge {
  id: number;
  source: number;
  target: number;
  settings: EdgeSettings;
  job: Job | null;
  adapter: ModuleLite | null;
}

export interface Graph {
  id: number;
  name: string;
  owner: string;
  created: string;
  updated: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** The list endpoint may return graphs with or without nodes/edges; only these are relied on. */
export type GraphSummary = Pick<Graph, 'id' | 'name' | 'owner' | 'created' | 'updated'>;

export interface GraphVersion {
  id: number;
  name: string;
  created: string;
}

export interface ProgressPoint {
  step: number;
  losses: Record<string, number>;
  metrics: Record<string, number> | null;
}

export interface Insight {
  teacher: number[][];
  student: number[][];
  /** Cosine similarity of the teacher's and student's maps. */
  cosine?: number;
  pca: Record<string, [number, number][]>;
}

export type Prediction =
  | { task: 'classification'; probability: number }
  | { task: 'segmentation'; mask: number[][]; width: number; height: number };

/** A dataset as an exported graph names it: by contents, so it resolves on another server. */
export interface DatasetReference {
  sha256: string;
  name: string;
}

export interface GraphDocument {
  format: 'transplant-graph/1';
  name: string;
  nodes: { key: string; module_sha256: string; x: number; y: number }[];
  edges: {
    source: string;
    target: string;
    /** `dataset` is a reference in exports; an older snapshot may hold this server's id. */
    settings: Omit<Partial<EdgeSettings>, 'dataset'> & { dataset?: DatasetReference | number | null };
  }[];
}

interface LiveBase {
  seq: number;
  job: number;
  edge: number | null;
}

/**
 * Server -> client WebSocket messages on /ws/graphs/{id}/ (a graph's jobs) and /ws/jobs/{id}/ (a job
 * without a graph: a teacher job, whose `edge` is null).
 */
export type LiveEvent =
  | (LiveBase & { type: 'job.queued' })
  | (LiveBase & { type: 'job.started'; attempt: number })
  | (LiveBase & {
      type: 'job.progress';
      step: number;
      total_steps: number;
      losses: Record<string, number>;
      metrics: Record<string, number> | null;
    })
  | (LiveBase & {
      type: 'job.succeeded';
      final_metrics: Record<string, number>;
      /** False when there was no test set: nothing was measured. */
      evaluated?: boolean;
      adapter: number | null;
      /** A teacher job: the catalog modules it made. */
      made_modules?: number[];
    })
  | (LiveBase & { type: 'job.failed'; error: string })
  | (LiveBase & { type: 'job.cancelled' });
