/**
 * The ReplicaSet controller, after pkg/controller/replicaset/replica_set.go and
 * replica_set_utils.go (Kubernetes v1.28; kubernetes-semantics.md §3, §1.6).
 *
 * One sync: read the ReplicaSet from the cache, claim its pods (adopt matching orphans, release
 * owned pods that no longer match), and, if its expectations are satisfied and it is not being
 * deleted, create or delete pods toward spec.replicas (at most BURST_REPLICAS per sync; creations
 * in slow-start batches). Then write the status and, when every replica is ready but not every
 * one available, look again after minReadySeconds.
 *
 * Like Kubernetes, the code is generic over the kind: ReplicationController reuses it with its own
 * ReplicaSetKind (replication-controller.ts), as k8s runs RCs through this controller with
 * adapters.
 */

import type { ReplicaSetCondition, ReplicaSetStatus } from "kubernetes-types/apps/v1.js";
import type { PodTemplateSpec } from "kubernetes-types/core/v1.js";
import type { LabelSelector, OwnerReference } from "kubernetes-types/meta/v1.js";
import { ApiError, isApiError, notFound } from "../api/errors.ts";
import type { InformerCache } from "../api/informer.ts";
import type { Pod } from "../api/kinds.ts";
import { controllerOf, copyWith, type KObject, objectKey, toTimestamp } from "../api/object.ts";
import { isPodActive, podCondition } from "../api/pod.ts";
import { isEmptySelector, matchesSelector } from "../api/selector.ts";
import type { WatchEventType } from "../api/store.ts";
import {
  INDEX_ORPHAN_PODS_BY_NAMESPACE,
  INDEX_PODS_BY_CONTROLLER,
  INDEX_REPLICASETS_BY_CONTROLLER,
  type World,
} from "../world/world.ts";
import { Controller, type SyncResult } from "./controller.ts";
import {
  adoptPod,
  ControllerExpectations,
  chooseCandidatesToDelete,
  claimAction,
  type DeletionCandidate,
  podFromTemplate,
  podKey,
  releasePod,
  SLOW_START_INITIAL_BATCH_SIZE,
  slowStartBatch,
} from "./controller-utils.ts";
import { countPods, type PodCounts, ReplicaSetPodTally } from "./replicaset-tally.ts";

/** Pods created or deleted per sync at most (BurstReplicas). */
export const BURST_REPLICAS = 500;

export const CONDITION_REPLICA_FAILURE = "ReplicaFailure";

/** What ReplicaSet and ReplicationController share; the RC selector is a plain map. */
export interface ReplicaSetLike extends KObject {
  readonly spec?: {
    readonly replicas?: number;
    readonly minReadySeconds?: number;
    readonly selector?: unknown;
    readonly template?: PodTemplateSpec;
  };
  readonly status?: ReplicaSetStatus;
}

/** The kind-specific parts (k8s: the GroupVersionKind plus the RC conversion adapters). */
export interface ReplicaSetKind {
  readonly kind: string;
  /** The component (and work queue) name. */
  readonly controllerName: string;
  selectorOf(object: ReplicaSetLike): LabelSelector | undefined;
  /** Objects of this kind controlled by `ownerUid` (the controllerUID index). */
  controlledBy(cache: InformerCache, ownerUid: string): Iterable<ReplicaSetLike>;
}

export const REPLICA_SET_KIND: ReplicaSetKind = {
  kind: "ReplicaSet",
  controllerName: "replicaset",
  selectorOf: (rs) => rs.spec?.selector as LabelSelector | undefined,
  controlledBy: (cache, ownerUid) => cache.byIndex<ReplicaSetLike>(INDEX_REPLICASETS_BY_CONTROLLER, ownerUid),
};

export class ReplicaSetController extends Controller {
  /** UID-tracking expectations per "namespace/name" (rsc.expectations). */
  readonly expectations: ControllerExpectations;
  /** Running counts of owned pods, by owner uid, for the objects synced so far. */
  private readonly tallies = new Map<string, ReplicaSetPodTally>();

