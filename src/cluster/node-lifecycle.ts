/**
 * The node lifecycle controller (component "node-lifecycle"), after v1.28's
 * pkg/controller/nodelifecycle/node_lifecycle_controller.go (kubernetes-semantics.md §6.2):
 *
 * - monitorNodeHealth, every timing.nodeMonitorPeriodMs from time 0: a node's probeTimestamp is
 *   the pass at which its Lease renewal was last seen to advance; once now > probeTimestamp +
 *   timing.nodeMonitorGracePeriodMs, Ready, MemoryPressure, DiskPressure and PIDPressure become
 *   Unknown (NodeStatusUnknown, "Kubelet stopped posting node status."), the Node gets a
 *   NodeNotReady event and MarkPodsNotReady sets Ready=False on its pods;
 * - taints: a node observed not Ready is queued in its zone's rate-limited tainter (token bucket,
 *   0.1 nodes/s, burst 1; tried on 100 ms ticks) and gets node.kubernetes.io/unreachable (Ready
 *   Unknown) or not-ready (Ready False) with effect NoExecute (ticks at 100k + 50 ms, see
 *   TAINTING_PHASE_MS); a node observed Ready again loses
 *   both. Zone states Normal / PartialDisruption / FullDisruption set the zone's rate
 *   (handleDisruption); when every zone is fully disrupted, tainting stops and taints are removed;
 * - condition taints (doNoScheduleTaintingPass) on every Node update: NoSchedule taints for not
 *   ready/unreachable, pressure conditions and spec.unschedulable;
 * - the NoExecute taint manager (taint-manager.ts) evicts pods that do not tolerate the taints.
 *
 * The Lease is read from the kubelet component in memory (its renewals are not store writes; see
 * kubelet.ts), which is what the controller's lease informer would show, without the watch delay.
 * Left out: node-startup-grace-period (our nodes post Ready from creation), the per-pod update
 * queue's retries, node deletion handling beyond forgetting the node.
 */
import type { Draft } from "immer";
import type { NodeCondition, Taint } from "kubernetes-types/core/v1.js";
import { isApiError } from "../api/errors.ts";
import type { Node, Pod } from "../api/kinds.ts";
import { LABEL_ZONE } from "../api/kinds.ts";
import { toTimestamp } from "../api/object.ts";
import type { WatchEventType } from "../api/store.ts";
import type { EventId } from "../sim/event-queue.ts";
import { type Component, INDEX_PODS_BY_NODE, type World } from "../world/world.ts";
import { NODE_NAMESPACE } from "./nodes.ts";
import { KUBELET_COMPONENT } from "./runtime.ts";
import { TaintManager } from "./taint-manager.ts";
import {
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY,
  TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
} from "./taints.ts";

export const NODE_LIFECYCLE_COMPONENT = "node-lifecycle";

/** kube-controller-manager defaults (§6.1). */
export const EVICTION_LIMITER_QPS = 0.1;
export const SECONDARY_EVICTION_LIMITER_QPS = 0.01;
export const LARGE_CLUSTER_THRESHOLD = 50;
export const UNHEALTHY_ZONE_THRESHOLD = 0.55;
/** NodeEvictionPeriod: how often the NoExecute tainting pass runs. */
export const TAINTING_PASS_MS = 100;
/**
 * The tainting loop and the monitor loop run independently in the controller manager; we put the
 * tainting ticks half a tick after the monitor's, so a pass never reads the informer in the same
 * millisecond a taint is written (which would queue the node again and spend a token on it).
 */
export const TAINTING_PHASE_MS = 50;

/** Where the controller reads Lease renewals (the kubelet component). */
export interface NodeHeartbeatSource {
  /**
   * The node's Lease, or undefined for an unknown node. The controller keeps it for as long as it
   * tracks the node (its lease informer's entry): a source's leases last the whole run.
   */
  nodeLease(nodeName: string): NodeLease | undefined;
}

/** A node's Lease, as the controller reads it. */
export interface NodeLease {
  /** spec.renewTime: the last renewal, in ms. */
  renewTimeMs(): number;
}

