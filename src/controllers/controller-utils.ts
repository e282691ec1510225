/**
 * Helpers shared by the pod-owning controllers, after pkg/controller/controller_utils.go,
 * pkg/controller/controller_ref_manager.go and pkg/controller/replicaset/replica_set.go
 * (kubernetes-semantics.md §3): which pods to delete first, slow-start batches, expectations,
 * active-pod filtering, and claiming pods (adoption and release).
 *
 * Everything here is deterministic and, except adoptPod/releasePod (API writes), pure.
 */
import type { PodTemplateSpec } from "kubernetes-types/core/v1.js";
import type { OwnerReference } from "kubernetes-types/meta/v1.js";
import { ApiError, conflict, notFound } from "../api/errors.ts";
import { ANNOTATION_DELETION_COST, type Pod } from "../api/kinds.ts";
import { controllerOf, controllerRef, fromTimestamp, type KObject, type NewObject } from "../api/object.ts";
import { isPodActive, podCondition } from "../api/pod.ts";
import type { Store } from "../api/store.ts";

/** How long expectations are trusted before a controller syncs anyway (ExpectationsTimeout). */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

/** The first slow-start batch size (SlowStartInitialBatchSize). */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

// ---------------------------------------------------------------------------------------------
// Which pods to delete first (ActivePodsWithRanks.Less, getPodsToDelete)
// ---------------------------------------------------------------------------------------------

/** Go's zero metav1.Time: a missing timestamp. */
const ZERO_TIME = Number.NEGATIVE_INFINITY;

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const NS_PER_MS = 1_000_000;

/**
 * What the deletion comparator reads from a pod, computed once per pod object (pods are immutable
 * values: an unchanged pod keeps its object, so a pod ranked again by a later sync costs one
 * lookup). Times are virtual ms, ZERO_TIME when absent.
 */
export interface PodDeletionFacts {
  readonly nodeName: string;
  readonly assigned: boolean;
  readonly phaseOrdinal: number;
  readonly ready: boolean;
  readonly deletionCost: number;
  readonly readySinceMs: number;
  readonly maxRestarts: number;
  readonly createdMs: number;
}

/**
 * One element of ActivePodsWithRanks: the pod's facts, its rank, and its ages under the list's
 * Now as buckets floor(log2(now − t in ns)) (−1 for t >= now).
 */
export interface RankedPod {
  readonly pod: Pod;
  readonly facts: PodDeletionFacts;
  readonly rank: number;
  /** False when Now is zero (undefined): times then compare without logarithmic buckets. */
  readonly logScale: boolean;
  readonly readyAgeBucket: number;
  readonly createdAgeBucket: number;
}

/** podPhaseToOrdinal: Pending 0, Unknown 1, Running 2; any other phase counts as 0. */
export function podPhaseOrdinal(phase: string | undefined): number {
  if (phase === "Running") return 2;
  if (phase === "Unknown") return 1;
  return 0;
}

/**
 * The pod-deletion-cost annotation as an int32 (GetDeletionCostFromPodAnnotations). Missing or
 * invalid values count as 0; "+10" and leading zeros ("007") are invalid, but Go's ParseInt still
 * accepts zeros after a minus sign ("-010" is -10).
 */
export function deletionCost(annotations: Readonly<Record<string, string>> | undefined): number {
  const value = annotations?.[ANNOTATION_DELETION_COST];
  if (value === undefined || !validFirstDigit(value)) return 0;
  if (!/^-?[0-9]+$/.test(value)) return 0;
  const parsed = Number(value);
  if (parsed < INT32_MIN || parsed > INT32_MAX) return 0;
  return parsed === 0 ? 0 : parsed;
}

/** validFirstDigit: "-", a lone "0", or 1-9. */
function validFirstDigit(value: string): boolean {
  if (value.length === 0) return false;
  const first = value.charCodeAt(0);
  if (first === 45 /* - */) return true;
  if (value === "0") return true;
  return first >= 49 /* 1 */ && first <= 57 /* 9 */;
}

