/**
 * The kubelet's in-memory view of the pods it runs: one PodRecord per pod uid, one
 * ContainerRecord per container, and the pure functions that turn them into what the API shows
 * (container statuses, phase: pkg/kubelet/kubelet_pods.go getPhase, convertToAPIContainerStatuses)
 * and what the data plane sees (the pod's process state). Container statuses are built frozen, as
 * the store keeps them, so nothing walks them again to freeze them.
 */
import type {
  ContainerState,
  ContainerStateTerminated,
  ContainerStatus,
  PodCondition,
} from "kubernetes-types/core/v1.js";
import type { Pod } from "../api/kinds.ts";
import { objectKey, toTimestamp } from "../api/object.ts";
import type { EventId } from "../sim/event-queue.ts";
import { Backoff } from "./container-timing.ts";
import type { PodIpAllocator } from "./ip-allocator.ts";
import type { NodeInfo } from "./nodes.ts";
import type { ProcessState } from "./runtime.ts";

/**
 * Where a container is in its life:
 * - waiting: not attempted yet in this sandbox (the pod's start loop will reach it);
 * - pulling / creating: ensuring the image / creating and starting the container;
 * - pull-error / pull-backoff: the pull failed (ErrImagePull, then ImagePullBackOff until retried);
 * - running: the process runs; prestop: the preStop hook runs (the process still serves);
 * - stopping: SIGTERM was sent, the process drains until it exits or is killed;
 * - backoff: exited with an error, restart delayed (CrashLoopBackOff);
 * - exited: exited and will not be restarted (pod terminating, or restartPolicy Never);
 * - dead: never ran and never will (pod terminating); lost: the machine crashed under it.
 */
export type ContainerStage =
  | "waiting"
  | "pulling"
  | "creating"
  | "pull-error"
  | "pull-backoff"
  | "running"
  | "prestop"
  | "stopping"
  | "backoff"
  | "exited"
  | "dead"
  | "lost";

export interface ExitInfo {
  readonly exitCode: number;
  readonly reason: string;
  readonly message?: string;
  readonly startedAtMs: number;
  readonly finishedAtMs: number;
  /** toTimestamp of startedAtMs and finishedAtMs, taken when the exit is recorded. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly containerId: string;
}

export interface PullJob {
  readonly image: string;
  readonly node: NodeRuntime;
  readonly waiters: ContainerRecord[];
  timer: EventId;
}

export interface NodeRuntime {
  readonly info: NodeInfo;
  readonly allocator: PodIpAllocator;
  /** status.hostIPs of its pods ([{ ip: internalIP }], frozen), shared by all of them. */
  readonly hostIPs: readonly { readonly ip: string }[];
  /** Images present on the node's disk (they survive a machine crash). */
  readonly images: Set<string>;
  /** Pulls in flight, by image; pulls on a node are serialized (serializeImagePulls = true). */
  readonly pulls: Map<string, PullJob>;
  pullFreeAtMs: number;
  readonly pods: Map<string, PodRecord>;
  down: boolean;
  /** When the kubelet last started; Lease renewals happen at upSince + k·nodeHeartbeat. */
  upSinceMs: number;
  /** The last Lease renewal before the machine went down. */
  lastRenewMs: number;
  /** When the machine last went down. */
  downAtMs: number;
  /**
   * Cut off from the control plane (the partition fault): processes run on, but the kubelet
   * neither sees API changes nor writes to the API, and its Lease stops renewing.
   */
  partitioned: boolean;
}

export class ContainerRecord {
  stage: ContainerStage = "waiting";
  /** Lifecycle step timer (start, crash, pull retry, preStop end, exit); 0 when none. */
  timer: EventId = 0;
  /** The readiness probe success timer; 0 when none. */
  probeTimer: EventId = 0;
  pullJob: PullJob | null = null;
  /** How many processes of this container have been started. */
  runs = 0;
  restartCount = 0;
  startedAtMs = -1;
  /** toTimestamp(startedAtMs), memoized (see startedAt). */
  private startedAtStamp = "";
  private stampedAtMs = Number.NaN;
  /** containerId, memoized for `idRuns` (it changes only with runs). */
  private id = "";
  private idRuns = -1;
  /** When the application of the current run is healthy (Infinity: never). */
  healthyAtMs = Number.POSITIVE_INFINITY;
  ready = false;
  /** A process of this container exited or was killed and none runs now. */
  exitedProcess = false;
  lastExit: ExitInfo | null = null;
  priorExit: ExitInfo | null = null;
  waitingReason = "ContainerCreating";
  waitingMessage: string | undefined = undefined;
  imagePulled = false;
  /** Created on first use: most containers never fail a pull or crash. */
  private pullBackoffState: Backoff | null = null;
  lastPullFailureMs = 0;
  private crashBackoffState: Backoff | null = null;
  /** SIGTERM → SIGKILL grace once the preStop hook is done, in seconds. */
  killGraceSec = 0;
  /** How the pending exit ends: a graceful exit or SIGKILL. */
  pendingExit: { exitCode: number; reason: string; atMs: number } | null = null;
  /** Start again once stopped (the image changed in place). */
  restartAfterStop = false;

  constructor(
    readonly pod: PodRecord,
    readonly index: number,
    readonly name: string,
    public image: string,
  ) {}

  get pullBackoff(): Backoff {
    this.pullBackoffState ??= new Backoff();
    return this.pullBackoffState;
  }

  get crashBackoff(): Backoff {
    this.crashBackoffState ??= new Backoff();
    return this.crashBackoffState;
  }