export type ZoneState = "Initial" | "Normal" | "PartialDisruption" | "FullDisruption";

const UNREACHABLE_NO_EXECUTE: Taint = { key: TAINT_UNREACHABLE, effect: "NoExecute" };
const NOT_READY_NO_EXECUTE: Taint = { key: TAINT_NOT_READY, effect: "NoExecute" };
/** nodeConditionToTaintKeyStatusMap. */
const CONDITION_TAINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: TAINT_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_PID_PRESSURE },
};
const CONDITION_TAINT_KEYS = new Set([
  TAINT_NOT_READY,
  TAINT_UNREACHABLE,
  TAINT_MEMORY_PRESSURE,
  TAINT_DISK_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_PID_PRESSURE,
  TAINT_UNSCHEDULABLE,
]);
const UNKNOWN_CONDITION_TYPES = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];

/** flowcontrol token bucket (golang.org/x/time/rate): starts full; qps 0 never accepts. */
class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    readonly qps: number,
    nowMs: number,
    private readonly burst = 1,
  ) {
    this.tokens = qps > 0 ? burst : 0;
    this.lastMs = nowMs;
  }

  private refill(nowMs: number): void {
    if (this.qps <= 0) return;
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) * this.qps) / 1000);
    this.lastMs = nowMs;
  }

  tryAccept(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** When the next token is available (Infinity for a never-accepting bucket). */
  availableAtMs(nowMs: number): number {
    if (this.qps <= 0) return Number.POSITIVE_INFINITY;
    this.refill(nowMs);
    return this.tokens >= 1 ? nowMs : nowMs + Math.ceil(((1 - this.tokens) * 1000) / this.qps);
  }
}

/** A zone's RateLimitedTimedQueue of nodes to taint. */
interface ZoneTainter {
  readonly zone: string;
  /** Nodes waiting, in the order they were added (all are due when added). */
  queue: string[];
  /** Nodes added and not removed: a processed node stays here until marked reachable. */
  readonly members: Set<string>;
  limiter: TokenBucket;
  timer: EventId;
}

/** A node as the controller's informer shows it, with its health bookkeeping (nodeHealthData). */
interface TrackedNode {
  /** `node`'s name, kept here so the monitor pass need not read through `node`. */
  readonly name: string;
  node: Node;
  /** The Ready condition's status in `node`. */
  ready: string;
  zone: string;
  /** False until the first monitor pass sees the node. */
  observed: boolean;
  probeTimestampMs: number;
  lastRenewMs: number;
  /** `node` carries a not-ready or unreachable NoExecute taint. */
  noExecuteTainted: boolean;
  /** The counts of `zone`, once a monitor pass has looked them up (cleared when the zone changes). */
  zoneCount: ZoneCount | undefined;
  /** The node's Lease, once the heartbeat source knows the node (looked up again each pass until then). */
  lease: NodeLease | undefined;
}

/**
 * Ready and not-Ready node counts of one zone in the current monitor pass. Kept across passes and
 * reset at the start of each; a zone with no nodes in the pass counts as absent.
 */
interface ZoneCount {
  readonly zone: string;
  /** The zone's tainter (tainters are never removed, so this stays the map's entry). */
  readonly tainter: ZoneTainter;
  ready: number;
  notReady: number;
  /** handleDisruption's new state for the zone in this pass. */
  nextState: ZoneState;
}

export class NodeLifecycleController implements Component {
  readonly name = NODE_LIFECYCLE_COMPONENT;
  private readonly nodes = new Map<string, TrackedNode>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private readonly tainters = new Map<string, ZoneTainter>();
  private readonly zoneCounts = new Map<string, ZoneCount>();
  private readonly zoneCountList: ZoneCount[] = [];
  /**
   * `nodes` as a list for the monitor pass, rebuilt after a node is added or deleted. A pass walks
   * the list it started with (a snapshot, as a copy would be): a new list replaces it, never edits it.
   */
  private nodeList: TrackedNode[] | undefined;
  readonly taintManager: TaintManager;
  private heartbeats: NodeHeartbeatSource | undefined;
  private suspended = false;

