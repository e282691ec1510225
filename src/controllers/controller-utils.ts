/**
 * Helpers shared by the pod-owning controllers, after pkg/controller/controller_utils.go,
 * pkg/controller/controller_ref_manager.go and pkg/controller/replicaset/replica_set.go
 * (kubernetes-semantics.md §3): which pods to delete first, slow-start batches, expectations,
 * active-pod filtering, and claiming pods (adoption and release).
 *
 * Everything here is deterministic and, except adoptPod/releasePod (API writes), pure (the
 * deletion ranking's memo tables only save work).
 */
import type { PodTemplateSpec } from "kubernetes-types/core/v1.js";
import type { OwnerReference } from "kubernetes-types/meta/v1.js";
import { ApiError, conflict, notFound } from "../api/errors.ts";
import { ANNOTATION_DELETION_COST, type Pod } from "../api/kinds.ts";
import { controllerOf, controllerRef, fromTimestamp, type KObject, type NewObject, objectKey } from "../api/object.ts";
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
const TWO_POW_32 = 4_294_967_296;

/**
 * What the deletion comparator reads from a pod, computed once per pod object (pods are immutable
 * values: an unchanged pod keeps its object, so a pod ranked again by a later sync costs one
 * lookup). Times are virtual ms, ZERO_TIME when absent.
 */
export interface PodDeletionFacts {
  /** The pod's uid, which breaks ties (kept here so that ranking reads the facts, not the pod). */
  readonly uid: string;
  readonly nodeName: string;
  /** The node's rank holder (shared by all pods on a node name), so ranking reads no Map. */
  readonly node: NodeRankSlot;
  readonly assigned: boolean;
  readonly phaseOrdinal: number;
  readonly ready: boolean;
  readonly deletionCost: number;
  /** Rules 1-4 (assigned, phase, ready, deletion cost) as one number: lower is deleted first. */
  readonly rules1to4Key: number;
  readonly readySinceMs: number;
  readonly maxRestarts: number;
  readonly createdMs: number;
}

/**
 * A pod offered for deletion with its facts, computed on first use. The ReplicaSet tally keeps
 * one per claimed pod, so a pod ranked by many syncs is looked up in no WeakMap (at 10,000 pods
 * the WeakMap lookups were a third of the ranking time).
 */
export interface DeletionCandidate {
  readonly pod: Pod;
  facts: PodDeletionFacts | undefined;
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
  facts = computeDeletionFacts(pod);
  factsByPod.set(pod, facts);
  return facts;
}

/** The deletion facts of a candidate, computed once and kept on it. */
export function candidateFacts(candidate: DeletionCandidate): PodDeletionFacts {
  let facts = candidate.facts;
  if (facts === undefined) {
    facts = computeDeletionFacts(candidate.pod);
    candidate.facts = facts;
  }
  return facts;
}

function computeDeletionFacts(pod: Pod): PodDeletionFacts {
  const nodeName = pod.spec?.nodeName ?? "";
  // podReadyTime: the Ready=True condition's lastTransitionTime, zero when not ready.
  const readyCondition = podCondition(pod, "Ready");
  const ready = readyCondition?.status === "True";
  const annotations = pod.metadata.annotations;
  const assigned = nodeName !== "";
  const phaseOrdinal = podPhaseOrdinal(pod.status?.phase);
  const cost = annotations === undefined ? 0 : deletionCost(annotations);
  return {
    uid: pod.metadata.uid,
    nodeName,
    node: nodeRankSlot(nodeName),
    assigned,
    phaseOrdinal,
    ready,
    deletionCost: cost,
    rules1to4Key: rules1to4Key(assigned, phaseOrdinal, ready, cost),
    readySinceMs: ready ? timestampMs(readyCondition?.lastTransitionTime) : ZERO_TIME,
    maxRestarts: maxContainerRestarts(pod),
    createdMs: timestampMs(pod.metadata.creationTimestamp),
  };
}

