/**
 * Per-workload measurements derived from the store's watch events (the truth, not a lagging
 * cache): peak pod count, lowest availability, observed surge and unavailability, and when the
 * last rollout started and completed (interfaces.md §3).
 *
 * A pod belongs to the top-level workload at the root of its controller chain
 * (Pod → ReplicaSet → Deployment). Only workload kinds are followed.
 */
import { type Pod, WORKLOAD_KINDS } from "../api/kinds.ts";
import { controllerOf, fromTimestamp, type KObject } from "../api/object.ts";
import { podCondition } from "../api/pod.ts";
import type { WatchEventType } from "../api/store.ts";
import type { World } from "../world/world.ts";

export { WORKLOAD_KINDS };

export interface WorkloadSummary {
  /** Peak number of the workload's pods that exist and are not being deleted. */
  maxPods: number;
  /** Lowest number of available pods after the first time all replicas were available; null before. */
  minAvailable: number | null;
  /** Largest observed (pods not being deleted − spec.replicas). */
  maxSurgeObserved: number;
  /** Largest observed (spec.replicas − available pods) after first fully available. */
  maxUnavailableObserved: number;
  rolloutStartedAtMs: number | null;
  rolloutCompletedAtMs: number | null;
  /** When each condition ("Type=Status/Reason") was first seen since the last rollout started. */
  conditionsSeenAtMs: Record<string, number>;
  status: Record<string, unknown>;
}

interface WorkloadState extends Omit<WorkloadSummary, "status"> {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  replicas: number;
  minReadySeconds: number;
  livePods: number;
  availablePods: number;
  /** Ready pods waiting out minReadySeconds, in the order they became ready. */
  pendingAvailable: { uid: string; availableAfterMs: number }[];
  pendingHead: number;
  fullyAvailableSeen: boolean;
  /** Conditions already shown when the last rollout started: not "seen" again until they go away. */
  carriedConditions: Set<string>;
}

interface PodState {
  readonly rootUid: string;
  live: boolean;
  /** "no" | "pending" (ready, waiting minReadySeconds) | "yes" */
  available: "no" | "pending" | "yes";
}

export class WorkloadTracker {
  /** uid of every followed workload object -> uid of its top-level workload. */
  private readonly rootOf = new Map<string, string>();
  private readonly workloads = new Map<string, WorkloadState>();
  private readonly pods = new Map<string, PodState>();

  constructor(private readonly world: World) {
    world.store.watch((type, object, previous) => this.observe(type, object, previous));
  }

  /** The current pod counts of every top-level workload (for time series). */
  snapshot(): { workload: string; pods: number; available: number; replicas: number }[] {
    const rows = [];
    for (const state of this.workloads.values()) {
      this.promoteAvailable(state);
      rows.push({
        workload: workloadLabel(state),
        pods: state.livePods,
        available: state.availablePods,
        replicas: state.replicas,
      });
    }
    return rows;
  }

  /** Summaries keyed "Kind/name" (namespace added when not "default"), in creation order. */
  summaries(): Record<string, WorkloadSummary> {
    const out: Record<string, WorkloadSummary> = {};
    for (const state of this.workloads.values()) {
      this.promoteAvailable(state);
      const stored = this.world.store.get(state.kind, state.namespace, state.name);
      out[workloadLabel(state)] = {
        maxPods: state.maxPods,
        minAvailable: state.minAvailable,
        maxSurgeObserved: state.maxSurgeObserved,
        maxUnavailableObserved: state.maxUnavailableObserved,
        rolloutStartedAtMs: state.rolloutStartedAtMs,
        rolloutCompletedAtMs: state.rolloutCompletedAtMs,
        conditionsSeenAtMs: { ...state.conditionsSeenAtMs },
        status: (stored?.status as Record<string, unknown> | undefined) ?? {},
      };
    }
    return out;
  }

  private observe(type: WatchEventType, object: KObject, previous: KObject | undefined): void {
    if (object.kind === "Pod") this.observePod(type, object as Pod);
    else if (WORKLOAD_KINDS.has(object.kind)) this.observeWorkload(type, object, previous);
  }