/** The highest restartCount among regular containers (maxContainerRestarts). */
export function maxContainerRestarts(pod: Pod): number {
  let max = 0;
  for (const status of pod.status?.containerStatuses ?? []) if (status.restartCount > max) max = status.restartCount;
  return max;
}

/** Parsed timestamps: a sync ranks thousands of pods whose stamps share a few whole seconds. */
const parsedStamps = new Map<string, number>();

/** Virtual ms of an RFC 3339 stamp (memoized fromTimestamp); -Infinity (Go's zero time) when absent. */
export function timestampMs(stamp: string | undefined): number {
  if (stamp === undefined || stamp === "") return ZERO_TIME;
  let ms = parsedStamps.get(stamp);
  if (ms === undefined) {
    if (parsedStamps.size >= 65_536) parsedStamps.clear();
    ms = fromTimestamp(stamp);
    parsedStamps.set(stamp, ms);
  }
  return ms;
}

const factsByPod = new WeakMap<Pod, PodDeletionFacts>();

/** The deletion facts of a pod (memoized per pod object). */
export function podDeletionFacts(pod: Pod): PodDeletionFacts {
  let facts = factsByPod.get(pod);
  if (facts !== undefined) return facts;
  const nodeName = pod.spec?.nodeName ?? "";
  // podReadyTime: the Ready=True condition's lastTransitionTime, zero when not ready.
  const readyCondition = podCondition(pod, "Ready");
  const ready = readyCondition?.status === "True";
  const annotations = pod.metadata.annotations;
  facts = {
    nodeName,
    assigned: nodeName !== "",
    phaseOrdinal: podPhaseOrdinal(pod.status?.phase),
    ready,
    deletionCost: annotations === undefined ? 0 : deletionCost(annotations),
    readySinceMs: ready ? timestampMs(readyCondition?.lastTransitionTime) : ZERO_TIME,
    maxRestarts: maxContainerRestarts(pod),
    createdMs: timestampMs(pod.metadata.creationTimestamp),
  };
  factsByPod.set(pod, facts);
  return facts;
}

/** The pod as ranked for deletion at `nowMs` (undefined: Go's zero Now, no logarithmic scale). */
export function rankedPod(pod: Pod, rank: number, nowMs: number | undefined): RankedPod {
  return rankedFacts(pod, podDeletionFacts(pod), rank, nowMs);
}

function rankedFacts(pod: Pod, facts: PodDeletionFacts, rank: number, nowMs: number | undefined): RankedPod {
  return {
    pod,
    facts,
    rank,
    logScale: nowMs !== undefined,
    readyAgeBucket: nowMs === undefined ? -1 : ageBucket(facts.readySinceMs, nowMs),
    createdAgeBucket: nowMs === undefined ? -1 : ageBucket(facts.createdMs, nowMs),
  };
}

const TWO_POW_32 = 4_294_967_296;

/**
 * floor(log2(n)) for n >= 1, exactly (by counting leading zero bits, no floating-point log).
 * Go computes int64(math.Log2(float64(d))), which agrees for every duration a run reaches.
 */
export function floorLog2(n: number): number {
  if (n >= TWO_POW_32) return 63 - Math.clz32(Math.floor(n / TWO_POW_32));
  return 31 - Math.clz32(n);
}

/** floor(log2(now − t)) with the age in nanoseconds; −1 when now − t <= 0 (or t is zero). */
function ageBucket(tMs: number, nowMs: number): number {
  const ageNs = (nowMs - tMs) * NS_PER_MS;
  return ageNs > 0 && tMs !== ZERO_TIME ? floorLog2(ageNs) : -1;
}

/** logarithmicRankDiff: compares floor(log2(now − t)) in nanoseconds; −1 when now − t <= 0. */
export function logarithmicRankDiff(t1Ms: number, t2Ms: number, nowMs: number): number {
  return ageBucket(t1Ms, nowMs) - ageBucket(t2Ms, nowMs);
}