/**
 * Rules 1-4 of ActivePodsWithRanks.Less in one number ordered as they are: unassigned, then lower
 * phase ordinal, then not ready, then lower deletion cost first. At most 12 * 2^32, exact in a double.
 */
function rules1to4Key(assigned: boolean, phaseOrdinal: number, ready: boolean, cost: number): number {
  const podClass = ((assigned ? 1 : 0) * 3 + phaseOrdinal) * 2 + (ready ? 1 : 0);
  return podClass * TWO_POW_32 + (cost - INT32_MIN);
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

/**
 * floor(log2(n)) for n >= 1, exactly (by counting leading zero bits, no floating-point log).
 * Go computes int64(math.Log2(float64(d))), which agrees for every duration a run reaches.
 */
export function floorLog2(n: number): number {
  // One clz32 for both halves: optimized code that only saw ages of one size has nothing left
  // without type feedback when the other size comes.
  const high = Math.floor(n / TWO_POW_32);
  return (high > 0 ? 63 : 31) - Math.clz32(high > 0 ? high : n);
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
  // The sign of the difference, computed every time (not only when the buckets differ, which
  // optimized code may not have seen yet).
  const byBucket = Math.sign(aBucket - bBucket);
  if (byBucket !== 0) return byBucket;
  const uidA = a.facts.uid;
  const uidB = b.facts.uid;
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
  const byRules1to5 = compareByRules1to5(fa, a.rank, fb, b.rank);
  if (byRules1to5 !== 0) return byRules1to5;
  if (fa.ready && fb.ready && fa.readySinceMs !== fb.readySinceMs) {
    return newerFirst(fa.readySinceMs, fb.readySinceMs, a.readyAgeBucket, b.readyAgeBucket, a, b);
  }
  if (fa.maxRestarts !== fb.maxRestarts) return fa.maxRestarts > fb.maxRestarts ? -1 : 1;
  if (fa.createdMs !== fb.createdMs) {
    return newerFirst(fa.createdMs, fb.createdMs, a.createdAgeBucket, b.createdAgeBucket, a, b);
  }
  return 0;
}

/**
 * Rules 1-5 alone (the ones that need neither Now nor the uid): unassigned first, phase Pending <
 * Unknown < Running, not ready first, lower deletion cost first (all four as rules1to4Key), then
 * higher rank first; 0 when they do not decide.
 */
function compareByRules1to5(fa: PodDeletionFacts, rankA: number, fb: PodDeletionFacts, rankB: number): number {
  if (fa.rules1to4Key !== fb.rules1to4Key) return fa.rules1to4Key < fb.rules1to4Key ? -1 : 1;
  if (rankA !== rankB) return rankA > rankB ? -1 : 1;
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
  return compareByDeletionRules(a, b) || compareUids(a.facts, b.facts) || compareNames(a.pod, b.pod);
}

function compareUids(a: PodDeletionFacts, b: PodDeletionFacts): number {
  const uidA = a.uid;
  const uidB = b.uid;
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
  const candidates = filteredPods.map((pod): DeletionCandidate => ({ pod, facts: undefined }));
  return chooseCandidatesToDelete(candidates, diff, rankOfNode, nowMs);
}

/** choosePodsToDelete over candidates that carry their facts (the controller's tally entries). */
export function chooseCandidatesToDelete(
  candidates: readonly DeletionCandidate[],
  diff: number,
  rankOfNode: (nodeName: string) => number,
  nowMs: number | undefined,
): Pod[] {
  if (diff >= candidates.length) return podsOf(candidates, Math.max(diff, 0));
  if (diff <= 0) return [];
  // selectFirst(ranked pods, diff, compareForDeletion), with the same answer, but ranking each pod
  // into a reused slot: only the `diff` pods kept in the heap hold a slot; a candidate that does not
  // get in leaves its slot for the next one. Ranks are asked once per node.
  const ranks = new NodeRanks(rankOfNode);
  const heap: RankSlot[] = [];
  for (let i = 0; i < diff; i++) {
    const candidate = candidates[i] as DeletionCandidate;
    const facts = candidateFacts(candidate);
    heap.push(new RankSlot().fill(candidate.pod, facts, ranks.of(facts.node), nowMs));
  }
  for (let i = (diff >> 1) - 1; i >= 0; i--) siftDown(heap, i, compareForDeletion);
  let spare = new RankSlot();
  for (let i = diff; i < candidates.length; i++) {
    const candidate = candidates[i] as DeletionCandidate;
    const facts = candidateFacts(candidate);
    const rank = ranks.of(facts.node);
    const last = heap[0] as RankSlot;
    // compareForDeletion begins with rules 1-5: when they already place the candidate after the
    // heap's last pod, so would the full comparison (in a big rollout about half the candidates
    // stop here, their ages never bucketed).
    const byRules1to5 = compareByRules1to5(facts, rank, last.facts, last.rank);
    if (byRules1to5 > 0) continue;
    spare.fill(candidate.pod, facts, rank, nowMs);
    if (byRules1to5 < 0 || compareForDeletion(spare, last) < 0) {
      heap[0] = spare;
      siftDown(heap, 0, compareForDeletion);
      spare = last;
    }
  }
  heap.sort(compareForDeletion);
  const victims: Pod[] = new Array(heap.length);
  for (let i = 0; i < heap.length; i++) victims[i] = (heap[i] as RankSlot).pod;
  return victims;
}

/** The first `count` candidates' pods, in order. */
function podsOf(candidates: readonly DeletionCandidate[], count: number): Pod[] {
  const pods: Pod[] = [];
  for (let i = 0; i < count && i < candidates.length; i++) pods.push((candidates[i] as DeletionCandidate).pod);
  return pods;
}

/**
 * One node name's rank during one ranking: valid while `ranking` is that ranking's number. A
 * pod's facts point at the slot of its node, so a ranking of thousands of pods asks each node's
 * rank once and then reads it from the slot, without a lookup per pod.
 */
export interface NodeRankSlot {
  readonly nodeName: string;
  rank: number;
  ranking: number;
}

const nodeRankSlots = new Map<string, NodeRankSlot>();

/** The rank slot of a node name (one per name, until the table is cleared at its size limit). */
function nodeRankSlot(nodeName: string): NodeRankSlot {
  let slot = nodeRankSlots.get(nodeName);
  if (slot === undefined) {
    // A cleared table only gives later facts new slots; the old ones stay correct.
    if (nodeRankSlots.size >= 65_536) nodeRankSlots.clear();
    slot = { nodeName, rank: 0, ranking: 0 };
    nodeRankSlots.set(nodeName, slot);
  }
  return slot;
}

/** Rankings so far: each NodeRanks takes the next number, which invalidates every slot's rank. */
let rankingsStarted = 0;

/** The rank of each node for one ranking, asked of `rankOfNode` once per node. */
class NodeRanks {
  private readonly ranking = ++rankingsStarted;

  constructor(private readonly rankOfNode: (nodeName: string) => number) {}

  of(slot: NodeRankSlot): number {
    if (slot.ranking !== this.ranking) {
      slot.rank = this.rankOfNode(slot.nodeName);
      slot.ranking = this.ranking;
    }
    return slot.rank;
  }
}

/** A RankedPod that can be refilled (chooseCandidatesToDelete's heap entries and spare). */
class RankSlot implements RankedPod {
  pod: Pod = undefined as unknown as Pod;
  facts: PodDeletionFacts = undefined as unknown as PodDeletionFacts;
  rank = 0;
  logScale = false;
  readyAgeBucket = -1;
  createdAgeBucket = -1;

  /** rankedFacts(pod, facts, rank, nowMs), into this slot. */
  fill(pod: Pod, facts: PodDeletionFacts, rank: number, nowMs: number | undefined): this {
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
  return objectKey(pod.metadata.namespace, pod.metadata.name);
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
