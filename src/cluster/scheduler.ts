/**
 * The default scheduler (component "scheduler"), after kube-scheduler's scheduling queue and
 * cycle (pkg/scheduler/schedule_one.go, internal/queue/scheduling_queue.go):
 *
 * - It watches pods through world.cache. Pods without spec.nodeName, not being deleted and with
 *   schedulerName default-scheduler wait in a FIFO active queue; one pod is scheduled at a time,
 *   each cycle taking `timing.scheduling` (sampled from stream "scheduler/latency").
 * - A cycle filters nodes in node-tree order, starting where the previous cycle stopped, until
 *   numFeasibleNodesToFind (adaptive percentageOfNodesToScore) feasible nodes are found, scores
 *   them (scheduling.ts) and binds to the best; ties go to the node name (kube-scheduler picks at
 *   random). Node totals live in the scheduler cache (scheduler-cache.ts), so a cycle is
 *   arithmetic on typed arrays except on tainted/unschedulable nodes or for node affinity; each
 *   node's resource fit and score are kept until its totals (or the pod's requests) change.
 *   Feasible nodes with the same count of the owner's pods and the same zone get the same spread
 *   score, so the filtering pass keeps only each such group's best node and scoring ranks groups.
 * - A pod that fits nowhere gets PodScheduled=False/Unschedulable with FitError's message
 *   ("0/3 nodes are available: 3 Insufficient cpu.") and waits in the unschedulable set. It is
 *   tried again after `timing.schedulingRetryMs`, at once when a node changes, or when a pod
 *   leaving a node frees room it would fit in. A periodic retry is skipped when nothing it
 *   depends on changed since the last attempt (the same failure again), which keeps unschedulable
 *   pods from costing O(nodes) every period; the Warning event FailedScheduling is then not
 *   repeated either.
 *
 * Scores left out: ImageLocality, InterPodAffinity; zone spreading counts pods on every node of a
 * zone (Kubernetes counts only nodes matching the pod's node affinity). No preemption, no
 * priorities (FIFO only), no backoff queue.
 */
import type { PodCondition, PodSpec, PodStatus } from "kubernetes-types/core/v1.js";
import { isApiError } from "../api/errors.ts";
import type { Node, Pod } from "../api/kinds.ts";
import { controllerOf, copyWith, objectKey, toTimestamp } from "../api/object.ts";
import { isPodTerminal, podCondition } from "../api/pod.ts";
import type { WatchEventType } from "../api/store.ts";
import type { EventId } from "../sim/event-queue.ts";
import { type RandomStream, sampleMs } from "../sim/random.ts";
import type { Component, World } from "../world/world.ts";
import {
  type CachedNode,
  type Charge,
  grow,
  growFloat,
  nodeReadyStatus,
  type OwnerCounts,
  SchedulerCache,
} from "./scheduler-cache.ts";
import {
  balancedAllocationScore,
  defaultNormalizeScore,
  filterNode,
  intolerablePreferNoSchedule,
  leastAllocatedScore,
  nodePredicateFailure,
  normalizeSpreadScore,
  numFeasibleNodesToFind,
  type PodRequests,
  type PodToPlace,
  podRequests,
  podToPlace,
  preferredAffinityWeight,
  resourceFitFailure,
  spreadScoreForCount,
  topologyNormalizingWeight,
  unschedulableMessage,
} from "./scheduling.ts";

export const SCHEDULER_COMPONENT = "scheduler";
export const DEFAULT_SCHEDULER_NAME = "default-scheduler";

/** Default plugin weights (apis/config/v1/default_plugins.go). */
const WEIGHT_SPREAD = 2;
const WEIGHT_AFFINITY = 2;
const WEIGHT_TAINT = 3;
/** System default topology spread constraints (podtopologyspread/plugin.go). */
const HOSTNAME_MAX_SKEW = 3;
const ZONE_MAX_SKEW = 5;

interface Unschedulable {
  readonly uid: string;
  readonly place: PodToPlace;
  /** nodeEpoch at the failed attempt; a node change since makes the retry worthwhile. */
  readonly nodeEpoch: number;
  /** A freed node may fit the pod but another woken pod was given the room first. */
  dirty: boolean;
  timer: EventId;
}

