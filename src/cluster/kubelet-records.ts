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
import type { NodeLease } from "./node-lifecycle.ts";
import type { NodeInfo } from "./nodes.ts";
import { jsonEqual, keyCount } from "./pod-status.ts";
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
  /** The exit as a container state ({ terminated }, deep-frozen), built once: every later status write shows it. */
  readonly state: ContainerState;
}

/** An exit of `container`'s current run (its startedAt and containerId), with its state built. */
export function exitInfo(
  container: ContainerRecord,
  exitCode: number,
  reason: string,
  message: string | undefined,
  finishedAtMs: number,
): ExitInfo {
  const startedAt = container.startedAt;
  const finishedAt = toTimestamp(finishedAtMs);
  const containerId = container.containerId;
  // One literal per shape (keys never added afterwards); message, when there is one, comes last.
  const terminated: ContainerStateTerminated =
    message === undefined
      ? { exitCode, reason, startedAt, finishedAt, containerID: containerId }
      : { exitCode, reason, startedAt, finishedAt, containerID: containerId, message };
  return {
    exitCode,
    reason,
    message,
    startedAtMs: container.startedAtMs,
    finishedAtMs,
    startedAt,
    finishedAt,
    containerId,
    state: Object.freeze({ terminated: Object.freeze(terminated) }),
  };
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
  /** The node's Lease as handed to the node lifecycle controller; made on first request. */
  lease: NodeLease | null;
}

/** The last Lease renewal at or before `atMs` of a running kubelet: upSince + k·heartbeat. */
export function renewalBeforeMs(node: NodeRuntime, atMs: number, heartbeatMs: number): number {
  const period = Math.max(1, heartbeatMs);
  return node.upSinceMs + Math.floor((atMs - node.upSinceMs) / period) * period;
}

/** The node's last Lease renewal at `nowMs`: frozen while the machine is down or cut off. */
export function lastRenewalMs(node: NodeRuntime, nowMs: number, heartbeatMs: number): number {
  return node.down || node.partitioned ? node.lastRenewMs : renewalBeforeMs(node, nowMs, heartbeatMs);
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
      this.id = `containerd://${this.pod.uid.slice(-12)}${zeroPadded(this.index, 2)}${zeroPadded(this.runs, 4)}`;
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
  /** The pod's identity, which every version of it shares (read here, not through pod.metadata, which comes in many shapes). */
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
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
    this.uid = pod.metadata.uid;
    this.namespace = pod.metadata.namespace;
    this.name = pod.metadata.name;
    this.key = objectKey(this.namespace, this.name);
    const specs = pod.spec?.containers ?? [];
    this.containers = [];
    for (let index = 0; index < specs.length; index++) {
      const spec = specs[index] as (typeof specs)[number];
      this.containers.push(new ContainerRecord(this, index, spec.name, spec.image ?? ""));
    }
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
  const containers = record.containers;
  for (let i = 0; i < containers.length; i++) {
    const container = containers[i] as ContainerRecord;
    if (container.stage === "stopping") return "draining";
    if (container.stage === "running" || container.stage === "prestop") running = true;
    else if (container.exitedProcess) stopped = true;
  }
  if (running) return "running";
  return stopped ? "stopped" : "absent";
}

/** lastState of a container that never exited; shared, being frozen. */
const NO_STATE: ContainerState = Object.freeze({});

/** "0" strings to left-pad a number to a width of up to 4 (String(value).padStart(width, "0")). */
const ZEROS: readonly string[] = ["", "0", "00", "000"];

/** String(value).padStart(width, "0") for a non-negative integer and width <= 4, without the builtin's temporaries. */
export function zeroPadded(value: number, width: number): string {
  const text = String(value);
  return text.length >= width ? text : (ZEROS[width - text.length] as string) + text;
}

function exitState(exit: ExitInfo | null): ContainerState {
  return exit === null ? NO_STATE : exit.state;
}

