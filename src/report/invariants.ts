/**
 * Invariants of the simulated cluster, checked incrementally on every store change. A violation
 * means the simulator (or a controller in it) broke a rule the real system guarantees; the run
 * records it and the default `noInvariantViolations` assertion fails.
 *
 * - pod-on-known-node: a pod is only ever bound to a Node that exists.
 * - unique-pod-ip: no two live pods share an IP.
 * - node-capacity: pods bound to a node (not terminal) never exceed its allocatable pods, CPU or memory.
 */
import type { Pod } from "../api/kinds.ts";
import type { KObject } from "../api/object.ts";
import { parseCpuMilli, parseMemoryBytes } from "../api/quantity.ts";
import type { WatchEventType } from "../api/store.ts";
import type { World } from "../world/world.ts";

export interface InvariantViolation {
  atMs: number;
  invariant: string;
  message: string;
}

/** The most violations kept; later ones are counted only. */
const MAX_KEPT_VIOLATIONS = 100;

interface NodeUsage {
  pods: number;
  cpuMilli: number;
  memoryBytes: number;
}

interface PodRequests {
  readonly cpuMilli: number;
  readonly memoryBytes: number;
}

/** Requests of a pod without a spec, and of a pod not charged. Never written. */
const NO_REQUESTS: PodRequests = { cpuMilli: 0, memoryBytes: 0 };

/**
 * What the checks hold for one pod: the IP it owns, and the node it is charged to with the
 * requests charged (the shared per-template object: nothing is copied per charge).
 */
interface PodFacts {
  ip: string | undefined;
  chargedNode: string | undefined;
  charged: PodRequests;
}

export class InvariantChecker {
  readonly violations: InvariantViolation[] = [];
  violationCount = 0;
  private readonly ipOwner = new Map<string, string>();
  /** Pods holding an IP or a charge (one lookup per checked event). */
  private readonly podFacts = new Map<string, PodFacts>();
  private readonly usage = new Map<string, NodeUsage>();

  constructor(private readonly world: World) {
    world.store.watch((type, object, previous) => {
      if (object.kind !== "Pod") return;
      if (nothingToCheck(type, object as Pod, previous as Pod | undefined)) return;
      this.checkPod(type, object as Pod);
    });
  }

  private report(invariant: string, message: string): void {
    this.violationCount++;
    if (this.violations.length < MAX_KEPT_VIOLATIONS) {
      this.violations.push({ atMs: this.world.nowMs, invariant, message });
    }
    if (this.world.trace.enabled)
      this.world.trace.record(this.world.nowMs, "InvariantViolation", { invariant, message });
  }

  private checkPod(type: WatchEventType, pod: Pod): void {
    const uid = pod.metadata.uid;
    const phase = pod.status?.phase;
    const released = type === "DELETED" || phase === "Succeeded" || phase === "Failed";
    const ip = released ? undefined : pod.status?.podIP;
    const node = released ? undefined : pod.spec?.nodeName;
    let facts = this.podFacts.get(uid);
    if (facts === undefined) {
      if (ip === undefined && node === undefined) return;
      facts = { ip: undefined, chargedNode: undefined, charged: NO_REQUESTS };
      this.podFacts.set(uid, facts);
    }
    if (facts.ip !== ip) this.checkIp(uid, pod, facts, ip);
    if (facts.chargedNode !== node) this.checkCapacity(pod, facts, node);
    if (facts.ip === undefined && facts.chargedNode === undefined) this.podFacts.delete(uid);
  }

  private checkIp(uid: string, pod: Pod, facts: PodFacts, ip: string | undefined): void {
    const previousIp = facts.ip;
    if (previousIp !== undefined) {
      facts.ip = undefined;
      if (this.ipOwner.get(previousIp) === uid) this.ipOwner.delete(previousIp);
    }
    if (ip === undefined) return;
    const owner = this.ipOwner.get(ip);
    if (owner !== undefined && owner !== uid) {
      this.report("unique-pod-ip", `pod ${pod.metadata.name} got IP ${ip}, already used by a live pod (uid ${owner})`);
    }
    this.ipOwner.set(ip, uid);
    facts.ip = ip;
  }

