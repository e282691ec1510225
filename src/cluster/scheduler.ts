/**
 * The default scheduler (component "scheduler"), after kube-scheduler's scheduling queue and
 * cycle (pkg/scheduler/schedule_one.go, internal/queue/scheduling_queue.go, internal/cache):
 *
 * - It watches pods through world.cache. Pods without spec.nodeName, not being deleted and with
 *   schedulerName default-scheduler wait in a FIFO active queue; one pod is scheduled at a time,
 *   each cycle taking `timing.scheduling` (sampled from stream "scheduler/latency").
 * - A cycle filters nodes in the node tree's zone-interleaved order, starting where the previous
 *   cycle stopped, until percentageOfNodesToScore (adaptive) feasible nodes are found; scores them
 *   (scheduling.ts); binds to the best, ties broken by node name (kube-scheduler picks at random).
 * - Node totals are kept incrementally: every pod bound to a node and not terminal holds its
 *   requests (terminating pods too), and a pod the scheduler has bound but the cache does not
 *   show yet is "assumed" and counted from the moment of binding.
 * - A pod that fits nowhere gets PodScheduled=False/Unschedulable with FitError's message and waits
 *   in the unschedulable set. It is tried again after `timing.schedulingRetryMs`, at once when a
 *   node changes, or when a pod leaving a node frees room it would fit in. A periodic retry is
 *   skipped when nothing it depends on changed since the last attempt (its result would be the
 *   same failure); that keeps unschedulable pods from costing O(nodes) every period.
 */
import type { Taint } from "kubernetes-types/core/v1.js";
import { isApiError } from "../api/errors.ts";
import type { Node, Pod } from "../api/kinds.ts";
import { LABEL_ZONE } from "../api/kinds.ts";
import { controllerOf, objectKey, toTimestamp } from "../api/object.ts";
import { isPodTerminal, podCondition } from "../api/pod.ts";
import { parseCpuMilli, parseMemoryBytes, parseQuantity } from "../api/quantity.ts";
import type { WatchEventType } from "../api/store.ts";
import type { EventId } from "../sim/event-queue.ts";
import { type RandomStream, sampleMs } from "../sim/random.ts";
import type { Component, World } from "../world/world.ts";
import {
  balancedAllocationScore,
  defaultNormalizeScore,
  filterNode,
  intolerablePreferNoSchedule,
  leastAllocatedScore,
  type NodeTotals,
  normalizeSpreadScores,
  numFeasibleNodesToFind,
  type PodRequests,
  type PodToPlace,
  podRequests,
  preferredAffinityWeight,
  spreadScoreForCount,
  topologyNormalizingWeight,
  unschedulableMessage,
} from "./scheduling.ts";
import { TAINT_NOT_READY, TAINT_UNREACHABLE, withDefaultTolerations } from "./taints.ts";

export const SCHEDULER_COMPONENT = "scheduler";
export const DEFAULT_SCHEDULER_NAME = "default-scheduler";

/** Default plugin weights (apis/config/v1/default_plugins.go). */
const WEIGHT_FIT = 1;
const WEIGHT_BALANCED = 1;
const WEIGHT_SPREAD = 2;
const WEIGHT_AFFINITY = 2;
const WEIGHT_TAINT = 3;
/** System default topology spread constraints (podtopologyspread/plugin.go). */
const HOSTNAME_MAX_SKEW = 3;
const ZONE_MAX_SKEW = 5;

interface SchedulerNode extends NodeTotals {
  zone: string | undefined;
  /** In the cache (a node seen only through pods bound to it is not). */
  present: boolean;
  /** Non-terminating pods per controller owner uid, for spreading. */
  readonly ownerCounts: Map<string, number>;
  /** The Node object last applied, to skip updates that change nothing the scheduler uses. */
  source: Node | undefined;
}