export class Scheduler implements Component {
  readonly name = SCHEDULER_COMPONENT;
  readonly cache = new SchedulerCache();
  private active: string[] = [];
  private activeHead = 0;
  private readonly queued = new Set<string>();
  private readonly unschedulable = new Map<string, Unschedulable>();
  private inFlight: string | null = null;
  private suspended = false;
  private nextStartNodeIndex = 0;
  private nodeEpoch = 0;
  private readonly stream: RandomStream;
  private readonly reasons = new Map<string, number>();
  private feasible = new Int32Array(64);
  private base = new Float64Array(64);
  private spread = new Float64Array(64);
  private affinity = new Float64Array(64);
  private taint = new Float64Array(64);
  private zoneSeen = new Int32Array(16);
  /** pickBest scratch: the zone spreading term per zone number. */
  private zoneTerms = new Float64Array(16);
  /** Stamps zoneSeen per zone count. */
  private cycle = 0;
  /** Nodes came or went (or changed zone): the node-tree order is rebuilt before the next cycle. */
  private orderStale = false;
  /** The requests of cache.fitScores (LeastAllocated + BalancedAllocation, per node). */
  private scoredFor: PodRequests = { cpuMilli: -1, memoryBytes: -1, nonZeroCpuMilli: -1, nonZeroMemoryBytes: -1 };
  private spreadValues = new Float64Array(64);
  /** pickBest scratch: the raw spread scores' range (rawSpreadScores fills it; no object per cycle). */
  private readonly spreadRange: SpreadRange = { min: 0, max: 0 };
  /**
   * Feasible nodes grouped by (owner's pods on the node, zone), which fixes the spread score, so
   * only each group's best node (by resource score, then name) can win: findFeasibleNodes fills
   * these, pickBest scores the groups. groupCount < 0: not grouped this cycle.
   */
  /** Each group's best node by group key: its number, resource score (NO_GROUP: none) and name rank. */
  private groupNode: Int32Array = new Int32Array(64);
  private groupScore: Float64Array = new Float64Array(64).fill(NO_GROUP);
  private groupRank: Int32Array = new Int32Array(64);
  private groupKeys: Int32Array = new Int32Array(64);
  private groupRaw = new Float64Array(64);
  private groupCount = -1;
  /** Zone numbers + 1 (the slot of nodes without a zone): key = owned · groupZoneSlots + zone + 1. */
  private groupZoneSlots = 1;
  /** podToPlace per (frozen, so unchanging) pod spec: a ReplicaSet's pods share one spec object. */
  private places = new WeakMap<PodSpec, PodToPlace>();
  private placesTolerationSeconds = Number.NaN;

  constructor(private readonly world: World) {
    this.stream = world.random("scheduler/latency");
  }

  start(): void {
    this.world.cache.on("Node", (type, object) => this.onNode(type, object as Node));
    this.world.cache.on("Pod", (type, object, previous) =>
      this.onPod(type, object as Pod, previous as Pod | undefined),
    );
  }

  suspend(): void {
    this.suspended = true;
  }

  resume(): void {
    this.suspended = false;
    this.pump();
  }

  /** Pods in the active queue plus the one being scheduled. */
  get pendingCount(): number {
    return this.queued.size + (this.inFlight === null ? 0 : 1);
  }

  get unschedulableCount(): number {
    return this.unschedulable.size;
  }

  // ---- nodes ----

  private onNode(type: WatchEventType, object: Node): void {
    const node = this.cache.node(object.metadata.name);
    if (type === "DELETED") {
      this.cache.removeNode(node);
      this.orderStale = true;
      this.nodeChanged();
      return;
    }
    if (node.present && !nodeUpdateMatters(node.source, object)) {
      node.source = object;
      return;
    }
    if (this.cache.applyNode(node, object)) this.orderStale = true;
    this.nodeChanged();
  }

  /** A node changed: every unschedulable pod gets another attempt (MoveAllToActiveOrBackoffQueue). */
  private nodeChanged(): void {
    this.nodeEpoch++;
    for (const key of [...this.unschedulable.keys()]) this.moveToActive(key);
  }

  // ---- pods: accounting ----

  private onPod(type: WatchEventType, pod: Pod, previous: Pod | undefined): void {
    if (type === "MODIFIED" && previous !== undefined && unchangedBoundPod(previous, pod)) return;
    const key = objectKey(pod.metadata.namespace, pod.metadata.name);
    if (type === "DELETED") {
      const charge = this.cache.charges.get(key);
      if (charge !== undefined && charge.uid === pod.metadata.uid) this.release(key, charge);
      this.forgetWaiting(key);
      return;
    }
    const charge = this.account(key, pod);
    this.considerQueueing(key, pod, previous, charge);
  }

  /** Brings the pod's charge in line with the pod; returns the charge it holds now, if any. */
  private account(key: string, pod: Pod): Charge | undefined {
    const nodeName = pod.spec?.nodeName;
    let charge = this.cache.charges.get(key);
    if (charge !== undefined && charge.uid !== pod.metadata.uid) {
      this.release(key, charge);
      charge = undefined;
    }
    if (nodeName === undefined) return charge; // unbound (or assumed, and the cache has not caught up)
    if (isPodTerminal(pod)) {
      if (charge !== undefined) this.release(key, charge);
      return undefined;
    }
    const owner = pod.metadata.deletionTimestamp === undefined ? controllerOf(pod)?.uid : undefined;
    if (charge !== undefined && charge.node.name === nodeName) {
      charge.assumed = false;
      this.cache.setOwner(charge, owner);
      return charge;
    }
    if (charge !== undefined) this.release(key, charge);
    return this.cache.charge(key, pod.metadata.uid, this.cache.node(nodeName), podRequests(pod.spec), owner, false);
  }

