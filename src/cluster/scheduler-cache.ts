/**
 * The scheduler's cache (after pkg/scheduler/internal/cache): per-node totals kept incrementally,
 * in typed arrays indexed by a node number, so a scheduling cycle reads numbers, not objects.
 *
 * - Every pod bound to a node and not terminal holds its requests there (terminating pods too);
 *   a pod the scheduler has bound but the cache does not show yet is "assumed" and counted from
 *   the moment of binding.
 * - For spreading, pods that are not terminating are counted per controller owner, per node and
 *   per zone, in one record per owner (a charge costs one map lookup).
 * - `order` lists the present nodes as node_tree.go does: zones in order of first appearance,
 *   taking one node of each zone in turn.
 */
import type { Taint } from "kubernetes-types/core/v1.js";
import type { Node } from "../api/kinds.ts";
import { LABEL_ZONE } from "../api/kinds.ts";
import { parseCpuMilli, parseMemoryBytes, parseQuantity } from "../api/quantity.ts";
import type { NodeMeta, NodeTotals, PodRequests } from "./scheduling.ts";
import { TAINT_NOT_READY, TAINT_UNREACHABLE } from "./taints.ts";

export interface CachedNode extends NodeMeta {
  readonly index: number;
  zone: string | undefined;
  /** In the informer cache (a node known only through pods bound to it is not). */
  present: boolean;
  /** The Node object last applied. */
  source: Node | undefined;
}

/** What one pod holds on its node. */
export interface Charge {
  readonly uid: string;
  readonly node: CachedNode;
  readonly requests: PodRequests;
  /** Controller owner uid while the pod counts for spreading (not terminating). */
  owner: string | undefined;
  /** Bound by this scheduler; the cache does not show the binding yet. */
  assumed: boolean;
}

/** One controller owner's pods (not terminating), in total, per node number and per zone number. */
export interface OwnerCounts {
  total: number;
  perNode: Int32Array;
  perZone: Int32Array | undefined;
}

export class SchedulerCache {
  private readonly byName = new Map<string, CachedNode>();
  readonly nodes: CachedNode[] = [];
  private capacity = 0;
  allocatableCpu: Float64Array = new Float64Array(0);
  allocatableMemory: Float64Array = new Float64Array(0);
  allocatablePods: Float64Array = new Float64Array(0);
  requestedCpu: Float64Array = new Float64Array(0);
  requestedMemory: Float64Array = new Float64Array(0);
  nonZeroCpu: Float64Array = new Float64Array(0);
  nonZeroMemory: Float64Array = new Float64Array(0);
  pods: Float64Array = new Float64Array(0);
  /**
   * Per node: the scheduler's resource score for the requests it last scored (its fitScoreOf),
   * NaN when unknown: reset whenever the node's totals or allocatable change.
   */
  fitScores: Float64Array = new Float64Array(0);
  /** 1 if the node has NoSchedule/NoExecute taints or is unschedulable (filters need the object). */
  constrained: Uint8Array = new Uint8Array(0);
  /** Zone number per node, -1 without a zone label. */
  zoneOf: Int32Array = new Int32Array(0);
  readonly zones: string[] = [];
  private readonly zoneNumbers = new Map<string, number>();
  /**
   * Present nodes in node-tree order, twice over (orderLength nodes, then the same again), so a
   * walk of every node from any start position needs no wrap-around.
   */
  order: Int32Array = new Int32Array(0);
  /** Each node's position in name order (score ties go to the smaller name). */
  nameRank: Int32Array = new Int32Array(0);
  orderLength = 0;
  /** Present nodes with PreferNoSchedule taints (their TaintToleration score varies). */
  preferTaintNodes = 0;
  readonly charges = new Map<string, Charge>();
  /** Spreading counts per controller owner uid (one lookup per charge). */
  private readonly owners = new Map<string, OwnerCounts>();
  /** noPodsPerNode's zeros (never written). */
  private zeroPerNode = new Int32Array(0);