  private checkCapacity(pod: Pod, facts: PodFacts, node: string | undefined): void {
    if (facts.chargedNode !== undefined) {
      const usage = this.usage.get(facts.chargedNode) as NodeUsage;
      usage.pods--;
      usage.cpuMilli -= facts.charged.cpuMilli;
      usage.memoryBytes -= facts.charged.memoryBytes;
      facts.chargedNode = undefined;
      facts.charged = NO_REQUESTS;
    }
    if (node === undefined) return;
    // Nodes are cluster-scoped (namespace ""); "default" is accepted for hand-made test worlds.
    const nodeObject = this.world.store.get("Node", "", node) ?? this.world.store.get("Node", "default", node);
    if (nodeObject === undefined) {
      this.report("pod-on-known-node", `pod ${pod.metadata.name} is bound to node ${node}, which does not exist`);
      return;
    }
    const requests = podRequests(pod);
    facts.chargedNode = node;
    facts.charged = requests;
    let usage = this.usage.get(node);
    if (usage === undefined) {
      usage = { pods: 0, cpuMilli: 0, memoryBytes: 0 };
      this.usage.set(node, usage);
    }
    usage.pods++;
    usage.cpuMilli += requests.cpuMilli;
    usage.memoryBytes += requests.memoryBytes;
    this.checkNodeUsage(nodeObject, usage, pod);
  }

  private checkNodeUsage(node: KObject, usage: NodeUsage, pod: Pod): void {
    const { pods, cpu, memory } = allocatableOf(node);
    const name = node.metadata.name;
    if (usage.pods > pods) this.report("node-capacity", `node ${name} has ${usage.pods} pods, allocatable ${pods}`);
    if (usage.cpuMilli > cpu)
      this.report(
        "node-capacity",
        `node ${name} CPU requests ${usage.cpuMilli}m exceed ${cpu}m (pod ${pod.metadata.name})`,
      );
    if (usage.memoryBytes > memory)
      this.report("node-capacity", `node ${name} memory requests exceed allocatable (pod ${pod.metadata.name})`);
  }
}

/**
 * Events that cannot change what the checks hold, told without a lookup: a new pod has neither IP
 * nor node yet (uids are never reused); a pod deleted after it ended was released when it ended;
 * an update that keeps IP, phase and node.
 */
function nothingToCheck(type: WatchEventType, pod: Pod, previous: Pod | undefined): boolean {
  if (type === "ADDED") return pod.status?.podIP === undefined && pod.spec?.nodeName === undefined;
  if (previous === undefined) return false;
  if (type === "DELETED") return isTerminalPhase(previous.status?.phase);
  return sameCheckedFields(previous, pod);
}

function isTerminalPhase(phase: string | undefined): boolean {
  return phase === "Succeeded" || phase === "Failed";
}

/**
 * Whether an update leaves everything the checks read as it was: IP, phase and node (a pod's
 * requests cannot change). Most pod writes are status changes of another kind, and skip the maps.
 */
function sameCheckedFields(previous: Pod, pod: Pod): boolean {
  const before = previous.status;
  const after = pod.status;
  return (
    before?.podIP === after?.podIP && before?.phase === after?.phase && previous.spec?.nodeName === pod.spec?.nodeName
  );
}

/** Allocatable pods, CPU (millicores) and memory (bytes) of a Node, parsed once per Node version. */
const allocatableCache = new WeakMap<object, { pods: number; cpu: number; memory: number }>();

function allocatableOf(node: KObject): { pods: number; cpu: number; memory: number } {
  const status = (node.status ?? {}) as { allocatable?: Record<string, string> };
  const cached = allocatableCache.get(status);
  if (cached !== undefined) return cached;
  const allocatable = status.allocatable ?? {};
  const parsed = {
    pods: allocatable.pods === undefined ? Number.POSITIVE_INFINITY : Number(allocatable.pods),
    cpu: allocatable.cpu === undefined ? Number.POSITIVE_INFINITY : (parseCpuMilli(allocatable.cpu) ?? 0),
    memory: allocatable.memory === undefined ? Number.POSITIVE_INFINITY : (parseMemoryBytes(allocatable.memory) ?? 0),
  };
  allocatableCache.set(status, parsed);
  return parsed;
}

/** Requests per pod spec object: pods made from one template share it, so it is parsed once. */
const requestsCache = new WeakMap<object, PodRequests>();

/** Sum of the containers' requests (limits stand in for missing requests, as the API defaults them). */
export function podRequests(pod: Pod): PodRequests {
  const spec = pod.spec;
  if (spec === undefined) return NO_REQUESTS;
  const cached = requestsCache.get(spec.containers);
  if (cached !== undefined) return cached;
  const computed = sumRequests(pod);
  requestsCache.set(spec.containers, computed);
  return computed;
}

function sumRequests(pod: Pod): { cpuMilli: number; memoryBytes: number } {
  let cpuMilli = 0;
  let memoryBytes = 0;
  for (const container of pod.spec?.containers ?? []) {
    const requests = container.resources?.requests ?? container.resources?.limits;
    if (requests === undefined) continue;
    const cpu = requests.cpu;
    const memory = requests.memory;
    if (cpu !== undefined) cpuMilli += parseCpuMilli(String(cpu)) ?? 0;
    if (memory !== undefined) memoryBytes += parseMemoryBytes(String(memory)) ?? 0;
  }
  return { cpuMilli, memoryBytes };
}