  /** Drops a pod's charge (`charge`, the one it holds) and wakes the unschedulable pods that now fit where it was. */
  private release(key: string, charge: Charge): void {
    this.cache.uncharge(key, charge);
    this.wakeForFreedNode(charge.node);
  }

  // ---- pods: queues ----

  /** `charge`: the pod's charge after account(). */
  private considerQueueing(key: string, pod: Pod, previous: Pod | undefined, charge: Charge | undefined): void {
    if (!needsScheduling(pod)) {
      this.forgetWaiting(key);
      return;
    }
    if (charge?.assumed === true) return; // we bound it; the cache lags
    if (this.unschedulable.has(key)) {
      // Our own PodScheduled=False write comes back here; only a spec change is worth a retry.
      if (previous !== undefined && previous.spec !== pod.spec) this.moveToActive(key);
      return;
    }
    if (this.queued.has(key) || this.inFlight === key) return;
    this.enqueue(key);
  }

  private enqueue(key: string): void {
    this.queued.add(key);
    this.active.push(key);
    this.pump();
  }

  private forgetWaiting(key: string): void {
    const waiting = this.unschedulable.size === 0 ? undefined : this.unschedulable.get(key);
    if (waiting !== undefined) {
      this.world.kernel.cancel(waiting.timer);
      this.unschedulable.delete(key);
    }
    this.queued.delete(key); // its entry in `active` is skipped when popped
  }

  private moveToActive(key: string): void {
    const waiting = this.unschedulable.get(key);
    if (waiting === undefined) return;
    this.world.kernel.cancel(waiting.timer);
    this.unschedulable.delete(key);
    this.enqueue(key);
  }

  /**
   * Room was freed on `node`: wake the unschedulable pods (in the order they failed) that now pass
   * every filter there, promising the room to each in turn so that only pods that fit together
   * wake; the others are marked for their periodic retry.
   */
  private wakeForFreedNode(node: CachedNode): void {
    if (this.unschedulable.size === 0 || !node.present) return;
    const totals = this.cache.totals(node);
    const promised = { cpuMilli: 0, memoryBytes: 0, pods: 0 };
    const wake: string[] = [];
    for (const [key, waiting] of this.unschedulable) {
      if (filterNode(totals, waiting.place, promised) === null) {
        wake.push(key);
        promised.cpuMilli += waiting.place.requests.cpuMilli;
        promised.memoryBytes += waiting.place.requests.memoryBytes;
        promised.pods++;
      } else if (promised.pods > 0 && filterNode(totals, waiting.place) === null) {
        waiting.dirty = true;
      }
    }
    for (const key of wake) this.moveToActive(key);
  }

  private readonly retryDue = (arg: unknown): void => {
    const key = arg as string;
    const waiting = this.unschedulable.get(key);
    if (waiting === undefined) return;
    if (waiting.dirty || waiting.nodeEpoch !== this.nodeEpoch) {
      this.moveToActive(key);
      return;
    }
    waiting.timer = this.world.kernel.schedule(this.world.config.timing.schedulingRetryMs, this.retryDue, key);
  };

  // ---- the scheduling cycle ----

  private pump(): void {
    if (this.inFlight !== null || this.suspended) return;
    while (this.activeHead < this.active.length) {
      const key = this.active[this.activeHead++] as string;
      if (!this.queued.delete(key)) continue; // forgotten while queued
      this.compactActive();
      const pod = this.world.cache.getByKey<Pod>("Pod", key);
      if (pod === undefined || !needsScheduling(pod)) continue;
      this.inFlight = key;
      this.world.kernel.schedule(sampleMs(this.world.config.timing.scheduling, this.stream), this.cycleDue, key);
      return;
    }
  }

  private compactActive(): void {
    if (this.activeHead > 1024 && this.activeHead * 2 > this.active.length) {
      this.active = this.active.slice(this.activeHead);
      this.activeHead = 0;
    }
  }

  private readonly cycleDue = (arg: unknown): void => {
    const key = arg as string;
    this.inFlight = null;
    const pod = this.world.cache.getByKey<Pod>("Pod", key);
    if (pod !== undefined && needsScheduling(pod) && this.cache.charges.get(key)?.assumed !== true) {
      this.scheduleOne(key, pod);
    }
    this.pump();
  };