/** afterOrZero: t1 after t2, where a zero time counts as after any real one. */
function afterOrZero(t1Ms: number, t2Ms: number): boolean {
  if (t1Ms === ZERO_TIME || t2Ms === ZERO_TIME) return t1Ms === ZERO_TIME;
  return t1Ms > t2Ms;
}

/**
 * Newer first, for two different times, bucketed by LogarithmicScaleDown: times in the same
 * power-of-two age bucket are ordered by UID instead (equal UIDs: no order, and no later rule
 * is consulted, as in Kubernetes). Without Now, or with a zero time, plain comparison.
 */
function newerFirst(aMs: number, bMs: number, aBucket: number, bBucket: number, a: RankedPod, b: RankedPod): number {
  if (!a.logScale || aMs === ZERO_TIME || bMs === ZERO_TIME) return afterOrZero(aMs, bMs) ? -1 : 1;
  if (aBucket !== bBucket) return aBucket < bBucket ? -1 : 1;
  const uidA = a.pod.metadata.uid;
  const uidB = b.pod.metadata.uid;
  return uidA < uidB ? -1 : uidA > uidB ? 1 : 0;
}

/**
 * ActivePodsWithRanks.Less (v1.28, PodDeletionCost and LogarithmicScaleDown on) as a three-way
 * comparison: negative if `a` should be deleted before `b`, positive if after, 0 when no rule
 * decides. Rules in turn: unassigned first; phase Pending < Unknown < Running; not ready first;
 * lower deletion cost first; higher rank first; ready for less time first; more restarts first;
 * newer first. Each rule decides both directions alike, so one pass answers Less(a, b) and
 * Less(b, a). Both pods must be ranked with the same Now.
 */
export function compareByDeletionRules(a: RankedPod, b: RankedPod): number {
  const fa = a.facts;
  const fb = b.facts;
  if (fa.assigned !== fb.assigned) return fa.assigned ? 1 : -1;
  if (fa.phaseOrdinal !== fb.phaseOrdinal) return fa.phaseOrdinal < fb.phaseOrdinal ? -1 : 1;
  if (fa.ready !== fb.ready) return fa.ready ? 1 : -1;
  if (fa.deletionCost !== fb.deletionCost) return fa.deletionCost < fb.deletionCost ? -1 : 1;
  if (a.rank !== b.rank) return a.rank > b.rank ? -1 : 1;
  if (fa.ready && fb.ready && fa.readySinceMs !== fb.readySinceMs) {
    return newerFirst(fa.readySinceMs, fb.readySinceMs, a.readyAgeBucket, b.readyAgeBucket, a, b);
  }
  if (fa.maxRestarts !== fb.maxRestarts) return fa.maxRestarts > fb.maxRestarts ? -1 : 1;
  if (fa.createdMs !== fb.createdMs) {
    return newerFirst(fa.createdMs, fb.createdMs, a.createdAgeBucket, b.createdAgeBucket, a, b);
  }
  return 0;
}

/** ActivePodsWithRanks.Less: true if `a` should be deleted before `b`. */
export function deleteBefore(a: RankedPod, b: RankedPod): boolean {
  return compareByDeletionRules(a, b) < 0;
}

/**
 * The deletion order as a sort comparator: the rules, then (Go's sort is unstable,
 * kubernetes-semantics.md §3.2) the pod name and namespace, so ties never depend on input order.
 */
export function compareForDeletion(a: RankedPod, b: RankedPod): number {
  // The final tie-break is the uid (then the name): rules 6 and 8 already break ties inside a time
  // bucket by uid, so ending on the uid keeps the creation-time rule a consistent order.
  return compareByDeletionRules(a, b) || compareUids(a.pod, b.pod) || compareNames(a.pod, b.pod);
}