  constructor(private readonly world: World) {
    this.taintManager = new TaintManager(world, () => this.suspended);
  }

  start(): void {
    this.heartbeats = this.world.component<Component & NodeHeartbeatSource>(KUBELET_COMPONENT);
    this.world.cache.on("Node", (type, object) => this.onNode(type, object as Node));
    this.world.cache.on("Pod", (type, object, previous) =>
      this.onPod(type, object as Pod, previous as Pod | undefined),
    );
    this.world.kernel.schedule(0, this.monitorDue);
  }

  suspend(): void {
    this.suspended = true;
  }

  resume(): void {
    this.suspended = false;
    for (const tainter of this.tainters.values()) this.armTainter(tainter);
    this.taintManager.resume();
  }

  /** The zone's state after the last monitor pass. */
  zoneState(zone: string): ZoneState | undefined {
    return this.zoneStates.get(zone);
  }

  // ---- watch handlers ----

  private onNode(type: WatchEventType, node: Node): void {
    const name = node.metadata.name;
    if (type === "DELETED") {
      if (this.nodes.delete(name)) this.nodeList = undefined;
      this.taintManager.nodeDeleted(name);
      return;
    }
    const tracked = this.nodes.get(name);
    const noExecuteTainted = hasNodeControllerTaint(node.spec?.taints ?? []);
    if (tracked === undefined) {
      this.nodes.set(name, {
        name,
        node,
        ready: readyStatus(node),
        zone: zoneKey(node),
        observed: false,
        probeTimestampMs: 0,
        lastRenewMs: 0,
        noExecuteTainted,
        zoneCount: undefined,
        lease: undefined,
      });
      this.nodeList = undefined;
    } else {
      const zone = zoneKey(node);
      if (zone !== tracked.zone) tracked.zoneCount = undefined;
      tracked.node = node;
      tracked.ready = readyStatus(node);
      tracked.zone = zone;
      tracked.noExecuteTainted = noExecuteTainted;
    }
    if (!this.suspended) this.reconcileConditionTaints(node);
    this.taintManager.nodeUpdated(node);
  }

  private onPod(type: WatchEventType, pod: Pod, previous: Pod | undefined): void {
    this.taintManager.podUpdated(type, pod);
    const nodeName = pod.spec?.nodeName;
    if (type === "DELETED" || this.suspended || nodeName === undefined || previous?.spec?.nodeName === nodeName) return;
    // processPod: a pod newly assigned to a node that is not Ready is marked not ready.
    const tracked = this.nodes.get(nodeName);
    if (tracked?.observed && tracked.ready !== "True") this.markPodNotReady(pod);
  }

  // ---- monitorNodeHealth ----

  private readonly monitorDue = (): void => {
    this.world.kernel.schedule(this.world.config.timing.nodeMonitorPeriodMs, this.monitorDue);
    if (!this.suspended) this.monitorNodeHealth();
  };

  /**
   * Runs every 5 s over every node for the whole run, so the common case (Ready before and after,
   * not tainted, not queued) costs a lease read and no allocation.
   */
  private monitorNodeHealth(): void {
    const nowMs = this.world.nowMs;
    const graceMs = this.world.config.timing.nodeMonitorGracePeriodMs;
    for (const count of this.zoneCountList) {
      count.ready = 0;
      count.notReady = 0;
    }
    const trackedNodes = this.trackedNodes();
    for (let i = 0; i < trackedNodes.length; i++) {
      const tracked = trackedNodes[i] as TrackedNode;
      const observed = tracked.ready;
      const current = this.updateNodeHealth(tracked, nowMs, graceMs);
      const count = tracked.zoneCount ?? this.zoneCountOf(tracked);
      if (current === "True") count.ready++;
      else count.notReady++;
      this.processTaintBaseEviction(tracked, observed, count.tainter);
      if (current !== "True" && observed === "True") {
        const node = tracked.node;
        this.world.recordEvent(
          node,
          "Normal",
          "NodeNotReady",
          `Node ${node.metadata.name} status is now: NodeNotReady`,
        );
        this.markPodsNotReady(node.metadata.name);
      }
    }
    this.handleDisruption();
  }