  private scheduleOne(key: string, pod: Pod): void {
    if (this.orderStale) {
      this.cache.rebuildOrder();
      this.orderStale = false;
      if (this.nextStartNodeIndex >= this.cache.orderLength) this.nextStartNodeIndex = 0;
    }
    const place = this.placeFor(pod.spec);
    const owner = controllerOf(pod)?.uid;
    const counts = owner === undefined ? undefined : this.cache.ownerCounts(owner);
    const grouped = !this.affinityOrTaintScoresVary(place);
    const found = this.findFeasibleNodes(place, counts?.perNode ?? this.cache.noPodsPerNode(), grouped);
    if (found === 0) {
      this.recordFailure(key, pod, place, unschedulableMessage(this.cache.orderLength, this.reasons));
      return;
    }
    const chosen = found === 1 ? this.onlyFeasibleNode() : this.pickBest(place, owner, counts, found);
    this.bind(key, pod, this.cache.nodes[chosen] as CachedNode, place);
  }

  /** The one feasible node findFeasibleNodes found (grouped, it is its one group's node). */
  private onlyFeasibleNode(): number {
    if (this.groupCount < 0) return this.feasible[0] as number;
    return this.groupNode[this.groupKeys[0] as number] as number;
  }

  private placeFor(spec: PodSpec | undefined): PodToPlace {
    const seconds = this.world.config.timing.defaultTolerationSeconds;
    if (spec === undefined) return podToPlace(spec, seconds);
    if (seconds !== this.placesTolerationSeconds) {
      this.places = new WeakMap();
      this.placesTolerationSeconds = seconds;
    }
    let place = this.places.get(spec);
    if (place === undefined) {
      place = podToPlace(spec, seconds);
      this.places.set(spec, place);
    }
    return place;
  }

  /**
   * findNodesThatPassFilters: counts the feasible nodes and, for failures, fills this.reasons.
   * Without `grouped`, it lists the feasible nodes in this.feasible and their resource scores (see
   * fitScoreOf) in this.base; with it, it keeps only each spread group's best node (see
   * groupScore), `perNode` being the pod owner's counts per node (zeros without an owner).
   */
  private findFeasibleNodes(place: PodToPlace, perNode: Int32Array, grouped: boolean): number {
    const cache = this.cache;
    const all = cache.orderLength;
    // Map.clear swaps in a new backing table even when empty: clear only after a failure was counted.
    if (this.reasons.size > 0) this.reasons.clear();
    this.clearGroups();
    if (all === 0) return 0;
    this.ensureScratch(all, cache.zones.length);
    this.prepareResourceScores(place.requests);
    const wanted = numFeasibleNodesToFind(all);
    const { order, constrained, zoneOf, fitScores } = cache;
    const slowPath = place.constrained;
    const { feasible, base } = this;
    const zoneSlots = cache.zones.length + 1;
    const rank = cache.nameRank;
    let { groupNode, groupScore, groupRank } = this;
    let groups = 0;
    let found = 0;
    // `order` lists the nodes twice: positions start .. start + all − 1 visit each node once, in turn.
    const start = this.nextStartNodeIndex;
    const end = start + all;
    let position = start;
    for (; position < end && found < wanted; position++) {
      const i = order[position] as number;
      if (slowPath || constrained[i] === 1) {
        const failure = nodePredicateFailure(cache.nodes[i] as CachedNode, place);
        if (failure !== null) {
          this.reasons.set(failure, (this.reasons.get(failure) ?? 0) + 1);
          continue;
        }
      }
      let score = fitScores[i] as number;
      // NaN: not known since the node's totals changed (or the pod's requests did).
      if (Number.isNaN(score)) score = this.rememberFitScore(i);
      if (score === DOES_NOT_FIT) {
        this.countFitFailures(i, place.requests);
        continue;
      }
      if (grouped) {
        const key = (perNode[i] as number) * zoneSlots + (zoneOf[i] as number) + 1;
        if (key >= groupScore.length) {
          this.growGroups(key + 1);
          ({ groupNode, groupScore, groupRank } = this);
        }
        const best = groupScore[key] as number;
        if (best === NO_GROUP) {
          (this.groupKeys as Int32Array)[groups++] = key;
          groupNode[key] = i;
          groupScore[key] = score;
          groupRank[key] = rank[i] as number;
        } else if (score > best || (score === best && (rank[i] as number) < (groupRank[key] as number))) {
          groupNode[key] = i;
          groupScore[key] = score;
          groupRank[key] = rank[i] as number;
        }
      } else {
        base[found] = score;
        feasible[found] = i;
      }
      found++;
    }
    if (grouped) {
      this.groupCount = groups;
      this.groupZoneSlots = zoneSlots;
    }
    this.nextStartNodeIndex = position % all; // start + the nodes processed
    return found;
  }

  /** Forgets the last cycle's groups (their groupScore goes back to NO_GROUP). */
  private clearGroups(): void {
    const { groupKeys, groupScore } = this;
    for (let g = 0; g < this.groupCount; g++) groupScore[groupKeys[g] as number] = NO_GROUP;
    this.groupCount = -1;
  }

