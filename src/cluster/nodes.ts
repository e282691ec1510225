/**
 * The cluster's machines: one v1 Node object per `world.config.nodes` entry, created at start, and
 * the "machine is down" switch faults flip.
 *
 * Each node gets a deterministic layout computed from the configuration alone (so the kubelet can
 * use it before the Node object reaches any cache):
 * - podCIDR: one /24 per node, 10.<b>.<i>.0/24 where <i> is the node's position in its datacenter
 *   and <b> starts at datacenter index + 1 (datacenters in config order). A datacenter with more
 *   than 256 nodes takes the next second octets too, and later datacenters move up accordingly,
 *   so every /24 is unique (the whitelist gateway matches pod IPs against these blocks);
 * - an InternalIP in 172.16.0.0/12, used as the pods' hostIP;
 * - labels: the configured ones, plus kubernetes.io/hostname and topology.kubernetes.io/zone
 *   (= the datacenter) when missing, as the kubelet and cloud provider would set them.
 *
 * Down means the machine crashed: its kubelet stops and its processes are gone. This component
 * only records that and tells its listeners (the kubelet); it writes nothing to the store. The API
 * learns about it the way Kubernetes does: the node lifecycle controller notices the missing
 * heartbeats (node-lifecycle.ts).
 */
import type { NodeCondition } from "kubernetes-types/core/v1.js";
import type { Node } from "../api/kinds.ts";
import { LABEL_HOSTNAME, LABEL_ZONE } from "../api/kinds.ts";
import type { NewObject } from "../api/object.ts";
import { toTimestamp } from "../api/object.ts";
import { formatCpuMilli, formatMemoryBytes } from "../api/quantity.ts";
import type { NodeConfig } from "../world/config.ts";
import type { Component, World } from "../world/world.ts";

export const NODES_COMPONENT = "nodes";
/** Nodes are cluster-scoped: they live in the empty namespace. */
export const NODE_NAMESPACE = "";

/** Everything fixed about one node, from the configuration. */
export interface NodeInfo {
  readonly name: string;
  /** Position in world.config.nodes. */
  readonly index: number;
  readonly datacenter: string;
  readonly zone: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly podCIDR: string;
  readonly internalIP: string;
  readonly config: NodeConfig;
}

/** Told synchronously when a machine goes down or comes back. */
export interface NodeStateListener {
  onNodeDown(name: string, down: boolean, nowMs: number): void;
}

/** The conditions a healthy kubelet posts (pkg/kubelet/nodestatus/setters.go). */
export function kubeletNodeConditions(nowMs: number): NodeCondition[] {
  const at = toTimestamp(nowMs);
  const condition = (type: string, status: string, reason: string, message: string): NodeCondition => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: at,
    lastTransitionTime: at,
  });
  return [
    condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
  ];
}

/** Computes every node's fixed layout from the configuration (see the file comment). */
export function layoutNodes(configs: readonly NodeConfig[], datacenterOrder: readonly string[]): NodeInfo[] {
  const byDatacenter = new Map<string, NodeConfig[]>();
  for (const name of datacenterOrder) byDatacenter.set(name, []);
  for (const config of configs) {
    let list = byDatacenter.get(config.datacenter);
    if (list === undefined) {
      list = [];
      byDatacenter.set(config.datacenter, list);
    }
    list.push(config);
  }
  const cidrs = new Map<string, string>();
  let secondOctet = 1;
  for (const list of byDatacenter.values()) {
    list.forEach((config, position) => {
      cidrs.set(config.name, `10.${secondOctet + Math.floor(position / 256)}.${position % 256}.0/24`);
    });
    secondOctet += Math.max(1, Math.ceil(list.length / 256));
  }
  if (secondOctet > 256) throw new Error(`too many nodes for the 10.0.0.0/8 pod network (${configs.length})`);
  return configs.map((config, index) => nodeInfo(config, index, cidrs.get(config.name) as string));
}

function nodeInfo(config: NodeConfig, index: number, podCIDR: string): NodeInfo {
  const labels: Record<string, string> = { ...config.labels };
  labels[LABEL_HOSTNAME] ??= config.name;
  labels[LABEL_ZONE] ??= config.datacenter;
  const host = index + 1;
  const internalIP = `172.${16 + Math.floor(host / 65_536)}.${Math.floor(host / 256) % 256}.${host % 256}`;
  return {
    name: config.name,
    index,
    datacenter: config.datacenter,
    zone: labels[LABEL_ZONE] as string,
    labels,
    podCIDR,
    internalIP,
    config,
  };
}

/** The Node object a freshly registered kubelet would have created. */
export function nodeManifest(info: NodeInfo, nowMs: number): NewObject {
  const { cpuMilli, memoryBytes, pods } = info.config.capacity;
  const resources = { cpu: formatCpuMilli(cpuMilli), memory: formatMemoryBytes(memoryBytes), pods: String(pods) };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: info.name, namespace: NODE_NAMESPACE, labels: { ...info.labels } },
    spec: { podCIDR: info.podCIDR, podCIDRs: [info.podCIDR] },
    status: {
      capacity: resources,
      allocatable: { ...resources },
      conditions: kubeletNodeConditions(nowMs),
      addresses: [
        { type: "InternalIP", address: info.internalIP },
        { type: "Hostname", address: info.name },
      ],
    },
  };
}

export class NodesComponent implements Component {
  readonly name = NODES_COMPONENT;
  private readonly infos = new Map<string, NodeInfo>();
  private readonly down = new Set<string>();
  private readonly listeners: NodeStateListener[] = [];

  constructor(private readonly world: World) {
    const order = world.config.datacenters.map((datacenter) => datacenter.name);
    for (const info of layoutNodes(world.config.nodes, order)) {
      if (this.infos.has(info.name)) throw new Error(`node ${info.name} is configured twice`);
      this.infos.set(info.name, info);
    }
  }

  /** Creates the Node objects, in configuration order. */
  start(): void {
    for (const info of this.infos.values()) this.world.store.create<Node>(nodeManifest(info, this.world.nowMs));
  }

  addListener(listener: NodeStateListener): void {
    this.listeners.push(listener);
  }

  /** Every node's layout, in configuration order. */
  nodes(): IterableIterator<NodeInfo> {
    return this.infos.values();
  }

  node(name: string): NodeInfo | undefined {
    return this.infos.get(name);
  }

  isNodeDown(name: string): boolean {
    return this.down.has(name);
  }

  /** Crashes (down = true) or restarts a machine. Repeating the current state does nothing. */
  setNodeDown(name: string, down: boolean): void {
    if (!this.infos.has(name)) throw new Error(`setNodeDown: no node named ${name}`);
    if (this.down.has(name) === down) return;
    if (down) this.down.add(name);
    else this.down.delete(name);
    for (const listener of this.listeners) listener.onNodeDown(name, down, this.world.nowMs);
  }
}