  private trackedNodes(): readonly TrackedNode[] {
    this.nodeList ??= [...this.nodes.values()];
    return this.nodeList;
  }

  /** The node's zone counts; the first node of a zone seen in a pass creates its tainter (monitorNodeHealth). */
  private zoneCountOf(tracked: TrackedNode): ZoneCount {
    let count = this.zoneCounts.get(tracked.zone);
    if (count === undefined) {
      const tainter = this.ensureTainter(tracked.zone);
      count = { zone: tracked.zone, tainter, ready: 0, notReady: 0, nextState: "Initial" };
      this.zoneCounts.set(tracked.zone, count);
      this.zoneCountList.push(count);
    }
    tracked.zoneCount = count;
    return count;
  }

  /** tryUpdateNodeHealth: returns the Ready status after this pass (Unknown once the grace is over). */
  private updateNodeHealth(tracked: TrackedNode, nowMs: number, graceMs: number): string {
    const renewMs = this.leaseOf(tracked)?.renewTimeMs();
    if (!tracked.observed) {
      tracked.observed = true;
      tracked.probeTimestampMs = nowMs;
      tracked.lastRenewMs = renewMs ?? Number.NEGATIVE_INFINITY;
    } else if (renewMs !== undefined && renewMs > tracked.lastRenewMs) {
      tracked.lastRenewMs = renewMs;
      tracked.probeTimestampMs = nowMs;
    }
    if (nowMs <= tracked.probeTimestampMs + graceMs) return tracked.ready;
    this.markConditionsUnknown(tracked.node);
    return "Unknown";
  }

  private leaseOf(tracked: TrackedNode): NodeLease | undefined {
    if (tracked.lease === undefined) tracked.lease = this.heartbeats?.nodeLease(tracked.name);
    return tracked.lease;
  }

  private markConditionsUnknown(node: Node): void {
    const conditions = node.status?.conditions ?? [];
    if (UNKNOWN_CONDITION_TYPES.every((type) => conditions.find((each) => each.type === type)?.status === "Unknown"))
      return;
    const stamp = toTimestamp(this.world.nowMs);
    this.patchNode(node.metadata.name, (draft) => {
      draft.status ??= {};
      draft.status.conditions ??= [];
      const list = draft.status.conditions as NodeCondition[];
      for (const type of UNKNOWN_CONDITION_TYPES) {
        const existing = list.find((each) => each.type === type);
        if (existing === undefined) {
          list.push({
            type,
            status: "Unknown",
            reason: "NodeStatusNeverUpdated",
            message: "Kubelet never posted node status.",
            lastHeartbeatTime: node.metadata.creationTimestamp,
            lastTransitionTime: stamp,
          });
        } else if (existing.status !== "Unknown") {
          existing.status = "Unknown";
          existing.reason = "NodeStatusUnknown";
          existing.message = "Kubelet stopped posting node status.";
          existing.lastTransitionTime = stamp;
        }
      }
    });
  }

  /** MarkPodsNotReady: Ready=False (reason and message kept) on every pod of the node. */
  private markPodsNotReady(nodeName: string): void {
    for (const pod of [...this.world.cache.byIndex<Pod>(INDEX_PODS_BY_NODE, nodeName)]) this.markPodNotReady(pod);
  }

  private markPodNotReady(pod: Pod): void {
    const { namespace, name, uid } = pod.metadata;
    const current = this.world.store.get<Pod>("Pod", namespace, name);
    const ready = current?.status?.conditions?.find((each) => each.type === "Ready");
    if (current === undefined || current.metadata.uid !== uid || ready === undefined || ready.status === "False")
      return;
    const stamp = toTimestamp(this.world.nowMs);
    this.world.store.patch<Pod>("Pod", namespace, name, (draft) => {
      const condition = draft.status?.conditions?.find((each) => each.type === "Ready");
      if (condition === undefined) return;
      condition.status = "False";
      condition.lastTransitionTime = stamp;
    });
    this.world.recordEvent(current, "Warning", "NodeNotReady", "Node is not ready");
  }