  private observeWorkload(type: WatchEventType, object: KObject, previous: KObject | undefined): void {
    const uid = object.metadata.uid;
    if (type === "ADDED") {
      const owner = controllerOf(object);
      const ownerRoot = owner === undefined ? undefined : this.rootOf.get(owner.uid);
      if (ownerRoot !== undefined) {
        this.rootOf.set(uid, ownerRoot);
        return;
      }
      this.rootOf.set(uid, uid);
      this.workloads.set(uid, this.newState(object));
      return;
    }
    const state = this.workloads.get(uid);
    if (state === undefined) return;
    if (type === "DELETED") return;
    const spec = object.spec as { replicas?: number; minReadySeconds?: number; template?: unknown } | undefined;
    state.replicas = spec?.replicas ?? 1;
    state.minReadySeconds = spec?.minReadySeconds ?? 0;
    if (previous !== undefined && templateChanged(previous, object)) {
      state.rolloutStartedAtMs = this.world.nowMs;
      state.rolloutCompletedAtMs = null;
      state.conditionsSeenAtMs = {};
      state.carriedConditions = new Set(conditionKeys(previous));
    }
    this.noteConditions(state, object);
    this.updatePeaks(state);
    if (state.rolloutCompletedAtMs === null && rolloutComplete(object)) {
      state.rolloutCompletedAtMs = this.world.nowMs;
    }
  }

  private newState(object: KObject): WorkloadState {
    const spec = object.spec as { replicas?: number; minReadySeconds?: number } | undefined;
    return {
      kind: object.kind,
      namespace: object.metadata.namespace,
      name: object.metadata.name,
      replicas: spec?.replicas ?? 1,
      minReadySeconds: spec?.minReadySeconds ?? 0,
      livePods: 0,
      availablePods: 0,
      pendingAvailable: [],
      pendingHead: 0,
      fullyAvailableSeen: false,
      maxPods: 0,
      minAvailable: null,
      maxSurgeObserved: 0,
      maxUnavailableObserved: 0,
      rolloutStartedAtMs: this.world.nowMs,
      rolloutCompletedAtMs: null,
      conditionsSeenAtMs: {},
      carriedConditions: new Set(),
    };
  }

  private noteConditions(state: WorkloadState, object: KObject): void {
    const keys = conditionKeys(object);
    if (state.carriedConditions.size > 0) {
      for (const carried of state.carriedConditions)
        if (!keys.includes(carried)) state.carriedConditions.delete(carried);
    }
    for (const key of keys) {
      if (state.conditionsSeenAtMs[key] === undefined && !state.carriedConditions.has(key)) {
        state.conditionsSeenAtMs[key] = this.world.nowMs;
      }
    }
  }

  private observePod(type: WatchEventType, pod: Pod): void {
    const uid = pod.metadata.uid;
    // uids are never reused, so a new pod has no state yet: no lookup needed.
    let podState = type === "ADDED" ? undefined : this.pods.get(uid);
    if (podState === undefined) {
      const owner = controllerOf(pod);
      const rootUid = owner === undefined ? undefined : this.rootOf.get(owner.uid);
      if (rootUid === undefined) return;
      podState = { rootUid, live: false, available: "no" };
      this.pods.set(uid, podState);
    }
    const state = this.workloads.get(podState.rootUid);
    if (state === undefined) return;
    this.promoteAvailable(state);
    const live = type !== "DELETED" && pod.metadata.deletionTimestamp === undefined;
    if (live !== podState.live) {
      state.livePods += live ? 1 : -1;
      podState.live = live;
    }
    this.updatePodAvailability(state, podState, uid, live ? readySinceMs(pod) : undefined);
    if (type === "DELETED") this.pods.delete(uid);
    this.updatePeaks(state);
  }

  private updatePodAvailability(
    state: WorkloadState,
    podState: PodState,
    uid: string,
    readySince: number | undefined,
  ): void {
    if (readySince === undefined) {
      if (podState.available === "yes") state.availablePods--;
      podState.available = "no";
      return;
    }
    if (podState.available !== "no") return;
    // IsPodAvailable: ready since strictly before now − minReadySeconds (§1.6).
    const availableAfterMs = readySince + state.minReadySeconds * 1000;
    if (state.minReadySeconds <= 0 || availableAfterMs < this.world.nowMs) {
      podState.available = "yes";
      state.availablePods++;
      return;
    }
    podState.available = "pending";
    state.pendingAvailable.push({ uid, availableAfterMs });
  }