function compareUids(a: KObject, b: KObject): number {
  const uidA = a.metadata.uid;
  const uidB = b.metadata.uid;
  return uidA === uidB ? 0 : uidA < uidB ? -1 : 1;
}

function compareNames(a: KObject, b: KObject): number {
  const nameA = a.metadata.name;
  const nameB = b.metadata.name;
  if (nameA !== nameB) return nameA < nameB ? -1 : 1;
  const nsA = a.metadata.namespace;
  const nsB = b.metadata.namespace;
  if (nsA !== nsB) return nsA < nsB ? -1 : 1;
  return 0;
}

/**
 * Counts active related pods per node name (getPodsRankedByRelatedPodsOnSameNode); unassigned
 * pods count under "".
 */
export function activePodsPerNode(relatedPods: Iterable<Pod>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const pod of relatedPods) {
    if (!isPodActive(pod)) continue;
    const node = pod.spec?.nodeName ?? "";
    counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  return counts;
}

/**
 * getPodsToDelete: the `diff` pods of `filteredPods` to delete. When all of them go (diff >=
 * count) the first `diff` are returned unsorted; otherwise each pod is ranked by the number of
 * active `relatedPods` on its node and the `diff` first in deletion order are returned, in order.
 */
export function getPodsToDelete(
  filteredPods: readonly Pod[],
  relatedPods: Iterable<Pod>,
  diff: number,
  nowMs: number | undefined,
): Pod[] {
  if (diff >= filteredPods.length || diff <= 0) return choosePodsToDelete(filteredPods, diff, () => 0, nowMs);
  const podsOnNode = activePodsPerNode(relatedPods);
  return choosePodsToDelete(filteredPods, diff, (nodeName) => podsOnNode.get(nodeName) ?? 0, nowMs);
}

/**
 * getPodsToDelete with the rank given per node name ("" for unscheduled pods): the controller
 * keeps per-node counts instead of listing the related pods each time.
 */
export function choosePodsToDelete(
  filteredPods: readonly Pod[],
  diff: number,
  rankOfNode: (nodeName: string) => number,
  nowMs: number | undefined,
): Pod[] {
  if (diff >= filteredPods.length) return filteredPods.slice(0, Math.max(diff, 0));
  if (diff <= 0) return [];
  // selectFirst(ranked pods, diff, compareForDeletion), step for step (the same comparisons in the
  // same order, so the same answer), but ranking each pod into a reused slot: only the `diff` pods
  // kept in the heap hold a slot; a candidate that does not get in leaves its slot for the next one.
  // Ranks are asked once per node.
  const ranks = new Map<string, number>();
  const heap: RankSlot[] = [];
  for (let i = 0; i < diff; i++) heap.push(new RankSlot().fill(filteredPods[i] as Pod, rankOfNode, ranks, nowMs));
  for (let i = (diff >> 1) - 1; i >= 0; i--) siftDown(heap, i, compareForDeletion);
  let spare = new RankSlot();
  for (let i = diff; i < filteredPods.length; i++) {
    spare.fill(filteredPods[i] as Pod, rankOfNode, ranks, nowMs);
    if (compareForDeletion(spare, heap[0] as RankSlot) < 0) {
      const evicted = heap[0] as RankSlot;
      heap[0] = spare;
      siftDown(heap, 0, compareForDeletion);
      spare = evicted;
    }
  }
  heap.sort(compareForDeletion);
  const victims: Pod[] = new Array(heap.length);
  for (let i = 0; i < heap.length; i++) victims[i] = (heap[i] as RankSlot).pod;
  return victims;
}

/** A RankedPod that can be refilled (choosePodsToDelete's heap entries and spare). */
class RankSlot implements RankedPod {
  pod: Pod = undefined as unknown as Pod;
  facts: PodDeletionFacts = undefined as unknown as PodDeletionFacts;
  rank = 0;
  logScale = false;
  readyAgeBucket = -1;
  createdAgeBucket = -1;