  // ---- NoExecute tainting ----

  /** processTaintBaseEviction, with the Ready status observed at the start of the pass and the zone's tainter. */
  private processTaintBaseEviction(tracked: TrackedNode, observed: string, tainter: ZoneTainter): void {
    const node = tracked.node;
    if (observed === "False" || observed === "Unknown") {
      const wanted = observed === "False" ? NOT_READY_NO_EXECUTE : UNREACHABLE_NO_EXECUTE;
      const opposite = observed === "False" ? UNREACHABLE_NO_EXECUTE : NOT_READY_NO_EXECUTE;
      if (hasTaint(node.spec?.taints ?? [], opposite)) this.swapTaints(node.metadata.name, wanted, opposite);
      else this.markNodeForTainting(node, wanted);
      return;
    }
    // Ready: nothing to undo for a node that is neither tainted nor queued (the common case).
    if (tracked.noExecuteTainted || (tainter.members.size > 0 && tainter.members.has(tracked.name))) {
      this.markNodeAsReachable(node);
    }
  }

  private markNodeForTainting(node: Node, wanted: Taint): void {
    const tainter = this.ensureTainter(zoneKey(node));
    const name = node.metadata.name;
    if (!hasTaint(node.spec?.taints ?? [], wanted)) this.removeFromTainter(tainter, name);
    if (tainter.members.has(name)) return;
    tainter.members.add(name);
    tainter.queue.push(name);
    this.armTainter(tainter);
  }

  private markNodeAsReachable(node: Node): void {
    const taints = node.spec?.taints ?? [];
    if (hasTaint(taints, UNREACHABLE_NO_EXECUTE) || hasTaint(taints, NOT_READY_NO_EXECUTE)) {
      this.patchNode(node.metadata.name, (draft) => {
        const current = draft.spec?.taints ?? [];
        const remaining = current.filter(
          (taint) =>
            !(taint.effect === "NoExecute" && (taint.key === TAINT_UNREACHABLE || taint.key === TAINT_NOT_READY)),
        );
        if (remaining.length !== current.length) setTaints(draft, remaining);
      });
    }
    const tainter = this.tainters.get(zoneKey(node));
    if (tainter !== undefined) this.removeFromTainter(tainter, node.metadata.name);
  }

  private removeFromTainter(tainter: ZoneTainter, name: string): void {
    if (!tainter.members.delete(name)) return;
    const index = tainter.queue.indexOf(name);
    if (index >= 0) tainter.queue.splice(index, 1);
  }

  private ensureTainter(zone: string): ZoneTainter {
    let tainter = this.tainters.get(zone);
    if (tainter === undefined) {
      tainter = {
        zone,
        queue: [],
        members: new Set(),
        limiter: new TokenBucket(EVICTION_LIMITER_QPS, this.world.nowMs),
        timer: 0,
      };
      this.tainters.set(zone, tainter);
      this.zoneStates.set(zone, "Initial");
    }
    return tainter;
  }

  /** The next 100 ms tainting tick at which the zone's bucket has a token. */
  private armTainter(tainter: ZoneTainter): void {
    if (tainter.timer !== 0 || tainter.queue.length === 0 || this.suspended) return;
    const atMs = tainter.limiter.availableAtMs(this.world.nowMs);
    if (!Number.isFinite(atMs)) return;
    const tickMs = Math.ceil((atMs - TAINTING_PHASE_MS) / TAINTING_PASS_MS) * TAINTING_PASS_MS + TAINTING_PHASE_MS;
    tainter.timer = this.world.kernel.scheduleAt(tickMs, this.taintingDue, tainter);
  }