  /** Pods whose minReadySeconds ran out since the last event become available. */
  private promoteAvailable(state: WorkloadState): void {
    const nowMs = this.world.nowMs;
    const pending = state.pendingAvailable;
    while (state.pendingHead < pending.length) {
      const entry = pending[state.pendingHead] as { uid: string; availableAfterMs: number };
      if (entry.availableAfterMs >= nowMs) break;
      state.pendingHead++;
      const podState = this.pods.get(entry.uid);
      if (podState?.available === "pending") {
        podState.available = "yes";
        state.availablePods++;
      }
    }
    if (state.pendingHead > 256 && state.pendingHead * 2 > pending.length) {
      pending.splice(0, state.pendingHead);
      state.pendingHead = 0;
    }
  }

  private updatePeaks(state: WorkloadState): void {
    if (state.livePods > state.maxPods) state.maxPods = state.livePods;
    const surge = state.livePods - state.replicas;
    if (surge > state.maxSurgeObserved) state.maxSurgeObserved = surge;
    if (!state.fullyAvailableSeen) {
      if (state.availablePods < state.replicas || state.replicas === 0) return;
      state.fullyAvailableSeen = true;
    }
    if (state.minAvailable === null || state.availablePods < state.minAvailable)
      state.minAvailable = state.availablePods;
    const unavailable = state.replicas - state.availablePods;
    if (unavailable > state.maxUnavailableObserved) state.maxUnavailableObserved = unavailable;
  }
}

function conditionKeys(object: KObject): string[] {
  const conditions = (object.status as { conditions?: { type: string; status: string; reason?: string }[] } | undefined)
    ?.conditions;
  return conditions === undefined ? [] : conditions.map((each) => conditionKey(each.type, each.status, each.reason));
}

/** "Type=Status/Reason" (or "Type=Status" without a reason). */
export function conditionKey(type: string, status: string, reason: string | undefined): string {
  return reason === undefined || reason === "" ? `${type}=${status}` : `${type}=${status}/${reason}`;
}

function workloadLabel(state: { kind: string; namespace: string; name: string }): string {
  return state.namespace === "default"
    ? `${state.kind}/${state.name}`
    : `${state.kind}/${state.namespace}/${state.name}`;
}

function readySinceMs(pod: Pod): number | undefined {
  const ready = podCondition(pod, "Ready");
  if (ready?.status !== "True") return undefined;
  return ready.lastTransitionTime === undefined ? 0 : fromTimestamp(ready.lastTransitionTime);
}

function templateChanged(previous: KObject, next: KObject): boolean {
  const before = (previous.spec as { template?: unknown } | undefined)?.template;
  const after = (next.spec as { template?: unknown } | undefined)?.template;
  if (before === after) return false;
  return JSON.stringify(before) !== JSON.stringify(after);
}

/**
 * Kubernetes' "rollout complete" for the workload's kind: for a Deployment, DeploymentComplete
 * (updated, total and available replicas all equal spec.replicas, and the status observed the
 * latest generation); for sets without an update notion, all replicas available.
 */
export function rolloutComplete(object: KObject): boolean {
  const spec = object.spec as { replicas?: number } | undefined;
  const status = object.status as
    | {
        replicas?: number;
        updatedReplicas?: number;
        availableReplicas?: number;
        readyReplicas?: number;
        observedGeneration?: number;
        currentRevision?: string;
        updateRevision?: string;
      }
    | undefined;
  if (status === undefined) return false;
  const replicas = spec?.replicas ?? 1;
  const observed = (status.observedGeneration ?? 0) >= object.metadata.generation;
  if (!observed) return false;
  switch (object.kind) {
    case "ReplicaSet":
    case "ReplicationController":
      return (status.replicas ?? 0) === replicas && (status.availableReplicas ?? 0) === replicas;
    case "StatefulSet":
      return (
        (status.updatedReplicas ?? 0) === replicas &&
        (status.readyReplicas ?? 0) === replicas &&
        status.currentRevision === status.updateRevision
      );
    default:
      return (
        (status.updatedReplicas ?? 0) === replicas &&
        (status.replicas ?? 0) === replicas &&
        (status.availableReplicas ?? 0) === replicas
      );
  }
}