  node(name: string): CachedNode {
    let node = this.byName.get(name);
    if (node === undefined) {
      node = {
        index: this.nodes.length,
        name,
        labels: {},
        taints: [],
        preferNoScheduleTaints: [],
        unschedulable: false,
        zone: undefined,
        present: false,
        source: undefined,
      };
      this.byName.set(name, node);
      this.nodes.push(node);
      this.ensureCapacity(this.nodes.length);
      this.zoneOf[node.index] = -1;
    }
    return node;
  }

  /** Copies what the scheduler uses from a Node object (nodeinfo.SetNode); returns whether the order changed. */
  applyNode(node: CachedNode, object: Node): boolean {
    const wasPresent = node.present;
    const previousZone = node.zone;
    if (node.present && node.preferNoScheduleTaints.length > 0) this.preferTaintNodes--;
    node.source = object;
    node.present = true;
    node.labels = object.metadata.labels ?? {};
    node.zone = node.labels[LABEL_ZONE];
    node.unschedulable = object.spec?.unschedulable === true;
    const allocatable = (object.status?.allocatable ?? object.status?.capacity ?? {}) as Record<string, string>;
    const i = node.index;
    this.allocatableCpu[i] = allocatable.cpu === undefined ? 0 : (parseCpuMilli(allocatable.cpu) ?? 0);
    this.allocatableMemory[i] = allocatable.memory === undefined ? 0 : (parseMemoryBytes(allocatable.memory) ?? 0);
    this.allocatablePods[i] = allocatable.pods === undefined ? 0 : Math.floor(parseQuantity(allocatable.pods) ?? 0);
    this.fitScores[i] = Number.NaN;
    applyTaints(node, object);
    if (node.preferNoScheduleTaints.length > 0) this.preferTaintNodes++;
    this.constrained[i] = node.unschedulable || node.taints.length > 0 ? 1 : 0;
    if (previousZone !== node.zone || !wasPresent) this.moveZone(node);
    return !wasPresent || previousZone !== node.zone;
  }

  removeNode(node: CachedNode): void {
    if (node.present && node.preferNoScheduleTaints.length > 0) this.preferTaintNodes--;
    node.present = false;
    node.source = undefined;
  }

  /** A NodeTotals view of one node (for the slow paths and tests). */
  totals(node: CachedNode): NodeTotals {
    const i = node.index;
    return {
      name: node.name,
      labels: node.labels,
      taints: node.taints,
      preferNoScheduleTaints: node.preferNoScheduleTaints,
      unschedulable: node.unschedulable,
      allocatableCpuMilli: this.allocatableCpu[i] as number,
      allocatableMemoryBytes: this.allocatableMemory[i] as number,
      allocatablePods: this.allocatablePods[i] as number,
      requestedCpuMilli: this.requestedCpu[i] as number,
      requestedMemoryBytes: this.requestedMemory[i] as number,
      nonZeroCpuMilli: this.nonZeroCpu[i] as number,
      nonZeroMemoryBytes: this.nonZeroMemory[i] as number,
      pods: this.pods[i] as number,
    };
  }