  /** Distinct zones of the feasible nodes (the zone spreading weight needs it). */
  private feasibleZoneCount(count: number): number {
    const stamp = ++this.cycle;
    const { zoneSeen, feasible } = this;
    const zoneOf = this.cache.zoneOf;
    let zones = 0;
    for (let j = 0; j < count; j++) {
      const zone = zoneOf[feasible[j] as number] as number;
      if (zone >= 0 && zoneSeen[zone] !== stamp) {
        zoneSeen[zone] = stamp;
        zones++;
      }
    }
    return zones;
  }

  /** Distinct zones of the groups (so of the feasible nodes): a group key holds zone + 1. */
  private groupZoneCount(): number {
    const stamp = ++this.cycle;
    const { zoneSeen, groupKeys } = this;
    const zoneSlots = this.groupZoneSlots;
    let zones = 0;
    for (let g = 0; g < this.groupCount; g++) {
      const zone = ((groupKeys[g] as number) % zoneSlots) - 1;
      if (zone >= 0 && zoneSeen[zone] !== stamp) {
        zoneSeen[zone] = stamp;
        zones++;
      }
    }
    return zones;
  }

  /**
   * Scores the feasible nodes and returns the best node number; ties go to the smaller name.
   *
   * NodeResourcesFit (LeastAllocated) + BalancedAllocation (this.base, from findFeasibleNodes),
   * plus ×2 PodTopologySpread with the system default constraints: raw = Σ count·log(domains + 2)
   * + (maxSkew − 1), rounded, then MaxNodeScore·(max + min − raw)/max. Spreading is skipped for
   * pods without a controller (the default selector is empty). NodeAffinity preferred terms and
   * PreferNoSchedule taints are added only when they can differ between nodes: a constant does
   * not change the choice.
   */
  private pickBest(
    place: PodToPlace,
    owner: string | undefined,
    counts: Readonly<OwnerCounts> | undefined,
    count: number,
  ): number {
    if (this.groupCount >= 0) return this.pickBestOfGroups(owner !== undefined, counts?.perZone, count);
    this.addAffinityAndTaintScores(place, count);
    if (owner === undefined) return bestNode(this.feasible, count, this.base, this.cache.nameRank);
    const cache = this.cache;
    const perNode = counts?.perNode;
    const perZone = counts?.perZone;
    const zoneTerms = this.zoneSpreadTerms(perZone, topologyNormalizingWeight(this.feasibleZoneCount(count)));
    const range = this.spreadRange;
    rawSpreadScores(
      this.feasible,
      count,
      perNode,
      cache.zoneOf,
      zoneTerms,
      topologyNormalizingWeight(count),
      this.spread,
      range,
    );
    const min = range.min;
    // Raw spread scores are integers in [min, max]: normalize each value once.
    const table = this.spreadTable(min, range.max);
    return bestNodeWithSpread(this.feasible, count, this.base, this.spread, table, min, cache.nameRank);
  }

  /**
   * pickBest from the groups findFeasibleNodes kept: every node of a group has the same spread
   * score (and the scores are integers, so adding it keeps their order), hence the best node is
   * the best of the groups' best nodes; min and max of the raw scores are over the groups.
   */
  private pickBestOfGroups(spreading: boolean, perZone: Int32Array | undefined, count: number): number {
    const { groupKeys, groupNode, groupScore, groupRank, groupRaw } = this;
    const groups = this.groupCount;
    if (!spreading) return bestOfGroups(groupKeys, groups, groupNode, groupScore, groupRank, undefined, 0, groupRaw);
    const zoneSlots = this.groupZoneSlots;
    const zoneTerms = this.zoneSpreadTerms(perZone, topologyNormalizingWeight(this.groupZoneCount()));
    const hostWeight = topologyNormalizingWeight(count);
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (let g = 0; g < groups; g++) {
      const key = groupKeys[g] as number;
      const owned = Math.floor(key / zoneSlots);
      const zone = key - owned * zoneSlots - 1;
      let raw = spreadScoreForCount(owned, HOSTNAME_MAX_SKEW, hostWeight);
      if (zone >= 0) raw += zoneTerms[zone] as number;
      const rounded = Math.round(raw);
      groupRaw[g] = rounded;
      if (rounded < min) min = rounded;
      if (rounded > max) max = rounded;
    }
    const table = this.spreadTable(min, max);
    return bestOfGroups(groupKeys, groups, groupNode, groupScore, groupRank, table, min, groupRaw);
  }

  private growGroups(size: number): void {
    const capacity = Math.max(size, this.groupScore.length * 2);
    const previous = this.groupScore.length;
    this.groupNode = grow(this.groupNode, capacity);
    this.groupScore = growFloat(this.groupScore, capacity);
    this.groupScore.fill(NO_GROUP, previous);
    this.groupRank = grow(this.groupRank, capacity);
    this.groupKeys = grow(this.groupKeys, capacity);
    this.groupRaw = new Float64Array(capacity);
  }