  /** rankedFacts(pod, podDeletionFacts(pod), rankOfNode(nodeName), nowMs), into this slot; `ranks` remembers the node ranks. */
  fill(
    pod: Pod,
    rankOfNode: (nodeName: string) => number,
    ranks: Map<string, number>,
    nowMs: number | undefined,
  ): this {
    const facts = podDeletionFacts(pod);
    let rank = ranks.get(facts.nodeName);
    if (rank === undefined) {
      rank = rankOfNode(facts.nodeName);
      ranks.set(facts.nodeName, rank);
    }
    this.pod = pod;
    this.facts = facts;
    this.rank = rank;
    this.logScale = nowMs !== undefined;
    this.readyAgeBucket = nowMs === undefined ? -1 : ageBucket(facts.readySinceMs, nowMs);
    this.createdAgeBucket = nowMs === undefined ? -1 : ageBucket(facts.createdMs, nowMs);
    return this;
  }
}

/**
 * The `count` smallest items in order, without sorting the rest: a bounded max-heap
 * (O(n log count)), then a sort of what it kept.
 */
export function selectFirst<T>(items: readonly T[], count: number, compare: (a: T, b: T) => number): T[] {
  if (count >= items.length) return [...items].sort(compare);
  if (count <= 0) return [];
  const heap = items.slice(0, count);
  for (let i = (count >> 1) - 1; i >= 0; i--) siftDown(heap, i, compare);
  for (let i = count; i < items.length; i++) {
    const item = items[i] as T;
    if (compare(item, heap[0] as T) < 0) {
      heap[0] = item;
      siftDown(heap, 0, compare);
    }
  }
  return heap.sort(compare);
}

/** Restores the max-heap property below `index` (the largest item at the root). */
function siftDown<T>(heap: T[], index: number, compare: (a: T, b: T) => number): void {
  const size = heap.length;
  let parent = index;
  for (;;) {
    const left = 2 * parent + 1;
    if (left >= size) return;
    const right = left + 1;
    let largest = left;
    if (right < size && compare(heap[right] as T, heap[left] as T) > 0) largest = right;
    if (compare(heap[largest] as T, heap[parent] as T) <= 0) return;
    const swap = heap[parent] as T;
    heap[parent] = heap[largest] as T;
    heap[largest] = swap;
    parent = largest;
  }
}

// ---------------------------------------------------------------------------------------------
// Slow start (slowStartBatch)
// ---------------------------------------------------------------------------------------------

export interface SlowStartResult {
  /** Calls that succeeded. */
  readonly successes: number;
  /** The first error of the batch that failed, if any. */
  readonly error: Error | undefined;
}

/**
 * slowStartBatch: makes `count` calls in batches of initialBatchSize, then twice the previous
 * batch (1, 2, 4, ...), capped at what remains. Every call of a batch is made (Kubernetes runs
 * them concurrently); if any failed, later batches are skipped. A call returns an error or
 * undefined.
 */
export function slowStartBatch(
  count: number,
  initialBatchSize: number,
  call: () => Error | undefined,
): SlowStartResult {
  let remaining = count;
  let successes = 0;
  for (
    let batchSize = Math.min(remaining, initialBatchSize);
    batchSize > 0;
    batchSize = Math.min(2 * batchSize, remaining)
  ) {
    let firstError: Error | undefined;
    let failures = 0;
    for (let i = 0; i < batchSize; i++) {
      const error = call();
      if (error === undefined) continue;
      failures++;
      firstError ??= error;
    }
    successes += batchSize - failures;
    if (firstError !== undefined) return { successes, error: firstError };
    remaining -= batchSize;
  }
  return { successes, error: undefined };
}

// ---------------------------------------------------------------------------------------------
// Expectations (ControllerExpectations + UIDTrackingControllerExpectations)
// ---------------------------------------------------------------------------------------------

interface Expectation {
  add: number;
  del: number;
  timestampMs: number;
}