  /** doNoExecuteTaintingPass for one zone (RateLimitedTimedQueue.Try). */
  private readonly taintingDue = (arg: unknown): void => {
    const tainter = arg as ZoneTainter;
    tainter.timer = 0;
    if (this.suspended) return;
    const nowMs = this.world.nowMs;
    while (tainter.queue.length > 0 && tainter.limiter.tryAccept(nowMs)) {
      this.taintNow(tainter.queue.shift() as string);
    }
    this.armTainter(tainter);
  };

  private taintNow(name: string): void {
    const status = this.nodes.get(name)?.ready;
    if (status === "False") this.swapTaints(name, NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE);
    else if (status === "Unknown") this.swapTaints(name, UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE);
  }

  /** SwapNodeControllerTaint: adds `add` (timeAdded now) and removes `remove`, on the latest Node. */
  private swapTaints(name: string, add: Taint, remove: Taint): void {
    const latest = this.world.store.get<Node>("Node", NODE_NAMESPACE, name)?.spec?.taints ?? [];
    if (hasTaint(latest, add) && !hasTaint(latest, remove)) return; // AddOrUpdateTaintOnNode: nothing to update
    const stamp = toTimestamp(this.world.nowMs);
    this.patchNode(name, (draft) => {
      const taints = (draft.spec?.taints ?? []).filter(
        (taint) => !(taint.key === remove.key && taint.effect === remove.effect),
      );
      if (!hasTaint(taints, add)) taints.push({ ...add, timeAdded: stamp });
      setTaints(draft, taints);
    });
  }

  // ---- zones ----

  /** handleDisruption, over the zones that had nodes in this pass. */
  private handleDisruption(): void {
    let allAreFullyDisrupted = true;
    for (const count of this.zoneCountList) {
      if (zoneSize(count) === 0) continue;
      count.nextState = computeZoneState(count.ready, count.notReady);
      if (count.nextState !== "FullDisruption") allAreFullyDisrupted = false;
    }
    let allWereFullyDisrupted = true;
    // Deleting the entry being visited is safe while iterating a Map.
    for (const [zone, state] of this.zoneStates) {
      if (this.presentZoneCount(zone) === undefined) {
        this.zoneStates.delete(zone);
        continue;
      }
      if (state !== "FullDisruption") allWereFullyDisrupted = false;
    }
    if (allAreFullyDisrupted && allWereFullyDisrupted) return;
    if (allAreFullyDisrupted) {
      // Every zone is down: most likely the control plane is cut off; stop all evictions.
      for (const tracked of this.nodes.values()) this.markNodeAsReachable(tracked.node);
      for (const zone of this.zoneStates.keys()) {
        this.swapLimiter(zone, 0);
        this.zoneStates.set(zone, "FullDisruption");
      }
      return;
    }
    if (allWereFullyDisrupted) {
      const nowMs = this.world.nowMs;
      for (const tracked of this.nodes.values()) tracked.probeTimestampMs = nowMs;
    }
    // Only existing entries are set here, which keeps the iteration order.
    for (const [zone, state] of this.zoneStates) {
      const count = this.presentZoneCount(zone) as ZoneCount;
      const next = count.nextState;
      if (state === next && !allWereFullyDisrupted) continue;
      this.swapLimiter(zone, zoneQps(next, zoneSize(count)));
      this.zoneStates.set(zone, next);
    }
  }

  /** The zone's counts if it had nodes in this pass. */
  private presentZoneCount(zone: string): ZoneCount | undefined {
    const count = this.zoneCounts.get(zone);
    return count !== undefined && zoneSize(count) > 0 ? count : undefined;
  }

  /** RateLimitedTimedQueue.SwapLimiter: a new bucket (full, unless the old one had no token). */
  private swapLimiter(zone: string, qps: number): void {
    const tainter = this.ensureTainter(zone);
    if (tainter.limiter.qps === qps) return;
    const nowMs = this.world.nowMs;
    const next = new TokenBucket(qps, nowMs);
    if (qps > 0 && !tainter.limiter.tryAccept(nowMs)) next.tryAccept(nowMs);
    tainter.limiter = next;
    this.world.kernel.cancel(tainter.timer);
    tainter.timer = 0;
    this.armTainter(tainter);
  }