  /** The zone spreading term per zone number (it depends only on the zone's count). */
  private zoneSpreadTerms(perZone: Int32Array | undefined, zoneWeight: number): Float64Array {
    const zoneCount = this.cache.zones.length;
    if (this.zoneTerms.length < zoneCount) this.zoneTerms = new Float64Array(zoneCount * 2);
    const zoneTerms = this.zoneTerms;
    for (let zone = 0; zone < zoneCount; zone++) {
      const count = perZone === undefined || zone >= perZone.length ? 0 : (perZone[zone] as number);
      zoneTerms[zone] = spreadScoreForCount(count, ZONE_MAX_SKEW, zoneWeight);
    }
    return zoneTerms;
  }

  /** Forgets the kept resource scores when the pod's requests differ from those they were for. */
  private prepareResourceScores(requests: PodRequests): void {
    const was = this.scoredFor;
    if (
      requests.cpuMilli !== was.cpuMilli ||
      requests.memoryBytes !== was.memoryBytes ||
      requests.nonZeroCpuMilli !== was.nonZeroCpuMilli ||
      requests.nonZeroMemoryBytes !== was.nonZeroMemoryBytes
    ) {
      this.scoredFor = requests;
      this.cache.fitScores.fill(Number.NaN);
    }
  }

  /** fitScoreOf(i), kept in cache.fitScores until node i's totals change. */
  private rememberFitScore(i: number): number {
    const score = this.fitScoreOf(i);
    this.cache.fitScores[i] = score;
    return score;
  }

  /**
   * NodeResourcesFit's filter on node i for the pod of `scoredFor`: DOES_NOT_FIT, or the node's
   * LeastAllocated + BalancedAllocation score. Both depend only on the node's totals and the
   * pod's requests, so findFeasibleNodes keeps the result per node.
   */
  private fitScoreOf(i: number): number {
    const cache = this.cache;
    const requests = this.scoredFor;
    const cpuAllocatable = cache.allocatableCpu[i] as number;
    const memoryAllocatable = cache.allocatableMemory[i] as number;
    const requestedCpu = cache.requestedCpu[i] as number;
    const requestedMemory = cache.requestedMemory[i] as number;
    const fits =
      (cache.allocatablePods[i] as number) - (cache.pods[i] as number) >= 1 &&
      (requests.cpuMilli === 0 || requests.cpuMilli <= cpuAllocatable - requestedCpu) &&
      (requests.memoryBytes === 0 || requests.memoryBytes <= memoryAllocatable - requestedMemory);
    if (!fits) return DOES_NOT_FIT;
    return (
      leastAllocatedScore(
        (cache.nonZeroCpu[i] as number) + requests.nonZeroCpuMilli,
        cpuAllocatable,
        (cache.nonZeroMemory[i] as number) + requests.nonZeroMemoryBytes,
        memoryAllocatable,
      ) +
      balancedAllocationScore(
        requestedCpu + requests.cpuMilli,
        cpuAllocatable,
        requestedMemory + requests.memoryBytes,
        memoryAllocatable,
      )
    );
  }

  /** Counts the NodeResourcesFit reasons of a node the pod does not fit on. */
  private countFitFailures(i: number, requests: PodRequests): void {
    const cache = this.cache;
    const freePods = (cache.allocatablePods[i] as number) - (cache.pods[i] as number);
    const freeCpu = (cache.allocatableCpu[i] as number) - (cache.requestedCpu[i] as number);
    const freeMemory = (cache.allocatableMemory[i] as number) - (cache.requestedMemory[i] as number);
    for (const reason of resourceFitFailure(freePods, freeCpu, freeMemory, requests) ?? []) {
      this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
    }
  }

  /** WEIGHT_SPREAD · normalizeSpreadScore(raw, min, max) for raw = min..max, indexed by raw − min. */
  private spreadTable(min: number, max: number): Float64Array {
    const size = max - min + 1;
    if (this.spreadValues.length < size) this.spreadValues = new Float64Array(size * 2);
    for (let k = 0; k < size; k++) this.spreadValues[k] = WEIGHT_SPREAD * normalizeSpreadScore(min + k, min, max);
    return this.spreadValues;
  }

  /** Whether NodeAffinity preferred terms or PreferNoSchedule taints can score nodes differently. */
  private affinityOrTaintScoresVary(place: PodToPlace): boolean {
    return hasPreferredAffinity(place) || this.cache.preferTaintNodes > 0;
  }

  /** NodeAffinity preferred terms (×2) and TaintToleration PreferNoSchedule (×3), when they can differ. */
  private addAffinityAndTaintScores(place: PodToPlace, count: number): void {
    const withAffinity = hasPreferredAffinity(place);
    const withTaints = this.cache.preferTaintNodes > 0;
    if (!withAffinity && !withTaints) return;
    const { feasible, affinity, taint, base } = this;
    for (let j = 0; j < count; j++) {
      const node = this.cache.nodes[feasible[j] as number] as CachedNode;
      affinity[j] = withAffinity ? preferredAffinityWeight(place.spec, node.labels, node.name) : 0;
      taint[j] = withTaints ? intolerablePreferNoSchedule(node, place.tolerations) : 0;
    }
    defaultNormalizeScore(affinity, count, false);
    defaultNormalizeScore(taint, count, true);
    for (let j = 0; j < count; j++) {
      base[j] = (base[j] as number) + WEIGHT_AFFINITY * (affinity[j] as number) + WEIGHT_TAINT * (taint[j] as number);
    }
  }