/** What one pod holds on its node. */
interface Charge {
  readonly uid: string;
  readonly node: SchedulerNode;
  readonly requests: PodRequests;
  /** Controller owner uid while the pod counts for spreading (not terminating). */
  owner: string | undefined;
  /** Bound by this scheduler; the cache does not show the binding yet. */
  assumed: boolean;
}

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
  private readonly nodes = new Map<string, SchedulerNode>();
  /** Present nodes in node-tree order (zones round-robin). */
  private nodeList: SchedulerNode[] = [];
  private readonly charges = new Map<string, Charge>();
  private readonly ownerZoneCounts = new Map<string, Map<string, number>>();
  private active: string[] = [];
  private activeHead = 0;
  private readonly queued = new Set<string>();
  private readonly unschedulable = new Map<string, Unschedulable>();
  private inFlight: string | null = null;
  private suspended = false;
  private nextStartNodeIndex = 0;
  private nodeEpoch = 0;
  private readonly stream: RandomStream;
  private feasible: SchedulerNode[] = [];
  private readonly reasons = new Map<string, number>();
  private scoreTotal = new Float64Array(64);
  private scoreSpread = new Float64Array(64);
  private scoreAffinity = new Float64Array(64);
  private scoreTaint = new Float64Array(64);

  constructor(private readonly world: World) {
    this.stream = world.random("scheduler/latency");
  }

  start(): void {
    this.world.cache.on("Node", (type, object) => this.onNode(type, object as Node));
    this.world.cache.on("Pod", (type, object, previous) => this.onPod(type, object as Pod, previous as Pod | undefined));
  }

  suspend(): void {
    this.suspended = true;
  }

  resume(): void {
    this.suspended = false;
    this.pump();
  }

  /** Pods waiting in the active queue plus the one being scheduled (for tests and reports). */
  get pendingCount(): number {
    return this.queued.size + (this.inFlight === null ? 0 : 1);
  }

  get unschedulableCount(): number {
    return this.unschedulable.size;
  }

  // ---- nodes ----

  private onNode(type: WatchEventType, node: Node): void {
    const state = this.nodeState(node.metadata.name);
    if (type === "DELETED") {
      state.present = false;
      state.source = undefined;
      this.rebuildNodeList();
      this.nodeChanged();
      return;
    }
    if (state.present && !nodeUpdateMatters(state.source, node)) {
      state.source = node;
      return;
    }
    const wasPresent = state.present;
    const previousZone = state.zone;
    applyNodeObject(state, node);
    if (!wasPresent || previousZone !== state.zone) this.rebuildNodeList();
    this.nodeChanged();
  }

  private nodeState(name: string): SchedulerNode {
    let state = this.nodes.get(name);
    if (state === undefined) {
      state = emptyNode(name);
      this.nodes.set(name, state);
    }
    return state;
  }

  /** node_tree.go list(): zones in order of first appearance, one node of each zone in turn. */
  private rebuildNodeList(): void {
    const zones = new Map<string, SchedulerNode[]>();
    for (const node of this.nodes.values()) {
      if (!node.present) continue;
      const zone = node.zone ?? "";
      let list = zones.get(zone);
      if (list === undefined) {
        list = [];
        zones.set(zone, list);
      }
      list.push(node);
    }
    const ordered: SchedulerNode[] = [];
    const lists = [...zones.values()];
    for (let index = 0; ordered.length < this.presentCount(lists); index++) {
      for (const list of lists) if (index < list.length) ordered.push(list[index] as SchedulerNode);
    }
    this.nodeList = ordered;
    if (this.nextStartNodeIndex >= ordered.length) this.nextStartNodeIndex = 0;
  }

  private presentCount(lists: SchedulerNode[][]): number {
    let count = 0;
    for (const list of lists) count += list.length;
    return count;
  }

  /** A node changed: every unschedulable pod gets another attempt (MoveAllToActiveOrBackoffQueue). */
  private nodeChanged(): void {
    this.nodeEpoch++;
    for (const key of [...this.unschedulable.keys()]) this.moveToActive(key);
  }

  // ---- pods: accounting ----

  private onPod(type: WatchEventType, pod: Pod, previous: Pod | undefined): void {
    const key = objectKey(pod.metadata.namespace, pod.metadata.name);
    if (type === "DELETED") {
      const charge = this.charges.get(key);
      if (charge !== undefined && charge.uid === pod.metadata.uid) this.uncharge(key, charge);
      this.forgetWaiting(key);
      return;
    }
    this.account(key, pod);
    this.considerQueueing(key, pod, previous);
  }

  private account(key: string, pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    let charge = this.charges.get(key);
    if (charge !== undefined && charge.uid !== pod.metadata.uid) {
      this.uncharge(key, charge);
      charge = undefined;
    }
    if (nodeName === undefined) return; // unbound (or an assumed pod the cache has not caught up with)
    if (isPodTerminal(pod)) {
      if (charge !== undefined) this.uncharge(key, charge);
      return;
    }
    const owner = pod.metadata.deletionTimestamp === undefined ? controllerOf(pod)?.uid : undefined;
    if (charge !== undefined && charge.node.name === nodeName) {
      charge.assumed = false;
      if (charge.owner !== owner) this.setOwner(charge, owner);
      return;
    }
    if (charge !== undefined) this.uncharge(key, charge);
    this.charge(key, pod.metadata.uid, this.nodeState(nodeName), podRequests(pod.spec), owner, false);
  }

  private charge(key: string, uid: string, node: SchedulerNode, requests: PodRequests, owner: string | undefined, assumed: boolean): void {
    node.requestedCpuMilli += requests.cpuMilli;
    node.requestedMemoryBytes += requests.memoryBytes;
    node.nonZeroCpuMilli += requests.nonZeroCpuMilli;
    node.nonZeroMemoryBytes += requests.nonZeroMemoryBytes;
    node.pods++;
    const charge: Charge = { uid, node, requests, owner: undefined, assumed };
    this.charges.set(key, charge);
    this.setOwner(charge, owner);
  }

  private uncharge(key: string, charge: Charge): void {
    const node = charge.node;
    node.requestedCpuMilli -= charge.requests.cpuMilli;
    node.requestedMemoryBytes -= charge.requests.memoryBytes;
    node.nonZeroCpuMilli -= charge.requests.nonZeroCpuMilli;
    node.nonZeroMemoryBytes -= charge.requests.nonZeroMemoryBytes;
    node.pods--;
    this.setOwner(charge, undefined);
    this.charges.delete(key);
    this.wakeForFreedNode(node);
  }

  private setOwner(charge: Charge, owner: string | undefined): void {
    if (charge.owner !== undefined) this.countOwner(charge.node, charge.owner, -1);
    charge.owner = owner;
    if (owner !== undefined) this.countOwner(charge.node, owner, 1);
  }

  private countOwner(node: SchedulerNode, owner: string, delta: number): void {
    const onNode = (node.ownerCounts.get(owner) ?? 0) + delta;
    if (onNode === 0) node.ownerCounts.delete(owner);
    else node.ownerCounts.set(owner, onNode);
    if (node.zone === undefined) return;
    let zones = this.ownerZoneCounts.get(owner);
    if (zones === undefined) {
      zones = new Map();
      this.ownerZoneCounts.set(owner, zones);
    }
    const inZone = (zones.get(node.zone) ?? 0) + delta;
    if (inZone === 0) zones.delete(node.zone);
    else zones.set(node.zone, inZone);
    if (zones.size === 0) this.ownerZoneCounts.delete(owner);
  }

  // ---- pods: queues ----

  private considerQueueing(key: string, pod: Pod, previous: Pod | undefined): void {
    if (!needsScheduling(pod)) {
      this.forgetWaiting(key);
      return;
    }
    if (this.charges.get(key)?.assumed === true) return; // we bound it; the cache lags
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
    const waiting = this.unschedulable.get(key);
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
   * Room was freed on `node`: wake the unschedulable pods (in the order they failed) that now
   * pass every filter there, promising the room to each in turn so only those that fit together
   * wake; the others are marked for their periodic retry.
   */
  private wakeForFreedNode(node: SchedulerNode): void {
    if (this.unschedulable.size === 0 || !node.present) return;
    const promised = { cpuMilli: 0, memoryBytes: 0, pods: 0 };
    const wake: string[] = [];
    for (const [key, waiting] of this.unschedulable) {
      if (filterNode(node, waiting.place, promised) === null) {
        wake.push(key);
        promised.cpuMilli += waiting.place.requests.cpuMilli;
        promised.memoryBytes += waiting.place.requests.memoryBytes;
        promised.pods++;
      } else if (promised.pods > 0 && filterNode(node, waiting.place) === null) {
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
    if (pod !== undefined && needsScheduling(pod) && this.charges.get(key)?.assumed !== true) {
      this.scheduleOne(key, pod);
    }
    this.pump();
  };

  private scheduleOne(key: string, pod: Pod): void {
    const place: PodToPlace = {
      spec: pod.spec,
      requests: podRequests(pod.spec),
      tolerations: withDefaultTolerations(pod.spec?.tolerations, this.world.config.timing.defaultTolerationSeconds),
    };
    const found = this.findFeasibleNodes(place);
    if (found === 0) {
      this.recordFailure(key, pod, place, unschedulableMessage(this.nodeList.length, this.reasons));
      return;
    }
    const chosen = found === 1 ? (this.feasible[0] as SchedulerNode) : this.pickBest(pod, place, found);
    this.bind(key, pod, chosen, place.requests);
  }

  /** findNodesThatPassFilters: stops after numFeasibleNodesToFind; fills this.feasible and this.reasons. */
  private findFeasibleNodes(place: PodToPlace): number {
    const list = this.nodeList;
    const all = list.length;
    this.reasons.clear();
    if (all === 0) return 0;
    const wanted = numFeasibleNodesToFind(all);
    let found = 0;
    let processed = 0;
    for (let i = 0; i < all && found < wanted; i++) {
      const node = list[(this.nextStartNodeIndex + i) % all] as SchedulerNode;
      processed++;
      const failed = filterNode(node, place);
      if (failed === null) {
        this.feasible[found++] = node;
        continue;
      }
      for (const reason of failed) this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
    }
    this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % all;
    return found;
  }

  /** Scores the feasible nodes (see scheduling.ts for each plugin) and picks the best; ties go to the name. */
  private pickBest(pod: Pod, place: PodToPlace, count: number): SchedulerNode {
    this.ensureScoreCapacity(count);
    const { scoreTotal: total, scoreAffinity: affinity, scoreTaint: taint } = this;
    for (let i = 0; i < count; i++) {
      const node = this.feasible[i] as SchedulerNode;
      total[i] = WEIGHT_FIT * leastAllocatedScore(node, place.requests) + WEIGHT_BALANCED * balancedAllocationScore(node, place.requests);
      affinity[i] = preferredAffinityWeight(place.spec, node.labels, node.name);
      taint[i] = intolerablePreferNoSchedule(node, place.tolerations);
    }
    this.addSpreadScores(controllerOf(pod)?.uid, count);
    defaultNormalizeScore(affinity, count, false);
    defaultNormalizeScore(taint, count, true);
    let best = 0;
    for (let i = 0; i < count; i++) {
      total[i] = (total[i] as number) + WEIGHT_AFFINITY * (affinity[i] as number) + WEIGHT_TAINT * (taint[i] as number);
      if (i === 0) continue;
      const better = (total[i] as number) > (total[best] as number);
      const tie = total[i] === total[best];
      if (better || (tie && (this.feasible[i] as SchedulerNode).name < (this.feasible[best] as SchedulerNode).name)) best = i;
    }
    return this.feasible[best] as SchedulerNode;
  }

  /** PodTopologySpread with the system default constraints; skipped for pods without a controller. */
  private addSpreadScores(owner: string | undefined, count: number): void {
    if (owner === undefined) return;
    const spread = this.scoreSpread;
    const zones = new Set<string>();
    for (let i = 0; i < count; i++) {
      const zone = (this.feasible[i] as SchedulerNode).zone;
      if (zone !== undefined) zones.add(zone);
    }
    const hostWeight = topologyNormalizingWeight(count);
    const zoneWeight = topologyNormalizingWeight(zones.size);
    const zoneCounts = this.ownerZoneCounts.get(owner);
    for (let i = 0; i < count; i++) {
      const node = this.feasible[i] as SchedulerNode;
      let score = spreadScoreForCount(node.ownerCounts.get(owner) ?? 0, HOSTNAME_MAX_SKEW, hostWeight);
      if (node.zone !== undefined) score += spreadScoreForCount(zoneCounts?.get(node.zone) ?? 0, ZONE_MAX_SKEW, zoneWeight);
      spread[i] = Math.round(score);
    }
    normalizeSpreadScores(spread, count);
    for (let i = 0; i < count; i++) this.scoreTotal[i] = (this.scoreTotal[i] as number) + WEIGHT_SPREAD * (spread[i] as number);
  }

  private ensureScoreCapacity(count: number): void {
    if (this.scoreTotal.length >= count) return;
    const size = Math.max(count, this.scoreTotal.length * 2);
    this.scoreTotal = new Float64Array(size);
    this.scoreSpread = new Float64Array(size);
    this.scoreAffinity = new Float64Array(size);
    this.scoreTaint = new Float64Array(size);
  }

  /** Assumes the pod on the node, then binds it (the binding subresource's checks first). */
  private bind(key: string, pod: Pod, node: SchedulerNode, requests: PodRequests): void {
    const { namespace, name, uid } = pod.metadata;
    const current = this.world.store.get<Pod>("Pod", namespace, name);
    if (current === undefined || current.metadata.uid !== uid) return;
    if (current.spec?.nodeName !== undefined || current.metadata.deletionTimestamp !== undefined) return;
    this.charge(key, uid, node, requests, controllerOf(current)?.uid, true);
    const nowMs = this.world.nowMs;
    this.world.store.patch<Pod>("Pod", namespace, name, (draft) => {
      draft.spec ??= { containers: [] };
      draft.spec.nodeName = node.name;
      setScheduledCondition(draft as unknown as Pod, "True", undefined, undefined, nowMs);
    });
    this.world.recordEvent(current, "Normal", "Scheduled", `Successfully assigned ${namespace}/${name} to ${node.name}`);
  }

  private recordFailure(key: string, pod: Pod, place: PodToPlace, message: string): void {
    const { namespace, name, uid } = pod.metadata;
    const current = this.world.store.get<Pod>("Pod", namespace, name);
    if (current === undefined || current.metadata.uid !== uid || !needsScheduling(current)) return;
    const condition = podCondition(current, "PodScheduled");
    if (condition?.status !== "False" || condition.reason !== "Unschedulable" || condition.message !== message) {
      const nowMs = this.world.nowMs;
      try {
        this.world.store.patch<Pod>("Pod", namespace, name, (draft) => {
          setScheduledCondition(draft as unknown as Pod, "False", "Unschedulable", message, nowMs);
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

function needsScheduling(pod: Pod): boolean {
  return (
    pod.spec?.nodeName === undefined &&
    pod.metadata.deletionTimestamp === undefined &&
    (pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME) === DEFAULT_SCHEDULER_NAME &&
    !isPodTerminal(pod)
  );
}

/** Sets PodScheduled on a draft; lastTransitionTime moves only when the status does. */
function setScheduledCondition(draft: Pod, status: "True" | "False", reason: string | undefined, message: string | undefined, nowMs: number): void {
  const writable = draft as { status?: { conditions?: Record<string, unknown>[] } };
  writable.status ??= {};
  writable.status.conditions ??= [];
  const conditions = writable.status.conditions;
  const existing = conditions.find((condition) => condition.type === "PodScheduled");
  const next: Record<string, unknown> = { type: "PodScheduled", status };
  if (reason !== undefined) next.reason = reason;
  if (message !== undefined) next.message = message;
  if (existing === undefined) {
    conditions.push({ ...next, lastTransitionTime: toTimestamp(nowMs) });
    return;
  }
  next.lastTransitionTime = existing.status === status ? existing.lastTransitionTime : toTimestamp(nowMs);
  conditions[conditions.indexOf(existing)] = next;
}

function emptyNode(name: string): SchedulerNode {
  return {
    name,
    labels: {},
    taints: [],
    preferNoScheduleTaints: [],
    unschedulable: false,
    allocatableCpuMilli: 0,
    allocatableMemoryBytes: 0,
    allocatablePods: 0,
    requestedCpuMilli: 0,
    requestedMemoryBytes: 0,
    nonZeroCpuMilli: 0,
    nonZeroMemoryBytes: 0,
    pods: 0,
    zone: undefined,
    present: false,
    ownerCounts: new Map(),
    source: undefined,
  };
}

/** True if the update changes labels, taints, allocatable, unschedulable or the Ready status. */
function nodeUpdateMatters(previous: Node | undefined, next: Node): boolean {
  if (previous === undefined) return true;
  return (
    previous.metadata.labels !== next.metadata.labels ||
    previous.spec?.taints !== next.spec?.taints ||
    previous.spec?.unschedulable !== next.spec?.unschedulable ||
    previous.status?.allocatable !== next.status?.allocatable ||
    readyStatus(previous) !== readyStatus(next)
  );
}

function readyStatus(node: Node): string {
  return node.status?.conditions?.find((condition) => condition.type === "Ready")?.status ?? "Unknown";
}

/** Copies what the scheduler uses from a Node object (nodeinfo.SetNode). */
function applyNodeObject(state: SchedulerNode, node: Node): void {
  state.source = node;
  state.present = true;
  state.labels = node.metadata.labels ?? {};
  state.zone = state.labels[LABEL_ZONE];
  const allocatable = (node.status?.allocatable ?? node.status?.capacity ?? {}) as Record<string, string>;
  state.allocatableCpuMilli = allocatable.cpu === undefined ? 0 : (parseCpuMilli(allocatable.cpu) ?? 0);
  state.allocatableMemoryBytes = allocatable.memory === undefined ? 0 : (parseMemoryBytes(allocatable.memory) ?? 0);
  state.allocatablePods = allocatable.pods === undefined ? 0 : Math.floor(parseQuantity(allocatable.pods) ?? 0);
  state.unschedulable = node.spec?.unschedulable === true;
  const taints: Taint[] = [];
  const prefer: Taint[] = [];
  for (const taint of node.spec?.taints ?? []) {
    if (taint.effect === "PreferNoSchedule") prefer.push(taint);
    else taints.push(taint);
  }
  // What condition-based tainting (TaintNodesByCondition) adds for a node that is not Ready; kept
  // here too so a not-Ready node is never chosen in the moment before the taint is written.
  const ready = readyStatus(node);
  if (ready !== "True") {
    const key = ready === "False" ? TAINT_NOT_READY : TAINT_UNREACHABLE;
    if (!taints.some((taint) => taint.key === key && taint.effect === "NoSchedule")) taints.push({ key, effect: "NoSchedule" });
  }
  state.taints = taints;
  state.preferNoScheduleTaints = prefer;
}