/**
 * What each controller key still expects to observe through its informer before it may act again:
 * a count of creations, and the keys ("namespace/name") of pods it deleted, so a pod seen first
 * with a deletionTimestamp and later as deleted counts once. Timestamps are virtual time.
 */
export class ControllerExpectations {
  private readonly records = new Map<string, Expectation>();
  private readonly deleteKeys = new Map<string, Set<string>>();

  constructor(private readonly clock: () => number) {}

  /** The expected adds and dels of a key, if it has a record (GetExpectations). */
  get(key: string): { readonly add: number; readonly del: number; readonly timestampMs: number } | undefined {
    return this.records.get(key);
  }

  /**
   * SatisfiedExpectations: true if the key has no record, everything expected was observed, or
   * the record is older than EXPECTATIONS_TIMEOUT_MS (strictly).
   */
  satisfied(key: string): boolean {
    const record = this.records.get(key);
    if (record === undefined) return true;
    if (record.add <= 0 && record.del <= 0) return true;
    return this.clock() - record.timestampMs > EXPECTATIONS_TIMEOUT_MS;
  }

  /** SetExpectations: replaces the key's record (the pod keys of ExpectDeletions are kept). */
  set(key: string, add: number, del: number): void {
    this.records.set(key, { add, del, timestampMs: this.clock() });
  }

  expectCreations(key: string, adds: number): void {
    this.set(key, adds, 0);
  }

  /** ExpectDeletions (UID-tracking): expects the deletion of exactly these pod keys. */
  expectDeletions(key: string, podKeys: readonly string[]): void {
    const keys = new Set(podKeys);
    this.deleteKeys.set(key, keys);
    this.set(key, 0, keys.size);
  }

  /** LowerExpectations; a key without a record is left alone. */
  lower(key: string, add: number, del: number): void {
    const record = this.records.get(key);
    if (record === undefined) return;
    record.add -= add;
    record.del -= del;
  }

  /** RaiseExpectations; a key without a record is left alone. */
  raise(key: string, add: number, del: number): void {
    this.lower(key, -add, -del);
  }

  creationObserved(key: string): void {
    this.lower(key, 1, 0);
  }

  /** DeletionObserved: lowers the dels only for a pod key it expected, once. */
  deletionObserved(key: string, podKey: string): void {
    const keys = this.deleteKeys.get(key);
    if (keys === undefined || !keys.delete(podKey)) return;
    this.lower(key, 0, 1);
  }

  /** DeleteExpectations: forgets the key (its controller is gone). */
  delete(key: string): void {
    this.records.delete(key);
    this.deleteKeys.delete(key);
  }
}

// ---------------------------------------------------------------------------------------------
// Active pods, pod keys, pods from templates
// ---------------------------------------------------------------------------------------------

/** FilterActivePods: pods not Succeeded/Failed and not being deleted. */
export function filterActivePods(pods: Iterable<Pod>): Pod[] {
  const active: Pod[] = [];
  for (const pod of pods) if (isPodActive(pod)) active.push(pod);
  return active;
}

/** PodKey: "namespace/name". */
export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

/**
 * GetPodFromTemplate + CreatePodsWithGenerateName: a new pod from `template`, owned by `owner`
 * (controller=true), named `<owner>-xxxxx`. The template's frozen labels and spec are shared.
 */
export function podFromTemplate(template: PodTemplateSpec | undefined, owner: KObject): NewObject {
  const meta = template?.metadata;
  const metadata: NewObject["metadata"] = {
    generateName: `${owner.metadata.name}-`,
    namespace: owner.metadata.namespace,
    ownerReferences: [controllerRef(owner)],
  };
  if (meta?.labels !== undefined) metadata.labels = meta.labels;
  if (meta?.annotations !== undefined) metadata.annotations = meta.annotations;
  if (meta?.finalizers !== undefined && meta.finalizers.length > 0) metadata.finalizers = meta.finalizers;
  return { apiVersion: "v1", kind: "Pod", metadata, spec: template?.spec ?? {} };
}