  get containerId(): string {
    if (this.idRuns !== this.runs) {
      this.id = `containerd://${this.pod.uid.slice(-12)}${String(this.index).padStart(2, "0")}${String(this.runs).padStart(4, "0")}`;
      this.idRuns = this.runs;
    }
    return this.id;
  }

  /**
   * toTimestamp(startedAtMs). Memoized because toTimestamp caches only the latest second, which
   * a past start time (rendered again at every status write and at exit) would keep evicting.
   */
  get startedAt(): string {
    if (this.stampedAtMs !== this.startedAtMs) {
      this.startedAtStamp = toTimestamp(this.startedAtMs);
      this.stampedAtMs = this.startedAtMs;
    }
    return this.startedAtStamp;
  }

  /** A process of this container is alive (serving or draining). */
  get hasProcess(): boolean {
    return this.stage === "running" || this.stage === "prestop" || this.stage === "stopping";
  }
}

export class PodRecord {
  readonly containers: ContainerRecord[];
  /** The pod's key in the store ("namespace/name"), built once: lookups by it hash a string already hashed. */
  readonly key: string;
  /** The pod as the kubelet last saw it through the cache. */
  pod: Pod;
  ip: string | null = null;
  startTimeMs: number;
  /** When the probe workers started (the readiness ticker's origin). */
  workerStartMs: number;
  /** Next container the pod's start loop attempts. */
  startCursor = 0;
  terminating = false;
  /** Every container stopped after deletion; the final delete was sent. */
  finished = false;
  /** Succeeded/Failed once the pod is terminal. */
  terminalPhase: "Succeeded" | "Failed" | null = null;
  /** The object is gone from the API. */
  gone = false;
  graceSec = 0;
  process: ProcessState = "absent";
  sandboxTimer: EventId = 0;
  /** The last conditions list the kubelet rendered (frozen); undefined before the first. */
  writtenConditions: readonly PodCondition[] | undefined = undefined;

  constructor(
    readonly node: NodeRuntime,
    pod: Pod,
    nowMs: number,
  ) {
    this.pod = pod;
    this.startTimeMs = nowMs;
    this.workerStartMs = nowMs;
    this.key = objectKey(pod.metadata.namespace, pod.metadata.name);
    const specs = pod.spec?.containers ?? [];
    this.containers = [];
    for (let index = 0; index < specs.length; index++) {
      const spec = specs[index] as (typeof specs)[number];
      this.containers.push(new ContainerRecord(this, index, spec.name, spec.image ?? ""));
    }
  }

  get uid(): string {
    return this.pod.metadata.uid;
  }

  get namespace(): string {
    return this.pod.metadata.namespace;
  }

  get name(): string {
    return this.pod.metadata.name;
  }
}

/** getPhase for a pod that is not terminal: Pending while a container never started, else Running. */
export function podPhase(record: PodRecord): "Pending" | "Running" | "Succeeded" | "Failed" {
  if (record.terminalPhase !== null) return record.terminalPhase;
  for (const container of record.containers) if (container.runs === 0 && !container.hasProcess) return "Pending";
  return "Running";
}

/** What the data plane sees: draining beats running beats stopped beats absent. */
export function processStateOf(record: PodRecord): ProcessState {
  if (record.node.down) return "absent";
  let running = false;
  let stopped = false;
  for (const container of record.containers) {
    if (container.stage === "stopping") return "draining";
    if (container.stage === "running" || container.stage === "prestop") running = true;
    else if (container.exitedProcess) stopped = true;
  }
  if (running) return "running";
  return stopped ? "stopped" : "absent";
}

/** lastState of a container that never exited; shared, being frozen. */
const NO_STATE: ContainerState = Object.freeze({});

function terminated(exit: ExitInfo): ContainerStateTerminated {
  const state: ContainerStateTerminated = {
    exitCode: exit.exitCode,
    reason: exit.reason,
    startedAt: exit.startedAt,
    finishedAt: exit.finishedAt,
    containerID: exit.containerId,
  };
  if (exit.message !== undefined) state.message = exit.message;
  return Object.freeze(state);
}

function terminatedState(exit: ExitInfo | null): ContainerState {
  return exit === null ? NO_STATE : Object.freeze({ terminated: terminated(exit) });
}

function waitingState(container: ContainerRecord): ContainerState {
  const waiting =
    container.waitingMessage === undefined
      ? { reason: container.waitingReason }
      : { reason: container.waitingReason, message: container.waitingMessage };
  return Object.freeze({ waiting: Object.freeze(waiting) });
}

/** The containerStatuses entry for one container, deep-frozen. */
export function containerStatus(container: ContainerRecord): ContainerStatus {
  const hasProcess = container.hasProcess;
  const last = container.lastExit;
  const stage = container.stage;
  let state: ContainerState;
  let lastState: ContainerState;
  if (hasProcess) {
    state = Object.freeze({ running: Object.freeze({ startedAt: container.startedAt }) });
    lastState = terminatedState(last);
  } else if ((stage === "exited" || stage === "dead" || stage === "lost") && last !== null) {
    state = terminatedState(last);
    lastState = terminatedState(container.priorExit);
  } else {
    state = waitingState(container);
    lastState = terminatedState(last);
  }
  const status: ContainerStatus = {
    name: container.name,
    image: container.image,
    imageID: container.imagePulled ? container.image : "",
    ready: container.ready,
    restartCount: container.restartCount,
    started: hasProcess,
    state,
    lastState,
  };
  if (hasProcess) status.containerID = container.containerId;
  else if (last !== null) status.containerID = last.containerId;
  return Object.freeze(status);
}