  /** node_tree.go list(): zones in order of first appearance, one node of each zone in turn. */
  rebuildOrder(): void {
    const byZone = new Map<string, CachedNode[]>();
    let count = 0;
    for (const node of this.nodes) {
      if (!node.present) continue;
      const zone = node.zone ?? "";
      let list = byZone.get(zone);
      if (list === undefined) {
        list = [];
        byZone.set(zone, list);
      }
      list.push(node);
      count++;
    }
    const order = new Int32Array(count * 2);
    let length = 0;
    const lists = [...byZone.values()];
    for (let position = 0; length < count; position++) {
      for (const list of lists) if (position < list.length) order[length++] = (list[position] as CachedNode).index;
    }
    order.copyWithin(count, 0, count);
    this.order = order;
    this.orderLength = length;
    const byName = [...this.nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.nameRank = new Int32Array(this.nodes.length);
    byName.forEach((node, rank) => {
      this.nameRank[node.index] = rank;
    });
  }

  // ---- charges ----

  charge(
    key: string,
    uid: string,
    node: CachedNode,
    requests: PodRequests,
    owner: string | undefined,
    assumed: boolean,
  ): Charge {
    const i = node.index;
    this.requestedCpu[i] = (this.requestedCpu[i] as number) + requests.cpuMilli;
    this.requestedMemory[i] = (this.requestedMemory[i] as number) + requests.memoryBytes;
    this.nonZeroCpu[i] = (this.nonZeroCpu[i] as number) + requests.nonZeroCpuMilli;
    this.nonZeroMemory[i] = (this.nonZeroMemory[i] as number) + requests.nonZeroMemoryBytes;
    this.pods[i] = (this.pods[i] as number) + 1;
    this.fitScores[i] = Number.NaN;
    const charge: Charge = { uid, node, requests, owner: undefined, assumed };
    this.charges.set(key, charge);
    this.setOwner(charge, owner);
    return charge;
  }

  uncharge(key: string, charge: Charge): void {
    const i = charge.node.index;
    const requests = charge.requests;
    this.requestedCpu[i] = (this.requestedCpu[i] as number) - requests.cpuMilli;
    this.requestedMemory[i] = (this.requestedMemory[i] as number) - requests.memoryBytes;
    this.nonZeroCpu[i] = (this.nonZeroCpu[i] as number) - requests.nonZeroCpuMilli;
    this.nonZeroMemory[i] = (this.nonZeroMemory[i] as number) - requests.nonZeroMemoryBytes;
    this.pods[i] = (this.pods[i] as number) - 1;
    this.fitScores[i] = Number.NaN;
    this.setOwner(charge, undefined);
    this.charges.delete(key);
  }

  setOwner(charge: Charge, owner: string | undefined): void {
    if (charge.owner === owner) return;
    if (charge.owner !== undefined) this.countOwner(charge.node, charge.owner, -1);
    charge.owner = owner;
    if (owner !== undefined) this.countOwner(charge.node, owner, 1);
  }

  /**
   * Pods of `owner` in total, per node number and per zone number (undefined: none anywhere);
   * perNode covers every node number (a node added after the owner's pods were counted has 0).
   */
  ownerCounts(owner: string): Readonly<OwnerCounts> | undefined {
    const counts = this.owners.get(owner);
    if (counts !== undefined && counts.perNode.length < this.capacity) {
      counts.perNode = grow(counts.perNode, this.capacity);
    }
    return counts;
  }

  /** Zero pods on every node number: perNode for a pod without an owner or owner counts. */
  noPodsPerNode(): Int32Array {
    if (this.zeroPerNode.length < this.capacity) this.zeroPerNode = new Int32Array(this.capacity);
    return this.zeroPerNode;
  }

  private countOwner(node: CachedNode, owner: string, delta: number): void {
    let counts = this.owners.get(owner);
    const total = (counts?.total ?? 0) + delta;
    if (total === 0) {
      this.owners.delete(owner);
      return;
    }
    if (counts === undefined) {
      counts = { total, perNode: grow(undefined, this.capacity), perZone: undefined };
      this.owners.set(owner, counts);
    } else {
      counts.total = total;
      if (counts.perNode.length < this.capacity) counts.perNode = grow(counts.perNode, this.capacity);
    }
    const perNode = counts.perNode;
    perNode[node.index] = (perNode[node.index] as number) + delta;
    const zone = this.zoneOf[node.index] as number;
    if (zone < 0) return;
    let perZone = counts.perZone;
    if (perZone === undefined || perZone.length <= zone) {
      perZone = grow(perZone, Math.max(this.zones.length, zone + 1));
      counts.perZone = perZone;
    }
    perZone[zone] = (perZone[zone] as number) + delta;
  }

  /** A node's zone label changed: its owners' counts move with it. */
  private moveZone(node: CachedNode): void {
    const from = this.zoneOf[node.index] as number;
    const to = node.zone === undefined ? -1 : this.zoneNumber(node.zone);
    if (from === to) return;
    for (const counts of this.owners.values()) {
      const count = counts.perNode[node.index] ?? 0;
      if (count === 0) continue;
      const perZone = grow(counts.perZone, Math.max(this.zones.length, to + 1));
      counts.perZone = perZone;
      if (from >= 0) perZone[from] = (perZone[from] as number) - count;
      if (to >= 0) perZone[to] = (perZone[to] as number) + count;
    }
    this.zoneOf[node.index] = to;
  }

  private zoneNumber(zone: string): number {
    let number = this.zoneNumbers.get(zone);
    if (number === undefined) {
      number = this.zones.length;
      this.zones.push(zone);
      this.zoneNumbers.set(zone, number);
    }
    return number;
  }

  private ensureCapacity(count: number): void {
    if (count <= this.capacity) return;
    const capacity = Math.max(64, this.capacity * 2, count);
    this.allocatableCpu = growFloat(this.allocatableCpu, capacity);
    this.allocatableMemory = growFloat(this.allocatableMemory, capacity);
    this.allocatablePods = growFloat(this.allocatablePods, capacity);
    this.requestedCpu = growFloat(this.requestedCpu, capacity);
    this.requestedMemory = growFloat(this.requestedMemory, capacity);
    this.nonZeroCpu = growFloat(this.nonZeroCpu, capacity);
    this.nonZeroMemory = growFloat(this.nonZeroMemory, capacity);
    this.pods = growFloat(this.pods, capacity);
    const constrained = new Uint8Array(capacity);
    constrained.set(this.constrained);
    this.constrained = constrained;
    this.zoneOf = grow(this.zoneOf, capacity);
    this.fitScores = growFloat(this.fitScores, capacity);
    this.fitScores.fill(Number.NaN, this.capacity);
    this.capacity = capacity;
  }
}

/** `array` copied into a new one of `capacity` entries. */
export function growFloat(array: Float64Array, capacity: number): Float64Array {
  const grown = new Float64Array(capacity);
  grown.set(array);
  return grown;
}

/** `array` if it holds `capacity` entries already, else copied into a new one that does. */
export function grow(array: Int32Array | undefined, capacity: number): Int32Array {
  if (array !== undefined && array.length >= capacity) return array;
  const grown = new Int32Array(capacity);
  if (array !== undefined) grown.set(array);
  return grown;
}

/** The Ready status a Node shows ("Unknown" when it has no Ready condition). */
export function nodeReadyStatus(node: Node): string {
  return node.status?.conditions?.find((condition) => condition.type === "Ready")?.status ?? "Unknown";
}

/**
 * Taints the filters see: the node's NoSchedule/NoExecute taints, plus what condition-based
 * tainting adds for a node that is not Ready, so such a node is never chosen in the moment before
 * the node lifecycle controller writes the taint.
 */
function applyTaints(node: CachedNode, object: Node): void {
  const taints: Taint[] = [];
  const prefer: Taint[] = [];
  for (const taint of object.spec?.taints ?? []) {
    if (taint.effect === "PreferNoSchedule") prefer.push(taint);
    else taints.push(taint);
  }
  const ready = nodeReadyStatus(object);
  if (ready !== "True") {
    const key = ready === "False" ? TAINT_NOT_READY : TAINT_UNREACHABLE;
    if (!taints.some((taint) => taint.key === key && taint.effect === "NoSchedule"))
      taints.push({ key, effect: "NoSchedule" });
  }
  node.taints = taints;
  node.preferNoScheduleTaints = prefer;
}
