/**
 * Builders for the cluster tests: a started world running nodes, scheduler, kubelet and node
 * lifecycle (no controllers), and pod manifests. Timing defaults (world/config.ts): watch delay
 * 20 ms, scheduling 10 ms, image pull 2 s, container start 500 ms, startup 5 s, shutdown 100 ms.
 */

import type { Container } from "kubernetes-types/core/v1.js";
import type { OwnerReference } from "kubernetes-types/meta/v1.js";
import type { Node, Pod } from "../../src/api/kinds.ts";
import type { NewObject } from "../../src/api/object.ts";
import { podCondition } from "../../src/api/pod.ts";
import { Kubelet } from "../../src/cluster/kubelet.ts";
import { NodeLifecycleController } from "../../src/cluster/node-lifecycle.ts";
import { NODE_NAMESPACE, NodesComponent } from "../../src/cluster/nodes.ts";
import type { ProcessState } from "../../src/cluster/runtime.ts";
import { Scheduler } from "../../src/cluster/scheduler.ts";
import { constantMs } from "../../src/sim/random.ts";
import {
  DEFAULT_IMAGE_PROFILE,
  datacenterNodes,
  defaultWorldConfig,
  type ImageProfile,
  type NodeConfig,
} from "../../src/world/config.ts";
import { World } from "../../src/world/world.ts";
import { makeWorld, type TestWorldOptions } from "../helpers/world.ts";

export interface ClusterFixture {
  world: World;
  nodes: NodesComponent;
  scheduler: Scheduler;
  kubelet: Kubelet;
  lifecycle: NodeLifecycleController;
  /** Every process transition the kubelet reported, in order. */
  transitions: { atMs: number; pod: string; state: ProcessState }[];
  /** The last state of every pod removed from the store, by name, with the time. */
  deleted: Map<string, { atMs: number; pod: Pod }>;
}

export interface ClusterOptions extends TestWorldOptions {
  images?: Record<string, Partial<ImageProfile>>;
  /** Explicit node list (overrides `nodes`). */
  nodeConfigs?: NodeConfig[];
  withScheduler?: boolean;
  withLifecycle?: boolean;
}

/** A started world with the cluster components. */
export function startCluster(options: ClusterOptions = {}): ClusterFixture {
  const world = options.nodeConfigs === undefined ? makeWorld(options) : worldWithNodes(options.nodeConfigs, options);
  for (const [image, profile] of Object.entries(options.images ?? {})) {
    world.config.images.set(image, { ...DEFAULT_IMAGE_PROFILE, ...profile });
  }
  const nodes = world.register(new NodesComponent(world));
  const scheduler = new Scheduler(world);
  if (options.withScheduler !== false) world.register(scheduler);
  const kubelet = world.register(new Kubelet(world));
  const lifecycle = new NodeLifecycleController(world);
  if (options.withLifecycle !== false) world.register(lifecycle);
  const transitions: ClusterFixture["transitions"] = [];
  kubelet.addListener({
    onProcessState: (pod, state, atMs) => transitions.push({ atMs, pod: pod.metadata.name, state }),
  });
  const deleted: ClusterFixture["deleted"] = new Map();
  world.store.watch((type, object) => {
    if (type === "DELETED" && object.kind === "Pod")
      deleted.set(object.metadata.name, { atMs: world.nowMs, pod: object as Pod });
  });
  world.start();
  return { world, nodes, scheduler, kubelet, lifecycle, transitions, deleted };
}

function worldWithNodes(nodes: NodeConfig[], options: TestWorldOptions): World {
  const datacenters = [...new Set(nodes.map((node) => node.datacenter))].map((name) => ({ name, nodeLabels: {} }));
  const config = defaultWorldConfig({ seed: options.seed ?? 1, datacenters, nodes, ...options.config });
  if (options.watchDelayMs !== undefined) config.timing.watchDelay = constantMs(options.watchDelayMs);
  return new World(config);
}

/** `count` nodes in each named datacenter (zone = datacenter). */
export function zonedNodes(perZone: Record<string, number>, cpuMilli = 4000, pods = 110): NodeConfig[] {
  return Object.entries(perZone).flatMap(([name, count]) =>
    datacenterNodes({ name, nodeLabels: { datacenter: name.toLowerCase() } }, count, {
      cpuMilli,
      memoryBytes: 16 * 2 ** 30,
      pods,
    }),
  );
}

export interface PodOptions {
  image?: string;
  nodeName?: string;
  cpu?: string;
  memory?: string;
  owner?: string;
  readinessProbe?: Container["readinessProbe"];
  readinessGates?: string[];
  preStop?: NonNullable<Container["lifecycle"]>["preStop"];
  grace?: number;
  finalizers?: string[];
  restartPolicy?: string;
  spec?: Record<string, unknown>;
  containers?: Container[];
}

export function podManifest(name: string, options: PodOptions = {}): NewObject {
  const requests: Record<string, string> = {};
  if (options.cpu !== undefined) requests.cpu = options.cpu;
  if (options.memory !== undefined) requests.memory = options.memory;
  const container: Container = { name: "app", image: options.image ?? "app:v1" };
  if (Object.keys(requests).length > 0) container.resources = { requests };
  if (options.readinessProbe !== undefined) container.readinessProbe = options.readinessProbe;
  if (options.preStop !== undefined) container.lifecycle = { preStop: options.preStop };
  const owner: OwnerReference | undefined =
    options.owner === undefined
      ? undefined
      : {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: options.owner,
          uid: `uid-${options.owner}`,
          controller: true,
        };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "default",
      ...(owner === undefined ? {} : { ownerReferences: [owner] }),
      ...(options.finalizers === undefined ? {} : { finalizers: options.finalizers }),
    },
    spec: {
      containers: options.containers ?? [container],
      ...(options.nodeName === undefined ? {} : { nodeName: options.nodeName }),
      ...(options.grace === undefined ? {} : { terminationGracePeriodSeconds: options.grace }),
      ...(options.restartPolicy === undefined ? {} : { restartPolicy: options.restartPolicy }),
      ...(options.readinessGates === undefined
        ? {}
        : { readinessGates: options.readinessGates.map((conditionType) => ({ conditionType })) }),
      ...options.spec,
    },
  };
}

export function createPod(world: World, name: string, options: PodOptions = {}): Pod {
  return world.store.create<Pod>(podManifest(name, options));
}

export function pod(world: World, name: string): Pod | undefined {
  return world.store.get<Pod>("Pod", "default", name);
}

export function node(world: World, name: string): Node | undefined {
  return world.store.get<Node>("Node", NODE_NAMESPACE, name);
}

export function readyStatus(world: World, name: string): string | undefined {
  const found = pod(world, name);
  return found === undefined ? undefined : podCondition(found, "Ready")?.status;
}

/** Runs until `predicate` holds (checked after every event), or fails at `limitMs`; returns the time. */
export function runUntil(world: World, predicate: () => boolean, limitMs: number): number {
  while (!predicate()) {
    if (world.nowMs >= limitMs) throw new Error(`condition not met by ${limitMs} ms`);
    const result = world.kernel.run(Math.min(limitMs, world.nowMs + 1));
    if (result.reason === "idle" && !predicate())
      throw new Error(`idle at ${world.nowMs} ms before the condition held`);
  }
  return world.nowMs;
}

/** The first time (ms) a kubelet process transition to `state` was reported for `podName`. */
export function transitionAt(fixture: ClusterFixture, podName: string, state: ProcessState): number | undefined {
  return fixture.transitions.find((each) => each.pod === podName && each.state === state)?.atMs;
}