  private ensureScratch(nodes: number, zones: number): void {
    if (this.zoneSeen.length < zones) this.zoneSeen = new Int32Array(zones * 2);
    if (this.feasible.length >= nodes) return;
    const size = Math.max(nodes, this.feasible.length * 2);
    this.feasible = new Int32Array(size);
    this.base = new Float64Array(size);
    this.spread = new Float64Array(size);
    this.affinity = new Float64Array(size);
    this.taint = new Float64Array(size);
  }

  /** Assumes the pod on the node, then binds it (the binding subresource's checks first). */
  private bind(key: string, pod: Pod, node: CachedNode, place: PodToPlace): void {
    const { namespace, name, uid } = pod.metadata;
    const current = this.world.store.getByKey<Pod>("Pod", key); // key: objectKey(namespace, name)
    if (current === undefined || current.metadata.uid !== uid) return;
    if (current.spec?.nodeName !== undefined || current.metadata.deletionTimestamp !== undefined) return;
    this.cache.charge(key, uid, node, place.requests, controllerOf(current)?.uid, true);
    const spec = Object.freeze(copyWith(current.spec ?? { containers: [] }, { nodeName: node.name }));
    const status = withScheduledCondition(current.status, "True", undefined, undefined, this.world.nowMs);
    this.world.store.setSpecAndStatus("Pod", namespace, name, spec, status);
    this.world.recordEvent(
      current,
      "Normal",
      "Scheduled",
      `Successfully assigned ${namespace}/${name} to ${node.name}`,
    );
  }

  private recordFailure(key: string, pod: Pod, place: PodToPlace, message: string): void {
    const { namespace, name, uid } = pod.metadata;
    const current = this.world.store.getByKey<Pod>("Pod", key); // key: objectKey(namespace, name)
    if (current === undefined || current.metadata.uid !== uid || !needsScheduling(current)) return;
    const condition = podCondition(current, "PodScheduled");
    if (condition?.status !== "False" || condition.reason !== "Unschedulable" || condition.message !== message) {
      const status = withScheduledCondition(current.status, "False", "Unschedulable", message, this.world.nowMs);
      try {
        this.world.store.patch<Pod>("Pod", namespace, name, (draft) => {
          draft.status = status as typeof draft.status;
        });
      } catch (error) {
        if (!isApiError(error)) throw error;
      }
    }
    this.world.recordEvent(current, "Warning", "FailedScheduling", message);
    const timer = this.world.kernel.schedule(this.world.config.timing.schedulingRetryMs, this.retryDue, key);
    this.unschedulable.set(key, { uid, place, nodeEpoch: this.nodeEpoch, dirty: false, timer });
  }
}

/** fitScoreOf's value for a node the pod does not fit on (scores are never −∞). */
const DOES_NOT_FIT = Number.NEGATIVE_INFINITY;

/** groupScore of a group key no feasible node had this cycle (scores are never −∞). */
const NO_GROUP = Number.NEGATIVE_INFINITY;

/** The smallest and largest raw spread score of a cycle. */
interface SpreadRange {
  min: number;
  max: number;
}

/**
 * PodTopologySpread raw scores of the feasible nodes into `out` (rounded hostname term plus the
 * node's zone term), and their min and max into `range`.
 */
function rawSpreadScores(
  feasible: Int32Array,
  count: number,
  perNode: Int32Array | undefined,
  zoneOf: Int32Array,
  zoneTerms: Float64Array,
  hostWeight: number,
  out: Float64Array,
  range: SpreadRange,
): void {
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (let j = 0; j < count; j++) {
    const i = feasible[j] as number;
    const owned = perNode === undefined || i >= perNode.length ? 0 : (perNode[i] as number);
    let raw = spreadScoreForCount(owned, HOSTNAME_MAX_SKEW, hostWeight);
    const zone = zoneOf[i] as number;
    if (zone >= 0) raw += zoneTerms[zone] as number;
    const rounded = Math.round(raw);
    out[j] = rounded;
    if (rounded < min) min = rounded;
    if (rounded > max) max = rounded;
  }
  range.min = min;
  range.max = max;
}

function hasPreferredAffinity(place: PodToPlace): boolean {
  const preferred = place.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  return preferred !== undefined && preferred.length > 0;
}

/**
 * bestNode over the groups' best nodes (node, resource score and name rank by group key), adding
 * table[groupRaw[g] − min] when there is a spread table.
 */