  constructor(
    world: World,
    readonly kind: ReplicaSetKind = REPLICA_SET_KIND,
  ) {
    super(world, kind.controllerName);
    this.expectations = new ControllerExpectations(() => world.nowMs);
  }

  start(): void {
    this.world.cache.on(this.kind.kind, this.onReplicaSetEvent);
    this.world.cache.on("Pod", this.onPodEvent);
  }

  // -------------------------------------------------------------------------------------------
  // Sync (syncReplicaSet)
  // -------------------------------------------------------------------------------------------

  protected sync(key: string): SyncResult {
    // The key is objectKey(namespace, name), the cache's own key.
    const rs = this.world.cache.getByKey<ReplicaSetLike>(this.kind.kind, key);
    if (rs === undefined) {
      this.expectations.delete(key);
      return undefined;
    }
    const needsSync = this.expectations.satisfied(key);
    const tally = this.tallyOf(rs);
    const adopted = this.claimPods(rs, tally);
    let manageError: ApiError | undefined;
    if (needsSync && rs.metadata.deletionTimestamp === undefined) {
      manageError = this.manageReplicas(rs, key, tally, adopted);
    }
    const counts = this.podCounts(rs, tally, adopted);
    const conditions = replicaFailureConditions(rs, counts.replicas, manageError, this.world.nowMs);
    const updated = this.updateStatus(rs, counts, conditions);
    if (manageError !== undefined) throw manageError;
    return availabilityRequeue(updated);
  }

  /** The running counts of the object's owned pods, rebuilt from the cache when its selector or template labels changed. */
  private tallyOf(rs: ReplicaSetLike): ReplicaSetPodTally {
    const selectorSource = rs.spec?.selector;
    const templateLabels = rs.spec?.template?.metadata?.labels;
    const existing = this.tallies.get(rs.metadata.uid);
    if (existing?.hasBasis(selectorSource, templateLabels)) return existing;
    const tally = new ReplicaSetPodTally(selectorSource, this.kind.selectorOf(rs), templateLabels);
    for (const pod of this.world.cache.byIndex<Pod>(INDEX_PODS_BY_CONTROLLER, rs.metadata.uid)) tally.add(pod);
    this.tallies.set(rs.metadata.uid, tally);
    return tally;
  }

  /** Status counts: the tally of owned pods plus the orphans adopted in this sync. */
  private podCounts(rs: ReplicaSetLike, tally: ReplicaSetPodTally, adopted: readonly Pod[]): PodCounts {
    const minReadyMs = (rs.spec?.minReadySeconds ?? 0) * 1000;
    const counts = tally.counts(minReadyMs, this.world.nowMs);
    if (adopted.length === 0) return counts;
    const extra = countPods(adopted, tally.templateLabels, minReadyMs, this.world.nowMs);
    return {
      replicas: counts.replicas + extra.replicas,
      fullyLabeled: counts.fullyLabeled + extra.fullyLabeled,
      ready: counts.ready + extra.ready,
      available: counts.available + extra.available,
    };
  }

  /**
   * claimPods (ClaimObject for every candidate): owned active pods that still match are claimed
   * (the tally counts them), those that no longer match are released, and active orphans of the
   * namespace that match are adopted. Returns the adopted pods. Lists only the tally's unmatched
   * pods and the namespace's orphans, not every pod. Throws the first failed adoption or release,
   * which aborts the sync as in Kubernetes.
   */
  private claimPods(rs: ReplicaSetLike, tally: ReplicaSetPodTally): Pod[] {
    // A failed write is remembered (NotFound is ignored) and the next pod is tried.
    let firstError: ApiError | undefined;
    for (const pod of tally.unmatched.values()) {
      if (claimAction(rs, pod, false) !== "release") continue;
      try {
        releasePod(this.world.store, rs, pod);
      } catch (error) {
        if (!isApiError(error)) throw error;
        if (error.reason !== "NotFound") firstError ??= error;
      }
    }
    const adopted: Pod[] = [];
    let adoptionChecked = false;
    for (const pod of this.world.cache.byIndex<Pod>(INDEX_ORPHAN_PODS_BY_NAMESPACE, rs.metadata.namespace)) {
      if (!isPodActive(pod)) continue;
      if (claimAction(rs, pod, matchesSelector(tally.selector, pod.metadata.labels)) !== "adopt") continue;
      try {
        if (!adoptionChecked) this.recheckBeforeAdoption(rs);
        adoptionChecked = true;
        adoptPod(this.world.store, rs, pod);
      } catch (error) {
        if (!isApiError(error)) throw error;
        if (error.reason !== "NotFound") firstError ??= error;
        continue;
      }
      adopted.push(pod);
    }
    if (firstError !== undefined) throw firstError;
    return adopted;
  }