  // ---- condition taints (doNoScheduleTaintingPass) ----

  private reconcileConditionTaints(node: Node): void {
    const wanted = new Set<string>();
    for (const condition of node.status?.conditions ?? []) {
      const key = CONDITION_TAINTS[condition.type]?.[condition.status];
      if (key !== undefined) wanted.add(key);
    }
    if (node.spec?.unschedulable === true) wanted.add(TAINT_UNSCHEDULABLE);
    const taints = node.spec?.taints ?? [];
    const present = new Set(
      taints
        .filter((taint) => taint.effect === "NoSchedule" && CONDITION_TAINT_KEYS.has(taint.key))
        .map((taint) => taint.key),
    );
    if (present.size === wanted.size && [...wanted].every((key) => present.has(key))) return;
    const stamp = toTimestamp(this.world.nowMs);
    this.patchNode(node.metadata.name, (draft) => {
      const kept = (draft.spec?.taints ?? []).filter(
        (taint) => !(taint.effect === "NoSchedule" && CONDITION_TAINT_KEYS.has(taint.key) && !wanted.has(taint.key)),
      );
      for (const key of wanted) {
        if (!kept.some((taint) => taint.key === key && taint.effect === "NoSchedule"))
          kept.push({ key, effect: "NoSchedule", timeAdded: stamp });
      }
      setTaints(draft, kept);
    });
  }

  private patchNode(name: string, recipe: (draft: Draft<Node>) => void): void {
    try {
      this.world.store.patch<Node>("Node", NODE_NAMESPACE, name, recipe);
    } catch (error) {
      if (!isApiError(error)) throw error;
    }
  }
}

function readyStatus(node: Node): string {
  return node.status?.conditions?.find((condition) => condition.type === "Ready")?.status ?? "Unknown";
}

/** nodetopology.GetZoneKey, without the region (our nodes have none): the zone label or "". */
function zoneKey(node: Node): string {
  return node.metadata.labels?.[LABEL_ZONE] ?? "";
}

/** A not-ready or unreachable NoExecute taint (the ones this controller manages). */
function hasNodeControllerTaint(taints: readonly Taint[]): boolean {
  for (const taint of taints) {
    if (taint.effect === "NoExecute" && (taint.key === TAINT_UNREACHABLE || taint.key === TAINT_NOT_READY)) return true;
  }
  return false;
}

function hasTaint(taints: readonly Taint[], wanted: Taint): boolean {
  return taints.some((taint) => taint.key === wanted.key && taint.effect === wanted.effect);
}

function setTaints(draft: Draft<Node>, taints: Taint[]): void {
  const writable = draft as { spec?: { taints?: Taint[] } };
  writable.spec ??= {};
  if (taints.length === 0) delete writable.spec.taints;
  else writable.spec.taints = taints;
}

function zoneSize(count: ZoneCount): number {
  return count.ready + count.notReady;
}

/** ComputeZoneState, from the zone's Ready and not-Ready node counts. */
export function computeZoneState(ready: number, notReady: number): ZoneState {
  if (ready === 0 && notReady > 0) return "FullDisruption";
  if (notReady > 2 && notReady / (notReady + ready) >= UNHEALTHY_ZONE_THRESHOLD) return "PartialDisruption";
  return "Normal";
}

/** setLimiterInZone: Normal and FullDisruption (HealthyQPSFunc) 0.1/s; PartialDisruption (ReducedQPSFunc) 0.01/s above 50 nodes, else 0. */
function zoneQps(state: ZoneState, zoneSize: number): number {
  if (state === "PartialDisruption") return zoneSize > LARGE_CLUSTER_THRESHOLD ? SECONDARY_EVICTION_LIMITER_QPS : 0;
  return EVICTION_LIMITER_QPS;
}