// ---------------------------------------------------------------------------------------------
// Claiming pods (BaseControllerRefManager.ClaimObject, PodControllerRefManager)
// ---------------------------------------------------------------------------------------------

/** What a controller does with a pod it lists: keep it, ignore it, adopt it, or release it. */
export type ClaimAction = "claim" | "ignore" | "adopt" | "release";

/**
 * ClaimObject's decision for one pod: a pod another controller owns is ignored; an owned pod is
 * claimed if the selector matches, else released (unless the owner is being deleted); an orphan
 * is adopted if the selector matches and neither it nor the owner is being deleted.
 */
export function claimAction(owner: KObject, pod: Pod, selectorMatches: boolean): ClaimAction {
  const ref = controllerOf(pod);
  const ownerDeleting = owner.metadata.deletionTimestamp !== undefined;
  if (ref !== undefined) {
    if (ref.uid !== owner.metadata.uid) return "ignore";
    if (selectorMatches) return "claim";
    return ownerDeleting ? "ignore" : "release";
  }
  if (ownerDeleting || !selectorMatches) return "ignore";
  if (pod.metadata.deletionTimestamp !== undefined) return "ignore";
  if (pod.metadata.namespace !== owner.metadata.namespace) return "ignore";
  return "adopt";
}

/**
 * AdoptPod: adds a controller ownerReference to `owner`, with the pod's uid as precondition
 * (a patch merging ownerReferences by uid). Throws NotFound, Conflict (another pod by that name),
 * or Invalid (the pod already has another controller, as API validation refuses two).
 */
export function adoptPod(store: Store, owner: KObject, pod: Pod): Pod {
  const current = currentPod(store, pod);
  const existing = controllerOf(current);
  if (existing !== undefined && existing.uid !== owner.metadata.uid) {
    throw new ApiError("Invalid", `Pod "${podKey(pod)}": only one reference can have Controller set to true`);
  }
  // Already adopted (by an earlier sync whose write the cache has not shown yet): the patch
  // would change nothing, and the API server writes nothing.
  if (existing !== undefined) return current;
  const ref = controllerRef(owner);
  return store.update(current, (draft) => {
    const refs = (draft.metadata.ownerReferences ?? []).filter((other) => other.uid !== ref.uid);
    refs.push(ref);
    draft.metadata.ownerReferences = refs;
  });
}

/**
 * ReleasePod: removes the ownerReference to `owner`, with the pod's uid as precondition. A pod
 * that is gone, or no longer references the owner, is left alone (NotFound and Invalid are
 * ignored by Kubernetes).
 */
export function releasePod(store: Store, owner: KObject, pod: Pod): void {
  const current = store.get<Pod>("Pod", pod.metadata.namespace, pod.metadata.name);
  if (current === undefined) return;
  if (current.metadata.uid !== pod.metadata.uid) throw conflict("Pod", podKey(pod));
  const refs = current.metadata.ownerReferences;
  if (refs === undefined || !refs.some((ref) => ref.uid === owner.metadata.uid)) return;
  store.update(current, (draft) => {
    draft.metadata.ownerReferences = withoutOwners(draft.metadata.ownerReferences, [owner.metadata.uid]);
  });
}

/** ownerReferences minus those naming `uids`; undefined when none remain. */
export function withoutOwners(
  refs: readonly OwnerReference[] | undefined,
  uids: readonly string[],
): OwnerReference[] | undefined {
  const kept = (refs ?? []).filter((ref) => !uids.includes(ref.uid));
  return kept.length === 0 ? undefined : kept;
}

function currentPod(store: Store, pod: Pod): Pod {
  const current = store.get<Pod>("Pod", pod.metadata.namespace, pod.metadata.name);
  if (current === undefined) throw notFound("Pod", podKey(pod));
  if (current.metadata.uid !== pod.metadata.uid) throw conflict("Pod", podKey(pod));
  return current;
}