  /** The claimed pods as deletion candidates (only deletions need them): the tally's, then the adopted ones. */
  private claimedCandidates(tally: ReplicaSetPodTally, adopted: readonly Pod[]): DeletionCandidate[] {
    const candidates = [...tally.claimed.values()];
    for (const pod of adopted) candidates.push({ pod, facts: undefined });
    return candidates;
  }

  /** RecheckDeletionTimestamp: an uncached read before the first adoption of a sync. */
  private recheckBeforeAdoption(rs: ReplicaSetLike): void {
    const fresh = this.world.store.get(rs.kind, rs.metadata.namespace, rs.metadata.name);
    if (fresh === undefined || fresh.metadata.uid !== rs.metadata.uid) {
      throw new ApiError(
        "Conflict",
        `original ${rs.kind} ${objectKey(rs.metadata.namespace, rs.metadata.name)} is gone`,
      );
    }
    if (fresh.metadata.deletionTimestamp !== undefined) {
      throw new ApiError("Conflict", `${rs.kind} ${rs.metadata.name} has just been deleted`);
    }
  }

  /** manageReplicas: creates or deletes pods toward spec.replicas; returns the first failure. */
  private manageReplicas(
    rs: ReplicaSetLike,
    key: string,
    tally: ReplicaSetPodTally,
    adopted: readonly Pod[],
  ): ApiError | undefined {
    const diff = tally.claimed.size + adopted.length - desiredReplicas(rs);
    if (diff < 0) return this.createPods(rs, key, Math.min(-diff, BURST_REPLICAS));
    if (diff > 0) {
      return this.deletePods(rs, key, this.claimedCandidates(tally, adopted), Math.min(diff, BURST_REPLICAS));
    }
    return undefined;
  }

  /** Creates `count` pods in slow-start batches; creations never attempted are not expected. */
  private createPods(rs: ReplicaSetLike, key: string, count: number): ApiError | undefined {
    this.expectations.expectCreations(key, count);
    const { successes, error } = slowStartBatch(count, SLOW_START_INITIAL_BATCH_SIZE, () => this.createPod(rs));
    const skipped = count - successes;
    if (skipped > 0) this.expectations.lower(key, skipped, 0);
    return error as ApiError | undefined;
  }