/** The last running state built: containers started within the same second share it (it is frozen). */
let lastRunningState: { readonly running: { readonly startedAt: string } } | null = null;

/** { running: { startedAt } }, deep-frozen. */
function runningState(startedAt: string): ContainerState {
  if (lastRunningState === null || lastRunningState.running.startedAt !== startedAt) {
    lastRunningState = Object.freeze({ running: Object.freeze({ startedAt }) });
  }
  return lastRunningState;
}

/** { waiting: { reason } } by reason, built once (the reasons without a message are few: ContainerCreating). */
const waitingStates = new Map<string, ContainerState>();

/** { waiting: { reason[, message] } }, deep-frozen; shared when there is no message. */
function waitingState(reason: string, message: string | undefined): ContainerState {
  if (message !== undefined) return Object.freeze({ waiting: Object.freeze({ reason, message }) });
  let state = waitingStates.get(reason);
  if (state === undefined) {
    state = Object.freeze({ waiting: Object.freeze({ reason }) });
    waitingStates.set(reason, state);
  }
  return state;
}

/** The container shows its last exit as its state: it will not run again and has run. */
function showsExit(container: ContainerRecord): boolean {
  const stage = container.stage;
  // Both halves are read every time, so a running container gives type feedback for the second
  // half too (optimized code would otherwise deoptimize at the first exit).
  const stopped = stage === "exited" || stage === "dead" || stage === "lost";
  const hasExited = container.lastExit !== null;
  return stopped && hasExited;
}

/** containerStatus(container).state: running, terminated (the last exit) or waiting. */
function currentState(container: ContainerRecord, hasProcess: boolean, exited: boolean): ContainerState {
  if (hasProcess) return runningState(container.startedAt);
  return exited ? exitState(container.lastExit) : waitingState(container.waitingReason, container.waitingMessage);
}

/** containerStatus(container).lastState: the exit before the one shown as state, else the last exit. */
function previousState(container: ContainerRecord, hasProcess: boolean, exited: boolean): ContainerState {
  return exitState(!hasProcess && exited ? container.priorExit : container.lastExit);
}

/** containerStatus(container).containerID: the running process's, else the last exit's, else none. */
function shownContainerId(container: ContainerRecord, hasProcess: boolean): string | undefined {
  if (hasProcess) return container.containerId;
  return container.lastExit === null ? undefined : container.lastExit.containerId;
}

/** The containerStatuses entry for one container, deep-frozen. */
export function containerStatus(container: ContainerRecord): ContainerStatus {
  const hasProcess = container.hasProcess;
  const exited = showsExit(container);
  const status: ContainerStatus = {
    name: container.name,
    image: container.image,
    imageID: container.imagePulled ? container.image : "",
    ready: container.ready,
    restartCount: container.restartCount,
    started: hasProcess,
    state: currentState(container, hasProcess, exited),
    lastState: previousState(container, hasProcess, exited),
  };
  const containerId = shownContainerId(container, hasProcess);
  if (containerId !== undefined) status.containerID = containerId;
  return Object.freeze(status);
}

/**
 * jsonEqual(stored, containerStatus(container)) without building the status: same number of
 * keys, and each key containerStatus would write holds an equal value.
 */
export function containerStatusUnchanged(stored: ContainerStatus, container: ContainerRecord): boolean {
  const hasProcess = container.hasProcess;
  if (
    stored.ready !== container.ready ||
    stored.started !== hasProcess ||
    stored.restartCount !== container.restartCount ||
    stored.name !== container.name ||
    stored.image !== container.image ||
    stored.imageID !== (container.imagePulled ? container.image : "")
  ) {
    return false;
  }
  const containerId = shownContainerId(container, hasProcess);
  if (stored.containerID !== containerId || keyCount(stored) !== (containerId === undefined ? 8 : 9)) return false;
  const exited = showsExit(container);
  return (
    jsonEqual(stored.state, currentState(container, hasProcess, exited)) &&
    jsonEqual(stored.lastState, previousState(container, hasProcess, exited))
  );
}