function bestOfGroups(
  groupKeys: Int32Array,
  groups: number,
  groupNode: Int32Array,
  groupScore: Float64Array,
  groupRank: Int32Array,
  table: Float64Array | undefined,
  min: number,
  groupRaw: Float64Array,
): number {
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  let bestRank = 0;
  for (let g = 0; g < groups; g++) {
    const key = groupKeys[g] as number;
    const spread = table === undefined ? 0 : (table[(groupRaw[g] as number) - min] as number);
    const score = (groupScore[key] as number) + spread;
    const rank = groupRank[key] as number;
    if (score > bestScore || (score === bestScore && rank < bestRank)) {
      best = groupNode[key] as number;
      bestScore = score;
      bestRank = rank;
    }
  }
  return best;
}

/** The feasible node with the highest score; ties go to the smaller name rank. */
function bestNode(feasible: Int32Array, count: number, scores: Float64Array, rank: Int32Array): number {
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < count; j++) {
    const i = feasible[j] as number;
    const score = scores[j] as number;
    if (score > bestScore || (score === bestScore && (rank[i] as number) < (rank[best] as number))) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}

/** bestNode on base + table[spread − min] (the weighted, normalized spread score). */
function bestNodeWithSpread(
  feasible: Int32Array,
  count: number,
  base: Float64Array,
  spread: Float64Array,
  table: Float64Array,
  min: number,
  rank: Int32Array,
): number {
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < count; j++) {
    const i = feasible[j] as number;
    const score = (base[j] as number) + (table[(spread[j] as number) - min] as number);
    if (score > bestScore || (score === bestScore && (rank[i] as number) < (rank[best] as number))) {
      best = i;
      bestScore = score;
    }
  }
  return best;
}

/**
 * A bound pod's update that changes nothing account() or considerQueueing() look at (a status
 * write, mostly): handling `previous` already left the charge and the queues as this one would.
 */
function unchangedBoundPod(previous: Pod, pod: Pod): boolean {
  const meta = pod.metadata;
  const before = previous.metadata;
  return (
    previous.spec === pod.spec &&
    pod.spec?.nodeName !== undefined &&
    before.uid === meta.uid &&
    before.deletionTimestamp === meta.deletionTimestamp &&
    before.ownerReferences === meta.ownerReferences &&
    isPodTerminal(previous) === isPodTerminal(pod)
  );
}

function needsScheduling(pod: Pod): boolean {
  return (
    pod.spec?.nodeName === undefined &&
    pod.metadata.deletionTimestamp === undefined &&
    (pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME) === DEFAULT_SCHEDULER_NAME &&
    !isPodTerminal(pod)
  );
}

/** A new pod's status has no conditions: one shared empty list instead of one per bind. */
const NO_CONDITIONS: readonly PodCondition[] = Object.freeze([]);

/**
 * The status with PodScheduled set (a new frozen object; the rest shared): lastTransitionTime
 * moves only when the condition's status does.
 */
function withScheduledCondition(
  status: PodStatus | undefined,
  conditionStatus: "True" | "False",
  reason: string | undefined,
  message: string | undefined,
  nowMs: number,
): PodStatus {
  const conditions = status?.conditions ?? NO_CONDITIONS;
  const index = podScheduledIndex(conditions);
  const existing = index < 0 ? undefined : conditions[index];
  const condition: PodCondition = { type: "PodScheduled", status: conditionStatus };
  if (reason !== undefined) condition.reason = reason;
  if (message !== undefined) condition.message = message;
  condition.lastTransitionTime =
    existing?.status === conditionStatus ? existing.lastTransitionTime : toTimestamp(nowMs);
  // Spread, not slice: slice is several times slower on a frozen array (V8 leaves its fast path).
  const next = [...conditions];
  if (existing === undefined) next.push(Object.freeze(condition));
  else next[index] = Object.freeze(condition);
  return Object.freeze(copyWith(status ?? {}, { conditions: Object.freeze(next) as PodCondition[] }));
}

/** Index of the PodScheduled condition, −1 if none (a loop: no closure per bind). */
function podScheduledIndex(conditions: readonly PodCondition[]): number {
  for (let index = 0; index < conditions.length; index++) {
    if ((conditions[index] as PodCondition).type === "PodScheduled") return index;
  }
  return -1;
}

/** True if the update changes labels, taints, allocatable, unschedulable or the Ready status. */
function nodeUpdateMatters(previous: Node | undefined, next: Node): boolean {
  if (previous === undefined) return true;
  return (
    previous.metadata.labels !== next.metadata.labels ||
    previous.spec?.taints !== next.spec?.taints ||
    previous.spec?.unschedulable !== next.spec?.unschedulable ||
    previous.status?.allocatable !== next.status?.allocatable ||
    nodeReadyStatus(previous) !== nodeReadyStatus(next)
  );
}