  /** RealPodControl.CreatePods: one pod from the template, with its Event. */
  private createPod(rs: ReplicaSetLike): ApiError | undefined {
    const template = rs.spec?.template;
    const labels = template?.metadata?.labels;
    if (!hasAnyLabel(labels)) {
      return new ApiError("Invalid", "unable to create pods, no labels");
    }
    try {
      const pod = this.world.store.create(podFromTemplate(template, rs));
      this.world.recordEvent(rs, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name}`);
      return undefined;
    } catch (error) {
      if (!isApiError(error)) throw error;
      this.world.recordEvent(rs, "Warning", "FailedCreate", `Error creating: ${error.message}`);
      return error;
    }
  }

  /** Deletes `count` pods chosen by getPodsToDelete, expecting exactly those deletions. */
  private deletePods(
    rs: ReplicaSetLike,
    key: string,
    candidates: readonly DeletionCandidate[],
    count: number,
  ): ApiError | undefined {
    const related = this.relatedTallies(rs);
    const victims = chooseCandidatesToDelete(
      candidates,
      count,
      (nodeName) => {
        let rank = 0;
        for (const tally of related) rank += tally.podsOnNode(nodeName);
        return rank;
      },
      this.world.nowMs,
    );
    this.expectations.expectDeletions(key, victims.map(podKey));
    let firstError: ApiError | undefined;
    for (const pod of victims) {
      const error = this.deletePod(rs, pod);
      if (error === undefined) continue;
      this.expectations.deletionObserved(key, podKey(pod));
      if (error.reason !== "NotFound") firstError ??= error;
    }
    return firstError;
  }

  /** RealPodControl.DeletePod: a graceful delete (the pod's own grace period), with its Event. */
  private deletePod(rs: ReplicaSetLike, pod: Pod): ApiError | undefined {
    try {
      this.world.store.delete("Pod", pod.metadata.namespace, pod.metadata.name);
      this.world.recordEvent(rs, "Normal", "SuccessfulDelete", `Deleted pod: ${pod.metadata.name}`);
      return undefined;
    } catch (error) {
      if (!isApiError(error)) throw error;
      if (error.reason !== "NotFound") {
        this.world.recordEvent(rs, "Warning", "FailedDelete", `Error deleting: ${error.message}`);
      }
      return error;
    }
  }

  /**
   * getIndirectlyRelatedPods, as counts: the tallies of every object of this kind with the same
   * controller as `rs` (for a Deployment, all its ReplicaSets, `rs` included), whose claimed pods
   * per node give the ranks. Kubernetes finds none for an object without a controller
   * (getReplicaSetsWithSameController returns nil), so its pods all rank 0.
   */
  private relatedTallies(rs: ReplicaSetLike): ReplicaSetPodTally[] {
    const owner = controllerOf(rs);
    if (owner === undefined) return [];
    const tallies: ReplicaSetPodTally[] = [];
    for (const sibling of this.kind.controlledBy(this.world.cache, owner.uid)) tallies.push(this.tallyOf(sibling));
    return tallies;
  }

  /**
   * updateReplicaSetStatus: writes the status (calculateStatus's counts and conditions) unless
   * nothing changed; on failure reads the object from the API (uncached) and tries once more
   * (statusUpdateRetries = 1).
   */
  private updateStatus(
    rs: ReplicaSetLike,
    counts: PodCounts,
    conditions: ReplicaSetCondition[] | undefined,
  ): ReplicaSetLike {
    if (statusUnchanged(rs, counts, conditions)) return rs;
    const next = statusToWrite(rs, counts, conditions);
    // A cached copy older than the store (our own last status write not seen yet) would fail with
    // Conflict, after which Kubernetes reads the object and retries: go straight to the retry.
    const current = this.world.store.get<ReplicaSetLike>(rs.kind, rs.metadata.namespace, rs.metadata.name);
    if (current !== undefined && current.metadata.resourceVersion !== rs.metadata.resourceVersion)
      return this.writeStatus(current, next);
    try {
      return this.writeStatus(rs, next);
    } catch (error) {
      if (!isApiError(error)) throw error;
      const fresh = this.world.store.get<ReplicaSetLike>(rs.kind, rs.metadata.namespace, rs.metadata.name);
      if (fresh === undefined) throw notFound(rs.kind, objectKey(rs.metadata.namespace, rs.metadata.name));
      return this.writeStatus(fresh, next);
    }
  }

  /** UpdateStatus: the status write itself, based on `basedOn`. */
  private writeStatus(basedOn: ReplicaSetLike, next: ReplicaSetStatus): ReplicaSetLike {
    return this.world.store.updateStatus(basedOn, next);
  }

  // -------------------------------------------------------------------------------------------
  // Informer handlers (addRS/updateRS/deleteRS, addPod/updatePod/deletePod)
  // -------------------------------------------------------------------------------------------

  private readonly onReplicaSetEvent = (type: WatchEventType, object: KObject, previous: KObject | undefined): void => {
    if (type === "DELETED") {
      // Forget the expectations so a new object with the same name starts clean.
      this.expectations.delete(keyOf(object));
      this.tallies.delete(object.metadata.uid);
    } else if (previous !== undefined && previous.metadata.uid !== object.metadata.uid) {
      this.expectations.delete(keyOf(previous));
      this.tallies.delete(previous.metadata.uid);
    }
    this.enqueue(object);
  };

  private readonly onPodEvent = (type: WatchEventType, object: KObject, previous: KObject | undefined): void => {
    const pod = object as Pod;
    const old = previous as Pod | undefined;
    const ref = controllerOf(pod);
    const oldRef = old === undefined ? undefined : controllerOf(old);
    this.updateTallies(type, pod, ref, old, oldRef);
    // A pod controlled by another kind (a ReplicaSet's, for the ReplicationController controller)
    // wakes nothing: every handler below would resolve its controller reference to nothing.
    if (this.isOtherKind(ref) && (old === undefined || this.isOtherKind(oldRef))) return;
    if (type === "DELETED") this.deletedPod(pod, ref);
    else if (old === undefined) this.addedPod(pod, ref);
    else this.updatedPod(old, oldRef, pod, ref);
  };

  /** A controller reference to an object of another kind (resolveControllerRef would refuse it). */
  private isOtherKind(ref: OwnerReference | undefined): boolean {
    return ref !== undefined && ref.kind !== this.kind.kind;
  }

  /** Moves a pod's contribution from its previous version's tally to its current one's. */
  private updateTallies(
    type: WatchEventType,
    pod: Pod,
    ref: OwnerReference | undefined,
    previous: Pod | undefined,
    previousRef: OwnerReference | undefined,
  ): void {
    if (this.tallies.size === 0) return;
    if (type !== "DELETED" && previous !== undefined && ref !== undefined && previousRef?.uid === ref.uid) {
      this.tallies.get(ref.uid)?.replace(previous, pod);
      return;
    }
    if (previousRef !== undefined && previous !== undefined) this.tallies.get(previousRef.uid)?.remove(previous);
    if (type === "DELETED") return;
    if (ref !== undefined) this.tallies.get(ref.uid)?.add(pod);
  }

  /** addPod: observes the creation for the pod's controller, or wakes the controllers an orphan matches. */
  private addedPod(pod: Pod, ref: OwnerReference | undefined): void {
    if (pod.metadata.deletionTimestamp !== undefined) {
      // Seen already being deleted: never count it as a creation.
      this.deletedPod(pod, ref);
      return;
    }
    if (ref !== undefined) {
      const rs = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (rs === undefined) return;
      const key = keyOf(rs);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    for (const rs of this.matchingControllers(pod)) this.enqueue(rs);
  }

  /**
   * updatePod: a deletionTimestamp counts as the deletion; otherwise wakes the old and the new
   * controller, and for a pod that just became ready also looks again after minReadySeconds + 1 s
   * (the extra second as in Kubernetes, against clock skew).
   */
  private updatedPod(old: Pod, oldRef: OwnerReference | undefined, cur: Pod, curRef: OwnerReference | undefined): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    const labelsChanged = !sameLabels(old.metadata.labels, cur.metadata.labels);
    if (cur.metadata.deletionTimestamp !== undefined) {
      this.deletedPod(cur, curRef);
      if (labelsChanged) this.deletedPod(old, oldRef);
      return;
    }
    const refChanged = !sameOwnerReference(curRef, oldRef);
    if (refChanged && oldRef !== undefined) {
      const oldRs = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (oldRs !== undefined) this.enqueue(oldRs);
    }
    if (curRef !== undefined) {
      const rs = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (rs === undefined) return;
      this.enqueue(rs);
      const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
      if (minReadySeconds > 0 && !isReady(old) && isReady(cur)) this.enqueueAfter(rs, (minReadySeconds + 1) * 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const rs of this.matchingControllers(cur)) this.enqueue(rs);
  }

  /** deletePod: observes the deletion for the pod's controller (`ref`, the pod's controller reference). */
  private deletedPod(pod: Pod, ref: OwnerReference | undefined): void {
    if (ref === undefined) return;
    const rs = this.resolveControllerRef(pod.metadata.namespace, ref);
    if (rs === undefined) return;
    const key = keyOf(rs);
    this.expectations.deletionObserved(key, podKey(pod));
    this.queue.add(key);
  }

  /** resolveControllerRef: the cached object a controller reference names, if kind and uid match. */
  private resolveControllerRef(
    namespace: string,
    ref: { kind: string; name: string; uid: string },
  ): ReplicaSetLike | undefined {
    if (ref.kind !== this.kind.kind) return undefined;
    const rs = this.world.cache.get<ReplicaSetLike>(this.kind.kind, namespace, ref.name);
    return rs !== undefined && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /**
   * getPodReplicaSets: the objects of this kind whose selector matches an orphan's labels (a
   * pod without labels, or an empty selector, matches nothing). Orphans are rare; this lists the
   * kind, not the pods.
   */
  private matchingControllers(pod: Pod): ReplicaSetLike[] {
    const labels = pod.metadata.labels;
    if (!hasAnyLabel(labels)) return [];
    const matching: ReplicaSetLike[] = [];
    for (const rs of this.world.cache.list<ReplicaSetLike>(this.kind.kind)) {
      if (rs.metadata.namespace !== pod.metadata.namespace) continue;
      const selector = this.kind.selectorOf(rs);
      if (isEmptySelector(selector) || !matchesSelector(selector, labels)) continue;
      matching.push(rs);
    }
    return matching;
  }
}

// ---------------------------------------------------------------------------------------------
// Status (calculateStatus, replica_set_utils.go)
// ---------------------------------------------------------------------------------------------

function desiredReplicas(rs: ReplicaSetLike): number {
  return rs.spec?.replicas ?? 1;
}

/**
 * calculateStatus over the claimed active pods: replicas, fullyLabeledReplicas (labels match the
 * template's), readyReplicas, availableReplicas (ready for more than minReadySeconds at
 * `nowMs`), and the ReplicaFailure condition, set on a failed create/delete and removed after a
 * sync without failure. observedGeneration is set when the status is written. The controller
 * gets the same counts from its tally; this form takes the pod list.
 */
export function calculateReplicaSetStatus(
  rs: ReplicaSetLike,
  pods: readonly Pod[],
  manageError: Error | undefined,
  nowMs: number,
): ReplicaSetStatus {
  const minReadyMs = (rs.spec?.minReadySeconds ?? 0) * 1000;
  const counts = countPods(pods, rs.spec?.template?.metadata?.labels, minReadyMs, nowMs);
  return replicaSetStatus(rs, counts, manageError, nowMs);
}

/** calculateStatus from counts. */
function replicaSetStatus(
  rs: ReplicaSetLike,
  counts: PodCounts,
  manageError: Error | undefined,
  nowMs: number,
): ReplicaSetStatus {
  return statusWith(rs, counts, replicaFailureConditions(rs, counts.replicas, manageError, nowMs));
}

/** The object's status with these counts and conditions. */
function statusWith(
  rs: ReplicaSetLike,
  counts: PodCounts,
  conditions: ReplicaSetCondition[] | undefined,
): ReplicaSetStatus {
  return copyWith(rs.status ?? {}, {
    replicas: counts.replicas,
    fullyLabeledReplicas: counts.fullyLabeled,
    readyReplicas: counts.ready,
    availableReplicas: counts.available,
    conditions,
  });
}

/** statusWith plus observedGeneration (the status a sync writes), in one copy with the same key order. */
function statusToWrite(
  rs: ReplicaSetLike,
  counts: PodCounts,
  conditions: ReplicaSetCondition[] | undefined,
): ReplicaSetStatus {
  return copyWith(rs.status ?? {}, {
    replicas: counts.replicas,
    fullyLabeledReplicas: counts.fullyLabeled,
    readyReplicas: counts.ready,
    availableReplicas: counts.available,
    conditions,
    observedGeneration: rs.metadata.generation,
  });
}

/** The conditions after a sync: ReplicaFailure added on failure if absent, removed on success. */
function replicaFailureConditions(
  rs: ReplicaSetLike,
  podCount: number,
  manageError: Error | undefined,
  nowMs: number,
): ReplicaSetCondition[] | undefined {
  const conditions = rs.status?.conditions;
  const hasFailure = hasConditionOfType(conditions, CONDITION_REPLICA_FAILURE);
  if (manageError !== undefined && !hasFailure) {
    const diff = podCount - desiredReplicas(rs);
    const reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
    const condition: ReplicaSetCondition = {
      type: CONDITION_REPLICA_FAILURE,
      status: "True",
      lastTransitionTime: toTimestamp(nowMs),
      reason,
      message: manageError.message,
    };
    return [...(conditions ?? []), condition];
  }
  if (manageError === undefined && hasFailure) {
    const kept = (conditions ?? []).filter((condition) => condition.type !== CONDITION_REPLICA_FAILURE);
    return kept.length === 0 ? undefined : kept;
  }
  return conditions;
}

/** True if a condition of `type` is present (an index loop: stored lists are frozen). */
function hasConditionOfType(conditions: readonly ReplicaSetCondition[] | undefined, type: string): boolean {
  if (conditions === undefined) return false;
  for (let i = 0; i < conditions.length; i++) if ((conditions[i] as ReplicaSetCondition).type === type) return true;
  return false;
}

/** The steady state of updateReplicaSetStatus: counts, observedGeneration and conditions as they are. */
function statusUnchanged(
  rs: ReplicaSetLike,
  counts: PodCounts,
  conditions: ReplicaSetCondition[] | undefined,
): boolean {
  const current = rs.status;
  return (
    current !== undefined &&
    current.replicas === counts.replicas &&
    current.fullyLabeledReplicas === counts.fullyLabeled &&
    current.readyReplicas === counts.ready &&
    current.availableReplicas === counts.available &&
    current.observedGeneration === rs.metadata.generation &&
    current.conditions === conditions
  );
}

/**
 * "Resync the ReplicaSet after MinReadySeconds": when every desired replica is ready but not every
 * one available, availability flips by time alone, so look again after minReadySeconds.
 */
function availabilityRequeue(rs: ReplicaSetLike): SyncResult {
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  const replicas = desiredReplicas(rs);
  const status = rs.status;
  if (minReadySeconds <= 0 || status === undefined) return undefined;
  if (status.readyReplicas !== replicas || status.availableReplicas === replicas) return undefined;
  return { requeueAfterMs: minReadySeconds * 1000 };
}

// ---------------------------------------------------------------------------------------------
// Small comparisons for the handlers
// ---------------------------------------------------------------------------------------------

function keyOf(object: KObject): string {
  return objectKey(object.metadata.namespace, object.metadata.name);
}

/** True if `labels` has at least one key (without listing the keys). */
export function hasAnyLabel(labels: Readonly<Record<string, string>> | undefined): boolean {
  for (const _ in labels) return true;
  return false;
}

function isReady(pod: Pod): boolean {
  return podCondition(pod, "Ready")?.status === "True";
}

function sameLabels(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
): boolean {
  if (a === b) return true;
  const keysA = a === undefined ? [] : Object.keys(a);
  const keysB = b === undefined ? [] : Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  for (const key of keysA) if (a?.[key] !== b?.[key]) return false;
  return true;
}

function sameOwnerReference(a: OwnerReference | undefined, b: OwnerReference | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return (
    a.uid === b.uid &&
    a.name === b.name &&
    a.kind === b.kind &&
    a.apiVersion === b.apiVersion &&
    a.controller === b.controller &&
    a.blockOwnerDeletion === b.blockOwnerDeletion
  );
}
