/**
 * The validated, resolved scenario: what the loader produces from a YAML stream and what the
 * runner (src/simulate.ts) executes. Durations are integer milliseconds, percentages fractions in
 * [0, 1], quantities plain numbers, distributions resolved. Every part keeps its source position
 * so problems found later (an unknown target at run time) can still name file and line.
 */
import type { NewObject } from "../api/object.ts";
import type { Distribution } from "../sim/random.ts";
import type { DatacenterConfig, ImageProfile, NodeConfig, TimingConfig } from "../world/config.ts";

/** Where something was written: file, 1-based line and column, and the path inside the document. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
}

/** "Kind/name" or "Kind/namespace/name" in a scenario, resolved. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export function formatRef(ref: ObjectRef): string {
  return ref.namespace === "default" ? `${ref.kind}/${ref.name}` : `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** A manifest from the stream (or an include), applied at time 0 in file order. */
export interface ScenarioObject {
  readonly object: NewObject;
  readonly source: SourcePosition;
}

export type FaultSpec =
  | { readonly type: "nodeDown"; readonly node?: string; readonly datacenter?: string }
  | { readonly type: "partition"; readonly datacenter: string }
  | { readonly type: "podCrash"; readonly target: ObjectRef; readonly count: number }
  | { readonly type: "imagePullFailure"; readonly image: string }
  | { readonly type: "controllerDown"; readonly controller: string }
  | { readonly type: "watchDelay"; readonly delay: Distribution }
  | {
      readonly type: "chaos";
      /** Random faults per hour, by fault type, drawn from the "faults/chaos" stream. */
      readonly ratesPerHour: Readonly<Record<string, number>>;
      readonly windowMs: number;
      /** How long each nodeDown, controllerDown or imagePullFailure it starts lasts (within the window). */
      readonly duration: Distribution;
    };

export type Action =
  | { readonly type: "apply"; readonly object: NewObject }
  | { readonly type: "patch"; readonly target: ObjectRef; readonly merge: Record<string, unknown> }
  | {
      readonly type: "setImage";
      readonly target: ObjectRef;
      /** Container name; all containers when absent (kubectl set image '*='). */
      readonly container?: string;
      readonly image: string;
    }
  | { readonly type: "scale"; readonly target: ObjectRef; readonly replicas: number }
  | { readonly type: "delete"; readonly target: ObjectRef }
  | { readonly type: "rollback"; readonly target: ObjectRef; readonly toRevision?: number }
  | { readonly type: "pause" | "resume" | "confirm" | "abort" | "promote"; readonly target: ObjectRef }
  | { readonly type: "fault"; readonly fault: FaultSpec; readonly id: string; readonly forMs?: number }
  | { readonly type: "heal"; readonly id?: string };

export interface TimelineEntry {
  readonly atMs: number;
  readonly action: Action;
  readonly source: SourcePosition;
}

export type Assertion =
  | {
      readonly type: "availability";
      readonly of: ObjectRef;
      /** Minimum success ratio, a fraction (0.995 for 99.5%). */
      readonly min: number;
      /** If set, the worst sliding window of this length must meet `min`. */
      readonly windowMs?: number;
    }
  | { readonly type: "rolloutComplete"; readonly target: ObjectRef; readonly withinMs: number }
  | { readonly type: "maxUnavailable"; readonly target: ObjectRef; readonly max: number }
  | { readonly type: "maxSurge"; readonly target: ObjectRef; readonly max: number }
  | {
      readonly type: "requests";
      readonly of?: ObjectRef;
      readonly outcome: "total" | "succeeded" | "failed" | "rejected" | "mirrored";
      readonly min?: number;
      readonly max?: number;
    }
  | {
      /** The workload's status showed this condition (at the end of the run, or within a time of the rollout start). */
      readonly type: "condition";
      readonly target: ObjectRef;
      readonly conditionType: string;
      readonly status: "True" | "False" | "Unknown";
      readonly reason?: string;
      /** Measured from the start of the last rollout; without it, the condition must hold at the end. */
      readonly withinMs?: number;
    }
  | { readonly type: "noInvariantViolations" };

export interface AssertionEntry {
  readonly assertion: Assertion;
  readonly source: SourcePosition;
}

export interface TrafficSegment {
  /** Fraction of the source's requests, in [0, 1]. */
  readonly share: number;
  readonly headers: Readonly<Record<string, string>>;
}

export interface TrafficSpec {
  readonly name: string;
  /** Service/<name> or Gateway/<name>. */
  readonly to: ObjectRef;
  readonly ratePerSecond: number;
  /** Requests are sent from this virtual time (default 0) ... */
  readonly startMs: number;
  /** ... until this one (default: the end of the run). */
  readonly stopMs: number | null;
  /** At least one segment; a plain `headers:` becomes one segment with share 1. */
  readonly segments: readonly TrafficSegment[];
  /** "external", or the workload whose pod IPs are the sources. */
  readonly from: "external" | ObjectRef;
  readonly source: SourcePosition;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly file: string;
  readonly seed: number;
  readonly durationMs: number;
  readonly datacenters: readonly DatacenterConfig[];
  readonly nodes: readonly NodeConfig[];
  readonly timing: TimingConfig;
  readonly images: ReadonlyMap<string, ImageProfile>;
  readonly objects: readonly ScenarioObject[];
  readonly traffic: readonly TrafficSpec[];
  readonly timeline: readonly TimelineEntry[];
  readonly assertions: readonly AssertionEntry[];
}

/** One problem in a scenario, printed as `FILE:LINE:COL: path.to.field: message`. */
export interface Problem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly path: string;
  readonly message: string;
}

export function formatProblem(problem: Problem): string {
  const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.column}` : problem.file;
  return problem.path === "" ? `${where}: ${problem.message}` : `${where}: ${problem.path}: ${problem.message}`;
}

/** Thrown (at the edge only) when a scenario cannot be loaded or run; carries every problem found. */
export class ScenarioError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ScenarioError";
  }
}
