/**
 * The editor's names for the API's types. What the REST API sends and takes is generated from the
 * server's OpenAPI schema into schema.gen.ts (scripts/generate-api-types; ./scripts/test fails while
 * it is stale), so a change on the server shows up here as a type error. A type that looks too loose
 * is fixed in the serializer (see webapp/schema.py), not restated here. Only the WebSocket's
 * messages, which the OpenAPI schema does not describe, are written out below.
 */
import type { components } from './schema.gen';

type Schemas = components['schemas'];

export type ModuleKind = Schemas['ModuleKindEnum'];
export type Visibility = Schemas['VisibilityEnum'];
/** A per-image tensor shape: [channels, height, width]. */
export type Shape = Schemas['ModuleLite']['input_shape'];

export type SandboxLimits = Schemas['SandboxLimits'];
/** A "Try the demo" account's state: removed after idle_minutes without a request. */
export type SandboxStatus = Schemas['SandboxStatus'];
/** `sandbox` is set for a demo sandbox account, null for a real one. */
export type User = Schemas['User'];
/** What login, the sandbox and /api/auth/me/ answer with. */
export type UserEnvelope = Schemas['UserEnvelope'];

export type ModuleParent = Schemas['Parent'];
/** What a graph node, a lineage node and an edge's adapter carry of a module. */
export type ModuleLite = Schemas['ModuleLite'];
export type Module = Schemas['Module'];

/** One page of a list endpoint. */
export type Page<T> = Omit<Schemas['PaginatedModuleList'], 'results'> & { results: T[] };

export type Facets = Schemas['Facets'];
export type Lineage = Schemas['Lineage'];

export type Method = Schemas['MethodEnum'];
/** An edge's settings; `dataset` (the labelled samples' and test split's) is absent for Animal-MNIST. */
export type EdgeSettings = Schemas['JobSettings'];

export type JobStatus = Schemas['StatusEnum'];
export type Job = Schemas['Job'];
/** How a finished graft learned: the concrete method (auto's choice and why), start, and why it stopped. */
export type JobOutcome = Schemas['JobOutcome'];

export type GraphNode = Schemas['Node'];
export type GraphEdge = Schemas['Edge'];
export type Graph = Schemas['Graph'];
/** A graph as the list endpoint gives it, without nodes and edges. */
export type GraphSummary = Schemas['GraphSummary'];
export type GraphVersion = Schemas['Version'];

export type ProgressPoint = Schemas['JobPoint'];
export type Insight = Schemas['Insight'];
export type Prediction = Schemas['Prediction'];
export type GraphDocument = Schemas['GraphDocument'];
/** How an exported graph names an edge's dataset: by contents, resolved on import (settings.dataset). */
export interface DatasetReference {
  sha256: string;
  name: string;
}

export type DatasetTask = Schemas['TaskEnum'];
export type Dataset = Schemas['Dataset'];
export type DatasetSample = Schemas['DatasetSample'];
/** What "Train a teacher" sends to POST /api/jobs/ (with kind "teacher"). */
export type TeacherJobRequest = Omit<Schemas['TeacherJobCreateRequest'], 'kind'>;
/** A test image of an edge's dataset and its true label, for "Try it". */
export type GalleryItem = Schemas['GalleryItem'];

/** A race between methods on one edge: sibling jobs at the same samples, steps and seeds. */
export type Compare = Schemas['Compare'];
/** What "Compare methods" sends: the edge, and optionally seeds, samples, steps and methods. */
export type CompareRequest = Schemas['CompareCreateRequest'];

/** One setting as the server states it (GET /api/edge-settings/). */
export type SettingField = Schemas['IntegerSetting'] | Schemas['ChoiceSetting'];
/** Every edge setting's default, range and choices: the server's single statement of them. */
export type EdgeSettingsSpec = Schemas['EdgeSettingsSpec'];
/** What an edge between two modules starts with, whether it stays inside one net, and auto's choice. */
export type EdgeSettingsPreview = Schemas['EdgeSettingsPreview'];

/** `prefix`: the token's first characters, to tell tokens apart. */
export type ApiToken = Schemas['ApiToken'];
/** The answer to creating a token: the only time its text is shown. */
export type CreatedApiToken = Schemas['ApiTokenCreated'];

/** Whether "Try the demo" is set up, its idle time and quotas. */
export type SandboxOffer = Schemas['SandboxOffer'];

/** The reader's graphs and jobs that use a module. */
export type ModuleUsage = Schemas['Usage'];
/** A module's weights hashed again, and the no-forgetting check of what it was made from. */
export type ModuleIntegrity = Schemas['Integrity'];
/** The torchvision networks POST /api/modules/import/ splits into modules. */
export type ImportArch = Schemas['ArchEnum'];
/** What an import made: the network's category module and task module. */
export type Imported = Schemas['Imported'];

/** What every WebSocket job message carries (webapp/live; not part of the OpenAPI schema). */
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
      losses: ProgressPoint['losses'];
      metrics: ProgressPoint['metrics'];
    })
  | (LiveBase & {
      type: 'job.succeeded';
      final_metrics: Job['final_metrics'];
      adapter: number | null;
      /** False when there was no test set to measure the result on ("not evaluated"). */
      evaluated?: boolean | null;
      /** A teacher job's new catalog modules. */
      made_modules?: number[];
    })
  | (LiveBase & { type: 'job.failed'; error: string })
  | (LiveBase & { type: 'job.cancelled' });
